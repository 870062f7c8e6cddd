//! The proof bundle a citizen or auditor downloads for a record, and its offline check.
//!
//! A bundle holds the record's leaves (their canonical bytes), an inclusion proof for each, and
//! the signed checkpoint the proofs lead to. [`ProofBundle::verify`] checks, with no network and
//! no database: the checkpoint's signature against a verifier key the auditor trusts (obtained
//! independently, e.g. from the published `log-verifier.keys`), that each leaf's bytes hash to a
//! leaf that the inclusion proof ties to the signed root, and that each leaf names the record.
use crate::log::checkpoint::NoteVerifier;
use crate::log::merkle::{self, Hash};
use serde::{Deserialize, Serialize};

pub const BUNDLE_FORMAT: &str = "sunledger-proof/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofBundle {
    pub format: String,
    /// `table/id` of the record.
    pub record: String,
    /// The signed checkpoint (C2SP signed note) the proofs lead to.
    pub checkpoint: String,
    /// The verifier keys the server publishes (for convenience: trust them only after checking
    /// them against an independent copy).
    pub verifier_keys: Vec<String>,
    pub leaves: Vec<BundleLeaf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleLeaf {
    pub index: u64,
    pub kind: String,
    /// The canonical bytes, as UTF-8 text (version 1 facts are JSON).
    pub data: String,
    /// Hex of SHA-256(0x00 ‖ data).
    pub leaf_hash: String,
    /// Hex hashes of the audit path, leaf to root.
    pub inclusion: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a {BUNDLE_FORMAT} bundle")]
    Format,
    #[error("the checkpoint is not signed by a trusted key: {0}")]
    Signature(String),
    #[error("leaf {0}: its data does not hash to the stated leaf hash")]
    LeafHash(u64),
    #[error("leaf {0}: the inclusion proof does not lead to the signed root")]
    Inclusion(u64),
    #[error("leaf {0}: malformed hex")]
    Hex(u64),
    #[error("leaf {0}: it does not name record {1}")]
    Record(u64, String),
    #[error("the bundle holds no leaf")]
    Empty,
}

fn parse_hash(s: &str) -> Option<Hash> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl ProofBundle {
    /// Checks the bundle against `trusted` keys; returns the signed tree size on success.
    pub fn verify(&self, trusted: &[NoteVerifier]) -> Result<u64, BundleError> {
        if self.format != BUNDLE_FORMAT {
            return Err(BundleError::Format);
        }
        let mut last_err = String::from("no trusted key given");
        let cp = trusted
            .iter()
            .find_map(|v| match v.open(&self.checkpoint) {
                Ok(cp) => Some(cp),
                Err(e) => {
                    last_err = e.to_string();
                    None
                }
            })
            .ok_or(BundleError::Signature(last_err))?;
        if self.leaves.is_empty() {
            return Err(BundleError::Empty);
        }
        let (table, id) = self.record.split_once('/').unwrap_or(("", ""));
        for leaf in &self.leaves {
            let stated = parse_hash(&leaf.leaf_hash).ok_or(BundleError::Hex(leaf.index))?;
            if merkle::leaf_hash(leaf.data.as_bytes()) != stated {
                return Err(BundleError::LeafHash(leaf.index));
            }
            let proof: Option<Vec<Hash>> = leaf.inclusion.iter().map(|h| parse_hash(h)).collect();
            let proof = proof.ok_or(BundleError::Hex(leaf.index))?;
            if !merkle::verify_inclusion(&stated, leaf.index, cp.size, &proof, &cp.root) {
                return Err(BundleError::Inclusion(leaf.index));
            }
            let names = serde_json::from_str::<serde_json::Value>(&leaf.data)
                .ok()
                .is_some_and(|v| {
                    v.get("table").and_then(|t| t.as_str()) == Some(table)
                        && v.get("id")
                            .and_then(|i| i.as_i64())
                            .map(|i| i.to_string())
                            .as_deref()
                            == Some(id)
                });
            if !names {
                return Err(BundleError::Record(leaf.index, self.record.clone()));
            }
        }
        Ok(cp.size)
    }
}

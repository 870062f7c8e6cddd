//! The tamper-evident log: its storage ([`LogStore`]), and roots and proofs computed from the
//! stored perfect-subtree nodes (one batched lookup of O(log n) nodes per proof; see
//! `sunledger_core::log::merkle`).
use crate::{Result, Store, StoreError};
use async_trait::async_trait;
use serde::Serialize;
use std::collections::HashMap;
use sunledger_core::log::fact::Fact;
use sunledger_core::log::merkle::{self, Hash, NodeId};

/// The storage of the tamper-evident log (part of [`crate::Store`]); roots and proofs are below.
#[async_trait]
pub trait LogStore: Send + Sync {
    /// Books facts that have no row of their own (bulk history, benchmarks) in one transaction.
    async fn append_facts(&self, facts: &[Fact]) -> Result<()>;
    /// Number of leaves.
    async fn log_size(&self) -> Result<u64>;
    async fn log_leaf(&self, index: u64) -> Result<Option<LogLeaf>>;
    /// Leaves from `from` in index order.
    async fn log_leaves(&self, from: u64, limit: u64) -> Result<Vec<LogLeaf>>;
    /// The leaves booked for one row, in index order.
    async fn log_leaves_of(&self, table: &str, id: i64) -> Result<Vec<LogLeaf>>;
    /// The leaves of a table's rows with `after_id < record_id <= upto_id`, ordered by record id,
    /// kind and index.
    async fn log_leaves_of_table(
        &self,
        table: &str,
        after_id: i64,
        upto_id: i64,
    ) -> Result<Vec<LogLeaf>>;
    /// Stored node hashes; ids not stored are absent from the map.
    async fn log_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>>;
    /// Stored nodes of one level from `from` in index order (for `verify`).
    async fn log_nodes_page(&self, level: u32, from: u64, limit: u64) -> Result<Vec<(u64, Hash)>>;
    /// The facts that the rows of `table` with `id > after_id` say now, ordered by id (for
    /// `verify`: compared with the leaves booked when the rows were written).
    async fn facts_of_table(&self, table: &str, after_id: i64, limit: i64) -> Result<Vec<Fact>>;
    /// How `verify` covers every column of every table: booked in a fact, derived from booked
    /// facts, part of the log itself, or unbooked on purpose (with the reason).
    fn coverage(&self) -> Vec<TableCover>;
    /// Every derived column whose stored value differs from what `verify` re-computes from the
    /// booked rows (account totals, states, stages, deadlines, county codes...).
    async fn derived_mismatches(&self) -> Result<Vec<Mismatch>>;
    async fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<()>;
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>>;
}

async fn assemble(store: &dyn Store, ranges: &[(u64, u64)]) -> Result<Vec<Hash>> {
    let ids = merkle::proof_nodes(ranges);
    let nodes = store.log_nodes(&ids).await?;
    merkle::assemble_proof(ranges, |id| nodes.get(&id).copied())
        .ok_or_else(|| StoreError::Corrupt("a log node needed for a proof is missing".into()))
}

/// The root of the first `size` leaves.
pub async fn root(store: &dyn Store, size: u64) -> Result<Hash> {
    if size == 0 {
        return Ok(merkle::EMPTY_ROOT);
    }
    let ids = merkle::root_nodes(size);
    let nodes = store.log_nodes(&ids).await?;
    let hashes: Option<Vec<Hash>> = ids.iter().map(|id| nodes.get(id).copied()).collect();
    hashes
        .as_deref()
        .and_then(merkle::fold_cover)
        .ok_or_else(|| StoreError::Corrupt(format!("log nodes for size {size} are missing")))
}

/// The audit path of leaf `index` in the tree of `size` leaves.
pub async fn inclusion_proof(store: &dyn Store, index: u64, size: u64) -> Result<Vec<Hash>> {
    if index >= size {
        return Err(StoreError::NotFound("leaf"));
    }
    assemble(store, &merkle::inclusion_proof_ranges(index, size)).await
}

/// The proof that the tree of `new` leaves extends the tree of `old` leaves.
pub async fn consistency_proof(store: &dyn Store, old: u64, new: u64) -> Result<Vec<Hash>> {
    if old > new {
        return Err(StoreError::NotFound("tree size"));
    }
    if old == 0 || old == new {
        return Ok(Vec::new());
    }
    assemble(store, &merkle::consistency_proof_ranges(old, new)).await
}

/// Signs a checkpoint of the log as it is now, with the consistency proof from the latest stored
/// checkpoint, and stores it. When the log has not grown, the latest checkpoint is returned.
pub async fn sign_checkpoint(
    store: &dyn Store,
    signer: &sunledger_core::log::checkpoint::NoteSigner,
    now: i64,
) -> Result<crate::StoredCheckpoint> {
    use sunledger_core::log::checkpoint::Checkpoint;
    let size = store.log_size().await?;
    let latest = store.latest_checkpoint().await?;
    if let Some(l) = &latest
        && l.size == size
    {
        return Ok(l.clone());
    }
    let root = root(store, size).await?;
    let prev_size = latest.as_ref().map(|l| l.size);
    let consistency = match prev_size {
        Some(p) => consistency_proof(store, p, size).await?,
        None => Vec::new(),
    };
    let cp = Checkpoint::new(signer.name(), size, root)
        .map_err(|e| StoreError::Corrupt(format!("checkpoint: {e}")))?;
    let note = signer
        .sign(&cp)
        .map_err(|e| StoreError::Corrupt(format!("signing: {e}")))?;
    let stored = crate::StoredCheckpoint {
        size,
        root,
        note,
        prev_size,
        consistency: consistency.iter().map(|h| hex(h)).collect(),
        at: now,
    };
    store.save_checkpoint(&stored).await?;
    // Another signer may have stored this size first: return what is stored.
    Ok(store.latest_checkpoint().await?.unwrap_or(stored))
}

/// How `verify` covers one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cover {
    /// The row's key: findings name the row by it (an edited key shows as a row deleted and
    /// another inserted).
    Key,
    /// Held by the row's facts of `kind`: as `field`, as the fact's time (`@at`), or deciding
    /// which kind the fact is (`@kind`).
    Booked {
        kind: &'static str,
        field: &'static str,
    },
    /// Re-computed by `verify` from booked columns.
    Derived { rule: &'static str },
    /// The log itself, checked by the tree: leaves hash to nodes, nodes to signed roots.
    Log { rule: &'static str },
    /// Not booked, on purpose.
    Unbooked { reason: &'static str },
}

/// The coverage of one table's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCover {
    pub table: &'static str,
    /// Whether a row's facts are compared with the latest leaf of each kind (rows booked again
    /// when they change: a region renamed by a new import, a new password): earlier leaves are
    /// the row's history.
    pub versioned: bool,
    /// Every (column, how) pair; a column can be held by several fact kinds.
    pub columns: Vec<(&'static str, Cover)>,
}

impl TableCover {
    /// The column that holds `field` of the facts of `kind` (`@at` for the fact's time).
    pub fn column_of(&self, kind: &str, field: &str) -> Option<&'static str> {
        self.columns.iter().find_map(|(c, cover)| match cover {
            Cover::Booked { kind: k, field: f } if *k == kind && *f == field => Some(*c),
            _ => None,
        })
    }

    /// The columns the facts of `kind` hold.
    pub fn columns_of(&self, kind: &str) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self
            .columns
            .iter()
            .filter_map(|(c, cover)| match cover {
                Cover::Booked { kind: k, .. } if *k == kind => Some(*c),
                _ => None,
            })
            .collect();
        out.dedup();
        out
    }
}

/// A derived column whose stored value is not what the booked rows give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub table: &'static str,
    /// The row's key (`id`, a region's code, a session's public id).
    pub key: String,
    pub column: &'static str,
    pub stored: Option<String>,
    pub derived: Option<String>,
    /// How the value is derived.
    pub rule: &'static str,
    /// The booked rows it was derived from, when few enough to name (`transfers 3, 9, 12`).
    pub sources: String,
}

/// One leaf of the tamper-evident log: a booked fact's canonical bytes and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LogLeaf {
    pub index: u64,
    pub kind: String,
    pub record_table: String,
    pub record_id: i64,
    pub county_code: Option<String>,
    pub at: i64,
    /// The canonical serialization (UTF-8 JSON, see `sunledger_core::log::fact`).
    #[schema(value_type = String)]
    pub data: Vec<u8>,
}

/// A signed tree head with the consistency proof from the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredCheckpoint {
    pub size: u64,
    /// Hex of the root hash.
    #[schema(value_type = String)]
    #[serde(serialize_with = "hex_hash")]
    pub root: [u8; 32],
    /// The C2SP signed note.
    pub note: String,
    pub prev_size: Option<u64>,
    /// Hex hashes of the consistency proof from `prev_size` to `size`.
    pub consistency: Vec<String>,
    pub at: i64,
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

fn hex_hash<S: serde::Serializer>(h: &[u8; 32], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex(h))
}

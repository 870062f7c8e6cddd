//! Signed checkpoints of the log: C2SP tlog-checkpoint bodies in C2SP signed notes, signed with
//! Ed25519 (signature type 0x01).
//!
//! A checkpoint commits to the log's tree of `size` leaves by its root (see [`crate::log::merkle`]):
//!
//! ```text
//! <origin>
//! <size>
//! <base64 root>
//!
//! — <key name> <base64(key ID ‖ Ed25519 signature)>
//! ```
//!
//! Specifications: c2sp.org/tlog-checkpoint and c2sp.org/signed-note (repository C2SP/C2SP,
//! files tlog-checkpoint.md and signed-note.md). Key strings use the formats of the Go reference
//! implementation golang.org/x/mod/sumdb/note: verifier keys `<name>+<hex key ID>+<base64(0x01 ‖
//! public key)>` and signer keys `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>`, so that
//! Go tools and witnesses can check Sunledger's checkpoints.
//!
//! No I/O and no randomness: the signing seed is a parameter (the caller generates and stores
//! it). Ed25519 signing is deterministic.

use crate::log::merkle::Hash;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use std::fmt;
use thiserror::Error;

/// The signature type byte of Ed25519 note signatures (signed-note "Signature types").
pub const SIG_TYPE_ED25519: u8 = 0x01;

/// The most signature lines a note may carry before it is rejected as malformed (the Go
/// reference implementation's limit; the spec asks verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// The start of every signature line: em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a checkpoint, a note or a key was refused. The `&'static str` fields are stable reason
/// codes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CheckpointError {
    /// The checkpoint body (origin, size, root, extension lines) is not well formed.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    /// The signed note's syntax is not well formed.
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    /// A key string, key name or seed is not well formed, or its key ID does not match.
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    /// The note carries a signature line of the trusted key that does not verify.
    #[error("invalid signature for key {name}+{key_id:08x}")]
    InvalidSignature { name: String, key_id: u32 },
    /// The note carries no signature by the trusted key.
    #[error("note has no signature by key {name}+{key_id:08x}")]
    NotSigned { name: String, key_id: u32 },
}

/// The tree head of the log at one size: what a checkpoint signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `sunledger.example/log`; non-empty, one line. It should equal the
    /// signing key's name and contain neither spaces nor `+`.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The RFC 6962 root of the tree of `size` leaves.
    pub root: Hash,
}

impl Checkpoint {
    /// A checkpoint, with its origin checked (non-empty, no control characters or newline).
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        let cp = Self {
            origin: origin.into(),
            size,
            root,
        };
        cp.validate()?;
        Ok(cp)
    }

    fn validate(&self) -> Result<(), CheckpointError> {
        if self.origin.is_empty() {
            return Err(CheckpointError::MalformedCheckpoint("empty_origin"));
        }
        if self.origin.chars().any(char::is_control) {
            return Err(CheckpointError::MalformedCheckpoint("control_character"));
        }
        Ok(())
    }

    /// The note text: `<origin>\n<size>\n<base64 root>\n`.
    #[must_use]
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Parses a checkpoint body. Extension lines after the root are allowed by the spec and
    /// ignored here (see [`Checkpoint::parse_body_with_extensions`]).
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        Self::parse_body_with_extensions(text).map(|(cp, _)| cp)
    }

    /// Parses a checkpoint body and returns its extension lines (opaque, each non-empty).
    ///
    /// Strict: the size is ASCII decimal without sign or leading zeros, the root is the
    /// canonical base64 of exactly 32 bytes, the text ends with a newline.
    pub fn parse_body_with_extensions(text: &str) -> Result<(Self, Vec<String>), CheckpointError> {
        let bad = CheckpointError::MalformedCheckpoint;
        let body = text
            .strip_suffix('\n')
            .ok_or(bad("missing_final_newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().ok_or(bad("missing_origin"))?;
        let size = lines.next().ok_or(bad("missing_size"))?;
        let root = lines.next().ok_or(bad("missing_root"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("empty_line"));
        }
        if text.chars().any(|c| c != '\n' && c.is_control()) {
            return Err(bad("control_character"));
        }
        let size = parse_size(size).ok_or(bad("size"))?;
        let root = decode_exact::<32>(root).ok_or(bad("root"))?;
        let cp = Self {
            origin: origin.to_owned(),
            size,
            root,
        };
        cp.validate()?;
        Ok((cp, extensions))
    }
}

/// ASCII decimal, no sign, no leading zeros (except "0").
fn parse_size(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Canonical standard base64 of any length.
fn decode_canonical(s: &str) -> Option<Vec<u8>> {
    let bytes = B64.decode(s).ok()?;
    (B64.encode(&bytes) == s).then_some(bytes)
}

/// Canonical standard base64 of exactly `N` bytes.
fn decode_exact<const N: usize>(s: &str) -> Option<[u8; N]> {
    decode_canonical(s)?.try_into().ok()
}

/// Key names: non-empty, no Unicode space, no `+` (signed-note), and no control character.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// The key ID of a public key: the first four bytes, big-endian, of
/// SHA-256(name ‖ 0x0A ‖ signature type ‖ public key) (signed-note, "Signatures").
#[must_use]
pub fn key_id(name: &str, sig_type: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([sig_type]);
    h.update(public_key);
    let digest: [u8; 32] = h.finalize().into();
    let [a, b, c, d, ..] = digest;
    u32::from_be_bytes([a, b, c, d])
}

/// Splits `<name>+<8 hex digits>+<base64>` (the name cannot hold `+`; the base64 can).
fn split_key(s: &str) -> Result<(&str, u32, Vec<u8>), CheckpointError> {
    let bad = CheckpointError::MalformedKey;
    let (name, rest) = s.split_once('+').ok_or(bad("format"))?;
    let (hex, b64) = rest.split_once('+').ok_or(bad("format"))?;
    if !valid_name(name) {
        return Err(bad("name"));
    }
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("key_id"));
    }
    let id = u32::from_str_radix(hex, 16).map_err(|_| bad("key_id"))?;
    let key = decode_canonical(b64).ok_or(bad("base64"))?;
    Ok((name, id, key))
}

/// `0x01 ‖ 32 bytes` → the 32 bytes.
fn ed25519_key_bytes(key: &[u8]) -> Result<[u8; 32], CheckpointError> {
    match key.split_first() {
        Some((&SIG_TYPE_ED25519, rest)) => rest
            .try_into()
            .map_err(|_| CheckpointError::MalformedKey("key_length")),
        Some(_) => Err(CheckpointError::MalformedKey("algorithm")),
        None => Err(CheckpointError::MalformedKey("key_length")),
    }
}

/// Signs checkpoints with one Ed25519 key under one key name.
pub struct NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer from a 32-byte Ed25519 seed (RFC 8032 private key) and a key name (non-empty,
    /// no spaces, no `+`; by the checkpoint spec it should be the log's origin).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, CheckpointError> {
        if !valid_name(name) {
            return Err(CheckpointError::MalformedKey("name"));
        }
        let key = SigningKey::from_bytes(seed);
        let public = key.verifying_key().to_bytes();
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, SIG_TYPE_ED25519, &public),
            key,
        })
    }

    /// A signer from a Go-format signer key `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖
    /// seed)>`, checking that the key ID matches.
    pub fn from_signer_key(skey: &str) -> Result<Self, CheckpointError> {
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(CheckpointError::MalformedKey("format"))?;
        let (name, id, key) = split_key(rest)?;
        let seed = ed25519_key_bytes(&key)?;
        let signer = Self::from_seed(name, &seed)?;
        if signer.key_id != id {
            return Err(CheckpointError::MalformedKey("key_id_mismatch"));
        }
        Ok(signer)
    }

    /// The Go-format signer key (secret: it holds the seed).
    #[must_use]
    pub fn signer_key(&self) -> String {
        let mut key = vec![SIG_TYPE_ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            B64.encode(key)
        )
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public verifier key `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`, to publish.
    #[must_use]
    pub fn verifier_key(&self) -> String {
        self.verifier().verifier_key()
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs a note text (non-empty, ending in a newline, without control characters other than
    /// newline): the text, a blank line and one signature line.
    pub fn sign_note(&self, text: &str) -> Result<String, CheckpointError> {
        if !text.ends_with('\n') {
            return Err(CheckpointError::MalformedNote("missing_final_newline"));
        }
        if text.chars().any(|c| c != '\n' && c.is_control()) {
            return Err(CheckpointError::MalformedNote("control_character"));
        }
        let signature = self.key.sign(text.as_bytes()).to_bytes();
        let mut blob = Vec::with_capacity(4 + signature.len());
        blob.extend_from_slice(&self.key_id.to_be_bytes());
        blob.extend_from_slice(&signature);
        Ok(format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.name,
            B64.encode(blob)
        ))
    }

    /// The signed note of a checkpoint.
    pub fn sign(&self, checkpoint: &Checkpoint) -> Result<String, CheckpointError> {
        checkpoint.validate()?;
        self.sign_note(&checkpoint.body())
    }
}

/// Checks notes signed by one trusted Ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses a verifier key `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`, checking the key
    /// ID and refusing non-canonical or small-order public keys.
    pub fn new(vkey: &str) -> Result<Self, CheckpointError> {
        let (name, id, key) = split_key(vkey)?;
        let verifier = Self::from_public_key(name, &ed25519_key_bytes(&key)?)?;
        if verifier.key_id != id {
            return Err(CheckpointError::MalformedKey("key_id_mismatch"));
        }
        Ok(verifier)
    }

    /// A verifier from a key name and a 32-byte Ed25519 public key.
    pub fn from_public_key(name: &str, public_key: &[u8; 32]) -> Result<Self, CheckpointError> {
        if !valid_name(name) {
            return Err(CheckpointError::MalformedKey("name"));
        }
        let key = VerifyingKey::from_bytes(public_key)
            .map_err(|_| CheckpointError::MalformedKey("public_key"))?;
        if key.to_edwards().compress().to_bytes() != *public_key {
            return Err(CheckpointError::MalformedKey("non_canonical_public_key"));
        }
        if key.is_weak() {
            return Err(CheckpointError::MalformedKey("small_order_public_key"));
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, SIG_TYPE_ED25519, public_key),
            key,
        })
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The verifier key string.
    #[must_use]
    pub fn verifier_key(&self) -> String {
        let mut key = vec![SIG_TYPE_ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, B64.encode(key))
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|sig| self.key.verify_strict(text.as_bytes(), &sig).is_ok())
    }

    /// Opens a signed note: checks its syntax and that this key signed its text, and returns the
    /// text (with its final newline).
    ///
    /// As signed-note requires: signature lines of other keys (another name or another key ID,
    /// such as witness cosignatures) are ignored; a signature line of this key that does not
    /// verify rejects the note; a note without a verified signature of this key is rejected.
    /// More than [`MAX_SIGNATURES`] signature lines, a line that is not a signature line after
    /// the blank line, control characters or a missing final newline make it malformed.
    pub fn open_note<'a>(&self, note: &'a str) -> Result<&'a str, CheckpointError> {
        let bad = CheckpointError::MalformedNote;
        if note.chars().any(|c| c != '\n' && c.is_control()) {
            return Err(bad("control_character"));
        }
        // The text ends at the last blank line; it keeps its final newline.
        let split = note.rfind("\n\n").ok_or(bad("no_signature_block"))?;
        let (text, sigs) = note.split_at(split + 1);
        let sigs = sigs
            .strip_prefix('\n')
            .and_then(|s| s.strip_suffix('\n'))
            .ok_or(bad("missing_final_newline"))?;
        if sigs.is_empty() {
            return Err(bad("no_signature"));
        }
        let mut verified = false;
        for (count, line) in sigs.split('\n').enumerate() {
            if count >= MAX_SIGNATURES {
                return Err(bad("too_many_signatures"));
            }
            let line = line.strip_prefix(SIG_PREFIX).ok_or(bad("signature_line"))?;
            let (name, b64) = line.split_once(' ').ok_or(bad("signature_line"))?;
            if !valid_name(name) {
                return Err(bad("signature_key_name"));
            }
            let blob = decode_canonical(b64).ok_or(bad("signature_base64"))?;
            let (id, signature) = match blob.split_first_chunk::<4>() {
                Some((id, signature)) if !signature.is_empty() => {
                    (u32::from_be_bytes(*id), signature)
                }
                _ => return Err(bad("signature_length")),
            };
            if name != self.name || id != self.key_id {
                continue;
            }
            if !self.verify(text, signature) {
                return Err(CheckpointError::InvalidSignature {
                    name: self.name.clone(),
                    key_id: self.key_id,
                });
            }
            verified = true;
        }
        if verified {
            Ok(text)
        } else {
            Err(CheckpointError::NotSigned {
                name: self.name.clone(),
                key_id: self.key_id,
            })
        }
    }

    /// Opens a signed checkpoint: [`NoteVerifier::open_note`], then [`Checkpoint::parse_body`].
    ///
    /// The caller still compares the origin with the log it expects.
    pub fn open(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        Checkpoint::parse_body(self.open_note(note)?)
    }

    /// Like [`NoteVerifier::open`], also returning the body's extension lines.
    pub fn open_with_extensions(
        &self,
        note: &str,
    ) -> Result<(Checkpoint, Vec<String>), CheckpointError> {
        Checkpoint::parse_body_with_extensions(self.open_note(note)?)
    }
}

impl std::str::FromStr for NoteVerifier {
    type Err = CheckpointError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.verifier_key())
    }
}

/// Signs a checkpoint: `signer.sign(checkpoint)`.
pub fn sign(checkpoint: &Checkpoint, signer: &NoteSigner) -> Result<String, CheckpointError> {
    signer.sign(checkpoint)
}

/// Opens a signed checkpoint: `verifier.open(note)`.
pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Checkpoint, CheckpointError> {
    verifier.open(note)
}

#[cfg(test)]
mod tests;

//! Signed checkpoints of the log: C2SP tlog-checkpoint bodies in C2SP signed notes, signed with
//! Ed25519 (signature type 0x01).
//!
//! A checkpoint commits to the log's tree of `size` leaves by its root (see [`crate::merkle`]):
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

use crate::merkle::Hash;
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
mod tests {
    use super::*;
    use crate::merkle::{EMPTY_ROOT, leaf_hash};

    // Vectors of the Go reference implementation, golang/mod, file sumdb/note/note_test.go
    // (TestNewVerifier, TestNewSigner, TestSign, TestOpen, TestVerifierList).
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> NoteVerifier {
        NoteVerifier::new(PETER_VKEY).unwrap()
    }

    fn signer() -> NoteSigner {
        NoteSigner::from_seed("sunledger.example/log", &[7; 32]).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint::new("sunledger.example/log", 20852163, leaf_hash(b"root")).unwrap()
    }

    #[test]
    fn go_key_vectors() {
        let v = peter();
        assert_eq!(v.name(), "PeterNeumann");
        assert_eq!(v.key_id(), 0xc74f20a3);
        assert_eq!(v.verifier_key(), PETER_VKEY);
        // The key ID is SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4], big-endian.
        let pk = B64
            .decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .unwrap();
        assert_eq!(pk.len(), 33);
        assert_eq!(key_id("PeterNeumann", pk[0], &pk[1..]), 0xc74f20a3);
        let s = NoteSigner::from_signer_key(PETER_SKEY).unwrap();
        assert_eq!(s.verifier_key(), PETER_VKEY);
        assert_eq!(s.signer_key(), PETER_SKEY);
        assert_eq!(s.verifier(), v);
        let e = NoteVerifier::new(ENOCH_VKEY).unwrap();
        assert_eq!(e.key_id(), 0xaf0cfe78);
        assert_eq!(
            ENOCH_VKEY.parse::<NoteVerifier>().unwrap().to_string(),
            ENOCH_VKEY
        );
        // The Debug form never shows the seed.
        assert!(!format!("{s:?}").contains("AYEK"));
    }

    #[test]
    fn go_key_manglings_rejected() {
        // TestNewVerifier: every proper substring and every single-byte increment fails.
        let b = PETER_VKEY.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i != 0 || j != b.len() {
                    let k = std::str::from_utf8(&b[i..j]).unwrap();
                    assert!(NoteVerifier::new(k).is_err(), "{k}");
                }
            }
        }
        let mut m = b.to_vec();
        for i in 0..m.len() {
            m[i] += 1;
            let k = String::from_utf8(m.clone()).unwrap();
            assert!(NoteVerifier::new(&k).is_err(), "{k}");
            m[i] -= 1;
        }
        // Wrong length key and unknown algorithm, each with an adjusted key ID.
        assert!(
            NoteVerifier::new(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
            .is_err()
        );
        assert!(
            NoteVerifier::new("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .is_err()
        );
        // TestNewSigner: the same for the signer key.
        let b = PETER_SKEY.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i != 0 || j != b.len() {
                    let k = std::str::from_utf8(&b[i..j]).unwrap();
                    assert!(NoteSigner::from_signer_key(k).is_err(), "{k}");
                }
            }
        }
        let mut m = b.to_vec();
        for i in 0..m.len() {
            m[i] += 1;
            let k = String::from_utf8(m.clone()).unwrap();
            assert!(NoteSigner::from_signer_key(&k).is_err(), "{k}");
            m[i] -= 1;
        }
        // Key names.
        for name in ["", "a b", "a+b", "a\tb", "a\u{3000}b", "a\nb"] {
            assert!(NoteSigner::from_seed(name, &[1; 32]).is_err(), "{name:?}");
        }
        // A small-order public key (the identity point) is refused.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            NoteVerifier::from_public_key("x", &identity),
            Err(CheckpointError::MalformedKey("small_order_public_key"))
        );
    }

    #[test]
    fn go_sign_vector() {
        let s = NoteSigner::from_signer_key(PETER_SKEY).unwrap();
        let note = s.sign_note(TEXT).unwrap();
        assert_eq!(note, format!("{TEXT}\n{PETER_SIG}"));
        assert_eq!(peter().open_note(&note), Ok(TEXT));
        assert!(s.sign_note("abc").is_err());
        assert!(s.sign_note("a\u{1}b\n").is_err());
    }

    #[test]
    fn go_open_vectors() {
        let p = peter();
        let e = NoteVerifier::new(ENOCH_VKEY).unwrap();
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        // One known key, one unknown: the unknown signature is ignored.
        assert_eq!(p.open_note(&both), Ok(TEXT));
        assert_eq!(e.open_note(&both), Ok(TEXT));
        // Repeated signatures are fine.
        let rep = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}");
        assert_eq!(p.open_note(&rep), Ok(TEXT));
        // No signature by this key.
        let only_enoch = format!("{TEXT}\n{ENOCH_SIG}");
        assert!(matches!(
            p.open_note(&only_enoch),
            Err(CheckpointError::NotSigned { .. })
        ));
        // Same name, other key (other key ID): ignored, so not signed.
        let other = NoteSigner::from_seed("PeterNeumann", &[9; 32]).unwrap();
        assert!(matches!(
            other.verifier().open_note(&both),
            Err(CheckpointError::NotSigned { .. })
        ));
        // Too many signatures.
        let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
        assert!(matches!(
            p.open_note(&many),
            Err(CheckpointError::MalformedNote(_))
        ));
        let sixteen = format!("{TEXT}\n{}", PETER_SIG.repeat(16));
        assert_eq!(p.open_note(&sixteen), Ok(TEXT));
        // A signature line of this key that does not verify.
        let (head, tail) = PETER_SIG.split_at(60);
        let corrupt = format!("{TEXT}\n{head}ABCD{tail}");
        assert!(matches!(
            p.open_note(&corrupt),
            Err(CheckpointError::InvalidSignature { .. })
        ));
        // A corrupt signature of this key rejects the note even beside a good one.
        let mixed = format!("{TEXT}\n{PETER_SIG}{head}ABCD{tail}");
        assert!(matches!(
            p.open_note(&mixed),
            Err(CheckpointError::InvalidSignature { .. })
        ));
        // Malformed messages (TestOpen badMsgs).
        let bad = [
            TEXT.to_owned(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\u{1}{TEXT}\n{PETER_SIG}"),
            format!(
                "{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
            ),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{TEXT}\n— PeterNeumann\n"),
            format!("{TEXT}\n— PeterNeumann x08g\n"),
            format!(
                "{TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            format!("{TEXT}\n{PETER_SIG}\r"),
        ];
        for msg in bad {
            assert!(
                matches!(p.open_note(&msg), Err(CheckpointError::MalformedNote(_))),
                "{msg:?}: {:?}",
                p.open_note(&msg)
            );
        }
        // Tampered text.
        let tampered = format!("{TEXT}\n{PETER_SIG}").replace("cryptography", "cryptographY");
        assert!(matches!(
            p.open_note(&tampered),
            Err(CheckpointError::InvalidSignature { .. })
        ));
    }

    /// golang/mod sumdb/tlog/note_test.go TestFormatTree: the go.sum database tree head, the
    /// same three-line body as a checkpoint.
    #[test]
    fn go_tree_body_vector() {
        let golden =
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
        let cp = Checkpoint::new(
            "go.sum database tree",
            123456789012,
            leaf_hash(b"hello world"),
        )
        .unwrap();
        assert_eq!(cp.body(), golden);
        assert_eq!(Checkpoint::parse_body(golden), Ok(cp));
        assert!(Checkpoint::parse_body(&golden.replace("123456789012", "0xabcdef")).is_err());
        assert!(Checkpoint::parse_body(&golden.replace("HmuwBb0=", "HmuwBTOOBIG=")).is_err());
    }

    #[test]
    fn round_trip() {
        let s = signer();
        let cp = checkpoint();
        let note = s.sign(&cp).unwrap();
        let body = cp.body();
        assert!(note.starts_with(&body));
        assert!(note.contains("\n\n— sunledger.example/log "));
        assert!(note.ends_with('\n'));
        let v = NoteVerifier::new(&s.verifier_key()).unwrap();
        assert_eq!(v.open(&note), Ok(cp.clone()));
        assert_eq!(open(&note, &v), Ok(cp.clone()));
        assert_eq!(sign(&cp, &s), Ok(note.clone()), "deterministic");
        // The empty tree.
        let empty = Checkpoint::new("sunledger.example/log", 0, EMPTY_ROOT).unwrap();
        assert_eq!(
            empty.body(),
            "sunledger.example/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
        assert_eq!(v.open(&s.sign(&empty).unwrap()), Ok(empty));
    }

    #[test]
    fn tampering_rejected() {
        let s = signer();
        let v = s.verifier();
        let cp = checkpoint();
        let note = s.sign(&cp).unwrap();
        let invalid = |n: &str| {
            assert!(
                matches!(v.open(n), Err(CheckpointError::InvalidSignature { .. })),
                "{n:?}: {:?}",
                v.open(n)
            );
        };
        // Size, root, origin.
        invalid(&note.replace("\n20852163\n", "\n20852164\n"));
        let mut other_root = cp.clone();
        other_root.root[31] ^= 1;
        invalid(&note.replace(&B64.encode(cp.root), &B64.encode(other_root.root)));
        invalid(&note.replacen("sunledger.example/log\n", "sunledger.example/log2\n", 1));
        // The signature itself: every base64 character of the signature changed in turn.
        let sig_at = note.rfind(' ').unwrap() + 1;
        for i in sig_at + 6..note.len() - 3 {
            let mut b = note.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let n = String::from_utf8(b).unwrap();
            assert!(v.open(&n).is_err(), "{n}");
        }
        // Signed by another key under the same name: not signed by ours.
        let mallory = NoteSigner::from_seed("sunledger.example/log", &[8; 32]).unwrap();
        assert!(matches!(
            v.open(&mallory.sign(&cp).unwrap()),
            Err(CheckpointError::NotSigned { .. })
        ));
        // Signature line without its note, or with the blank line removed.
        assert!(v.open(&note.replacen("\n\n", "\n", 1)).is_err());
        assert!(v.open(&note[cp.body().len()..]).is_err());
    }

    #[test]
    fn cosignatures_and_extensions() {
        let s = signer();
        let v = s.verifier();
        let cp = checkpoint();
        // A witness cosignature from an unknown key is ignored.
        let witness = NoteSigner::from_seed("witness.example/w1", &[3; 32]).unwrap();
        let note = s.sign(&cp).unwrap();
        let cosigned = format!(
            "{note}{}",
            witness.sign(&cp).unwrap().split_at(cp.body().len() + 1).1
        );
        assert_eq!(v.open(&cosigned), Ok(cp.clone()));
        assert_eq!(witness.verifier().open(&cosigned), Ok(cp.clone()));
        // Extension lines are signed text: returned, and the core three fields parsed.
        let text = format!("{}ext one\next two\n", cp.body());
        let signed = s.sign_note(&text).unwrap();
        assert_eq!(
            v.open_with_extensions(&signed),
            Ok((cp.clone(), vec!["ext one".to_owned(), "ext two".to_owned()]))
        );
        assert_eq!(v.open(&signed), Ok(cp.clone()));
        // But an empty extension line is not (it would be the blank line anyway).
        let blank_ext = format!("{}ext\n\nmore\n", cp.body());
        assert!(Checkpoint::parse_body(&blank_ext).is_err());
    }

    #[test]
    fn body_parsing_is_strict() {
        let root = B64.encode([5u8; 32]);
        let ok = format!("o\n7\n{root}\n");
        assert_eq!(
            Checkpoint::parse_body(&ok),
            Ok(Checkpoint::new("o", 7, [5; 32]).unwrap())
        );
        for bad in [
            format!("o\n7\n{root}"),
            format!("\n7\n{root}\n"),
            format!("o\n\n{root}\n"),
            format!("o\n07\n{root}\n"),
            format!("o\n+7\n{root}\n"),
            format!("o\n-7\n{root}\n"),
            format!("o\n 7\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            "o\n7\n\n".to_owned(),
            format!("o\n7\n{}\n", B64.encode([5u8; 31])),
            format!("o\n7\n{}\n", B64.encode([5u8; 33])),
            format!("o\n7\n{}\n", root.trim_end_matches('=')),
            "o\n7\nBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQV=\n".to_owned(),
            format!("o\u{7}\n7\n{root}\n"),
            format!("o\n7\n{root}\n\n"),
            "o\n7\n".to_owned(),
        ] {
            assert!(Checkpoint::parse_body(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n0\n{root}\n")).map(|c| c.size),
            Ok(0)
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n18446744073709551615\n{root}\n")).map(|c| c.size),
            Ok(u64::MAX)
        );
        assert!(Checkpoint::new("", 1, [0; 32]).is_err());
        assert!(Checkpoint::new("a\nb", 1, [0; 32]).is_err());
        let bad = Checkpoint {
            origin: "a\nb".into(),
            size: 1,
            root: [0; 32],
        };
        assert!(signer().sign(&bad).is_err());
    }
}

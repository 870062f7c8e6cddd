//! The log's signing key, kept in the data directory.
//!
//! - `log-signing.key` (mode 0600): the ed25519 signer key in the signed-note format
//!   (`PRIVATE+KEY+<name>+<id>+<base64>`); its name is the log's origin line.
//! - `log-verifier.keys`: every verifier key the log has used, one per line, newest last. Publish
//!   this file; checkpoints signed by any of its keys verify.
//!
//! Rotation (`sunledger keys rotate`) keeps the old signing key as `log-signing.key.<time>`,
//! writes a new one and appends its verifier key, so earlier checkpoints stay verifiable.
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use sunledger_core::log::checkpoint::{NoteSigner, NoteVerifier};

pub const SIGNING_FILE: &str = "log-signing.key";
pub const VERIFIER_FILE: &str = "log-verifier.keys";

fn signing_path(dir: &Path) -> PathBuf {
    dir.join(SIGNING_FILE)
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

fn append_verifier(dir: &Path, vkey: &str) -> Result<()> {
    use std::io::Write;
    let path = dir.join(VERIFIER_FILE);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(f, "{vkey}")?;
    Ok(())
}

fn new_signer(origin: &str) -> Result<NoteSigner> {
    let seed: [u8; 32] = rand::random();
    NoteSigner::from_seed(origin, &seed).map_err(|e| anyhow::anyhow!("log origin {origin:?}: {e}"))
}

/// The signing key, created (with its verifier key) when the data directory has none.
pub fn load_or_create(dir: &Path, origin: &str) -> Result<(NoteSigner, bool)> {
    let path = signing_path(dir);
    if path.exists() {
        return Ok((load(dir)?, false));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let signer = new_signer(origin)?;
    write_private(&path, &signer.signer_key())?;
    append_verifier(dir, &signer.verifier_key())?;
    Ok((signer, true))
}

pub fn load(dir: &Path) -> Result<NoteSigner> {
    let path = signing_path(dir);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (run `sunledger init`)", path.display()))?;
    NoteSigner::from_signer_key(text.trim()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Every verifier key in the data directory (or none when it has no key file).
pub fn verifiers(dir: &Path) -> Result<Vec<NoteVerifier>> {
    let path = dir.join(VERIFIER_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path)?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            NoteVerifier::new(l)
                .map_err(|e| anyhow::anyhow!("{} line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Replaces the signing key with a new one of the same (or a new) name.
pub fn rotate(dir: &Path, origin: Option<&str>, now: i64) -> Result<NoteSigner> {
    let old = load(dir)?;
    let name = origin.unwrap_or(old.name()).to_string();
    let backup = dir.join(format!("{SIGNING_FILE}.{now}"));
    if backup.exists() {
        bail!("{} already exists", backup.display());
    }
    std::fs::rename(signing_path(dir), &backup)?;
    let signer = new_signer(&name)?;
    write_private(&signing_path(dir), &signer.signer_key())?;
    append_verifier(dir, &signer.verifier_key())?;
    Ok(signer)
}

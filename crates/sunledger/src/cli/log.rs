//! The tamper-evident log: `sunledger verify`, `verify-proof`, `checkpoint` and `keys`.
use super::{Globals, now, open};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use std::path::PathBuf;

/// The options of `sunledger verify`.
#[derive(clap::Args)]
pub(super) struct Verify {
    /// Trusted verifier key(s); default: the data directory's log-verifier.keys.
    #[arg(long = "key")]
    keys: Vec<String>,
    /// Prints how every column of every table is covered (booked, derived, the log itself, or
    /// unbooked with its reason) as Markdown, and exits.
    #[arg(long)]
    columns: bool,
}

/// The options of `sunledger verify-proof`.
#[derive(clap::Args)]
pub(super) struct VerifyProof {
    file: PathBuf,
    /// Trusted verifier key(s), obtained independently of the bundle.
    #[arg(long = "key")]
    keys: Vec<String>,
}

#[derive(Subcommand)]
pub(super) enum KeysCommand {
    /// Prints the verifier keys to publish.
    Show,
    /// Replaces the signing key; the old verifier key stays valid for earlier checkpoints.
    Rotate {
        /// A new origin for the new key (default: keep the name).
        #[arg(long)]
        origin: Option<String>,
    },
}

/// `sunledger verify`.
pub(super) async fn verify(Verify { keys, columns }: Verify, g: &Globals) -> Result<u8> {
    if columns {
        print!(
            "{}",
            crate::verify::coverage_markdown(&sunledger_store::coverage())
        );
        return Ok(0);
    }
    // An audit never creates, migrates or writes: a mistyped path must not pass as a clean,
    // empty database.
    let store = match sunledger_store::open_for_audit(&g.url).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "verify: cannot audit {}: {e}",
                sunledger_store::redact_url(&g.url)
            );
            return Ok(2);
        }
    };
    if store.log_size().await.unwrap_or(0) == 0 {
        eprintln!(
            "verify: {}: the log is empty: nothing has been booked there, so there is nothing to verify",
            sunledger_store::redact_url(&g.url)
        );
        return Ok(2);
    }
    let verifiers = trusted_keys(&keys, &g.data_dir)?;
    if verifiers.is_empty() {
        eprintln!(
            "warning: no verifier key (pass --key or keep log-verifier.keys in the data directory): signatures not checked"
        );
    }
    let report = crate::verify::verify(store.as_ref(), &verifiers).await?;
    for f in &report.findings {
        println!("{f}");
    }
    println!(
        "leaves={} rows={} checkpoints={} findings={}",
        report.leaves,
        report.rows,
        report.checkpoints,
        report.findings.len()
    );
    Ok(if report.findings.is_empty() { 0 } else { 1 })
}

/// `sunledger verify-proof`.
pub(super) fn verify_proof(VerifyProof { file, keys }: VerifyProof, g: &Globals) -> Result<u8> {
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let bundle: sunledger_core::log::proof::ProofBundle = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a proof bundle", file.display()))?;
    let verifiers = trusted_keys(&keys, &g.data_dir)?;
    if verifiers.is_empty() {
        bail!("give the verifier key you trust with --key (the bundle's own keys prove nothing)");
    }
    match bundle.verify(&verifiers) {
        Ok(size) => {
            println!(
                "OK: {} is in the log ({} leaves) under a checkpoint of size {size}",
                bundle.record,
                bundle.leaves.len()
            );
            Ok(0)
        }
        Err(e) => {
            println!("FAILED: {e}");
            Ok(1)
        }
    }
}

/// `sunledger checkpoint`.
pub(super) async fn checkpoint(g: &Globals) -> Result<u8> {
    let store = open(&g.url).await?;
    let signer = crate::keys::load(&g.data_dir)?;
    let cp = sunledger_store::log::sign_checkpoint(store.as_ref(), &signer, now()).await?;
    print!("{}", cp.note);
    Ok(0)
}

/// `sunledger keys show` and `sunledger keys rotate`.
pub(super) fn keys(command: KeysCommand, g: &Globals) -> Result<u8> {
    match command {
        KeysCommand::Show => {
            for v in crate::keys::verifiers(&g.data_dir)? {
                println!("{}", v.verifier_key());
            }
            Ok(0)
        }
        KeysCommand::Rotate { origin } => {
            let s = crate::keys::rotate(&g.data_dir, origin.as_deref(), now())?;
            println!("new verifier key: {}", s.verifier_key());
            Ok(0)
        }
    }
}

fn trusted_keys(
    keys: &[String],
    data_dir: &std::path::Path,
) -> Result<Vec<sunledger_core::log::checkpoint::NoteVerifier>> {
    if keys.is_empty() {
        return crate::keys::verifiers(data_dir);
    }
    keys.iter()
        .map(|k| {
            sunledger_core::log::checkpoint::NoteVerifier::new(k.trim())
                .map_err(|e| anyhow::anyhow!("--key {k}: {e}"))
        })
        .collect()
}

//! `sunledger ledger`: the fund ledger (Book 1) as files.
use super::{Globals, now, open};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum LedgerCommand {
    /// Books a ledger file (CSV or XLSX, the export's columns) all together or not at all:
    /// every bad row is reported and then nothing is booked. Re-running a file books nothing twice.
    Import { file: PathBuf },
    /// Writes a region's ledger to a CSV or XLSX file (the format follows the --out extension).
    Export {
        /// Region code.
        #[arg(long)]
        region: String,
        /// Include every region and project below the region.
        #[arg(long)]
        subtree: bool,
        /// First booking day, YYYY-MM-DD (default: the beginning).
        #[arg(long)]
        from: Option<String>,
        /// Last booking day, YYYY-MM-DD, inclusive (default: the end).
        #[arg(long)]
        to: Option<String>,
        /// The file to write: FILE.csv or FILE.xlsx.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `sunledger ledger import` and `sunledger ledger export`.
pub(super) async fn run(command: LedgerCommand, g: &Globals) -> Result<u8> {
    let store = open(&g.url).await?;
    let code = match command {
        LedgerCommand::Import { file } => {
            crate::io::ledger::run_cli(store.as_ref(), &file, true, now()).await?
        }
        LedgerCommand::Export {
            region,
            subtree,
            from,
            to,
            out,
        } => {
            crate::io::ledger::export_cli(
                store.as_ref(),
                &region,
                subtree,
                from.as_deref(),
                to.as_deref(),
                &out,
            )
            .await?
        }
    };
    Ok(u8::try_from(code).unwrap_or(1))
}

//! `sunledger crosscheck`: the lists the household appraisal cross-checks applicants against.
use super::{Globals, now, open};
use anyhow::{Result, anyhow};
use clap::Subcommand;
use std::path::PathBuf;
use sunledger_core::RegionCode;
use sunledger_core::appraisal::CheckList;

#[derive(Subcommand)]
pub(super) enum CrosscheckCommand {
    /// Books a list from a CSV or XLSX file, all rows or none (docs/IMPORT.md).
    Import {
        /// public_payroll, cadre_relatives, vehicles, housing or deceased.
        #[arg(long)]
        kind: String,
        /// The county (or a township or village below it) the list is for.
        #[arg(long)]
        region: String,
        file: PathBuf,
    },
}

/// `sunledger crosscheck import`.
pub(super) async fn run(command: CrosscheckCommand, g: &Globals) -> Result<u8> {
    match command {
        CrosscheckCommand::Import { kind, region, file } => {
            let kind = CheckList::parse(&kind).map_err(|_| {
                anyhow!(
                    "--kind: {kind:?} is not public_payroll, cadre_relatives, vehicles, housing or deceased"
                )
            })?;
            let region =
                RegionCode::parse(&region).map_err(|e| anyhow!("--region: {region:?}: {e}"))?;
            let store = open(&g.url).await?;
            Ok(
                crate::io::appraisal::run_cli(store.as_ref(), &file, kind, &region, now()).await?
                    as u8,
            )
        }
    }
}

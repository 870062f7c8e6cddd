//! `sunledger households`: the household register the spot checks draw from.
use super::{Globals, now, open};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum HouseholdsCommand {
    /// Registers the households of a CSV or XLSX file, all together or none (docs/IMPORT.md).
    Import { file: PathBuf },
}

/// `sunledger households import`.
pub(super) async fn run(command: HouseholdsCommand, g: &Globals) -> Result<u8> {
    match command {
        HouseholdsCommand::Import { file } => {
            let store = open(&g.url).await?;
            Ok(crate::io::inspection::run_cli(store.as_ref(), &file, now()).await? as u8)
        }
    }
}

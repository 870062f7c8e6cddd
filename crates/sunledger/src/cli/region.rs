//! `sunledger regions`: importing and generating region tables.
use super::{Globals, now, open};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum RegionsCommand {
    /// Imports a region table (CSV with `code` and `name` columns; UTF-8, UTF-8 with BOM or GB18030).
    Import {
        file: PathBuf,
        /// Only import this subtree (and its ancestors found in the file).
        #[arg(long)]
        under: Option<String>,
    },
    /// Writes a synthetic region table (for tests and benchmarks).
    Generate {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// small or national.
        #[arg(long, default_value = "small")]
        scale: String,
        /// Number of deliberately broken rows to include.
        #[arg(long, default_value_t = 0)]
        broken: usize,
    },
}

/// `sunledger regions import` and `sunledger regions generate`.
pub(super) async fn run(command: RegionsCommand, g: &Globals) -> Result<u8> {
    match command {
        RegionsCommand::Import { file, under } => {
            let store = open(&g.url).await?;
            let code =
                crate::io::region::run_cli(store.as_ref(), &file, under.as_deref(), true, now())
                    .await?;
            Ok(u8::try_from(code).unwrap_or(1))
        }
        RegionsCommand::Generate {
            out,
            seed,
            scale,
            broken,
        } => {
            crate::bench::synthetic::run_generate_cli(&out, seed, &scale, broken)?;
            Ok(0)
        }
    }
}

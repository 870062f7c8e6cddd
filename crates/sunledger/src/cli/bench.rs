//! `sunledger bench` and `sunledger generate` (the synthetic province).
use super::{Globals, open};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(super) enum BenchCommand {
    /// Grows the log to LEAVES synthetic facts and measures appends and proofs.
    Log {
        #[arg(long, default_value_t = 100_000)]
        leaves: u64,
        #[arg(long, default_value_t = 10_000)]
        batch: u64,
    },
    /// Generates a province, imports it, and measures imports, rollups, the log, the HTTP
    /// server and its memory; prints a table (docs/PERFORMANCE.md). Uses a fresh SQLite file in
    /// DIR unless --database names an empty database.
    Province {
        /// province, province/N (every count divided by N) or smoke.
        #[arg(long, default_value = "province/10")]
        scale: String,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// Working directory (generated files, the default database, the server's keys).
        #[arg(long, default_value = "data/bench")]
        dir: PathBuf,
        /// Seconds of load on each HTTP target.
        #[arg(long, default_value_t = 10.0)]
        http_seconds: f64,
        /// Concurrent connections of the load generator.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// A streaming replica of the --database (PostgreSQL) for the server's dashboards and
        /// public pages (`serve --read-replica`).
        #[arg(long)]
        read_replica: Option<String>,
    },
}

/// The options of `sunledger generate`.
#[derive(clap::Args)]
pub(super) struct Generate {
    /// province, province/N (every count divided by N) or smoke.
    #[arg(long, default_value = "province")]
    scale: String,
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    #[arg(long)]
    out: PathBuf,
}

/// `sunledger bench log` and `sunledger bench province`.
pub(super) async fn run(command: BenchCommand, g: &Globals) -> Result<u8> {
    match command {
        BenchCommand::Log { leaves, batch } => {
            let store = open(&g.url).await?;
            crate::bench::log(store.as_ref(), leaves, batch.max(1)).await?;
            Ok(0)
        }
        BenchCommand::Province {
            scale,
            seed,
            dir,
            http_seconds,
            connections,
            read_replica,
        } => {
            let scale = crate::bench::generate::Scale::parse(&scale)?;
            crate::bench::province::run(crate::bench::province::Options {
                scale,
                seed,
                dir,
                database: g.database.clone(),
                http_seconds,
                connections,
                read_replica,
            })
            .await?;
            Ok(0)
        }
    }
}

/// `sunledger generate`.
pub(super) fn generate(Generate { scale, seed, out }: Generate) -> Result<u8> {
    let scale = crate::bench::generate::Scale::parse(&scale)?;
    let files = crate::bench::generate::write_all(&out, seed, &scale)?;
    println!("{files} files written to {}", out.display());
    Ok(0)
}

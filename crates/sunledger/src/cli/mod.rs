//! Subcommands of the `sunledger` binary: the top-level [`Cli`], and one module per command
//! group named by feature.
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use sunledger_store::Store;

mod access;
mod appraisal;
mod bench;
mod escalation;
mod flag;
mod inspection;
mod ledger;
mod log;
mod project;
mod region;
mod serve;

#[derive(Parser)]
#[command(
    name = "sunledger",
    version,
    about = "阳光账本 Sunledger: supervision of poverty-alleviation projects and funds"
)]
pub struct Cli {
    /// Database URL: `sqlite:PATH` (default ./data/sunledger.db) or `postgres://...`.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Directory for the default SQLite database and the log's signing key.
    #[arg(
        long,
        global = true,
        env = "SUNLEDGER_DATA_DIR",
        default_value = "data"
    )]
    data_dir: PathBuf,
    /// The log's origin line (and key name) for a new signing key, e.g. `ledger.example.gov.cn/log`.
    #[arg(
        long,
        global = true,
        env = "SUNLEDGER_LOG_ORIGIN",
        default_value = "sunledger.local/log"
    )]
    log_origin: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server (pages and JSON API).
    Serve(serve::Serve),
    /// Recomputes the tamper-evident log from the database and reports every booked row edited,
    /// deleted or inserted outside the application. Exits 1 when it finds any.
    Verify(log::Verify),
    /// Checks a downloaded proof bundle offline against a trusted verifier key.
    VerifyProof(log::VerifyProof),
    /// Signs a checkpoint of the log now.
    Checkpoint,
    /// Lists the escalation steps the rules make due on open problems (Book 3) and records them
    /// as proposals for a person to confirm or dismiss; `--dry-run` only lists them. The server
    /// does the same once a day.
    Escalate(escalation::Escalate),
    /// Benchmarks (print a table; not tests).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// The log's signing key.
    Keys {
        #[command(subcommand)]
        command: log::KeysCommand,
    },
    /// Creates or migrates the database and exits.
    Init,
    #[command(flatten)]
    Backups(crate::backup::Command),
    /// The region tree.
    Regions {
        #[command(subcommand)]
        command: region::RegionsCommand,
    },
    /// Accounts and their grants.
    Users {
        #[command(subcommand)]
        command: access::UsersCommand,
    },
    /// The fund ledger (Book 1) as CSV or XLSX files in the filing columns.
    Ledger {
        #[command(subcommand)]
        command: ledger::LedgerCommand,
    },
    /// The project library as CSV or XLSX files (docs/IMPORT.md).
    Projects {
        #[command(subcommand)]
        command: project::ProjectsCommand,
    },
    /// The household register (the spot checks' population) from CSV or XLSX files.
    Households {
        #[command(subcommand)]
        command: inspection::HouseholdsCommand,
    },
    /// The cross-check lists of the household appraisal (public-payroll staff, village cadres and
    /// their close relatives, vehicles, housing) from CSV or XLSX files.
    Crosscheck {
        #[command(subcommand)]
        command: appraisal::CrosscheckCommand,
    },
    /// Red flags: scans of the books by the cited rules (`flags scan`).
    Flags {
        #[command(subcommand)]
        command: flag::FlagsCommand,
    },
    /// Writes a synthetic province as import files (regions, households, projects, monthly
    /// ledgers) into OUT; see docs/PERFORMANCE.md. The ledger files name projects by the ids a
    /// fresh database gives when the project files are imported in order.
    Generate(bench::Generate),
}

/// The global options every command sees, with the database URL resolved.
struct Globals {
    url: String,
    data_dir: PathBuf,
    log_origin: String,
    /// `--database` as given (`bench province` makes its own default).
    database: Option<String>,
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SUNLEDGER_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The CLI reads the clock once per command and passes the time down.
#[allow(clippy::disallowed_methods)]
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn database_url(cli: &Option<String>, data_dir: &std::path::Path, demo: bool) -> String {
    let file = if demo { "demo.db" } else { "sunledger.db" };
    cli.clone()
        .unwrap_or_else(|| format!("sqlite:{}", data_dir.join(file).display()))
}

async fn open(url: &str) -> Result<Arc<dyn Store>> {
    sunledger_store::open(url)
        .await
        .with_context(|| format!("opening database {}", sunledger_store::redact_url(url)))
}
async fn run(cli: Cli) -> Result<u8> {
    let demo = matches!(&cli.command, Command::Serve(s) if s.demo);
    let g = Globals {
        url: database_url(&cli.database, &cli.data_dir, demo),
        data_dir: cli.data_dir,
        log_origin: cli.log_origin,
        database: cli.database,
    };
    match cli.command {
        Command::Init => serve::init(&g).await,
        Command::Serve(opts) => serve::run(opts, &g).await,
        Command::Verify(opts) => log::verify(opts, &g).await,
        Command::VerifyProof(opts) => log::verify_proof(opts, &g),
        Command::Bench { command } => bench::run(command, &g).await,
        Command::Generate(opts) => bench::generate(opts),
        Command::Households { command } => inspection::run(command, &g).await,
        Command::Crosscheck { command } => appraisal::run(command, &g).await,
        Command::Flags { command } => flag::run(command, &g).await,
        Command::Checkpoint => log::checkpoint(&g).await,
        Command::Escalate(opts) => escalation::run(opts, &g).await,
        Command::Keys { command } => log::keys(command, &g),
        Command::Regions { command } => region::run(command, &g).await,
        Command::Users { command } => access::run(&g.url, command).await,
        Command::Backups(command) => crate::backup::run(command, &g.url, &g.data_dir).await,
        Command::Ledger { command } => ledger::run(command, &g).await,
        Command::Projects { command } => project::run(command, &g).await,
    }
}

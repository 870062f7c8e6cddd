//! Subcommands of the `sunledger` binary.
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use sunledger_core::{Grant, RegionCode, Role};
use sunledger_store::{AuthEventKind, NewAuthEvent, NewGrant, NewUser, Store};

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
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load the fictional demo city (青山市) with one account per role, and print the accounts.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (when served behind HTTPS).
        #[arg(long, env = "SUNLEDGER_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Seconds between signed checkpoints of the log (signed only when the log grew).
        #[arg(long, default_value_t = 300)]
        checkpoint_every: u64,
        /// Serve this directory's files as they are under /files/ (published notices, downloads).
        #[arg(long)]
        files_dir: Option<PathBuf>,
        /// Address of a reverse proxy (repeatable) whose X-Forwarded-Proto, X-Forwarded-Host and
        /// X-Forwarded-For are believed: behind its HTTPS, cookies are marked Secure and the
        /// origin check expects https://. Ignored from any other address.
        #[arg(
            long = "trusted-proxy",
            env = "SUNLEDGER_TRUSTED_PROXY",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        #[command(flatten)]
        accounts: AccountArgs,
    },
    /// Recomputes the tamper-evident log from the database and reports every booked row edited,
    /// deleted or inserted outside the application. Exits 1 when it finds any.
    Verify {
        /// Trusted verifier key(s); default: the data directory's log-verifier.keys.
        #[arg(long = "key")]
        keys: Vec<String>,
    },
    /// Checks a downloaded proof bundle offline against a trusted verifier key.
    VerifyProof {
        file: PathBuf,
        /// Trusted verifier key(s), obtained independently of the bundle.
        #[arg(long = "key")]
        keys: Vec<String>,
    },
    /// Signs a checkpoint of the log now.
    Checkpoint,
    /// Lists the escalation steps the rules make due on open problems (Book 3) and records them
    /// as proposals for a person to confirm or dismiss; `--dry-run` only lists them. The server
    /// does the same once a day.
    Escalate {
        /// List only; record nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only problems inside this region (default: everywhere).
        #[arg(long)]
        region: Option<String>,
    },
    /// Benchmarks (print a table; not tests).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// The log's signing key.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Creates or migrates the database and exits.
    Init,
    #[command(flatten)]
    Backups(crate::backup::Command),
    /// The region tree.
    Regions {
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// Accounts and their grants.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// The fund ledger (Book 1) as CSV or XLSX files in the filing columns.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// The project library as CSV or XLSX files (docs/IMPORT.md).
    Projects {
        #[command(subcommand)]
        command: ProjectsCommand,
    },
    /// The household register (the spot checks' population) from CSV or XLSX files.
    Households {
        #[command(subcommand)]
        command: HouseholdsCommand,
    },
    /// Writes a synthetic province as import files (regions, households, projects, monthly
    /// ledgers) into OUT; see docs/PERFORMANCE.md. The ledger files name projects by the ids a
    /// fresh database gives when the project files are imported in order.
    Generate {
        /// province, province/N (every count divided by N) or smoke.
        #[arg(long, default_value = "province")]
        scale: String,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum HouseholdsCommand {
    /// Registers the households of a CSV or XLSX file, all together or none (docs/IMPORT.md).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum ProjectsCommand {
    /// Imports an existing project library (CSV or XLSX, one project per row). Each bad row is
    /// reported as `line N: field: reason`; the good rows are imported together in one
    /// transaction. Rows already in the library with the same content are skipped.
    Import {
        file: PathBuf,
        /// Check the file and report; import nothing.
        #[arg(long)]
        check: bool,
        /// Text added to the note recorded with every imported project, e.g. the document that
        /// approved the library.
        #[arg(long)]
        note: Option<String>,
    },
    /// Writes the projects of a region's subtree (current content) to a CSV file in the import's
    /// columns.
    Export {
        /// Region code.
        #[arg(long)]
        region: String,
        /// The file to write: FILE.csv.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
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

#[derive(Subcommand)]
enum BenchCommand {
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
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Prints the verifier keys to publish.
    Show,
    /// Replaces the signing key; the old verifier key stays valid for earlier checkpoints.
    Rotate {
        /// A new origin for the new key (default: keep the name).
        #[arg(long)]
        origin: Option<String>,
    },
}

#[derive(Subcommand)]
enum RegionsCommand {
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

#[derive(Subcommand)]
enum UsersCommand {
    /// Adds an account. The password is read from standard input (one line) unless --password is given.
    Add {
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Home region code.
        #[arg(long)]
        region: String,
        #[arg(long, env = "SUNLEDGER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Grants ROLE on the REGION subtree.
    Grant {
        username: String,
        role: String,
        region: String,
    },
    /// Revokes the active grant of ROLE on REGION (it stays in the history).
    Revoke {
        username: String,
        role: String,
        region: String,
    },
    /// Lists accounts with their active grants.
    List,
    /// Disables an account: its sessions end at once and it cannot sign in (booked in the log).
    Disable {
        username: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Enables a disabled account again (booked in the log).
    Enable {
        username: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Lists the sign-in limits holding now (kind, username, address, attempts, next attempt).
    Limits,
    /// Clears the sign-in limits of an account (--username) or of an address (--address).
    ClearLimits {
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        address: Option<String>,
    },
    /// Removes an account's second factor (a lost phone); the person enrols again.
    ResetTotp { username: String },
}

/// Sessions, sign-in limits and the second factor (`serve`).
#[derive(clap::Args)]
struct AccountArgs {
    /// A session unused this long ends (e.g. 30m, 2h, 900s).
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    session_idle: i64,
    /// A session ends this long after sign-in whatever its use (e.g. 12h).
    #[arg(long, default_value = "12h", value_parser = parse_duration)]
    session_max: i64,
    /// Require a second factor (TOTP) of the holders of --totp-roles: until they enrol, their
    /// accounts have no rights. Off unless given (so `--demo` accounts sign in with the password).
    #[arg(long, env = "SUNLEDGER_REQUIRE_TOTP")]
    require_totp: bool,
    /// The roles --require-totp applies to.
    #[arg(long, value_delimiter = ',', default_value = "admin,finance")]
    totp_roles: Vec<String>,
    /// Sign-in attempts per account and address within --sign-in-window (OWASP: throttle per
    /// account and source).
    #[arg(long, default_value_t = 5)]
    sign_in_per_account_address: i64,
    /// Sign-in attempts per address within --sign-in-window.
    #[arg(long, default_value_t = 30)]
    sign_in_per_address: i64,
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    sign_in_window: i64,
    /// Failed attempts in a row before an account asks for a growing delay (doubling from 2 s)
    /// between attempts from addresses it has not signed in from.
    #[arg(long, default_value_t = 5)]
    sign_in_free_failures: i64,
    /// The longest such delay (NIST SP 800-63B §5.2.2 caps consecutive failures at 100).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    sign_in_max_delay: i64,
}

impl AccountArgs {
    fn config(&self, _demo: bool) -> Result<sunledger_web::Config> {
        let mut roles = Vec::new();
        if self.require_totp {
            for r in &self.totp_roles {
                roles.push(Role::parse(r.trim()).map_err(|_| {
                    anyhow::anyhow!("--totp-roles: unknown role {r}; roles: {}", role_list())
                })?);
            }
        }
        for (name, v) in [
            (
                "--sign-in-per-account-address",
                self.sign_in_per_account_address,
            ),
            ("--sign-in-per-address", self.sign_in_per_address),
            ("--session-idle", self.session_idle),
            ("--session-max", self.session_max),
            ("--sign-in-window", self.sign_in_window),
        ] {
            if v < 1 {
                bail!("{name} must be at least 1");
            }
        }
        Ok(sunledger_web::Config {
            session_idle_secs: self.session_idle,
            session_ttl_secs: self.session_max,
            totp_required_roles: roles,
            sign_in: sunledger_store::SignInPolicy {
                window_secs: self.sign_in_window,
                max_per_account_address: self.sign_in_per_account_address,
                max_per_address: self.sign_in_per_address,
                account_free_failures: self.sign_in_free_failures.max(0),
                account_max_delay_secs: self.sign_in_max_delay.max(1),
                ..Default::default()
            },
            ..Default::default()
        })
    }
}

/// `90s`, `30m`, `12h`, `2d` or plain seconds.
fn parse_duration(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i..).unwrap_or("")),
        None => (s, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 90s, 30m, 12h or 2d"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: the unit must be s, m, h or d")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too long"))
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
    let demo = matches!(cli.command, Command::Serve { demo: true, .. });
    let url = database_url(&cli.database, &cli.data_dir, demo);
    let data_dir = cli.data_dir.clone();
    match cli.command {
        Command::Init => {
            let store = open(&url).await?;
            println!("database ready: {}", sunledger_store::redact_url(&url));
            let (signer, created) = crate::keys::load_or_create(&data_dir, &cli.log_origin)?;
            println!(
                "log signing key {}: {} (verifier key {})",
                if created { "created" } else { "present" },
                data_dir.join(crate::keys::SIGNING_FILE).display(),
                signer.verifier_key()
            );
            if store.user_count().await? == 0 {
                print_first_admin_hint();
            }
            Ok(0)
        }
        Command::Serve {
            addr,
            demo,
            secure_cookies,
            checkpoint_every,
            files_dir,
            trusted_proxies,
            accounts,
        } => {
            let (signer, created) = crate::keys::load_or_create(&data_dir, &cli.log_origin)?;
            if created {
                println!("created the log signing key in {}", data_dir.display());
            }
            let keys = crate::keys::verifiers(&data_dir)?
                .iter()
                .map(|v| v.verifier_key())
                .collect();
            let opts = ServeOptions {
                addr,
                demo,
                secure_cookies,
                checkpoint_every,
                files_dir,
                trusted_proxies,
                accounts,
            };
            serve(&url, opts, signer, keys).await
        }
        Command::Verify { keys } => {
            let store = open(&url).await?;
            let verifiers = trusted_keys(&keys, &data_dir)?;
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
        Command::VerifyProof { file, keys } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let bundle: sunledger_core::proof::ProofBundle = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a proof bundle", file.display()))?;
            let verifiers = trusted_keys(&keys, &data_dir)?;
            if verifiers.is_empty() {
                bail!(
                    "give the verifier key you trust with --key (the bundle's own keys prove nothing)"
                );
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
        Command::Bench {
            command: BenchCommand::Log { leaves, batch },
        } => {
            let store = open(&url).await?;
            crate::bench::log(store.as_ref(), leaves, batch.max(1)).await?;
            Ok(0)
        }
        Command::Bench {
            command:
                BenchCommand::Province {
                    scale,
                    seed,
                    dir,
                    http_seconds,
                    connections,
                },
        } => {
            let scale = crate::province::Scale::parse(&scale)?;
            crate::bench_province::run(crate::bench_province::Options {
                scale,
                seed,
                dir,
                database: cli.database.clone(),
                http_seconds,
                connections,
            })
            .await?;
            Ok(0)
        }
        Command::Generate { scale, seed, out } => {
            let scale = crate::province::Scale::parse(&scale)?;
            let files = crate::province::write_all(&out, seed, &scale)?;
            println!("{files} files written to {}", out.display());
            Ok(0)
        }
        Command::Households {
            command: HouseholdsCommand::Import { file },
        } => {
            let store = open(&url).await?;
            Ok(crate::households_io::run_cli(store.as_ref(), &file, now()).await? as u8)
        }
        Command::Checkpoint => {
            let store = open(&url).await?;
            let signer = crate::keys::load(&data_dir)?;
            let cp = sunledger_store::log::sign_checkpoint(store.as_ref(), &signer, now()).await?;
            print!("{}", cp.note);
            Ok(0)
        }
        Command::Escalate { dry_run, region } => {
            let store = open(&url).await?;
            let scopes = match region {
                Some(r) => vec![RegionCode::parse(&r).with_context(|| format!("--region {r}"))?],
                None => store
                    .region_roots()
                    .await?
                    .into_iter()
                    .map(|r| r.code)
                    .collect(),
            };
            let rules = sunledger_core::supervision::default_rules();
            let due = store.due_escalations(&scopes, &rules, now()).await?;
            if due.is_empty() {
                println!("no escalation step is due");
                return Ok(0);
            }
            println!("problem\tregion\tdeadline\tstate\tdue\ttitle");
            for (p, steps) in &due {
                let steps: Vec<&str> = steps.iter().map(|s| s.key()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    p.id,
                    p.region,
                    p.deadline,
                    p.state,
                    steps.join(","),
                    p.title
                );
            }
            if dry_run {
                println!("(dry run: nothing recorded)");
            } else {
                let made = store.propose_escalations(&scopes, &rules, now()).await?;
                println!("{} new proposal(s) recorded for confirmation", made.len());
            }
            Ok(0)
        }
        Command::Keys {
            command: KeysCommand::Show,
        } => {
            for v in crate::keys::verifiers(&data_dir)? {
                println!("{}", v.verifier_key());
            }
            Ok(0)
        }
        Command::Keys {
            command: KeysCommand::Rotate { origin },
        } => {
            let s = crate::keys::rotate(&data_dir, origin.as_deref(), now())?;
            println!("new verifier key: {}", s.verifier_key());
            Ok(0)
        }
        Command::Regions {
            command: RegionsCommand::Import { file, under },
        } => {
            let store = open(&url).await?;
            let code = crate::regions_import::run_cli(
                store.as_ref(),
                &file,
                under.as_deref(),
                true,
                now(),
            )
            .await?;
            Ok(u8::try_from(code).unwrap_or(1))
        }
        Command::Regions {
            command:
                RegionsCommand::Generate {
                    out,
                    seed,
                    scale,
                    broken,
                },
        } => {
            crate::synthetic::run_generate_cli(&out, seed, &scale, broken)?;
            Ok(0)
        }
        Command::Users { command } => users(&url, command).await,
        Command::Backups(command) => crate::backup::run(command, &url, &data_dir).await,
        Command::Ledger { command } => {
            let store = open(&url).await?;
            let code = match command {
                LedgerCommand::Import { file } => {
                    crate::ledger_io::run_cli(store.as_ref(), &file, true, now()).await?
                }
                LedgerCommand::Export {
                    region,
                    subtree,
                    from,
                    to,
                    out,
                } => {
                    crate::ledger_io::export_cli(
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
        Command::Projects { command } => {
            let store = open(&url).await?;
            let code = match command {
                ProjectsCommand::Import { file, check, note } => {
                    let opts = crate::projects_io::ImportOptions { check, note };
                    crate::projects_io::run_cli(store.as_ref(), &file, &opts, now()).await?
                }
                ProjectsCommand::Export { region, out } => {
                    crate::projects_io::export_cli(store.as_ref(), &region, &out).await?
                }
            };
            Ok(u8::try_from(code).unwrap_or(1))
        }
    }
}

fn print_first_admin_hint() {
    println!("没有任何账号。创建第一个管理员 / No accounts yet. Create the first administrator:");
    println!("  sunledger regions import REGIONS.csv");
    println!(
        "  sunledger users add admin --name 管理员 --region <CITY CODE>   (password from standard input)"
    );
    println!("  sunledger users grant admin admin <CITY CODE>");
}

fn trusted_keys(
    keys: &[String],
    data_dir: &std::path::Path,
) -> Result<Vec<sunledger_core::checkpoint::NoteVerifier>> {
    if keys.is_empty() {
        return crate::keys::verifiers(data_dir);
    }
    keys.iter()
        .map(|k| {
            sunledger_core::checkpoint::NoteVerifier::new(k.trim())
                .map_err(|e| anyhow::anyhow!("--key {k}: {e}"))
        })
        .collect()
}

struct ServeOptions {
    addr: String,
    demo: bool,
    secure_cookies: bool,
    checkpoint_every: u64,
    files_dir: Option<PathBuf>,
    trusted_proxies: Vec<std::net::IpAddr>,
    accounts: AccountArgs,
}

async fn serve(
    url: &str,
    opts: ServeOptions,
    signer: sunledger_core::checkpoint::NoteSigner,
    verifier_keys: Vec<String>,
) -> Result<u8> {
    let ServeOptions {
        addr,
        demo,
        secure_cookies,
        checkpoint_every,
        files_dir,
        trusted_proxies,
        accounts,
    } = opts;
    let store = open(url).await?;
    if demo {
        let loaded = crate::demo::load(store.as_ref(), now()).await?;
        println!(
            "{} 演示数据 / demo city 青山市 ({})",
            if loaded { "已载入" } else { "已存在" },
            sunledger_store::redact_url(url)
        );
        println!(
            "演示账号（密码均为 {pw}）/ demo accounts (password {pw}):",
            pw = crate::demo::DEMO_PASSWORD
        );
        for a in &crate::demo::ACCOUNTS {
            println!(
                "  {:<20} {:<18} {} @ {}",
                a.username,
                a.role.key(),
                a.display_name,
                a.region
            );
        }
    } else if store.user_count().await? == 0 {
        print_first_admin_hint();
    }
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let config = sunledger_web::Config {
        secure_cookies,
        files_dir,
        trusted_proxies,
        ..accounts.config(demo)?
    };
    println!("Sunledger 阳光账本: http://{}/", listener.local_addr()?);
    let state = sunledger_web::AppState::new(store, config).with_signer(signer, verifier_keys);
    // A first checkpoint at start, then periodically.
    if let Err(e) = state.checkpoint().await {
        tracing::error!(error = %e, "signing the start-up checkpoint");
    }
    sunledger_web::spawn_checkpointer(
        state.clone(),
        std::time::Duration::from_secs(checkpoint_every.max(1)),
    );
    // Escalation steps that came due are proposed at start and then once a day.
    sunledger_web::spawn_escalation_proposer(
        state.clone(),
        std::time::Duration::from_secs(24 * 3600),
    );
    sunledger_web::serve(listener, state).await?;
    Ok(0)
}

fn cli_event(kind: AuthEventKind, user: &sunledger_store::User, detail: String) -> NewAuthEvent {
    NewAuthEvent {
        at: now(),
        kind,
        region: Some(user.region),
        username: Some(user.username.clone()),
        user_id: Some(user.id),
        actor_id: None,
        ip: None,
        detail,
    }
}

async fn users(url: &str, command: UsersCommand) -> Result<u8> {
    let store = open(url).await?;
    match command {
        UsersCommand::Add {
            username,
            name,
            region,
            password,
        } => {
            sunledger_web::auth::check_username(&username)
                .map_err(|e| anyhow::anyhow!("{}", e.message(sunledger_web::i18n::Lang::En)))?;
            let region =
                RegionCode::parse(&region).map_err(|e| anyhow::anyhow!("--region: {e}"))?;
            if store.region(&region).await?.is_none() {
                bail!("--region: region {region} does not exist (import the region table first)");
            }
            let password = match password {
                Some(p) => p,
                None => {
                    if std::io::stdin().is_terminal() {
                        eprint!("password for {username}: ");
                    }
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .context("reading the password from standard input")?;
                    s.lines().next().unwrap_or("").to_string()
                }
            };
            sunledger_web::auth::check_password_policy(&password).map_err(|e| {
                anyhow::anyhow!("password: {}", e.message(sunledger_web::i18n::Lang::En))
            })?;
            let hash = sunledger_web::auth::hash_password(&password)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let ev = NewAuthEvent {
                at: now(),
                kind: AuthEventKind::UserAdded,
                region: Some(region),
                username: Some(username.clone()),
                user_id: None,
                actor_id: None,
                ip: None,
                detail: "cli".into(),
            };
            let u = store
                .create_user(
                    &NewUser {
                        username,
                        display_name: name,
                        password_hash: hash,
                        region,
                        person_id: None,
                    },
                    &ev,
                )
                .await
                .map_err(|e| match e {
                    sunledger_store::StoreError::Conflict { .. } => {
                        anyhow::anyhow!("username already exists")
                    }
                    other => other.into(),
                })?;
            println!("added {} (id {})", u.username, u.id);
            Ok(0)
        }
        UsersCommand::Grant {
            username,
            role,
            region,
        } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no account named {username}"))?;
            let role = Role::parse(&role)
                .map_err(|_| anyhow::anyhow!("unknown role {role}; roles: {}", role_list()))?;
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!("region: {e}"))?;
            if store.region(&region).await?.is_none() {
                bail!("region {region} does not exist");
            }
            let ev = cli_event(
                AuthEventKind::Grant,
                &user,
                format!("{} @ {region} (cli)", role.key()),
            );
            let g = store
                .add_grant(
                    &NewGrant {
                        user_id: user.id,
                        role,
                        region,
                        granted_by: None,
                    },
                    now(),
                    &ev,
                )
                .await
                .map_err(|e| match e {
                    sunledger_store::StoreError::Conflict { .. } => {
                        anyhow::anyhow!("{username} already holds {} on {region}", role.key())
                    }
                    other => other.into(),
                })?;
            println!(
                "granted {} on {} to {} (grant {})",
                role.key(),
                region,
                username,
                g.id
            );
            Ok(0)
        }
        UsersCommand::Revoke {
            username,
            role,
            region,
        } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no account named {username}"))?;
            let role = Role::parse(&role)
                .map_err(|_| anyhow::anyhow!("unknown role {role}; roles: {}", role_list()))?;
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!("region: {e}"))?;
            let target = Grant { role, region };
            let grant = store
                .grants_of(user.id, false)
                .await?
                .into_iter()
                .find(|g| g.role == target.role.key() && g.region == target.region)
                .with_context(|| {
                    format!(
                        "{username} holds no active {} grant on {region}",
                        role.key()
                    )
                })?;
            let ev = cli_event(
                AuthEventKind::Revoke,
                &user,
                format!("{} @ {region} (cli)", role.key()),
            );
            store.revoke_grant(grant.id, None, now(), &ev).await?;
            println!("revoked {} on {} from {}", role.key(), region, username);
            Ok(0)
        }
        UsersCommand::Disable { username, reason } => {
            set_disabled(store.as_ref(), &username, true, &reason).await
        }
        UsersCommand::Enable { username, reason } => {
            set_disabled(store.as_ref(), &username, false, &reason).await
        }
        UsersCommand::Limits => {
            let policy = sunledger_store::SignInPolicy::default();
            for l in store
                .sign_in_limits_within(&root_codes(store.as_ref()).await?, true, &policy, now())
                .await?
            {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    l.id,
                    l.kind,
                    l.username.as_deref().unwrap_or("-"),
                    l.ip.as_deref().unwrap_or("-"),
                    l.attempts,
                    if l.next_at > now() {
                        format!("next attempt in {} s", l.next_at - now())
                    } else {
                        String::new()
                    }
                );
            }
            Ok(0)
        }
        UsersCommand::ClearLimits { username, address } => {
            if username.is_none() && address.is_none() {
                bail!("give --username or --address");
            }
            let policy = sunledger_store::SignInPolicy::default();
            let ids: Vec<i64> = store
                .sign_in_limits_within(&root_codes(store.as_ref()).await?, true, &policy, now())
                .await?
                .into_iter()
                .filter(|l| {
                    username
                        .as_ref()
                        .is_some_and(|u| l.username.as_ref() == Some(u))
                        || address.as_ref().is_some_and(|a| l.ip.as_ref() == Some(a))
                })
                .map(|l| l.id)
                .collect();
            let user = match &username {
                Some(u) => store.user_by_username(u).await?,
                None => None,
            };
            let ev = NewAuthEvent {
                at: now(),
                kind: AuthEventKind::LimitCleared,
                region: user.as_ref().map(|u| u.region),
                username: username.clone(),
                user_id: user.as_ref().map(|u| u.id),
                actor_id: None,
                ip: None,
                detail: format!("{} (cli)", address.as_deref().unwrap_or(""))
                    .trim()
                    .to_string(),
            };
            let n = store.clear_sign_in_limits(&ids, &ev).await?;
            println!("cleared {n} sign-in limit(s)");
            Ok(0)
        }
        UsersCommand::ResetTotp { username } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no account named {username}"))?;
            let ev = cli_event(AuthEventKind::TotpRemoved, &user, "cli".into());
            if store.remove_totp(user.id, &ev).await? {
                println!("removed the second factor of {username}");
            } else {
                println!("{username} has no second factor");
            }
            Ok(0)
        }
        UsersCommand::List => {
            let roots: Vec<RegionCode> = store
                .region_roots()
                .await?
                .into_iter()
                .map(|r| r.code)
                .collect();
            for u in store.users_within(&roots).await? {
                let grants = store.grants_of(u.id, false).await?;
                let gs: Vec<String> = grants
                    .iter()
                    .map(|g| format!("{}@{}", g.role, g.region))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}{}",
                    u.username,
                    u.display_name,
                    u.region,
                    gs.join(","),
                    if u.disabled { "\tdisabled" } else { "" }
                );
            }
            Ok(0)
        }
    }
}

async fn root_codes(store: &dyn Store) -> Result<Vec<RegionCode>> {
    Ok(store
        .region_roots()
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect())
}

async fn set_disabled(
    store: &dyn Store,
    username: &str,
    disabled: bool,
    reason: &str,
) -> Result<u8> {
    let user = store
        .user_by_username(username)
        .await?
        .with_context(|| format!("no account named {username}"))?;
    let kind = if disabled {
        AuthEventKind::Disable
    } else {
        AuthEventKind::Enable
    };
    let detail = format!("{reason} (cli)").trim().to_string();
    let ev = cli_event(kind, &user, detail);
    let word = if disabled { "disabled" } else { "enabled" };
    if store
        .set_disabled(user.id, disabled, None, reason.trim(), &ev)
        .await?
    {
        println!("{word} {username}");
    } else {
        println!("{username} was already {word}");
    }
    Ok(0)
}

fn role_list() -> String {
    Role::ALL
        .iter()
        .map(|r| r.key())
        .collect::<Vec<_>>()
        .join(", ")
}

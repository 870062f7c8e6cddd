//! `sunledger bench province`: generates a province ([`crate::province`]), books it through the
//! import paths users use, and measures Sunledger against this machine's own limits. Prints one
//! Markdown table. Benchmarks are not tests: CI runs only `--scale smoke` to prove this still
//! works. `docs/PERFORMANCE.md` explains every row.
//!
//! What is measured, in order:
//! 1. **Import**: regions, households, projects, then every county's monthly ledger file through
//!    `ledger import`'s own function; against a raw bulk insert of the same rows (read from the
//!    same files, multi-row `INSERT`s in one transaction per file) into a plain table of the same
//!    database.
//! 2. **Log**: one-fact append p50/p95, inclusion proofs at the final size, full `verify`
//!    against SHA-256 over the same leaf bytes on this machine (single-threaded both).
//! 3. **Server**: the real `sunledger serve` as a child process on a free port. Rollups (the
//!    region ledger summary: balances, dispatched against received, detained funds, project
//!    counts by status) at city, county and township level, one request at a time; then a
//!    loopback load generator against a public project page, a county dashboard, and the same
//!    bytes as the public page served as a static file by the same server; the server's peak
//!    resident memory (`VmHWM`).
use crate::province::{self, Rng, Scale};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use sunledger_core::fact::Fact;
use sunledger_store::{Store, SuspensionTarget};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Options {
    pub scale: Scale,
    pub seed: u64,
    /// Working directory: generated files, the SQLite database (by default), the server's keys.
    pub dir: PathBuf,
    /// The database (must be empty); `None`: `sqlite:<dir>/bench.db`, recreated.
    pub database: Option<String>,
    /// Seconds of load per HTTP target.
    pub http_seconds: f64,
    /// Concurrent connections of the load generator.
    pub connections: usize,
}

/// One row of the result table.
struct Line {
    section: &'static str,
    measure: String,
    value: String,
    target: String,
}

struct Table(Vec<Line>);

impl Table {
    fn add(&mut self, section: &'static str, measure: impl Into<String>, value: String) {
        self.0.push(Line {
            section,
            measure: measure.into(),
            value,
            target: String::new(),
        });
    }
    fn target(
        &mut self,
        section: &'static str,
        measure: impl Into<String>,
        value: String,
        ok: bool,
        target: &str,
    ) {
        self.0.push(Line {
            section,
            measure: measure.into(),
            value,
            target: format!("{} {target}", if ok { "met" } else { "MISSED" }),
        });
    }
}

pub(crate) fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// The bench's "now": 2026-01-15 12:00 Beijing, after the generated fiscal year 2025.
const NOW: i64 = 1_768_449_600;

pub async fn run(opts: Options) -> Result<()> {
    std::fs::create_dir_all(&opts.dir)
        .with_context(|| format!("creating {}", opts.dir.display()))?;
    let url = match &opts.database {
        Some(u) => u.clone(),
        None => {
            let db = opts.dir.join("bench.db");
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", db.display()));
                if p.exists() {
                    std::fs::remove_file(&p)?;
                }
            }
            format!("sqlite:{}", db.display())
        }
    };
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut table = Table(Vec::new());
    let s = opts.scale;
    eprintln!("generating {s:?} into {}", opts.dir.display());
    let t = Instant::now();
    let g = province::generate(&opts.dir, opts.seed, &s)?;
    let prov = &g.province;
    let next_id = g.planned.iter().map(Vec::len).sum::<usize>() as i64;
    table.add(
        "generate",
        format!(
            "{} counties, {} townships, {} villages, {} households, {} projects, {} transfers (seed {})",
            prov.counties.len(),
            prov.counties.iter().map(|c| c.townships.len()).sum::<usize>(),
            prov.villages(),
            s.households,
            s.projects,
            s.transfers,
            opts.seed
        ),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    );

    let store = sunledger_store::open(&url)
        .await
        .with_context(|| format!("opening {}", sunledger_store::redact_url(&url)))?;
    if store.region_count().await? > 0 || store.log_size().await? > 0 {
        bail!(
            "{} is not empty: the benchmark needs a fresh database",
            sunledger_store::redact_url(&url)
        );
    }
    let import_rate = import_all(store.as_ref(), &mut table, &g).await?;
    raw_insert(&url, &g.ledger, import_rate, &mut table).await?;
    suspend_some(store.as_ref(), &g.planned, opts.seed).await?;
    log_section(store.as_ref(), &mut table, opts.seed).await?;
    let counties: Vec<String> = prov.counties.iter().map(|c| c.code.clone()).collect();
    let townships: Vec<String> = prov
        .counties
        .iter()
        .flat_map(|c| c.townships.iter().map(|t| t.code.clone()))
        .collect();
    let cities = cities_of(store.as_ref(), &counties).await?;
    let user = bench_user(store.as_ref(), prov).await?;
    drop(store);
    server_section(
        &opts, &url, &mut table, &user, &cities, &counties, &townships, next_id,
    )
    .await?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "Sunledger benchmark · {backend} · scale {s:?}")?;
    writeln!(out)?;
    writeln!(out, "| section | measure | value | target |")?;
    writeln!(out, "|---|---|---|---|")?;
    for l in &table.0 {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            l.section, l.measure, l.value, l.target
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn import_all(store: &dyn Store, table: &mut Table, g: &province::Generated) -> Result<f64> {
    let (regions_file, household_files, project_files, with_ids, ledger_files) = (
        &g.regions,
        &g.households,
        &g.projects,
        &g.planned,
        &g.ledger,
    );
    let t = Instant::now();
    let r = crate::regions_import::import_regions(
        store,
        regions_file,
        &crate::regions_import::ImportOptions::default(),
        NOW,
    )
    .await?;
    if !r.errors.is_empty() {
        bail!("regions import refused rows: {:?}", r.errors.first());
    }
    table.add(
        "import",
        "regions (regions import)",
        format!("{} rows in {:.1} s", r.rows, t.elapsed().as_secs_f64()),
    );
    eprintln!("households");
    let t = Instant::now();
    let mut n = 0;
    for f in household_files {
        let r = crate::households_io::import_households(store, f, NOW).await?;
        if let Some(e) = r.errors.first() {
            bail!("{}: {e}", f.display());
        }
        n += r.registered;
    }
    let d = t.elapsed();
    table.add(
        "import",
        "households (households import)",
        format!("{n} in {:.1} s: {:.0}/s", d.as_secs_f64(), rate(n, d)),
    );
    eprintln!("projects");
    let t = Instant::now();
    let mut n = 0;
    for f in project_files {
        let r = crate::projects_io::import_projects(
            store,
            f,
            &crate::projects_io::ImportOptions::default(),
            NOW,
        )
        .await?;
        if let Some(e) = r.errors.first() {
            bail!("{}: {e:?}", f.display());
        }
        n += r.imported;
    }
    let d = t.elapsed();
    table.add(
        "import",
        "projects (projects import)",
        format!("{n} in {:.1} s: {:.0}/s", d.as_secs_f64(), rate(n, d)),
    );
    // The ledger files name projects by the ids a fresh database gives: check a sample.
    for ps in with_ids {
        for (id, p) in ps.iter().step_by(97) {
            let got = store.project(*id).await?.map(|x| x.region.to_string());
            if got.as_deref() != Some(p.village.as_str()) {
                bail!(
                    "project {id} is in {got:?}, the generator expected {}",
                    p.village
                );
            }
        }
    }
    eprintln!("ledger: {} files", ledger_files.len());
    let t = Instant::now();
    let mut rows = 0;
    for (i, f) in ledger_files.iter().enumerate() {
        let r = crate::ledger_io::import_ledger(store, f, false, NOW).await?;
        if let Some(e) = r.errors.first() {
            bail!("{}: {e}", f.display());
        }
        rows += r.rows;
        if i % 100 == 99 {
            eprintln!(
                "  {} files, {rows} rows, {:.0} s",
                i + 1,
                t.elapsed().as_secs_f64()
            );
        }
    }
    let d = t.elapsed();
    table.add(
        "import",
        "ledger transfers (ledger import, one file per county and month)",
        format!("{rows} in {:.1} s: {:.0}/s", d.as_secs_f64(), rate(rows, d)),
    );
    Ok(rate(rows, d))
}

const RAW_COLUMNS: usize = 17;

/// Inserts every row of the ledger files, as read, into `bench_raw_transfers` (17 text columns,
/// no index, no checks) with multi-row `INSERT`s, one transaction per file.
async fn raw_insert(url: &str, files: &[PathBuf], import: f64, table: &mut Table) -> Result<()> {
    eprintln!("raw insert");
    macro_rules! run {
        ($pool:expr, $db:ty) => {{
            let pool = $pool;
            sqlx::query("DROP TABLE IF EXISTS bench_raw_transfers")
                .execute(&pool)
                .await?;
            let cols: Vec<String> = (0..RAW_COLUMNS).map(|i| format!("c{i} TEXT")).collect();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TABLE bench_raw_transfers (id BIGINT PRIMARY KEY, {})",
                cols.join(", ")
            )))
            .execute(&pool)
            .await?;
            let names: Vec<String> = (0..RAW_COLUMNS).map(|i| format!("c{i}")).collect();
            let head = format!(
                "INSERT INTO bench_raw_transfers (id, {}) ",
                names.join(", ")
            );
            let t = Instant::now();
            let mut n = 0i64;
            for f in files {
                let records = read_records(f)?;
                let mut tx = pool.begin().await?;
                for chunk in records.chunks(50) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(head.as_str());
                    q.push_values(chunk, |mut b, r| {
                        n += 1;
                        b.push_bind(n);
                        for i in 0..RAW_COLUMNS {
                            b.push_bind(r.get(i).unwrap_or("").to_string());
                        }
                    });
                    q.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            (n as u64, t.elapsed())
        }};
    }
    let (n, d) = if url.starts_with("postgres") {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await?;
        run!(pool, sqlx::Postgres)
    } else {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        run!(pool, sqlx::Sqlite)
    };
    let raw = rate(n, d);
    table.add(
        "import",
        "raw bulk insert of the same rows (same engine, same files)",
        format!("{n} in {:.1} s: {raw:.0}/s", d.as_secs_f64()),
    );
    let ratio = import / raw.max(1e-9);
    table.target(
        "import",
        "ledger import ÷ raw insert",
        format!("{:.1} %", ratio * 100.0),
        ratio >= 0.5,
        "(≥ 50 %)",
    );
    Ok(())
}

fn read_records(path: &Path) -> Result<Vec<csv::StringRecord>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .with_context(|| format!("reading {}", path.display()))?;
    rdr.records()
        .map(|r| r.map_err(anyhow::Error::from))
        .collect()
}

/// Suspends payments on about 0.5% of the projects (as a discipline decision would), so the
/// rollups count some suspensions.
async fn suspend_some(
    store: &dyn Store,
    projects: &[Vec<(i64, province::PlannedProject)>],
    seed: u64,
) -> Result<()> {
    let mut rng = Rng(seed ^ 0x5355_5350);
    for ps in projects {
        for (id, p) in ps {
            if rng.below(200) == 0 {
                let village = sunledger_core::RegionCode::parse(&p.village)?;
                let county = sunledger_core::RegionCode::parse(village.county_code())?;
                store
                    .suspend(
                        &SuspensionTarget::Project(*id),
                        &county,
                        "专项检查发现问题，暂停拨付",
                        "纪检〔2025〕1号",
                        None,
                        NOW,
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

async fn log_section(store: &dyn Store, table: &mut Table, seed: u64) -> Result<()> {
    eprintln!("log");
    let mut single = Vec::new();
    for i in 0..200 {
        let f = Fact::new("bench.single", "bench", i, NOW).field("x", i);
        let t = Instant::now();
        store.append_facts(&[f]).await?;
        single.push(t.elapsed().as_secs_f64() * 1e3);
    }
    single.sort_by(f64::total_cmp);
    table.add(
        "log",
        "append one fact in its own transaction, p50 / p95",
        format!("{:.2} ms / {:.2} ms", pct(&single, 0.5), pct(&single, 0.95)),
    );
    let size = store.log_size().await?;
    let mut rng = Rng(seed);
    let mut incl = Vec::new();
    for _ in 0..1000 {
        let idx = rng.below(size);
        let t = Instant::now();
        sunledger_store::log::inclusion_proof(store, idx, size).await?;
        incl.push(t.elapsed().as_secs_f64() * 1e3);
    }
    incl.sort_by(f64::total_cmp);
    table.add(
        "log",
        format!("inclusion proof at {size} leaves, p50 / p99"),
        format!("{:.2} ms / {:.2} ms", pct(&incl, 0.5), pct(&incl, 0.99)),
    );
    eprintln!("verify");
    let t = Instant::now();
    let report = crate::verify::verify(store, &[]).await?;
    let verify_time = t.elapsed();
    if !report.findings.is_empty() {
        bail!(
            "verify found {} problems, first: {}",
            report.findings.len(),
            report
                .findings
                .first()
                .map(|f| f.to_string())
                .unwrap_or_default()
        );
    }
    // SHA-256 over the same leaf bytes, timing only the hashing.
    let mut bytes = 0u64;
    let mut hashing = Duration::ZERO;
    let mut from = 0;
    loop {
        let leaves = store.log_leaves(from, 10_000).await?;
        let Some(last) = leaves.last() else { break };
        from = last.index + 1;
        let t = Instant::now();
        for l in &leaves {
            std::hint::black_box(sunledger_core::merkle::leaf_hash(&l.data));
            bytes += l.data.len() as u64 + 1;
        }
        hashing += t.elapsed();
    }
    let mb = bytes as f64 / 1e6;
    let v = mb / verify_time.as_secs_f64().max(1e-9);
    let h = mb / hashing.as_secs_f64().max(1e-9);
    table.add(
        "log",
        format!(
            "verify: {} leaves, {} rows re-derived",
            report.leaves, report.rows
        ),
        format!(
            "{:.1} s: {:.0} leaves/s, {v:.1} MB/s",
            verify_time.as_secs_f64(),
            rate(report.leaves, verify_time)
        ),
    );
    table.add(
        "log",
        format!("SHA-256 over the same {mb:.0} MB of leaves"),
        format!("{h:.0} MB/s"),
    );
    let ratio = v / h.max(1e-9);
    table.target(
        "log",
        "verify ÷ SHA-256",
        format!("{:.1} %", ratio * 100.0),
        ratio >= 0.5,
        "(≥ 50 %)",
    );
    Ok(())
}

async fn cities_of(store: &dyn Store, counties: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for c in counties {
        let code = sunledger_core::RegionCode::parse(c)?;
        if let Some(r) = store.region(&code).await?
            && let Some(p) = r.parent
            && !out.contains(&p.to_string())
        {
            out.push(p.to_string());
        }
    }
    Ok(out)
}

const BENCH_USER: &str = "bench.province";
const BENCH_PASSWORD: &str = "Bench-province-2025!";

/// A party-and-government account at the province (sees every summary below it).
async fn bench_user(store: &dyn Store, prov: &province::Province) -> Result<String> {
    let county = prov
        .counties
        .first()
        .map(|c| c.code.clone())
        .context("no county generated")?;
    let code = sunledger_core::RegionCode::parse(&county)?;
    let mut root = code;
    while let Some(p) = store.region(&root).await?.and_then(|r| r.parent) {
        root = p;
    }
    let hash =
        sunledger_web::auth::hash_password(BENCH_PASSWORD).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let ev = sunledger_store::NewAuthEvent {
        at: NOW,
        kind: sunledger_store::AuthEventKind::UserAdded,
        region: Some(root),
        username: Some(BENCH_USER.into()),
        user_id: None,
        actor_id: None,
        ip: None,
        detail: "bench".into(),
    };
    let u = store
        .create_user(
            &sunledger_store::NewUser {
                username: BENCH_USER.into(),
                display_name: "省级基准测试".into(),
                password_hash: hash,
                region: root,
                person_id: None,
            },
            &ev,
        )
        .await?;
    let ev = sunledger_store::NewAuthEvent {
        kind: sunledger_store::AuthEventKind::Grant,
        user_id: Some(u.id),
        ..ev
    };
    store
        .add_grant(
            &sunledger_store::NewGrant {
                user_id: u.id,
                role: sunledger_core::Role::PartyGovernment,
                region: root,
                granted_by: None,
            },
            NOW,
            &ev,
        )
        .await?;
    Ok(BENCH_USER.into())
}

/// The server as a child process; killed on drop.
struct Server {
    child: tokio::process::Child,
    addr: String,
}

impl Server {
    async fn start(opts: &Options, url: &str) -> Result<Server> {
        let exe = std::env::current_exe().context("finding the sunledger executable")?;
        let files = opts.dir.join("files");
        std::fs::create_dir_all(&files)?;
        let mut child = tokio::process::Command::new(exe)
            .arg("--database")
            .arg(url)
            .arg("--data-dir")
            .arg(&opts.dir)
            .arg("serve")
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--files-dir")
            .arg(&files)
            .arg("--checkpoint-every")
            .arg("86400")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting sunledger serve")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(600), async {
            while let Some(l) = lines.next_line().await? {
                if let Some(rest) = l.split("http://").nth(1) {
                    return Ok::<_, anyhow::Error>(rest.trim_end_matches('/').to_string());
                }
            }
            bail!("the server exited before listening")
        })
        .await
        .context("the server did not start within 10 minutes")??;
        // Keep draining its output.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server { child, addr })
    }

    /// (peak, current) resident memory in MB.
    fn memory(&self) -> Option<(f64, f64)> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        };
        Some((kb("VmHWM:")? / 1024.0, kb("VmRSS:")? / 1024.0))
    }
}

/// A minimal HTTP/1.1 keep-alive client for loopback load: GET with optional cookie, reads the
/// status and a `Content-Length` body.
struct Conn {
    r: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    async fn open(addr: &str) -> Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            r: BufReader::new(s),
            host: addr.to_string(),
        })
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: &str,
    ) -> Result<(u16, Vec<u8>, Vec<String>)> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if !cookie.is_empty() {
            req.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if !body.is_empty() {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.r.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.r.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut len = 0usize;
        let mut cookies = Vec::new();
        loop {
            line.clear();
            self.r.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            } else if lower.starts_with("transfer-encoding:") {
                bail!("chunked responses are not supported by the bench client");
            } else if lower.starts_with("set-cookie:")
                && let Some(v) = l.split_once(':').map(|x| x.1)
            {
                cookies.push(v.split(';').next().unwrap_or("").trim().to_string());
            }
        }
        let mut body = vec![0u8; len];
        self.r.read_exact(&mut body).await?;
        Ok((status, body, cookies))
    }
}

async fn sign_in(addr: &str, user: &str) -> Result<String> {
    let mut c = Conn::open(addr).await?;
    let body = serde_json::json!({"username": user, "password": BENCH_PASSWORD}).to_string();
    let (status, b, cookies) = c.request("POST", "/api/v1/session", "", &body).await?;
    if status != 200 {
        bail!("signing in: {status} {}", String::from_utf8_lossy(&b));
    }
    Ok(cookies.join("; "))
}

/// Result of one load run.
struct Load {
    requests: u64,
    errors: u64,
    secs: f64,
    lat_ms: Vec<f64>,
    bytes: u64,
}

/// `connections` keep-alive connections issue GETs for `seconds` (and at most `max` requests in
/// all); `path(i)` is the i-th request's path.
async fn load(
    addr: &str,
    cookie: &str,
    connections: usize,
    seconds: f64,
    max: u64,
    paths: Arc<Vec<String>>,
) -> Result<Load> {
    let issued = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let addr = addr.to_string();
        let cookie = cookie.to_string();
        let paths = paths.clone();
        let issued = issued.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await?;
            let mut lat = Vec::new();
            let (mut errors, mut bytes) = (0u64, 0u64);
            loop {
                let i = issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= max || Instant::now() >= deadline {
                    break;
                }
                let path = paths
                    .get((i as usize) % paths.len().max(1))
                    .cloned()
                    .unwrap_or_default();
                let t = Instant::now();
                let (status, body, _) = c.request("GET", &path, &cookie, "").await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                bytes += body.len() as u64;
                if status != 200 {
                    errors += 1;
                }
            }
            Ok::<_, anyhow::Error>((lat, errors, bytes))
        }));
    }
    let mut out = Load {
        requests: 0,
        errors: 0,
        secs: 0.0,
        lat_ms: Vec::new(),
        bytes: 0,
    };
    for t in tasks {
        let (lat, errors, bytes) = t.await??;
        out.requests += lat.len() as u64;
        out.errors += errors;
        out.bytes += bytes;
        out.lat_ms.extend(lat);
    }
    out.secs = start.elapsed().as_secs_f64();
    out.lat_ms.sort_by(f64::total_cmp);
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn server_section(
    opts: &Options,
    url: &str,
    table: &mut Table,
    user: &str,
    cities: &[String],
    counties: &[String],
    townships: &[String],
    projects: i64,
) -> Result<()> {
    eprintln!("server");
    let t = Instant::now();
    let server = Server::start(opts, url).await?;
    table.add(
        "server",
        "start (open, migrate, first checkpoint)",
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    );
    let addr = server.addr.clone();
    let cookie = sign_in(&addr, user).await?;
    // Rollups, one request at a time.
    let mut rng = Rng(opts.seed ^ 0x524F_4C4C);
    let mut c = Conn::open(&addr).await?;
    let sample = |xs: &[String], rng: &mut Rng, n: usize| -> Vec<String> {
        (0..n.min(xs.len().max(1) * 3))
            .filter_map(|_| rng.pick(xs).cloned())
            .collect()
    };
    for (level, codes, n) in [
        ("city", cities, 60),
        ("county", counties, 200),
        ("township", townships, 300),
    ] {
        let mut lat = Vec::new();
        let mut bytes = 0;
        for code in sample(codes, &mut rng, n) {
            let t = Instant::now();
            let (status, body, _) = c
                .request(
                    "GET",
                    &format!("/api/v1/regions/{code}/summary"),
                    &cookie,
                    "",
                )
                .await?;
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            bytes += body.len();
            if status != 200 {
                bail!(
                    "rollup of {code}: {status} {}",
                    String::from_utf8_lossy(&body)
                );
            }
        }
        lat.sort_by(f64::total_cmp);
        let p95 = pct(&lat, 0.95);
        table.target(
            "rollup",
            format!(
                "{level} summary (GET /api/v1/regions/CODE/summary, {} requests, {} KB average), p50 / p95 / p99",
                lat.len(),
                bytes / lat.len().max(1) / 1024
            ),
            format!("{:.1} / {p95:.1} / {:.1} ms", pct(&lat, 0.5), pct(&lat, 0.99)),
            p95 <= 20.0,
            "(p95 ≤ 20 ms)",
        );
    }
    // Public pages: approved projects picked at random.
    let public: Vec<String> = (0..2000)
        .map(|_| format!("/public/projects/{}", 1 + rng.below(projects.max(1) as u64)))
        .collect();
    let first = public.first().cloned().unwrap_or_default();
    let (status, page, _) = c.request("GET", &first, "", "").await?;
    if status != 200 {
        bail!("{first}: {status}");
    }
    std::fs::write(opts.dir.join("files").join("project.html"), &page)?;
    let dashboards: Vec<String> = counties
        .iter()
        .map(|c| format!("/regions/{c}/summary"))
        .collect();
    let runs = [
        (
            "public project page (/public/projects/ID, random IDs)",
            String::new(),
            public,
        ),
        (
            "the same page's bytes as a static file (/files/project.html)",
            String::new(),
            vec!["/files/project.html".to_string()],
        ),
        (
            "county dashboard (/regions/CODE/summary, signed in)",
            cookie.clone(),
            dashboards,
        ),
    ];
    let mut static_rate = 0.0;
    let mut public_rate = 0.0;
    for (i, (what, ck, paths)) in runs.into_iter().enumerate() {
        // Warm up, then measure.
        load(
            &addr,
            &ck,
            opts.connections,
            opts.http_seconds / 5.0,
            2_000,
            Arc::new(paths.clone()),
        )
        .await?;
        let l = load(
            &addr,
            &ck,
            opts.connections,
            opts.http_seconds,
            2_000_000,
            Arc::new(paths),
        )
        .await?;
        let rps = l.requests as f64 / l.secs.max(1e-9);
        let p99 = pct(&l.lat_ms, 0.99);
        let value = format!(
            "{rps:.0} req/s, p50 {:.1} ms, p99 {p99:.1} ms ({} requests, {} errors, {} KB each)",
            pct(&l.lat_ms, 0.5),
            l.requests,
            l.errors,
            l.bytes / l.requests.max(1) / 1024
        );
        if l.errors > 0 {
            bail!("{what}: {} of {} requests failed", l.errors, l.requests);
        }
        match i {
            0 => {
                public_rate = rps;
                table.target(
                    "http",
                    format!("{what}, {} connections", opts.connections),
                    value,
                    rps >= 5000.0 && p99 <= 20.0,
                    "(≥ 5,000 req/s, p99 ≤ 20 ms)",
                );
            }
            1 => {
                static_rate = rps;
                table.add("http", what, value);
            }
            _ => table.add("http", what, value),
        }
    }
    table.add(
        "http",
        "public page ÷ static file",
        format!("{:.1} %", 100.0 * public_rate / static_rate.max(1e-9)),
    );
    if let Some((peak, now)) = server.memory() {
        table.target(
            "memory",
            "server resident memory, peak (VmHWM) / at the end",
            format!("{peak:.0} MB / {now:.0} MB"),
            peak <= 200.0,
            "(≤ 200 MB)",
        );
    }
    Ok(())
}

//! `sunledger bench province`: generates a province ([`crate::bench::generate`]), books it through the
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
use crate::bench::generate::{self, Rng, Scale};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use sunledger_core::log::fact::Fact;
use sunledger_store::{Store, SuspensionTarget};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

mod flags;
mod server;
use flags::{book_plants, flag_section, planted_section};
use server::{bench_user, cities_of, server_section};

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
    /// A streaming replica of `database` the server reads dashboards and public pages from
    /// (`serve --read-replica`).
    pub read_replica: Option<String>,
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
    let backend = match (url.starts_with("postgres"), &opts.read_replica) {
        (true, Some(_)) => "PostgreSQL with a read replica",
        (true, None) => "PostgreSQL",
        (false, Some(_)) => bail!("--read-replica needs a PostgreSQL --database"),
        (false, None) => "SQLite",
    };
    let mut table = Table(Vec::new());
    let s = opts.scale;
    eprintln!("generating {s:?} into {}", opts.dir.display());
    let t = Instant::now();
    let g = generate::generate(&opts.dir, opts.seed, &s)?;
    let prov = &g.province;
    // The approved projects (the planted one left declared has no public page).
    let approved: Vec<i64> = g
        .planned
        .iter()
        .flatten()
        .filter(|(_, p)| p.plant != Some(crate::bench::plant::UNAPPROVED_CASE))
        .map(|(id, _)| *id)
        .collect();
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
    flag_section(store.as_ref(), &mut table).await?;
    planted_section(store.as_ref(), &mut table, &g.planted).await?;
    let counties: Vec<String> = prov.counties.iter().map(|c| c.code.clone()).collect();
    let townships: Vec<String> = prov
        .counties
        .iter()
        .flat_map(|c| c.townships.iter().map(|t| t.code.clone()))
        .collect();
    let villages: Vec<String> = prov
        .counties
        .iter()
        .flat_map(|c| c.townships.iter())
        .flat_map(|t| t.villages.iter().map(|v| v.0.clone()))
        .collect();
    let cities = cities_of(store.as_ref(), &counties).await?;
    let user = bench_user(store.as_ref(), prov).await?;
    drop(store);
    server_section(
        &opts, &url, &mut table, &user, &cities, &counties, &townships, &villages, &approved,
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

async fn import_all(store: &dyn Store, table: &mut Table, g: &generate::Generated) -> Result<f64> {
    let (regions_file, household_files, project_files, with_ids, ledger_files) = (
        &g.regions,
        &g.households,
        &g.projects,
        &g.planned,
        &g.ledger,
    );
    let t = Instant::now();
    let r = crate::io::region::import_regions(
        store,
        regions_file,
        &crate::io::region::ImportOptions::default(),
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
        let r = crate::io::inspection::import_households(store, f, NOW).await?;
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
        let r = crate::io::project::import_projects(
            store,
            f,
            &crate::io::project::ImportOptions::default(),
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
    let t = Instant::now();
    let n = book_plants(store, g).await?;
    table.add(
        "import",
        "planted cases: project steps, beneficiaries, cross-check lists (store calls, crosscheck import)",
        format!("{n} in {:.1} s", t.elapsed().as_secs_f64()),
    );
    eprintln!("ledger: {} files", ledger_files.len());
    let t = Instant::now();
    let mut rows = 0;
    for (i, f) in ledger_files.iter().enumerate() {
        let r = crate::io::ledger::import_ledger(store, f, false, NOW).await?;
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
    projects: &[Vec<(i64, generate::PlannedProject)>],
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
            std::hint::black_box(sunledger_core::log::merkle::leaf_hash(&l.data));
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

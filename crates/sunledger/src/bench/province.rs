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

mod server;
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

/// A full red-flag scan of the province (every rule, every county and city), timed, with the
/// flags each rule raised. The target (issue 20) is for SQLite on this machine.
async fn flag_section(store: &dyn Store, table: &mut Table) -> Result<()> {
    let today = sunledger_core::day::today(NOW);
    let t = Instant::now();
    let mut per_rule: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    let mut shards = 0;
    for root in store.region_roots().await? {
        for r in store
            .scan_flags(&root.code, &[], today, None, NOW, &|_| {})
            .await?
        {
            shards += 1;
            for (id, hits, raised) in r.rules {
                let e = per_rule.entry(id).or_default();
                e.0 += hits;
                e.1 += raised;
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    table.target(
        "flags",
        format!("full scan, every rule ({shards} counties and cities)"),
        format!("{secs:.1} s"),
        secs < 120.0,
        "< 2 min (SQLite)",
    );
    for (id, (hits, raised)) in per_rule {
        table.add(
            "flags",
            format!("{id}: hits / flags"),
            format!("{hits} / {raised}"),
        );
    }
    Ok(())
}

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 2_440_588;

/// Noon in Beijing of `day` (`YYYY-MM-DD`), as the Unix time an office step is taken at.
fn noon_of(day: &str) -> Result<i64> {
    let d = sunledger_core::day::parse("on_date", day)?;
    Ok((d - UNIX_EPOCH_DAY) * 86_400 + 4 * 3_600)
}

/// Books the planted cases' side files ([`crate::bench::plant`]): each county's project steps
/// and beneficiaries through the store calls the project pages make, dated as written, and its
/// cross-check lists through `crosscheck import`'s own function. Returns the rows booked.
async fn book_plants(store: &dyn Store, g: &generate::Generated) -> Result<u64> {
    use sunledger_core::project::StatusAction;
    let dir = g
        .regions
        .parent()
        .context("the generated files' directory")?;
    let mut n = 0u64;
    for f in crate::bench::plant::county_files(dir, &g.province) {
        let county = sunledger_core::RegionCode::parse(&f.county)?;
        let mut milestones: std::collections::BTreeMap<i64, i64> = Default::default();
        let mut team: Option<Team> = None;
        for (i, r) in read_records(&f.progress)?.iter().enumerate() {
            let line = || format!("{} line {}", f.progress.display(), i + 2);
            let id: i64 = r.get(0).unwrap_or("").parse().with_context(line)?;
            let day = r.get(2).unwrap_or("");
            let at = noon_of(day).with_context(line)?;
            match r.get(1).unwrap_or("") {
                "progress" => {
                    let m = match milestones.get(&id) {
                        Some(m) => *m,
                        None => {
                            let m = store
                                .add_milestone(id, "主体工程", 100, None, None, at)
                                .await
                                .with_context(line)?
                                .id;
                            milestones.insert(id, m);
                            m
                        }
                    };
                    let progress: i64 = r.get(3).unwrap_or("").parse().with_context(line)?;
                    store
                        .report_progress(m, progress, day, "进度报告", None, at)
                        .await
                        .with_context(line)?;
                }
                "accept" => {
                    let team = match &team {
                        Some(t) => t,
                        None => team.insert(Team::new(store, &county).await.with_context(line)?),
                    };
                    team.accept(store, id, day).await.with_context(line)?;
                }
                action => {
                    let action = StatusAction::parse(action).with_context(line)?;
                    store
                        .project_status_step(id, action, "", None, at)
                        .await
                        .with_context(line)?;
                }
            }
            n += 1;
        }
        for (i, r) in read_records(&f.beneficiaries)?.iter().enumerate() {
            let line = || format!("{} line {}", f.beneficiaries.display(), i + 2);
            let id: i64 = r.get(0).unwrap_or("").parse().with_context(line)?;
            let number =
                sunledger_core::IdNumber::parse(r.get(2).unwrap_or("")).with_context(line)?;
            let size: i64 = r.get(3).unwrap_or("").parse().with_context(line)?;
            store
                .add_beneficiary(id, r.get(1).unwrap_or(""), &number, size, None, NOW)
                .await
                .with_context(line)?;
            n += 1;
        }
        for (kind, path) in &f.lists {
            let kind = sunledger_core::appraisal::CheckList::parse(kind)?;
            let r =
                crate::io::appraisal::import_file(store, path, kind, &county, None, NOW).await?;
            if let Some(e) = r.errors.first() {
                bail!("{}: {e}", path.display());
            }
            n += r.rows;
        }
    }
    Ok(n)
}

/// A county's acceptance team for the planted cases' Book 4 path: accounts of people in the
/// county's finance bureau, poverty bureau and agriculture bureau, and of a township official
/// who applies. They cannot sign in (no password); the store's four-eyes controls see them.
struct Team {
    applicant: i64,
    finance: i64,
    bureau: i64,
    agri: i64,
}

impl Team {
    async fn new(store: &dyn Store, county: &sunledger_core::RegionCode) -> Result<Team> {
        use sunledger_core::DepartmentKind as K;
        let mut ids = Vec::new();
        for (i, (kind, unit, who)) in [
            (K::Government, "人民政府", "乡村振兴专干"),
            (K::FinanceBureau, "财政局", "验收组财政代表"),
            (K::PovertyBureau, "乡村振兴局", "验收组组长"),
            (K::BusinessDepartment, "农业农村局", "验收组技术代表"),
        ]
        .into_iter()
        .enumerate()
        {
            let d = store
                .create_department(
                    &sunledger_store::NewDepartment {
                        region: *county,
                        kind,
                        name: format!("基准县{unit}"),
                        credit_code: None,
                        stationed_by: None,
                    },
                    NOW,
                )
                .await?;
            let person = store
                .create_person(
                    &sunledger_store::NewPerson {
                        department_id: d.id,
                        name: who.to_string(),
                        position: sunledger_core::org::Position::Staff,
                        phone: None,
                    },
                    NOW,
                )
                .await?;
            let username = format!("bench.{}.{i}", county.county_code());
            let ev = sunledger_store::NewAuthEvent {
                at: NOW,
                kind: sunledger_store::AuthEventKind::UserAdded,
                region: Some(*county),
                username: Some(username.clone()),
                user_id: None,
                actor_id: None,
                ip: None,
                detail: "bench: planted acceptance".into(),
            };
            let u = store
                .create_user(
                    &sunledger_store::NewUser {
                        username,
                        display_name: who.to_string(),
                        password_hash: "!".into(),
                        region: *county,
                        person_id: Some(person.id),
                    },
                    &ev,
                )
                .await?;
            ids.push(u.id);
        }
        let [applicant, finance, bureau, agri] = ids[..] else {
            bail!("four accounts expected");
        };
        Ok(Team {
            applicant,
            finance,
            bureau,
            agri,
        })
    }

    /// Takes a completed project through Book 4 to its acceptance on `day`: applied 30 days
    /// before, prechecked, a team of three that inspects and signs, the result posted for 7
    /// days, then accepted (which schedules its evaluations).
    async fn accept(&self, store: &dyn Store, project_id: i64, day: &str) -> Result<()> {
        use sunledger_core::acceptance::{CHECKS, Grade, Opinion};
        let end = sunledger_core::day::parse("on_date", day)?;
        let at = |before: i64| noon_of(&sunledger_core::day::format(end - before));
        let p = store
            .project(project_id)
            .await?
            .context("a planted project")?;
        let a = store
            .apply_acceptance(
                &sunledger_store::NewApplication {
                    project_id,
                    application: format!("{}已完工，申请验收。", p.name),
                },
                Some(self.applicant),
                at(30)?,
            )
            .await?;
        store
            .precheck_acceptance(a.id, "初验合格。", Some(self.bureau), at(27)?)
            .await?;
        store
            .form_acceptance_team(
                a.id,
                &[self.finance, self.bureau, self.agri],
                Some(self.bureau),
                at(25)?,
            )
            .await?;
        store
            .inspect_acceptance(
                a.id,
                &sunledger_store::NewAcceptanceInspection {
                    inspected_on: sunledger_core::day::format(end - 20),
                    passed: vec![true; CHECKS.len()],
                    grade: Grade::Qualified,
                    findings: "建设内容与批复一致，工程质量合格。".into(),
                    deadline: None,
                },
                Some(self.agri),
                at(20)?,
            )
            .await?;
        for u in [self.finance, self.bureau, self.agri] {
            store
                .sign_acceptance(a.id, Opinion::Agree, "", u, at(19)?)
                .await?;
        }
        let mut fields = std::collections::BTreeMap::new();
        for (k, v) in [
            ("title", format!("{}验收结果公示", p.name)),
            ("project_name", p.name.clone()),
            ("accepted_on", sunledger_core::day::format(end - 20)),
            ("team", "县财政局、县乡村振兴局、县农业农村局".to_string()),
            ("result", "经县验收组验收，项目合格。".to_string()),
            ("channels", "公示期内可向乡镇人民政府反映。".to_string()),
        ] {
            fields.insert(k.to_string(), v);
        }
        let notice = store
            .draft_notice(
                &sunledger_store::NewNotice {
                    region: p.region,
                    kind: "acceptance".into(),
                    fields,
                    corrects: None,
                    source: Some(format!("project:{project_id}")),
                },
                Some(self.bureau),
                at(17)?,
            )
            .await?;
        store
            .notice_action(
                notice.id,
                sunledger_core::notice::NoticeAction::Publish,
                Some(self.finance),
                at(17)?,
            )
            .await?;
        store
            .post_acceptance(a.id, notice.id, Some(self.bureau), at(17)?)
            .await?;
        store
            .accept_project(
                a.id,
                "公示期满无异议，验收通过。",
                Some(self.bureau),
                at(0)?,
            )
            .await?;
        Ok(())
    }
}

/// Per rule, the planted cases ([`crate::bench::plant`]) the full scan flagged, and the flags
/// it raised on the rest of the books (flags carrying no planted case's marker).
async fn planted_section(
    store: &dyn Store,
    table: &mut Table,
    cases: &[crate::bench::plant::Case],
) -> Result<()> {
    let roots: Vec<sunledger_core::RegionCode> = store
        .region_roots()
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let filter = sunledger_store::FlagFilter {
        scopes: roots,
        ..Default::default()
    };
    let mut flags = Vec::new();
    loop {
        let (page, _) = store.flags(&filter, 10_000, flags.len() as i64).await?;
        if page.is_empty() {
            break;
        }
        flags.extend(page);
    }
    let carries = |f: &sunledger_store::Flag, c: &crate::bench::plant::Case| {
        f.region.county_code() == c.county.get(..6).unwrap_or("")
            && (f.evidence_key == c.marker || f.evidence.zh.contains(&c.marker))
    };
    let mut by_county: std::collections::BTreeMap<&str, Vec<&crate::bench::plant::Case>> =
        Default::default();
    for c in cases {
        by_county
            .entry(c.county.get(..6).unwrap_or(""))
            .or_default()
            .push(c);
    }
    for rule in sunledger_core::flag::RULES {
        let mine: Vec<&crate::bench::plant::Case> =
            cases.iter().filter(|c| c.rule == rule.id).collect();
        let of_rule: Vec<&sunledger_store::Flag> =
            flags.iter().filter(|f| f.rule_id == rule.id).collect();
        let found = mine
            .iter()
            .filter(|c| of_rule.iter().any(|f| carries(f, c)))
            .count();
        let rest = of_rule
            .iter()
            .filter(|f| {
                !by_county
                    .get(f.region.county_code())
                    .is_some_and(|cs| cs.iter().any(|c| carries(f, c)))
            })
            .count();
        if let Some((_, why)) = crate::bench::plant::NOT_PLANTED
            .iter()
            .find(|(id, _)| *id == rule.id)
        {
            table.add(
                "flags",
                format!("{}: not planted ({why}); flags on the rest", rule.id),
                rest.to_string(),
            );
            continue;
        }
        table.target(
            "flags",
            format!("{}: planted cases found; flags on the rest", rule.id),
            format!("{found} of {}; {rest}", mine.len()),
            found == mine.len() && !mine.is_empty(),
            "every planted case",
        );
    }
    Ok(())
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

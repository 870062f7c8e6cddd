//! `sunledger generate`: a synthetic province as the files its offices would import — the region
//! table, each county's household register and project library, and each county's monthly fund
//! ledger — for benchmarks. Everything follows from the seed through a local splitmix64 generator,
//! so a seed gives the same bytes on every machine.
//!
//! The full province ([`Scale::PROVINCE`]) is 100 counties, 1,500 townships, 20,000 villages,
//! 2,000,000 households, 100,000 projects and 10,000,000 ledger transfers; `province/N` divides
//! every count by N, and `smoke` is a few thousand rows for CI.
//!
//! Shapes:
//! - Households: about a quarter poor, 1–6 people, valid GB 11643 numbers under the county's code.
//! - Projects: the eight categories (industry most often), budgets skewed (most a few hundred
//!   thousand yuan, a few millions), mostly central special funds with county and integrated
//!   agricultural money beside it; all approved, for the year. Each budget line by fund source
//!   covers at least what the ledger arranges to the project from that source, so the generated
//!   books never pay beyond a budget (the project files are written again after the ledger).
//! - Planted red-flag cases ([`crate::bench::plant`]) at the end of each county's files.
//! - Ledger: funds arrive at the county mostly in the first half of the year (central and
//!   provincial special funds, county budget, integrated agricultural funds, some donations); the
//!   county integrates them (统筹整合) and arranges most money to projects itself, appropriating
//!   some to townships (about 2% of transfers; 4% of those still unconfirmed at the year's end:
//!   late receipts); townships arrange what they hold to their projects; projects pay contractors
//!   and households (about 88% of transfers), heavily in the autumn. Payment amounts are skewed (log-uniform). About 5% of
//!   payments are still approved, 2% held, 1% voided. A generated ledger never overdraws: the
//!   generator keeps every account's balance.
//!
//! The ledger refers to projects by id (`P<id>`): the files are written after the projects are
//! imported, from the ids the store gave them ([`write_ledger`] takes them).
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub counties: usize,
    pub townships: usize,
    pub villages: usize,
    pub households: u64,
    pub projects: u64,
    pub transfers: u64,
}

impl Scale {
    pub const PROVINCE: Scale = Scale {
        counties: 100,
        townships: 1_500,
        villages: 20_000,
        households: 2_000_000,
        projects: 100_000,
        transfers: 10_000_000,
    };
    /// Seconds on a laptop: what CI runs.
    pub const SMOKE: Scale = Scale {
        counties: 2,
        townships: 6,
        villages: 30,
        households: 600,
        projects: 60,
        transfers: 3_000,
    };

    /// `province`, `province/N` (every count divided by N) or `smoke`.
    pub fn parse(s: &str) -> anyhow::Result<Scale> {
        match s {
            "province" => Ok(Scale::PROVINCE),
            "smoke" => Ok(Scale::SMOKE),
            _ => {
                let Some(n) = s.strip_prefix("province/") else {
                    bail!("scale {s:?}: expected province, province/N or smoke");
                };
                let n: usize = n
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1 && *n <= 100)
                    .with_context(|| format!("scale {s:?}: N must be a whole number 1-100"))?;
                let p = Scale::PROVINCE;
                Ok(Scale {
                    counties: (p.counties / n).max(1),
                    townships: (p.townships / n).max(1),
                    villages: (p.villages / n).max(1),
                    households: p.households / n as u64,
                    projects: p.projects / n as u64,
                    transfers: p.transfers / n as u64,
                })
            }
        }
    }
}

pub(crate) struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Log-uniform whole number in [lo, hi]: most values small, a few large.
    pub fn skewed(&mut self, lo: i64, hi: i64) -> i64 {
        let (l, h) = ((lo.max(1)) as f64, (hi.max(lo + 1)) as f64);
        (l * (h / l).powf(self.unit())).round() as i64
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        xs.get(self.below(xs.len() as u64) as usize)
    }
}

/// One county of the generated province.
#[derive(Debug, Clone)]
pub struct County {
    pub code: String,
    pub name: String,
    pub townships: Vec<Township>,
}

#[derive(Debug, Clone)]
pub struct Township {
    pub code: String,
    /// (code, name)
    pub villages: Vec<(String, String)>,
}

/// The generated region tree, read back from the region file.
#[derive(Debug, Clone)]
pub struct Province {
    pub counties: Vec<County>,
}

impl Province {
    pub fn villages(&self) -> usize {
        self.counties
            .iter()
            .flat_map(|c| &c.townships)
            .map(|t| t.villages.len())
            .sum()
    }
}

/// Writes `regions.csv` under `dir` (one province) and reads the tree back.
pub fn write_regions(dir: &Path, seed: u64, scale: &Scale) -> anyhow::Result<(PathBuf, Province)> {
    let path = dir.join("regions.csv");
    let shape = crate::bench::synthetic::Shape {
        provinces: 1,
        cities: scale.counties.div_ceil(8).max(1),
        countyless_cities: 0,
        counties: scale.counties,
        townships: scale.townships.max(scale.counties),
        villages: scale.villages.max(scale.townships),
    };
    let file = std::fs::File::create(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(file);
    crate::bench::synthetic::write_synthetic(&mut w, seed, &shape, 0)?;
    w.flush()?;
    drop(w);
    let text = std::fs::read_to_string(&path)?;
    let mut counties: Vec<County> = Vec::new();
    for line in text.lines().skip(1) {
        let mut it = line.split(',');
        let (Some(code), Some(name), Some(level)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        match level {
            "county" => counties.push(County {
                code: code.to_string(),
                name: name.to_string(),
                townships: Vec::new(),
            }),
            "township" => {
                if let Some(c) = counties.last_mut() {
                    c.townships.push(Township {
                        code: code.to_string(),
                        villages: Vec::new(),
                    });
                }
            }
            "village" => {
                if let Some(t) = counties.last_mut().and_then(|c| c.townships.last_mut()) {
                    t.villages.push((code.to_string(), name.to_string()));
                }
            }
            _ => {}
        }
    }
    counties.retain(|c| c.townships.iter().any(|t| !t.villages.is_empty()));
    Ok((path, Province { counties }))
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "高", "林", "杨", "龙", "石", "吴", "潘",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "明", "桂兰", "志强", "玉梅", "国华", "春花", "德胜", "金凤", "永福", "小红",
    "海", "丽", "文", "芳", "军", "平", "光荣", "翠花",
];

fn person_name(rng: &mut Rng) -> String {
    format!(
        "{}{}",
        rng.pick(SURNAMES).copied().unwrap_or("王"),
        rng.pick(GIVEN).copied().unwrap_or("明")
    )
}

/// A valid GB 11643 number under `county`, the `k`-th of the county (unique for k < 999 × 8,000).
pub(crate) fn id_number(county: &str, k: u64) -> String {
    // 1940-01-01 is Julian day 2429630; one birth day per 999 numbers, 3 days apart.
    let jd = 2_429_630 + (k / 999) as i32 * 3;
    let date = time::Date::from_julian_day(jd).unwrap_or(time::Date::MIN);
    let first17 = format!(
        "{}{:04}{:02}{:02}{:03}",
        &county[..6.min(county.len())],
        date.year(),
        u8::from(date.month()),
        date.day(),
        k % 999 + 1
    );
    let check = sunledger_core::ids::IdNumber::check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Spreads `total` over `n` slots, each getting at least `total / n / 2` (deterministic).
fn spread(rng: &mut Rng, total: u64, n: usize) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    let weights: Vec<u64> = (0..n).map(|_| 50 + rng.below(100)).collect();
    let sum: u64 = weights.iter().sum();
    let mut out: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
    let mut left = total - out.iter().sum::<u64>();
    let mut i = 0;
    while left > 0 {
        if let Some(x) = out.get_mut(i % n) {
            *x += 1;
        }
        left -= 1;
        i += 1;
    }
    out
}

/// Writes `households/<county>.csv`, one file per county (the columns of `households import`).
pub fn write_households(
    dir: &Path,
    seed: u64,
    scale: &Scale,
    p: &Province,
) -> anyhow::Result<Vec<PathBuf>> {
    let sub = dir.join("households");
    std::fs::create_dir_all(&sub)?;
    let mut rng = Rng(seed ^ 0x484F_5553);
    let per_village = spread(&mut rng, scale.households, p.villages());
    let mut vi = 0usize;
    let mut files = Vec::new();
    for c in &p.counties {
        let path = sub.join(format!("{}.csv", c.code));
        let mut w = BufWriter::new(std::fs::File::create(&path)?);
        writeln!(w, "village,head_name,id_number,poor,size")?;
        let mut k = 0u64;
        for t in &c.townships {
            for (v, _) in &t.villages {
                let n = per_village.get(vi).copied().unwrap_or(0);
                vi += 1;
                for _ in 0..n {
                    let poor = rng.below(100) < 26;
                    writeln!(
                        w,
                        "{v},{},{},{},{}",
                        person_name(&mut rng),
                        id_number(&c.code, k),
                        if poor { "yes" } else { "no" },
                        1 + rng.below(6)
                    )?;
                    k += 1;
                }
            }
        }
        w.flush()?;
        files.push(path);
    }
    Ok(files)
}

const CATEGORIES: &[(&str, &str, u64)] = &[
    ("industry", "产业发展", 34),
    ("infrastructure", "基础设施", 24),
    ("relocation", "易地搬迁后续扶持", 8),
    ("education", "教育帮扶", 8),
    ("health", "健康帮扶", 6),
    ("employment", "就业帮扶", 10),
    ("ecology", "生态帮扶", 6),
    ("other", "其他", 4),
];
const WORKS: &[&str] = &[
    "种植基地",
    "养殖场",
    "产业路",
    "饮水工程",
    "村卫生室",
    "扶贫车间",
    "光伏电站",
    "冷链仓储",
    "茶园提质",
    "护林员",
    "技能培训",
    "道路硬化",
];

/// A project as generated: its village and the planned budget (fen), in file order.
#[derive(Debug, Clone)]
pub struct PlannedProject {
    pub village: String,
    pub township: String,
    pub budget_fen: i64,
    /// The planted case it belongs to ([`crate::bench::plant`]); the generated ledger leaves
    /// planted projects alone.
    pub plant: Option<u8>,
}

/// Money the generated ledger arranged to each project, by fund source: (project id, source key)
/// → fen.
pub type Arranged = BTreeMap<(i64, &'static str), i64>;

/// Writes `projects/<county>.csv`, one library file per county (the columns of `projects
/// import`), and returns each county's projects in file order. Each budget line is at least what
/// `arranged` says the ledger arranged to the project from that source (the generator writes the
/// files once before the ledger, for the ids, and again after it), so the generated books pay
/// no project beyond its approved budget.
pub fn write_projects(
    dir: &Path,
    seed: u64,
    scale: &Scale,
    p: &Province,
    arranged: &Arranged,
) -> anyhow::Result<Vec<(PathBuf, Vec<PlannedProject>)>> {
    let sub = dir.join("projects");
    std::fs::create_dir_all(&sub)?;
    let mut rng = Rng(seed ^ 0x5052_4F4A);
    let per_village = spread(&mut rng, scale.projects, p.villages());
    let weight_sum: u64 = CATEGORIES.iter().map(|c| c.2).sum();
    let mut vi = 0usize;
    let mut out = Vec::new();
    let mut id = 0i64;
    for (ci, c) in p.counties.iter().enumerate() {
        let path = sub.join(format!("{}.csv", c.code));
        let mut w = BufWriter::new(std::fs::File::create(&path)?);
        writeln!(
            w,
            "village,name,category,fiscal_year,budget_central_special,budget_provincial,budget_county_budget,budget_integrated_agri,budget_social_donation,outputs,households,income_effect,satisfaction,meeting_on,meeting_ref,stage"
        )?;
        let mut planned = Vec::new();
        for t in &c.townships {
            for (v, vname) in &t.villages {
                let n = per_village.get(vi).copied().unwrap_or(0);
                vi += 1;
                for j in 0..n {
                    let mut roll = rng.below(weight_sum);
                    let mut cat = CATEGORIES.first().copied().unwrap_or(("other", "其他", 1));
                    for c in CATEGORIES {
                        if roll < c.2 {
                            cat = *c;
                            break;
                        }
                        roll -= c.2;
                    }
                    let work = rng.pick(WORKS).copied().unwrap_or("项目");
                    // Yuan: most a few hundred thousand, a few several millions.
                    let central = rng.skewed(80_000, 6_000_000);
                    let county = if rng.below(3) == 0 {
                        rng.skewed(10_000, 500_000)
                    } else {
                        0
                    };
                    let agri = if rng.below(4) == 0 {
                        rng.skewed(10_000, 800_000)
                    } else {
                        0
                    };
                    let households = 5 + rng.below(120);
                    id += 1;
                    // Yuan, rounded up, of what the ledger arranged from `source`.
                    let got = |source: &'static str, line: i64| {
                        let fen = arranged.get(&(id, source)).copied().unwrap_or(0);
                        line.max((fen + 99) / 100)
                    };
                    let budget = [
                        got("central_special", central),
                        got("provincial", 0),
                        got("county_budget", county),
                        got("integrated_agri", agri),
                        got("social_donation", 0),
                    ]
                    .map(|y| y.to_string())
                    .join(",");
                    writeln!(
                        w,
                        "{v},{vname}{}{}（{}）,{},2025,{budget},{work}1处,{households},户均年增收{}元,{},2024-{:02}-{:02},{}村民会议〔2024〕{}号,approved",
                        cat.1,
                        work,
                        j + 1,
                        cat.0,
                        800 + rng.below(3000),
                        85 + rng.below(11),
                        10 + rng.below(3),
                        1 + rng.below(28),
                        vname,
                        j + 1
                    )?;
                    planned.push(PlannedProject {
                        village: v.clone(),
                        township: t.code.clone(),
                        budget_fen: (central + county + agri) * 100,
                        plant: None,
                    });
                }
            }
        }
        let before = planned.len();
        crate::bench::plant::write_projects(&mut w, ci, c, &mut planned)?;
        id += (planned.len() - before) as i64;
        w.flush()?;
        out.push((path, planned));
    }
    Ok(out)
}

/// Seasonal share of the year's transfers by month (sums to 100): funds arrive in spring,
/// payments peak in autumn before the year closes.
const MONTH_WEIGHT: [u64; 12] = [3, 5, 8, 9, 9, 8, 8, 8, 9, 11, 11, 11];
const DAYS_IN_MONTH: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const SOURCES: &[(&str, &str)] = &[
    ("central_special", "中央财政衔接推进乡村振兴补助资金"),
    ("central_special", "中央财政专项扶贫资金"),
    ("provincial", "省级财政衔接资金"),
    ("county_budget", "县级财政衔接资金"),
    ("integrated_agri", "统筹整合涉农资金"),
    ("social_donation", "东西部协作帮扶资金"),
];
const TRADES: &[&str] = &[
    "建筑工程有限公司",
    "农业开发有限公司",
    "种养殖专业合作社",
    "水利工程有限公司",
    "劳务有限公司",
];

struct Fund {
    client_id: String,
    source: &'static str,
    doc: String,
    name: String,
    detention: i64,
}

/// Where money sits while the generator simulates a county's year.
struct Pools {
    /// (fund index, balance) at the county.
    county: Vec<(usize, i64)>,
    /// (fund index, township code, balance).
    township: Vec<(usize, String, i64)>,
    /// (fund index, project id, balance).
    project: Vec<(usize, i64, i64)>,
}

/// Writes one ledger file per county and month, `ledger/<county>-2025-MM.csv`, in the columns of
/// `ledger import`. `projects[i]` are county `i`'s projects with the ids the store gave them.
/// Returns the files in import order (month by month, county by county within a month), and
/// what was arranged to each project from each source.
pub fn write_ledger(
    dir: &Path,
    seed: u64,
    scale: &Scale,
    p: &Province,
    projects: &[Vec<(i64, PlannedProject)>],
) -> anyhow::Result<(Vec<PathBuf>, Arranged)> {
    let mut arranged = Arranged::new();
    let sub = dir.join("ledger");
    std::fs::create_dir_all(&sub)?;
    let per_county = spread(
        &mut Rng(seed ^ 0x4C45_4447),
        scale.transfers,
        p.counties.len(),
    );
    let mut by_month: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    for (ci, c) in p.counties.iter().enumerate() {
        let mut rng = Rng(seed ^ (ci as u64 + 1).wrapping_mul(0x9E37_79B9));
        let empty = Vec::new();
        let all = projects.get(ci).unwrap_or(&empty);
        let projs: Vec<(i64, PlannedProject)> = all
            .iter()
            .filter(|p| p.1.plant.is_none())
            .cloned()
            .collect();
        let mut planted = crate::bench::plant::ledger_rows(ci, c, all);
        let benford = crate::bench::plant::benford_county(ci);
        let total = per_county.get(ci).copied().unwrap_or(0);
        let mut funds: Vec<Fund> = Vec::new();
        let mut pools = Pools {
            county: Vec::new(),
            township: Vec::new(),
            project: Vec::new(),
        };
        let mut seq = 0u64;
        let short = c.name.chars().next().unwrap_or('县');
        let mut before = 0u64;
        for (m, weight) in MONTH_WEIGHT.iter().enumerate() {
            let path = sub.join(format!("{}-2025-{:02}.csv", c.code, m + 1));
            let mut w = BufWriter::new(std::fs::File::create(&path)?);
            writeln!(w, "{}", sunledger_store::LedgerRow::COLUMNS.join(","))?;
            // This month's share, rounded so that the months add up to the total exactly.
            let upto = before + weight;
            let n = total * upto / 100 - total * before / 100;
            before = upto;
            let days = DAYS_IN_MONTH.get(m).copied().unwrap_or(30);
            for i in 0..n {
                let day = format!("2025-{:02}-{:02}", m + 1, 1 + i * days / n.max(1));
                seq += 1;
                let cid = format!("{}-{:07}", c.code, seq);
                let row = next_row(
                    &mut rng,
                    c,
                    short,
                    &projs,
                    &mut arranged,
                    &mut funds,
                    &mut pools,
                    m,
                    &cid,
                    &day,
                    benford,
                );
                writeln!(w, "{row}")?;
            }
            for row in planted.remove(&m).unwrap_or_default() {
                writeln!(w, "{row}")?;
            }
            w.flush()?;
            by_month.entry(m).or_default().push(path);
        }
    }
    Ok((by_month.into_values().flatten().collect(), arranged))
}

/// Every file of a generated province.
pub struct Generated {
    pub province: Province,
    pub regions: PathBuf,
    pub households: Vec<PathBuf>,
    pub projects: Vec<PathBuf>,
    /// Each county's projects with the ids a fresh database gives them (1, 2, ... in the order
    /// of `projects`, file by file).
    pub planned: Vec<Vec<(i64, PlannedProject)>>,
    /// In import order.
    pub ledger: Vec<PathBuf>,
    /// The planted cases (also in `planted.csv`).
    pub planted: Vec<crate::bench::plant::Case>,
}

/// Writes the whole province under `dir`.
pub fn generate(dir: &Path, seed: u64, scale: &Scale) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (regions, province) = write_regions(dir, seed, scale)?;
    let households = write_households(dir, seed, scale, &province)?;
    let projects = write_projects(dir, seed, scale, &province, &Arranged::new())?;
    let mut next_id = 0i64;
    let planned: Vec<Vec<(i64, PlannedProject)>> = projects
        .iter()
        .map(|(_, ps)| {
            ps.iter()
                .map(|p| {
                    next_id += 1;
                    (next_id, p.clone())
                })
                .collect()
        })
        .collect();
    let (ledger, arranged) = write_ledger(dir, seed, scale, &province, &planned)?;
    // Again, with each budget line covering what the ledger arranged from its source.
    let projects = write_projects(dir, seed, scale, &province, &arranged)?;
    let planted = crate::bench::plant::write_files(dir, &province, &planned)?;
    Ok(Generated {
        province,
        regions,
        households,
        projects: projects.into_iter().map(|(p, _)| p).collect(),
        planned,
        ledger,
        planted,
    })
}

/// `sunledger generate`: writes the province and returns how many files it wrote.
pub fn write_all(dir: &Path, seed: u64, scale: &Scale) -> anyhow::Result<usize> {
    let g = generate(dir, seed, scale)?;
    // The regions, planted.csv, and per county: progress, beneficiaries and three lists.
    Ok(2 + g.households.len() + g.projects.len() + g.ledger.len() + 5 * g.province.counties.len())
}

fn county12(code: &str) -> String {
    format!("{code:0<12}")
}

/// One ledger row (CSV) for the county's next transfer, keeping the pools' balances.
#[allow(clippy::too_many_arguments)]
fn next_row(
    rng: &mut Rng,
    c: &County,
    short: char,
    projs: &[(i64, PlannedProject)],
    arranged: &mut Arranged,
    funds: &mut Vec<Fund>,
    pools: &mut Pools,
    month: usize,
    cid: &str,
    day: &str,
    benford: bool,
) -> String {
    let fund_cols = |f: &Fund| {
        format!(
            "{},{},2025,{},{},{}",
            f.client_id, f.source, f.doc, f.name, f.detention
        )
    };
    let roll = rng.below(1000);
    // Receipts come early in the year; payments later.
    let want_receive = roll < if month < 6 { 3 } else { 1 };
    // Payments: pick a project account with money.
    if !want_receive && roll >= 120 && !pools.project.is_empty() {
        let k = rng.below(pools.project.len() as u64) as usize;
        if let Some((fi, pid, bal)) = pools.project.get_mut(k).map(|x| (x.0, x.1, &mut x.2)) {
            let natural = rng.skewed(20_000, 5_000_000);
            let amount = if benford {
                crate::bench::plant::benford_amount(rng, natural)
            } else {
                natural
            }
            .min(*bal);
            if amount >= 10_000
                && let Some(f) = funds.get(fi)
            {
                *bal -= amount;
                if *bal < 10_000 {
                    pools.project.swap_remove(k);
                }
                let s = rng.below(100);
                let state = match s {
                    0 => "voided",
                    1..=2 => "held",
                    3..=7 => "approved",
                    _ => "paid",
                };
                let payee = if rng.below(3) == 0 {
                    person_name(rng)
                } else {
                    format!(
                        "{short}{}{}",
                        rng.pick(GIVEN).copied().unwrap_or("明"),
                        rng.pick(TRADES).copied().unwrap_or("有限公司")
                    )
                };
                return format!(
                    "{cid},{day},disburse,{},P{pid},,{payee},{},{}财支〔2025〕{}号,项目资金支付,{state},",
                    fund_cols(f),
                    yuan(amount),
                    short,
                    rng.below(9000) + 1000
                );
            }
        }
    }
    // Arrangements to projects, from the county or a township.
    if !want_receive && roll >= 20 && !projs.is_empty() {
        let (pid, proj) = match rng.pick(projs) {
            Some((id, p)) => (*id, p),
            None => return receive_row(rng, c, short, funds, pools, cid, day),
        };
        let from_township = rng.below(5) < 2;
        let in_township = if from_township {
            pools
                .township
                .iter()
                .position(|t| t.1 == proj.township && t.2 > 1_000_000)
                .map(|k| (k, true))
        } else {
            None
        };
        let src = in_township.or_else(|| {
            let n = pools.county.len();
            let start = rng.below(n as u64) as usize;
            (0..n)
                .map(|j| (start + j) % n)
                .find(|k| pools.county.get(*k).is_some_and(|x| x.1 > 1_000_000))
                .map(|k| (k, false))
        });
        if let Some((k, is_t)) = src {
            let (fi, bal, from) = if is_t {
                match pools.township.get_mut(k) {
                    Some(t) => (t.0, &mut t.2, county12(&t.1)),
                    None => return receive_row(rng, c, short, funds, pools, cid, day),
                }
            } else {
                match pools.county.get_mut(k) {
                    Some(x) => (x.0, &mut x.1, county12(&c.code)),
                    None => return receive_row(rng, c, short, funds, pools, cid, day),
                }
            };
            let amount = (proj.budget_fen / 4).max(500_000).min(*bal);
            *bal -= amount;
            // Payments leave the last 10 % (尾款) until acceptance, which the synthetic
            // projects never reach: the ledger refuses it (Book 4's retention).
            pools.project.push((fi, pid, amount - (amount + 9) / 10));
            if let Some(f) = funds.get(fi) {
                *arranged.entry((pid, f.source)).or_default() += amount;
                return format!(
                    "{cid},{day},arrange,{},{from},P{pid},,{},{}财扶〔2025〕{}号,安排项目资金,,",
                    fund_cols(f),
                    yuan(amount),
                    short,
                    rng.below(900) + 100
                );
            }
        }
    }
    // Appropriations to townships.
    if !want_receive && !c.townships.is_empty() {
        let n = pools.county.len();
        let start = rng.below(n.max(1) as u64) as usize;
        if let Some(k) = (0..n)
            .map(|j| (start + j) % n)
            .find(|k| pools.county.get(*k).is_some_and(|x| x.1 > 20_000_000))
            && let Some(t) = rng.pick(&c.townships)
            && let Some(x) = pools.county.get_mut(k)
        {
            let amount = x.1 / 8;
            x.1 -= amount;
            let fi = x.0;
            // About 4% stay unconfirmed: late receipts the reconciliation shows.
            let late = rng.below(100) < 4;
            if !late {
                pools.township.push((fi, t.code.clone(), amount));
            }
            if let Some(f) = funds.get(fi) {
                return format!(
                    "{cid},{day},appropriate,{},{},{},,{},{}财扶〔2025〕{}号,拨付乡镇衔接资金,{},",
                    fund_cols(f),
                    county12(&c.code),
                    county12(&t.code),
                    yuan(amount),
                    short,
                    rng.below(900) + 100,
                    if late { "dispatched" } else { "received" }
                );
            }
        }
    }
    receive_row(rng, c, short, funds, pools, cid, day)
}

fn receive_row(
    rng: &mut Rng,
    c: &County,
    short: char,
    funds: &mut Vec<Fund>,
    pools: &mut Pools,
    cid: &str,
    day: &str,
) -> String {
    let (source, name) = rng
        .pick(SOURCES)
        .copied()
        .unwrap_or(("central_special", "中央财政专项扶贫资金"));
    let amount = rng.skewed(500_000_000, 8_000_000_000);
    let f = Fund {
        client_id: cid.to_string(),
        source,
        doc: format!("{short}财预〔2025〕{}号", funds.len() + 1),
        name: format!("2025年{name}（第{}批）", funds.len() + 1),
        detention: if rng.below(2) == 0 { 30 } else { 90 },
    };
    let row = format!(
        "{cid},{day},receive,{cid},{},2025,{},{},{},,{},,{},{},{},,",
        f.source,
        f.doc,
        f.name,
        f.detention,
        county12(&c.code),
        yuan(amount),
        f.doc,
        f.name
    );
    pools.county.push((funds.len(), amount));
    funds.push(f);
    row
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for k in 0..30_000 {
            let id = id_number("529121", k);
            assert!(sunledger_core::ids::IdNumber::parse(&id).is_ok(), "{id}");
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn scales_parse() {
        assert_eq!(Scale::parse("province").ok(), Some(Scale::PROVINCE));
        let tenth = Scale::parse("province/10").ok();
        assert_eq!(tenth.map(|s| s.transfers), Some(1_000_000));
        assert!(Scale::parse("province/0").is_err());
        assert!(Scale::parse("nation").is_err());
    }

    #[test]
    fn spread_keeps_the_total() {
        let mut r = Rng(7);
        let v = spread(&mut r, 1_001, 13);
        assert_eq!(v.iter().sum::<u64>(), 1_001);
        assert_eq!(v.len(), 13);
    }
}

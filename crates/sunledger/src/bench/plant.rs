//! Planted cases (issue 20): `sunledger generate` plants, in every county of the province, one
//! known case of each red-flag rule that the import files and the offices' ordinary steps can
//! carry, and writes the list beside the files as `planted.csv` (rule, county, marker, what).
//! `bench province` then counts, per rule, the planted cases a full scan flagged and the flags
//! it raised on the rest of the books.
//!
//! A planted case lives in the files users import, with money and projects of its own so that
//! the generated ledger's balances are not touched:
//! - `projects/<county>.csv` gets six more projects at its end (one of them only declared);
//! - `ledger/<county>-2025-MM.csv` gets the planted funds' receipts, appropriations,
//!   arrangements and payments after the month's generated rows;
//! - `progress/<county>.csv` holds the implementation steps of four planted projects (start,
//!   a dated milestone report, completion, and for last year's project its acceptance through
//!   Book 4) and `beneficiaries/<county>.csv` the beneficiaries recorded on them: the steps the
//!   offices take on the pages, which `bench province` books through the same store calls;
//! - `lists/<county>-<kind>.csv` are the county's cross-check lists (public payroll, cadres and
//!   their relatives, the deceased) in the columns of `crosscheck import`.
//!
//! Each case's marker is `植入` and five digits (county index, case number) inside the name its
//! flag's sentence shows — the fund, the project, the payee or the beneficiary — or, for the
//! digit test, the flag's evidence key. A flag finds a case when it is of the case's rule, in
//! the case's county, and carries the marker.
//!
//! One rule is not planted; [`NOT_PLANTED`] says why.
use super::generate::{County, PlannedProject, Province};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The list of planted cases, beside the generated files.
pub const PLANTED_FILE: &str = "planted.csv";

/// The rules no import file or ordinary office step here can plant, and why.
pub const NOT_PLANTED: &[(&str, &str)] = &[(
    "invalid_id",
    "every entry path checks a beneficiary's ID number (GB 11643); an invalid one can only come from data written before Sunledger",
)];

/// Every `every`-th county (by index) has its payments' digits planted for the digit test.
const BENFORD_EVERY: usize = 10;

/// The case numbers: one per rule, the same in every county.
mod case {
    pub const DETENTION: u8 = 1;
    pub const LATE_PASS_DOWN: u8 = 2;
    pub const UNCONFIRMED: u8 = 3;
    pub const SHORT_RECEIPT: u8 = 4;
    pub const OVER_BUDGET: u8 = 5;
    pub const UNAPPROVED: u8 = 6;
    pub const SPLIT: u8 = 7;
    pub const SHARED_PAYEE: u8 = 8;
    pub const OFFICIAL_PAYEE: u8 = 9;
    pub const AFTER_COMPLETION: u8 = 10;
    pub const STALLED: u8 = 11;
    pub const UNACCEPTED: u8 = 12;
    pub const DUPLICATE: u8 = 13;
    pub const DECEASED: u8 = 14;
    pub const PAYROLL: u8 = 15;
    pub const OVERDUE_EVALUATION: u8 = 17;
}

/// The case whose project stays declared, never approved.
pub const UNAPPROVED_CASE: u8 = case::UNAPPROVED;

/// One planted case, a row of `planted.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub rule: String,
    pub county: String,
    pub marker: String,
    pub what: String,
}

fn marker(ci: usize, case: u8) -> String {
    format!("植入{ci:03}{case:02}")
}

/// Whether county `ci`'s payments carry the planted digits.
pub fn benford_county(ci: usize) -> bool {
    ci.is_multiple_of(BENFORD_EVERY)
}

/// A village: (township code, village code, village name).
type Village<'a> = (&'a str, &'a str, &'a str);
/// An office's step on a project: (action, day, progress).
type Step = (&'static str, &'static str, u8);

/// The county's first village, and a village of another township (the last), if it has one.
fn villages(c: &County) -> Option<(Village<'_>, Option<Village<'_>>)> {
    let first = c.townships.iter().find_map(|t| {
        t.villages
            .first()
            .map(|v| (t.code.as_str(), v.0.as_str(), v.1.as_str()))
    })?;
    let other = c
        .townships
        .iter()
        .rev()
        .filter(|t| t.code != first.0)
        .find_map(|t| {
            t.villages
                .last()
                .map(|v| (t.code.as_str(), v.0.as_str(), v.1.as_str()))
        });
    Some((first, other))
}

/// A planted project: its case, name, village and township, central budget (yuan) and stage.
struct Project {
    case: u8,
    name: String,
    village: String,
    township: String,
    budget_yuan: i64,
    stage: &'static str,
    year: u16,
}

fn projects(ci: usize, c: &County) -> Vec<Project> {
    let Some((v1, v2)) = villages(c) else {
        return Vec::new();
    };
    let v2 = v2.unwrap_or(v1);
    let p = |case: u8, (t, v, name): (&str, &str, &str), work: &str, budget: i64, stage| Project {
        case,
        name: format!("{name}{work}（{}）", marker(ci, case)),
        village: v.to_string(),
        township: t.to_string(),
        budget_yuan: budget,
        stage,
        year: 2025,
    };
    vec![
        p(case::OVER_BUDGET, v1, "产业路硬化", 100_000, "approved"),
        p(case::UNAPPROVED, v1, "村级光伏电站", 200_000, "declared"),
        p(case::SPLIT, v2, "饮水工程提升", 500_000, "approved"),
        p(
            case::AFTER_COMPLETION,
            v1,
            "村卫生室改造",
            300_000,
            "approved",
        ),
        p(case::STALLED, v2, "扶贫车间建设", 300_000, "approved"),
        p(case::UNACCEPTED, v1, "冷链仓储建设", 300_000, "approved"),
        // Last year's project, accepted in October 2024: its first-year evaluation was due in
        // October 2025.
        Project {
            year: 2024,
            ..p(
                case::OVERDUE_EVALUATION,
                v2,
                "农村公路养护",
                300_000,
                "approved",
            )
        },
    ]
}

/// Appends county `ci`'s planted projects to its library file (the columns `write_projects`
/// wrote) and to `planned`.
pub fn write_projects(
    w: &mut impl Write,
    ci: usize,
    c: &County,
    planned: &mut Vec<PlannedProject>,
) -> Result<()> {
    for (j, p) in projects(ci, c).into_iter().enumerate() {
        writeln!(
            w,
            "{},{},infrastructure,{},{},0,0,0,0,工程1处,{},户均年增收1000元,90,2023-11-06,村民会议〔2023〕{}号,{}",
            p.village,
            p.name,
            p.year,
            p.budget_yuan,
            20 + j,
            90 + j,
            p.stage
        )?;
        planned.push(PlannedProject {
            village: p.village,
            township: p.township,
            budget_fen: p.budget_yuan * 100,
            plant: Some(p.case),
        });
    }
    Ok(())
}

/// The planted ledger rows of county `ci` by month (0-11), in booking order within a month.
/// `projects` are the county's projects with their ids.
pub fn ledger_rows(
    ci: usize,
    c: &County,
    projects: &[(i64, PlannedProject)],
) -> BTreeMap<usize, Vec<String>> {
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let Some(((t1, _, _), _)) = villages(c) else {
        return out;
    };
    let county = format!("{:0<12}", c.code);
    let township = format!("{t1:0<12}");
    let short = c.name.chars().next().unwrap_or('县');
    let pid = |case: u8| {
        projects
            .iter()
            .find(|(_, p)| p.plant == Some(case))
            .map(|(id, _)| *id)
    };
    let mut seq = 0u32;
    // A receipt's client id is its fund's (`{county}-F…`); other rows are numbered.
    let mut push = |day: &str, rest: String| {
        seq += 1;
        let id = match rest.strip_prefix("receive,") {
            Some(r) => r.split(',').next().unwrap_or("").to_string(),
            None => format!("{}-X{ci:03}{seq:03}", c.code),
        };
        let month = day
            .get(5..7)
            .and_then(|m| m.parse::<usize>().ok())
            .unwrap_or(1);
        out.entry(month.saturating_sub(1))
            .or_default()
            .push(format!("{id},{day},{rest}"));
    };
    // A fund of the case's own: (fund columns, receipt).
    let fund = |case: u8, source: &str, source_zh: &str, detention: i64| {
        let doc = format!("{short}财预〔2025〕9{case:02}号");
        let name = format!("2025年{source_zh}（{}）", marker(ci, case));
        (
            format!(
                "{}-F{ci:03}{case:02},{source},2025,{doc},{name},{detention}",
                c.code
            ),
            doc,
            name,
        )
    };
    let receive = |f: &(String, String, String), amount: i64| {
        format!("receive,{},,{county},,{amount}.00,{},{},,", f.0, f.1, f.2)
    };
    let company = format!("{short}兴业建筑工程有限公司");

    // Detention: county money past its 30-day deadline, never spent.
    let f = fund(case::DETENTION, "county_budget", "县级财政衔接资金", 30);
    push("2025-03-03", receive(&f, 1_000_000));
    // Late passing down: a central special transfer held at the county since February.
    let f = fund(
        case::LATE_PASS_DOWN,
        "central_special",
        "中央财政衔接推进乡村振兴补助资金",
        365,
    );
    push("2025-02-03", receive(&f, 800_000));
    // Unconfirmed: appropriated to a township in June, never confirmed.
    let f = fund(case::UNCONFIRMED, "county_budget", "县级财政衔接资金", 365);
    push("2025-03-03", receive(&f, 1_000_000));
    push(
        "2025-06-02",
        format!(
            "appropriate,{},{county},{township},,300000.00,{short}财扶〔2025〕9{:02}号,拨付乡镇衔接资金,dispatched,",
            f.0,
            case::UNCONFIRMED
        ),
    );
    // Short receipt: two appropriations of one fund to a township, one never received.
    let f = fund(
        case::SHORT_RECEIPT,
        "county_budget",
        "县级财政衔接资金",
        365,
    );
    push("2025-03-03", receive(&f, 1_000_000));
    for (day, state) in [("2025-05-06", "received"), ("2025-06-03", "dispatched")] {
        push(
            day,
            format!(
                "appropriate,{},{county},{township},,200000.00,{short}财扶〔2025〕9{:02}号,拨付乡镇衔接资金,{state},",
                f.0,
                case::SHORT_RECEIPT
            ),
        );
    }
    let arrange = |f: &(String, String, String), case: u8, pid: i64, amount: i64| {
        format!(
            "arrange,{},{county},P{pid},,{amount}.00,{short}财扶〔2025〕8{case:02}号,安排项目资金,,",
            f.0
        )
    };
    let pay = |f: &(String, String, String), pid: i64, payee: &str, amount: i64| {
        format!(
            "disburse,{},P{pid},,{payee},{amount}.00,{short}财支〔2025〕8{:03}号,项目资金支付,paid,",
            f.0,
            amount % 1000
        )
    };
    // Over budget: 100,000 yuan approved, 270,000 paid; the shared and the official payee are
    // paid from it and from the split project too.
    if let Some(id) = pid(case::OVER_BUDGET) {
        let f = fund(
            case::OVER_BUDGET,
            "central_special",
            "中央财政专项扶贫资金",
            365,
        );
        push("2025-03-03", receive(&f, 320_000));
        push("2025-03-10", arrange(&f, case::OVER_BUDGET, id, 320_000));
        push("2025-04-08", pay(&f, id, &company, 150_000));
        push("2025-05-12", pay(&f, id, &company, 100_000));
        push(
            "2025-06-10",
            pay(
                &f,
                id,
                &format!("蒙{}", marker(ci, case::SHARED_PAYEE)),
                20_000,
            ),
        );
    }
    // Never approved, yet paid.
    if let Some(id) = pid(case::UNAPPROVED) {
        let f = fund(
            case::UNAPPROVED,
            "central_special",
            "中央财政专项扶贫资金",
            365,
        );
        push("2025-03-03", receive(&f, 200_000));
        push("2025-03-10", arrange(&f, case::UNAPPROVED, id, 200_000));
        push("2025-04-15", pay(&f, id, &company, 120_000));
    }
    // Split: three payments to one payee in two weeks, each under 50,000 yuan.
    if let Some(id) = pid(case::SPLIT) {
        let f = fund(case::SPLIT, "central_special", "中央财政专项扶贫资金", 365);
        let supplier = format!("{short}兴旺建材有限公司");
        push("2025-03-03", receive(&f, 200_000));
        push("2025-03-10", arrange(&f, case::SPLIT, id, 200_000));
        push("2025-07-01", pay(&f, id, &supplier, 45_000));
        push("2025-07-08", pay(&f, id, &supplier, 40_000));
        push("2025-07-15", pay(&f, id, &supplier, 35_000));
        // The shared payee again, in another village.
        push(
            "2025-08-05",
            pay(
                &f,
                id,
                &format!("蒙{}", marker(ci, case::SHARED_PAYEE)),
                20_000,
            ),
        );
        // A cadre's spouse (on the county's cadre list) paid for labour.
        push(
            "2025-09-01",
            pay(
                &f,
                id,
                &format!("覃{}", marker(ci, case::OFFICIAL_PAYEE)),
                30_000,
            ),
        );
    }
    // Paid long after completion (the project completes on 30 April: `progress/`).
    if let Some(id) = pid(case::AFTER_COMPLETION) {
        let f = fund(
            case::AFTER_COMPLETION,
            "central_special",
            "中央财政专项扶贫资金",
            365,
        );
        push("2025-01-06", receive(&f, 300_000));
        push(
            "2025-01-13",
            arrange(&f, case::AFTER_COMPLETION, id, 300_000),
        );
        push("2025-03-03", pay(&f, id, &company, 100_000));
        push("2025-10-13", pay(&f, id, &company, 150_000));
    }
    out
}

/// The digit test's planted amount (fen) for a payment of a planted county: half the payments
/// fall between 45,000 and 49,999 yuan, just under a common approval threshold.
pub(crate) fn benford_amount(rng: &mut super::generate::Rng, natural: i64) -> i64 {
    if rng.below(2) == 0 {
        4_500_000 + rng.below(500_000) as i64
    } else {
        natural
    }
}

/// A valid ID number of county `code` that no generated household has (households use the
/// first numbers of the county).
fn id_number(code: &str, case: u8) -> String {
    super::generate::id_number(code, 7_900_000 + u64::from(case))
}

/// Writes the progress, beneficiary and list files of every county and `planted.csv`; returns
/// the cases.
pub fn write_files(
    dir: &Path,
    p: &Province,
    planned: &[Vec<(i64, PlannedProject)>],
) -> Result<Vec<Case>> {
    for sub in ["progress", "beneficiaries", "lists"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let mut cases = Vec::new();
    let empty = Vec::new();
    for (ci, c) in p.counties.iter().enumerate() {
        let projs = planned.get(ci).unwrap_or(&empty);
        let pid = |case: u8| {
            projs
                .iter()
                .find(|(_, p)| p.plant == Some(case))
                .map(|(id, _)| *id)
        };
        let mut add = |rule: &str, marker: String, what: &str| {
            cases.push(Case {
                rule: rule.to_string(),
                county: c.code.clone(),
                marker,
                what: what.to_string(),
            })
        };
        let Some((_, other)) = villages(c) else {
            continue;
        };
        let m = |case| marker(ci, case);
        add(
            "detention",
            m(case::DETENTION),
            "县级资金超过 30 天期限未支出",
        );
        add(
            "late_pass_down",
            m(case::LATE_PASS_DOWN),
            "中央专项资金在县级滞留超过 60 天未下达",
        );
        add(
            "unconfirmed",
            m(case::UNCONFIRMED),
            "拨付乡镇的资金一直未确认到账",
        );
        add(
            "short_receipt",
            m(case::SHORT_RECEIPT),
            "两笔拨付乡镇的资金只到账一笔",
        );
        add(
            "over_budget",
            m(case::OVER_BUDGET),
            "批复预算 10 万元的项目支付 27 万元",
        );
        add(
            "unapproved_project",
            m(case::UNAPPROVED),
            "只申报未批准的项目已支付",
        );
        add(
            "split_payments",
            m(case::SPLIT),
            "两周内向同一供应商分三笔支付，每笔低于 5 万元",
        );
        if other.is_some() {
            add(
                "shared_payee",
                m(case::SHARED_PAYEE),
                "同一个人在两个村的项目中收款",
            );
        }
        add(
            "official_payee",
            m(case::OFFICIAL_PAYEE),
            "收款人是村干部的配偶（干部名单）",
        );
        add(
            "paid_after_completion",
            m(case::AFTER_COMPLETION),
            "完工 166 天后仍支付工程款",
        );
        add(
            "stalled_project",
            m(case::STALLED),
            "开工后 4 月起没有进展报告",
        );
        add("unaccepted", m(case::UNACCEPTED), "8 月完工至今未验收");
        add(
            "duplicate_beneficiary",
            m(case::DUPLICATE),
            "同一身份证号在两个项目中登记为受益户",
        );
        add("deceased", m(case::DECEASED), "受益户在死亡人员名单上");
        add(
            "payroll_beneficiary",
            m(case::PAYROLL),
            "受益户在财政供养人员名单上",
        );
        add(
            "overdue_evaluation",
            m(case::OVERDUE_EVALUATION),
            "2024 年 10 月验收的项目，2025 年 10 月到期的绩效评价未做",
        );
        if benford_county(ci) {
            add(
                "benford",
                format!("county:{}:year:2025", c.code.get(..6).unwrap_or(&c.code)),
                "半数支付金额在 4.5 万至 5 万元之间",
            );
        }

        // The offices' steps on the planted projects.
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(dir.join("progress").join(format!("{}.csv", c.code)))
                .context("progress file")?,
        );
        writeln!(w, "project_id,action,on_date,progress")?;
        let steps: [(u8, &[Step]); 4] = [
            (
                case::AFTER_COMPLETION,
                &[
                    ("start", "2025-01-20", 0),
                    ("progress", "2025-04-25", 100),
                    ("complete", "2025-04-30", 0),
                ],
            ),
            (
                case::STALLED,
                &[("start", "2025-03-03", 0), ("progress", "2025-04-01", 30)],
            ),
            (
                case::UNACCEPTED,
                &[
                    ("start", "2025-03-03", 0),
                    ("progress", "2025-07-25", 100),
                    ("complete", "2025-08-01", 0),
                ],
            ),
            (
                case::OVERDUE_EVALUATION,
                &[
                    ("start", "2024-03-04", 0),
                    ("progress", "2024-08-26", 100),
                    ("complete", "2024-08-30", 0),
                    ("accept", "2024-10-18", 0),
                ],
            ),
        ];
        for (case, list) in steps {
            if let Some(id) = pid(case) {
                for (action, day, progress) in list {
                    writeln!(w, "{id},{action},{day},{progress}")?;
                }
            }
        }
        w.flush()?;

        let person =
            |surname: &str, case: u8| (format!("{surname}{}", m(case)), id_number(&c.code, case));
        let twice = person("韦", case::DUPLICATE);
        let dead = person("黄", case::DECEASED);
        let payroll = person("罗", case::PAYROLL);
        let mut w = std::io::BufWriter::new(std::fs::File::create(
            dir.join("beneficiaries").join(format!("{}.csv", c.code)),
        )?);
        writeln!(w, "project_id,name,id_number,household_size")?;
        for (case, who) in [
            (case::STALLED, &twice),
            (case::UNACCEPTED, &twice),
            (case::STALLED, &dead),
            (case::UNACCEPTED, &payroll),
        ] {
            if let Some(id) = pid(case) {
                writeln!(w, "{id},{},{},3", who.0, who.1)?;
            }
        }
        w.flush()?;

        for (kind, rows) in [
            ("deceased", vec![format!("{},{},,", dead.0, dead.1)]),
            (
                "public_payroll",
                vec![format!("{},{},,", payroll.0, payroll.1)],
            ),
            (
                "cadre_relatives",
                vec![
                    format!("覃{}某,,本人,", m(case::OFFICIAL_PAYEE)),
                    format!(
                        "覃{},,配偶,覃{}某",
                        m(case::OFFICIAL_PAYEE),
                        m(case::OFFICIAL_PAYEE)
                    ),
                ],
            ),
        ] {
            let mut w = std::io::BufWriter::new(std::fs::File::create(
                dir.join("lists").join(format!("{}-{kind}.csv", c.code)),
            )?);
            writeln!(w, "name,id_number,relation,of_name")?;
            for r in rows {
                writeln!(w, "{r}")?;
            }
            w.flush()?;
        }
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join(PLANTED_FILE))?);
    writeln!(w, "rule,county,marker,what")?;
    for k in &cases {
        writeln!(w, "{},{},{},{}", k.rule, k.county, k.marker, k.what)?;
    }
    w.flush()?;
    Ok(cases)
}

/// Reads `planted.csv`.
pub fn read_cases(dir: &Path) -> Result<Vec<Case>> {
    let path = dir.join(PLANTED_FILE);
    let mut rdr =
        csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let r = r.with_context(|| format!("{} line {}", path.display(), i + 2))?;
        let f = |k: usize| r.get(k).unwrap_or("").to_string();
        out.push(Case {
            rule: f(0),
            county: f(1),
            marker: f(2),
            what: f(3),
        });
    }
    Ok(out)
}

/// The side files of a county, for the bench to book.
pub struct CountyFiles {
    pub county: String,
    pub progress: PathBuf,
    pub beneficiaries: PathBuf,
    /// (kind key, file)
    pub lists: Vec<(&'static str, PathBuf)>,
}

pub fn county_files(dir: &Path, p: &Province) -> Vec<CountyFiles> {
    p.counties
        .iter()
        .map(|c| CountyFiles {
            county: c.code.clone(),
            progress: dir.join("progress").join(format!("{}.csv", c.code)),
            beneficiaries: dir.join("beneficiaries").join(format!("{}.csv", c.code)),
            lists: ["deceased", "public_payroll", "cadre_relatives"]
                .into_iter()
                .map(|k| (k, dir.join("lists").join(format!("{}-{k}.csv", c.code))))
                .collect(),
        })
        .collect()
}

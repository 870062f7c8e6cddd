//! `sunledger households import`: a county's household register (建档立卡户 and the others the
//! spot checks draw from) as a file, one household per row. `docs/IMPORT.md` describes it.
//!
//! # The file
//! CSV (UTF-8, UTF-16 with a byte-order mark, or GB18030; comma- or tab-separated) or a workbook,
//! read by the shared strict reader, [`crate::io::read`], like every import: a row it refuses
//! (wrong width, a last line without a line break) is `line N: row: ...`, and then nothing is
//! registered. The first non-blank row is the
//! header; columns are found by English key or Chinese name, in any order:
//! `village` (村代码), `head_name` (户主姓名), `id_number` (户主身份证号), `poor` (是否脱贫户:
//! yes/no, 是/否, 1/0, true/false), `size` (家庭人口, 1–30).
//!
//! # Policy
//! - Every row is checked first; each problem is reported as `line N: field: reason` (an ID number
//!   whose check digit is wrong, a code that is not a village, a size out of range, an ID number
//!   twice in the file).
//! - A household whose ID number is already registered in the same village with the same details
//!   is `unchanged` (so the same file imports once); with other details it is refused.
//! - The good rows are registered together in one transaction, or, if any row is refused, none is.
use crate::io::read::{self, Record, quoted};
use anyhow::bail;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use sunledger_core::{IdNumber, RegionCode};
use sunledger_store::{NewHousehold, Store, StoreError};

const COLUMNS: [(&str, &[&str]); 5] = [
    ("village", &["村代码", "村区划代码", "village_code"]),
    ("head_name", &["户主姓名", "户主"]),
    ("id_number", &["户主身份证号", "身份证号", "身份证号码"]),
    ("poor", &["是否脱贫户", "是否贫困户", "脱贫户"]),
    ("size", &["家庭人口", "人口", "家庭人口数"]),
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: u64,
    pub registered: u64,
    pub unchanged: u64,
    /// `line N: field: reason`, in line order.
    pub errors: Vec<String>,
}

impl ImportReport {
    pub fn summary_line(&self) -> String {
        format!(
            "rows={} registered={} unchanged={} rejected={}",
            self.rows,
            self.registered,
            self.unchanged,
            self.errors.len()
        )
    }
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

fn parse_poor(s: &str) -> Option<bool> {
    match norm(s).as_str() {
        "yes" | "是" | "1" | "true" | "y" => Some(true),
        "no" | "否" | "0" | "false" | "n" => Some(false),
        _ => None,
    }
}

/// Reads and checks the file at `path`, then registers its households (see the module docs).
/// `Err` only for failures that concern no row (unreadable file, bad header, database).
pub async fn import_households(
    store: &dyn Store,
    path: &Path,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let table = read::read_table(path)?;
    let header: Vec<String> = table
        .header
        .cells
        .iter()
        .map(|c| norm(c.as_deref().unwrap_or("").trim_start_matches('\u{feff}')))
        .collect();
    let mut at = [0usize; 5];
    for (k, (key, aliases)) in COLUMNS.iter().enumerate() {
        let pos = header
            .iter()
            .position(|h| h == key || aliases.iter().any(|a| norm(a) == *h));
        match (pos, at.get_mut(k)) {
            (Some(p), Some(slot)) => *slot = p,
            _ => bail!(
                "{}: the header has no column {key} ({})",
                path.display(),
                aliases.join(" / ")
            ),
        }
    }
    let mut report = ImportReport::default();
    let mut good: Vec<(u64, NewHousehold)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for Record {
        line,
        cells,
        problem,
    } in table.rows
    {
        report.rows += 1;
        if let Some(p) = problem {
            report.errors.push(format!("line {line}: row: {p}"));
            continue;
        }
        let cell = |k: usize| -> Result<String, String> {
            let i = at.get(k).copied().unwrap_or(0);
            match cells.get(i) {
                Some(Ok(s)) => Ok(s.trim().to_string()),
                Some(Err(e)) => Err(e.clone()),
                None => Ok(String::new()),
            }
        };
        let mut why = Vec::new();
        let village = match cell(0) {
            Ok(v) => match RegionCode::parse(&v) {
                Ok(c) if c.level() == sunledger_core::region::Level::Village => Some(c),
                _ => {
                    why.push(format!(
                        "village: {} is not a 12-digit village code",
                        quoted(&v)
                    ));
                    None
                }
            },
            Err(e) => {
                why.push(format!("village: {e}"));
                None
            }
        };
        let head_name = match cell(1) {
            Ok(v) => v,
            Err(e) => {
                why.push(format!("head_name: {e}"));
                String::new()
            }
        };
        if head_name.is_empty() {
            if !why.iter().any(|w| w.starts_with("head_name")) {
                why.push("head_name: missing".into());
            }
        } else if head_name.chars().count() > 100 {
            why.push("head_name: longer than 100 characters".into());
        }
        let id = match cell(2) {
            Ok(v) => match IdNumber::parse(&v) {
                Ok(id) => {
                    if let Some(first) = seen.insert(id.as_str().to_string(), line) {
                        why.push(format!("id_number: line {first} has it already"));
                    }
                    Some(id)
                }
                Err(_) => {
                    why.push(format!(
                        "id_number: {} is not a valid 18-character ID number (GB 11643 check digit)",
                        quoted(&v)
                    ));
                    None
                }
            },
            Err(e) => {
                why.push(format!("id_number: {e}"));
                None
            }
        };
        let poor = match cell(3) {
            Ok(v) => {
                let p = parse_poor(&v);
                if p.is_none() {
                    why.push(format!("poor: {} is not yes/no (是/否, 1/0)", quoted(&v)));
                }
                p
            }
            Err(e) => {
                why.push(format!("poor: {e}"));
                None
            }
        };
        let size = match cell(4) {
            Ok(v) => {
                let n = v.parse::<i64>().ok().filter(|s| (1..=30).contains(s));
                if n.is_none() {
                    why.push(format!(
                        "size: {} is not a whole number of people from 1 to 30",
                        quoted(&v)
                    ));
                }
                n
            }
            Err(e) => {
                why.push(format!("size: {e}"));
                None
            }
        };
        match (village, id, poor, size) {
            (Some(village), Some(id_number), Some(poor), Some(size)) if why.is_empty() => good
                .push((
                    line,
                    NewHousehold {
                        village,
                        head_name,
                        id_number,
                        poor,
                        size,
                    },
                )),
            _ => report
                .errors
                .extend(why.into_iter().map(|w| format!("line {line}: {w}"))),
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    // What each village already has, by ID number.
    let villages: HashSet<&RegionCode> = good.iter().map(|(_, h)| &h.village).collect();
    let mut existing = HashMap::new();
    for v in villages {
        for h in store.households_in(v).await? {
            existing.insert(h.id_number.clone(), h);
        }
    }
    let mut fresh: Vec<(u64, NewHousehold)> = Vec::with_capacity(good.len());
    for (line, h) in good {
        match existing.get(h.id_number.as_str()) {
            Some(e)
                if e.head_name == h.head_name
                    && e.registered_poor == h.poor
                    && e.size == h.size
                    && e.region == h.village =>
            {
                report.unchanged += 1
            }
            Some(_) => report.errors.push(format!(
                "line {line}: id_number: already registered in this village with other details"
            )),
            None => fresh.push((line, h)),
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let batch: Vec<NewHousehold> = fresh.iter().map(|(_, h)| h.clone()).collect();
    match store.create_households(&batch, now).await {
        Ok(n) => report.registered = n,
        Err(StoreError::Batch { index, error }) => {
            let line = fresh.get(index).map(|(l, _)| *l).unwrap_or(0);
            let why = match *error {
                StoreError::Conflict { .. } => {
                    "id_number: already registered in another village".to_string()
                }
                other => other.to_string(),
            };
            report.errors.push(format!("line {line}: {why}"));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(report)
}

/// The CLI command: prints rejected rows on standard error and returns 2, or the summary line.
pub async fn run_cli(store: &dyn Store, path: &Path, now: i64) -> anyhow::Result<i32> {
    let r = import_households(store, path, now).await?;
    if !r.errors.is_empty() {
        for e in &r.errors {
            eprintln!("{}", read::clip(e));
        }
        eprintln!(
            "nothing registered: {} problems in {} rows; fix them and run the import again",
            r.errors.len(),
            r.rows
        );
        return Ok(2);
    }
    println!("{}", r.summary_line());
    Ok(0)
}

//! `sunledger crosscheck import`: a cross-check list of the household appraisal (public-payroll
//! staff, village cadres and their close relatives, registered vehicles, commercial housing) as
//! a file, one person a row. `docs/IMPORT.md` describes it.
//!
//! # The file
//! CSV or a workbook, read by the shared strict reader, [`crate::io::read`]. The first non-blank
//! row is the header; columns are found by English key or Chinese name, in any order: `name`
//! (姓名, required), `id_number` (身份证号), `relation` (关系: on the cadre list `本人` for the
//! cadre's own row, else 配偶, 父母, 子女, 兄弟姐妹 …; required there), `of_name` (村干部姓名: the
//! cadre a relative's row belongs to), `village` (村代码), `note` (备注).
//!
//! # Policy
//! Every row is checked first and each problem reported as `line N: field: reason`; if any row is
//! refused nothing is booked. The good file is booked as one list in one transaction, with the
//! file's SHA-256.
use crate::io::read::{self, Record, Table, quoted};
use anyhow::bail;
use std::collections::HashMap;
use std::path::Path;
use sunledger_core::appraisal::{self as rules, CheckList};
use sunledger_core::{IdNumber, RegionCode};
use sunledger_store::{NewCrosscheckEntry, NewCrosscheckList, Store, StoreError};

const COLUMNS: [(&str, &[&str]); 6] = [
    ("name", &["姓名"]),
    ("id_number", &["身份证号", "身份证号码", "公民身份号码"]),
    ("relation", &["关系", "与村干部关系", "称谓"]),
    ("of_name", &["村干部姓名", "干部姓名", "所属村干部"]),
    ("village", &["村代码", "村区划代码", "village_code"]),
    ("note", &["备注"]),
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: u64,
    pub list_id: Option<i64>,
    /// `line N: field: reason`, in line order.
    pub errors: Vec<String>,
}

impl ImportReport {
    pub fn summary_line(&self) -> String {
        format!(
            "rows={} list={} rejected={}",
            self.rows,
            self.list_id.map(|i| i.to_string()).unwrap_or_default(),
            self.errors.len()
        )
    }
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Reads and checks the file at `path`, then books it as a list of `kind` for `region`.
pub async fn import_file(
    store: &dyn Store,
    path: &Path,
    kind: CheckList,
    region: &RegionCode,
    actor: Option<i64>,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let sha = sunledger_core::log::fact::sha256_hex(&bytes);
    let table = read::read_table(path)?;
    import_table(store, table, &sha, kind, region, actor, now).await
}

/// Checks a table already read and books it (see the module docs). `Err` only for failures that
/// concern no row (a bad header, the database).
pub async fn import_table(
    store: &dyn Store,
    table: Table,
    file_sha256: &str,
    kind: CheckList,
    region: &RegionCode,
    actor: Option<i64>,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let header: Vec<String> = table
        .header
        .cells
        .iter()
        .map(|c| norm(c.as_deref().unwrap_or("").trim_start_matches('\u{feff}')))
        .collect();
    let mut at: [Option<usize>; 6] = [None; 6];
    for (k, (key, aliases)) in COLUMNS.iter().enumerate() {
        let pos = header
            .iter()
            .position(|h| h == key || aliases.iter().any(|a| norm(a) == *h));
        if let Some(slot) = at.get_mut(k) {
            *slot = pos;
        }
    }
    let required: &[usize] = if kind == CheckList::CadreRelatives {
        &[0, 2]
    } else {
        &[0]
    };
    for k in required {
        if at.get(*k).copied().flatten().is_none() {
            let (key, aliases) = COLUMNS.get(*k).copied().unwrap_or(("name", &[]));
            bail!("the header has no column {key} ({})", aliases.join(" / "));
        }
    }
    let mut report = ImportReport::default();
    let mut good: Vec<(u64, NewCrosscheckEntry)> = Vec::new();
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
        let mut why = Vec::new();
        let mut cell = |k: usize| -> String {
            let Some(i) = at.get(k).copied().flatten() else {
                return String::new();
            };
            match cells.get(i) {
                Some(Ok(s)) => s.trim().to_string(),
                Some(Err(e)) => {
                    let (key, _) = COLUMNS.get(k).copied().unwrap_or(("cell", &[]));
                    why.push(format!("{key}: {e}"));
                    String::new()
                }
                None => String::new(),
            }
        };
        let (name, id_text, relation, of_name, village_text, note) =
            (cell(0), cell(1), cell(2), cell(3), cell(4), cell(5));
        let id_number = if id_text.is_empty() {
            None
        } else {
            match IdNumber::parse(&id_text) {
                Ok(id) => {
                    if let Some(first) = seen.insert(format!("{}|{relation}", id.as_str()), line) {
                        why.push(format!("id_number: line {first} has it already"));
                    }
                    Some(id)
                }
                Err(_) => {
                    why.push(format!(
                        "id_number: {} is not a valid 18-character ID number (GB 11643 check digit)",
                        quoted(&id_text)
                    ));
                    None
                }
            }
        };
        let village = if village_text.is_empty() {
            None
        } else {
            match RegionCode::parse(&village_text) {
                Ok(c)
                    if c.level() == sunledger_core::region::Level::Village
                        && c.county_code() == region.county_code() =>
                {
                    Some(c)
                }
                _ => {
                    why.push(format!(
                        "village: {} is not a 12-digit village code of county {}",
                        quoted(&village_text),
                        region.county_code()
                    ));
                    None
                }
            }
        };
        if let Err(e) = rules::check_entry(kind, &name, &relation, &of_name) {
            why.push(entry_problem(&e, &name, &relation, &of_name));
        }
        if why.is_empty() {
            good.push((
                line,
                NewCrosscheckEntry {
                    row_no: i64::try_from(line).unwrap_or(i64::MAX),
                    name,
                    id_number,
                    relation,
                    of_name,
                    village,
                    note,
                },
            ));
        } else {
            report
                .errors
                .extend(why.into_iter().map(|w| format!("line {line}: {w}")));
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    if good.is_empty() {
        bail!("the file has no rows");
    }
    let list = NewCrosscheckList {
        region: *region,
        kind,
        file_sha256: file_sha256.to_string(),
        entries: good.iter().map(|(_, e)| e.clone()).collect(),
    };
    match store.import_crosscheck_list(&list, actor, now).await {
        Ok(l) => report.list_id = Some(l.id),
        Err(StoreError::Batch { index, error }) => {
            let line = good.get(index).map(|(l, _)| *l).unwrap_or(0);
            report.errors.push(format!("line {line}: {error}"));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(report)
}

/// A refused row of the list in words: `field: reason`.
fn entry_problem(
    e: &sunledger_core::DomainError,
    name: &str,
    relation: &str,
    of_name: &str,
) -> String {
    match e {
        sunledger_core::DomainError::Invalid { field, reason, .. } => {
            let value = match *field {
                "name" => name,
                "relation" => relation,
                _ => of_name,
            };
            let what = match *reason {
                "empty" | "missing" => "missing".to_string(),
                "unknown_relation" => format!(
                    "{} is not a close relation ({})",
                    quoted(value),
                    rules::RELATIONS.join("/")
                ),
                "self_names_another" => format!(
                    "{} names another cadre on the cadre's own row (本人)",
                    quoted(value)
                ),
                other => format!("{} is refused ({other})", quoted(value)),
            };
            format!("{field}: {what}")
        }
        other => other.to_string(),
    }
}

/// The CLI command: prints rejected rows on standard error and returns 2, or the summary line.
pub async fn run_cli(
    store: &dyn Store,
    path: &Path,
    kind: CheckList,
    region: &RegionCode,
    now: i64,
) -> anyhow::Result<i32> {
    let r = import_file(store, path, kind, region, None, now).await?;
    if !r.errors.is_empty() {
        for e in &r.errors {
            eprintln!("{}", read::clip(e));
        }
        eprintln!(
            "nothing booked: {} problems in {} rows; fix them and run the import again",
            r.errors.len(),
            r.rows
        );
        return Ok(2);
    }
    println!("{}", r.summary_line());
    Ok(0)
}

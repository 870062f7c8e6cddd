//! `sunledger projects import` and `sunledger projects export`: a county's existing project
//! library as a file, one project per row. `docs/IMPORT.md` describes the file for users.
//!
//! # The file
//! - Read by the shared strict reader, [`crate::file_read`]: CSV (UTF-8 with or without a
//!   byte-order mark, UTF-16 with a byte-order mark, or GB18030 as saved by Chinese Excel;
//!   comma-separated, or tab-separated when the header has tabs and no comma) or a workbook
//!   (`.xlsx`, `.xlsm`, `.xlsb`: its first sheet), chosen by the file's extension. A row it
//!   refuses (wrong width, a last line without a line break) is reported as `line N: row: ...`,
//!   a cell it refuses under the cell's column. Lines in messages are the file's lines (CSV,
//!   right for CRLF) or the sheet's row numbers (workbooks).
//! - The first non-blank row is the header. Columns are found by their English key or a Chinese
//!   name ([`COLUMNS`]), in any order and letter case, ignoring spaces and a `(元)`/`（元）` or
//!   `(%)` unit; unknown columns are ignored (so an export, with its extra columns, reads back).
//!   A header lacking a required column, or without any budget column, is an error and nothing
//!   is read.
//! - The budget is one column per fund source, in yuan with at most two decimals
//!   (`budget_central_special`, `budget_county_budget`, ...): blank or zero means none from that
//!   source. Amounts become integer fen; they never pass through floating point.
//! - `stage` says where the project is put: `draft`, `declared` (the township reviews it next) or
//!   `approved` (blank: `approved`, the usual case for an existing library).
//!
//! # Approved outside the system
//! A project imported as `approved` was approved before the system knew it: its notice and
//! county approval cannot be replayed honestly. The store puts it into the library with one event
//! of action `import` ([`sunledger_store::IMPORT_ACTION`], from `draft` to `approved`, dated the
//! day of the import) whose comment is the import's note, naming the file; it records no notice
//! and no county approval. Its status starts at `planned`.
//!
//! # Policy
//! 1. Every row is checked: each problem is reported as `line N: field: reason`. Also refused: a
//!    row repeating an earlier row's village, fiscal year and name, a village that is not in the
//!    region table, and a row whose village, year and name are already in the library with other
//!    content (the library keeps its history: change such a project in the system).
//! 2. A row whose village, year and name are already in the library with the same content is
//!    `unchanged` and skipped (whatever its stage there), so running a file again imports nothing
//!    twice, and a file fixed after a partial import adds only the fixed rows.
//! 3. The good rows are imported together, in one transaction (`Store::import_projects`). If the
//!    store refuses one of them, that row is reported like the others and the rest are imported
//!    without it, again in one transaction: nothing is ever half-imported.
//! 4. Standard output ends with `rows=N imported=N unchanged=N rejected=N`; the exit status is 0
//!    when no row was rejected and 2 when some were. With `--check`, nothing is imported.
use anyhow::{Context, anyhow, bail};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::project::{Budget, Category, Content, Stage, Targets};
use sunledger_core::{DomainError, Level, RegionCode};
use sunledger_store::{ImportProject, ProjectFilter, Store, StoreError};
use sunledger_web::exports::csv_guard;

/// A column of the file: its key (the English header, as the export writes it), the Chinese
/// names accepted for it, and whether a header must have it.
pub struct Column {
    pub key: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(key: &'static str, aliases: &'static [&'static str], required: bool) -> Column {
    Column {
        key,
        aliases,
        required,
    }
}

/// The columns, in the export's order. Budget columns are `budget_` + a fund source key; at
/// least one of them must be present.
pub const COLUMNS: [Column; 19] = [
    col(
        "village",
        &[
            "village_code",
            "村代码",
            "村区划代码",
            "行政村代码",
            "村级区划代码",
        ],
        true,
    ),
    col("name", &["项目名称"], true),
    col("category", &["项目类别", "类别"], true),
    col("fiscal_year", &["年度", "项目年度"], true),
    col(
        "budget_central_special",
        &["中央财政专项扶贫资金", "中央财政专项资金", "中央资金"],
        false,
    ),
    col("budget_provincial", &["省级财政资金", "省级资金"], false),
    col("budget_municipal", &["市级财政资金", "市级资金"], false),
    col(
        "budget_county_budget",
        &["县级财政预算", "县级财政资金", "县级资金"],
        false,
    ),
    col("budget_integrated_agri", &["统筹整合涉农资金"], false),
    col(
        "budget_social_donation",
        &["社会捐赠", "社会捐赠资金"],
        false,
    ),
    col("budget_other", &["其他资金"], false),
    col("outputs", &["产出指标", "建设内容及规模", "建设内容"], true),
    col("households", &["受益户数", "受益户"], true),
    col("income_effect", &["增收效果", "效益指标"], true),
    col("satisfaction", &["满意度", "群众满意度"], true),
    col(
        "meeting_on",
        &["村民会议日期", "会议日期", "决策日期"],
        true,
    ),
    col(
        "meeting_ref",
        &["会议纪要编号", "会议记录", "决议文号"],
        true,
    ),
    col("description", &["项目描述", "备注"], false),
    col("stage", &["阶段", "导入阶段"], false),
];

/// Extra columns of an export (ignored by the import): the project's id and where it stands.
pub const EXPORT_EXTRA: [&str; 5] = [
    "project_id",
    "current_stage",
    "status",
    "progress",
    "budget_total",
];

/// The fund source of a budget column.
fn budget_source(key: &str) -> Option<FundSource> {
    key.strip_prefix("budget_")
        .and_then(|s| FundSource::parse(s).ok())
}

/// A header cell as compared: trimmed, without spaces, a byte-order mark or a unit in brackets,
/// ASCII-lowercased.
fn normalise_header(h: &str) -> String {
    let mut s: String = h
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    for unit in ["(元)", "（元）", "(%)", "（%）", "%"] {
        if let Some(x) = s.strip_suffix(unit) {
            s = x.to_string();
        }
    }
    s
}

/// The column key a header cell names.
fn column_of(header: &str) -> Option<&'static str> {
    let h = normalise_header(header);
    COLUMNS
        .iter()
        .find(|c| c.key == h || c.aliases.iter().any(|a| normalise_header(a) == h))
        .map(|c| c.key)
}

/// Chinese names of the categories (and a few common variants).
const CATEGORY_NAMES: [(&str, Category); 23] = [
    ("产业发展", Category::Industry),
    ("产业", Category::Industry),
    ("产业扶贫", Category::Industry),
    ("基础设施", Category::Infrastructure),
    ("基础设施建设", Category::Infrastructure),
    ("易地扶贫搬迁", Category::Relocation),
    ("易地搬迁", Category::Relocation),
    ("易地扶贫搬迁住房和安置点", Category::Relocation),
    ("易地搬迁安置点", Category::Relocation),
    ("教育", Category::Education),
    ("教育扶贫", Category::Education),
    ("健康", Category::Health),
    ("健康扶贫", Category::Health),
    ("就业和培训", Category::Employment),
    ("就业", Category::Employment),
    ("就业培训", Category::Employment),
    ("就业扶贫", Category::Employment),
    ("生态保护", Category::Ecology),
    ("生态", Category::Ecology),
    ("生态扶贫", Category::Ecology),
    ("其他", Category::Other),
    ("其它", Category::Other),
    ("other", Category::Other),
];

/// The Chinese name the export writes for a category.
pub fn category_label(c: Category) -> &'static str {
    match c {
        Category::Industry => "产业发展",
        Category::Infrastructure => "基础设施",
        Category::Relocation => "易地扶贫搬迁",
        Category::Education => "教育",
        Category::Health => "健康",
        Category::Employment => "就业和培训",
        Category::Ecology => "生态保护",
        Category::Other => "其他",
    }
}

fn parse_category(s: &str) -> Result<Category, String> {
    let t = s.trim();
    if let Ok(c) = Category::parse(&t.to_ascii_lowercase()) {
        return Ok(c);
    }
    CATEGORY_NAMES
        .iter()
        .find(|(n, _)| *n == t)
        .map(|(_, c)| *c)
        .ok_or_else(|| {
            format!(
                "unknown category {} (one of {}, or the Chinese names {})",
                quoted(t),
                Category::ALL
                    .iter()
                    .map(|c| c.key())
                    .collect::<Vec<_>>()
                    .join(", "),
                Category::ALL
                    .iter()
                    .map(|c| category_label(*c))
                    .collect::<Vec<_>>()
                    .join("、")
            )
        })
}

/// The stages a row may ask for.
fn parse_stage(s: &str) -> Result<Stage, String> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "" | "approved" | "已批准" | "已入库" | "入库" | "批准" => Stage::Approved,
        "declared" | "已申报" | "申报" => Stage::Declared,
        "draft" | "草稿" => Stage::Draft,
        other => {
            return Err(format!(
                "unknown stage {} (draft, declared or approved; blank is approved)",
                quoted(other)
            ));
        }
    })
}

/// A date as `YYYY-MM-DD`, also read from `YYYY/M/D`, `YYYY.M.D` and `YYYY年M月D日`.
fn parse_date(s: &str) -> Result<String, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "{} is not a date (YYYY-MM-DD) between 2000 and 2100",
            quoted(t)
        )
    };
    let cleaned: String = t
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_string();
    let mut parts = cleaned.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let num = |p: &str, len: std::ops::RangeInclusive<usize>| {
        if len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse::<u32>().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(m), Some(d)) = (num(y, 4..=4), num(m, 1..=2), num(d, 1..=2)) else {
        return Err(bad());
    };
    if !(2000..=2100).contains(&y) {
        return Err(bad());
    }
    let iso = format!("{y:04}-{m:02}-{d:02}");
    sunledger_core::day::parse("meeting_on", &iso).map_err(|_| bad())?;
    Ok(iso)
}

/// A whole number, also written `90%` or `120.0` (as spreadsheets store numbers).
fn parse_whole(s: &str) -> Option<i64> {
    let t = s.trim().trim_end_matches(['%', '％']).trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    let t: String = t.chars().filter(|c| *c != ',').collect();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A rejected row (one line per problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's line in the file (CSV) or its row number in the sheet (workbooks).
    pub line: u64,
    /// The column concerned (its key), or `row` for the row as a whole.
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.reason)
    }
}

use crate::file_read::{self, Record, Table, quoted};

/// A data row's cells by column key: the text, or why the cell could not be read.
pub type RowCells = HashMap<&'static str, Result<String, String>>;

/// A project file as read: its data rows, each a line and its cells by column key.
#[derive(Debug, Clone, Default)]
pub struct ProjectFile {
    pub rows: Vec<(u64, RowCells)>,
    /// Rows that could not be read as rows (fields missing or extra, cut off), field `row`.
    pub errors: Vec<RowError>,
    /// How it was read: `CSV (UTF-8)`, `CSV (GB18030)`, `XLSX`...
    pub format: String,
}

/// Reads a project file with the shared strict reader ([`crate::file_read`]): a workbook by
/// extension (`.xlsx`, `.xlsm`, `.xlsb`), otherwise CSV. `Err` when the file cannot be read or
/// its header lacks a required column.
pub fn read_project_file(path: &Path) -> anyhow::Result<ProjectFile> {
    let table = file_read::read_table(path)?;
    let format = table.format.clone();
    let mut file = rows_by_column(table).with_context(|| path.display().to_string())?;
    file.format = format;
    Ok(file)
}

/// Maps the rows below the header to column keys.
fn rows_by_column(table: Table) -> anyhow::Result<ProjectFile> {
    let Table {
        header:
            Record {
                line: header_line,
                cells: header,
                ..
            },
        rows,
        ..
    } = table;
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.as_deref().unwrap_or("");
        if h.contains("万元") {
            bail!(
                "the header (line {header_line}) column {} ({}) is in 万元: amounts are in yuan (元)",
                i + 1,
                quoted(h)
            );
        }
        if let Some(key) = column_of(h)
            && let Some(j) = index.insert(key, i)
        {
            bail!(
                "the header (line {header_line}) names the column `{key}` twice (columns {} and {})",
                j + 1,
                i + 1
            );
        }
    }
    let missing: Vec<String> = COLUMNS
        .iter()
        .filter(|c| c.required && !index.contains_key(c.key))
        .map(|c| match c.aliases.first() {
            Some(zh) => format!("`{}` ({zh})", c.key),
            None => format!("`{}`", c.key),
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "the header (line {header_line}) has no column {}; its columns are: {}",
            missing.join(", "),
            header
                .iter()
                .map(|h| quoted(h.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !index.keys().any(|k| budget_source(k).is_some()) {
        bail!(
            "the header (line {header_line}) has no budget column: give at least one of {}",
            COLUMNS
                .iter()
                .filter(|c| budget_source(c.key).is_some())
                .map(|c| c.key)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut file = ProjectFile::default();
    for Record {
        line,
        cells,
        problem,
    } in rows
    {
        if let Some(reason) = problem {
            file.errors.push(RowError {
                line,
                field: "row".into(),
                reason,
            });
            continue;
        }
        let row = index
            .iter()
            .map(|(k, i)| (*k, cells.get(*i).cloned().unwrap_or(Ok(String::new()))))
            .collect();
        file.rows.push((line, row));
    }
    Ok(file)
}

/// A reason code of the domain's checks, in words.
fn describe(e: &DomainError) -> (String, String) {
    match e {
        DomainError::Invalid {
            field,
            reason,
            value,
        } => {
            let field = field.strip_prefix("targets.").unwrap_or(field).to_string();
            let words = match *reason {
                "empty" => "is empty".to_string(),
                "too_long" => format!("is too long ({value} characters)"),
                "out_of_range" => format!("{value} is out of range"),
                "bad_date" => format!("{} is not a date (YYYY-MM-DD)", quoted(value)),
                "in_future" => format!("{value} is in the future"),
                "not_a_village" => format!("{value} is not a village"),
                "not_importable" => format!("a project cannot be imported as {value}"),
                other => format!("{other} ({value})"),
            };
            (field, words)
        }
        other => ("row".into(), other.to_string()),
    }
}

/// Checks one row and turns it into the project to import, or the row's problems.
pub fn parse_row(line: u64, cells: &RowCells, today: i64) -> Result<ImportProject, Vec<RowError>> {
    let mut errors: Vec<RowError> = Vec::new();
    let mut bad = |field: &str, reason: String| {
        errors.push(RowError {
            line,
            field: field.to_string(),
            reason,
        })
    };
    let get = |key: &'static str, bad: &mut dyn FnMut(&str, String)| -> String {
        match cells.get(key) {
            None => String::new(),
            Some(Ok(s)) => s.trim().to_string(),
            Some(Err(e)) => {
                bad(key, e.clone());
                String::new()
            }
        }
    };
    let required = |key: &str, v: &str, bad: &mut dyn FnMut(&str, String)| {
        if v.is_empty() {
            bad(key, "is empty".into());
            false
        } else {
            true
        }
    };

    let village_s = get("village", &mut bad);
    let village = if required("village", &village_s, &mut bad) {
        match RegionCode::parse(&village_s) {
            Ok(v) if v.level() == Level::Village => Some(v),
            Ok(v) => {
                bad(
                    "village",
                    format!(
                        "{village_s} is a {} code, not a village's (12 digits)",
                        v.level().key()
                    ),
                );
                None
            }
            Err(_) => {
                bad(
                    "village",
                    format!("{} is not a region code (12 digits)", quoted(&village_s)),
                );
                None
            }
        }
    } else {
        None
    };
    let name = get("name", &mut bad);
    required("name", &name, &mut bad);
    if name.contains(['\n', '\r']) {
        bad("name", "holds a line break".into());
    }
    let category_s = get("category", &mut bad);
    let category = if required("category", &category_s, &mut bad) {
        parse_category(&category_s)
            .map_err(|e| bad("category", e))
            .ok()
    } else {
        None
    };
    let year_s = get("fiscal_year", &mut bad);
    let fiscal_year = if required("fiscal_year", &year_s, &mut bad) {
        match parse_whole(&year_s).map(FiscalYear::new) {
            Some(Ok(y)) => Some(y),
            _ => {
                bad(
                    "fiscal_year",
                    format!("{} is not a year between 2000 and 2100", quoted(&year_s)),
                );
                None
            }
        }
    } else {
        None
    };
    let mut lines = Vec::new();
    let mut budget_bad = false;
    for c in &COLUMNS {
        let Some(source) = budget_source(c.key) else {
            continue;
        };
        let v = get(c.key, &mut bad);
        if v.is_empty() {
            continue;
        }
        match Money::parse_yuan(&v) {
            Ok(m) if m.fen() == 0 => {}
            Ok(m) if m.fen() > 0 => lines.push((source, m)),
            Ok(_) => {
                budget_bad = true;
                bad(c.key, format!("{v} is negative"))
            }
            Err(_) => {
                budget_bad = true;
                bad(
                    c.key,
                    format!(
                        "{} is not a sum in yuan with at most two decimals",
                        quoted(&v)
                    ),
                )
            }
        }
    }
    let budget = if lines.is_empty() {
        if !budget_bad {
            bad("budget", "no fund source has an amount".into());
        }
        None
    } else {
        Budget::new(lines)
            .map_err(|e| {
                let (_, words) = describe(&e);
                bad("budget", words)
            })
            .ok()
    };
    let outputs = get("outputs", &mut bad);
    required("outputs", &outputs, &mut bad);
    let income_effect = get("income_effect", &mut bad);
    required("income_effect", &income_effect, &mut bad);
    let households_s = get("households", &mut bad);
    let households = if required("households", &households_s, &mut bad) {
        parse_whole(&households_s)
            .filter(|h| (1..=10_000_000).contains(h))
            .or_else(|| {
                bad(
                    "households",
                    format!(
                        "{} is not a whole number of households (at least 1)",
                        quoted(&households_s)
                    ),
                );
                None
            })
    } else {
        None
    };
    let satisfaction_s = get("satisfaction", &mut bad);
    let satisfaction = if required("satisfaction", &satisfaction_s, &mut bad) {
        parse_whole(&satisfaction_s)
            .filter(|s| (1..=100).contains(s))
            .or_else(|| {
                bad(
                    "satisfaction",
                    format!(
                        "{} is not a percentage from 1 to 100",
                        quoted(&satisfaction_s)
                    ),
                );
                None
            })
    } else {
        None
    };
    let meeting_s = get("meeting_on", &mut bad);
    let meeting_on = if required("meeting_on", &meeting_s, &mut bad) {
        match parse_date(&meeting_s) {
            Ok(d) => {
                if sunledger_core::day::parse("meeting_on", &d).is_ok_and(|x| x > today) {
                    bad("meeting_on", format!("{d} is in the future"));
                    None
                } else {
                    Some(d)
                }
            }
            Err(e) => {
                bad("meeting_on", e);
                None
            }
        }
    } else {
        None
    };
    let meeting_ref = get("meeting_ref", &mut bad);
    required("meeting_ref", &meeting_ref, &mut bad);
    let description = get("description", &mut bad);
    let stage = parse_stage(&get("stage", &mut bad))
        .map_err(|e| bad("stage", e))
        .ok();

    let (
        Some(village),
        Some(category),
        Some(fiscal_year),
        Some(budget),
        Some(households),
        Some(satisfaction),
        Some(meeting_on),
        Some(stage),
    ) = (
        village,
        category,
        fiscal_year,
        budget,
        households,
        satisfaction,
        meeting_on,
        stage,
    )
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let content = Content {
        name,
        category,
        village,
        fiscal_year,
        budget,
        targets: Targets {
            outputs,
            households,
            income_effect,
            satisfaction,
        },
        meeting_on,
        meeting_ref,
        description,
    };
    // The domain's own checks (lengths and the rest), so the store refuses nothing of this.
    if let Err(e) = content.check(today) {
        let (field, reason) = describe(&e);
        return Err(vec![RowError {
            line,
            field,
            reason,
        }]);
    }
    Ok(ImportProject { content, stage })
}

/// What an import did (or, with `check`, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// Projects imported (with `check`: that would be imported).
    pub imported: u64,
    /// Imported as draft, declared and approved.
    pub by_stage: [u64; 3],
    /// Rows already in the library with the same content.
    pub unchanged: u64,
    /// The problems of the rejected rows, by line (a row may have several).
    pub errors: Vec<RowError>,
    /// How the file was read (`CSV (UTF-8)`, `XLSX`...).
    pub format: String,
    /// The ids of the projects imported, in file order.
    pub ids: Vec<i64>,
    /// Only checked; nothing imported.
    pub check_only: bool,
}

impl ImportReport {
    /// Rows rejected.
    pub fn rejected(&self) -> u64 {
        self.errors
            .iter()
            .map(|e| e.line)
            .collect::<BTreeSet<_>>()
            .len() as u64
    }
    /// `rows=N imported=N unchanged=N rejected=N` (with `--check`: `to_import=N`).
    pub fn summary_line(&self) -> String {
        format!(
            "rows={} {}={} unchanged={} rejected={}",
            self.rows,
            if self.check_only {
                "to_import"
            } else {
                "imported"
            },
            self.imported,
            self.unchanged,
            self.rejected()
        )
    }
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check only; import nothing.
    pub check: bool,
    /// Added to the note recorded with every imported project (e.g. the approving document).
    pub note: Option<String>,
}

/// The note recorded with each imported project: its version's note, and the comment of the
/// `import` event of the approved ones.
pub fn import_note(path: &Path, extra: Option<&str>) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut note = format!(
        "从既有项目库导入（{file}），此前的申报、公示和审批在系统外完成 / imported from an existing project library ({file}); its declaration, notice and approval took place outside the system"
    );
    if let Some(x) = extra.map(str::trim).filter(|x| !x.is_empty()) {
        note.push_str(" — ");
        note.push_str(x);
    }
    note
}

/// The CLI command: imports `path` (see the module documentation). Prints each problem of a
/// rejected row on standard error (`line N: field: reason`) and the summary line on standard
/// output. Returns 0 when no row was rejected, 2 when some were.
pub async fn run_cli(
    store: &dyn Store,
    path: &Path,
    opts: &ImportOptions,
    now: i64,
) -> anyhow::Result<i32> {
    let report = import_projects(store, path, opts, now).await?;
    {
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        for e in &report.errors {
            writeln!(err, "{}", file_read::clip(&e.to_string()))?;
        }
        if report.check_only {
            writeln!(err, "check only: nothing imported")?;
        }
        err.flush()?;
    }
    let mut out = std::io::stdout().lock();
    if report.imported > 0 {
        let [draft, declared, approved] = report.by_stage;
        writeln!(
            out,
            "{}: approved={approved} declared={declared} draft={draft}",
            if report.check_only {
                "to import"
            } else {
                "imported"
            }
        )?;
    }
    writeln!(out, "{}", report.summary_line())?;
    out.flush()?;
    Ok(if report.errors.is_empty() { 0 } else { 2 })
}

/// The key of a project in the library: its village, fiscal year and name.
type Key = (RegionCode, i64, String);

fn key_of(c: &Content) -> Key {
    (c.village, c.fiscal_year.get(), c.name.clone())
}

/// Imports the project file at `path`. `Err` for failures that concern no row (unreadable
/// file, bad header, database).
pub async fn import_projects(
    store: &dyn Store,
    path: &Path,
    opts: &ImportOptions,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let today = sunledger_core::day::today(now);
    let file = read_project_file(path)?;
    let mut report = ImportReport {
        rows: (file.rows.len() + file.errors.len()) as u64,
        format: file.format.clone(),
        check_only: opts.check,
        errors: file.errors.clone(),
        ..ImportReport::default()
    };
    let mut good: Vec<(u64, ImportProject)> = Vec::new();
    let mut first: HashMap<Key, u64> = HashMap::new();
    for (line, cells) in &file.rows {
        match parse_row(*line, cells, today) {
            Ok(p) => match first.get(&key_of(&p.content)) {
                Some(other) => report.errors.push(RowError {
                    line: *line,
                    field: "name".into(),
                    reason: format!(
                        "line {other} already has a project of this name in village {} for {}",
                        p.content.village,
                        p.content.fiscal_year.get()
                    ),
                }),
                None => {
                    first.insert(key_of(&p.content), *line);
                    good.push((*line, p));
                }
            },
            Err(es) => report.errors.extend(es),
        }
    }

    // Villages that are not in the region table.
    let villages: HashSet<RegionCode> = good.iter().map(|(_, p)| p.content.village).collect();
    let mut missing = HashSet::new();
    for v in villages {
        if store.region(&v).await?.is_none() {
            missing.insert(v);
        }
    }
    // Projects already in the library under the same village, year and name.
    let mut todo: Vec<(u64, ImportProject)> = Vec::new();
    for (line, p) in good {
        let c = &p.content;
        if missing.contains(&c.village) {
            report.errors.push(RowError {
                line,
                field: "village".into(),
                reason: format!(
                    "{} is not in the region table (import the regions first)",
                    c.village
                ),
            });
            continue;
        }
        match existing(store, c).await? {
            Existing::None => todo.push((line, p)),
            Existing::Same => report.unchanged += 1,
            Existing::Other { id, fields } => report.errors.push(RowError {
                line,
                field: "name".into(),
                reason: format!(
                    "project {id} of this village and year already has this name, with other content ({}): change it in the system, or give this row another name",
                    fields.join(", ")
                ),
            }),
        }
    }

    if !opts.check {
        let note = import_note(path, opts.note.as_deref());
        // One transaction; a row the store refuses is reported and the rest imported again.
        while !todo.is_empty() {
            let items: Vec<ImportProject> = todo.iter().map(|(_, p)| p.clone()).collect();
            match store.import_projects(&items, &note, None, now).await {
                Ok(projects) => {
                    report.ids = projects.iter().map(|p| p.id).collect();
                    break;
                }
                Err(StoreError::Batch { index, error }) if index < todo.len() => {
                    let (field, reason) = match *error {
                        StoreError::Rule(e) => describe(&e),
                        StoreError::Conflict { field } => {
                            (field, "conflicts with a stored row".into())
                        }
                        StoreError::NotFound(what) => ("row".into(), format!("{what} not found")),
                        other => return Err(anyhow!("importing the projects: {other}")),
                    };
                    let (line, _) = todo.remove(index);
                    report.errors.push(RowError {
                        line,
                        field,
                        reason,
                    });
                }
                Err(e) => return Err(anyhow!("importing the projects: {e}")),
            }
        }
    }
    for (_, p) in &todo {
        report.imported += 1;
        let slot = match p.stage {
            Stage::Draft => 0,
            Stage::Declared => 1,
            _ => 2,
        };
        if let Some(n) = report.by_stage.get_mut(slot) {
            *n += 1;
        }
    }
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

enum Existing {
    None,
    Same,
    Other { id: i64, fields: Vec<&'static str> },
}

/// Whether the library already has a project of this village, year and name, and with what.
async fn existing(store: &dyn Store, c: &Content) -> anyhow::Result<Existing> {
    // The store's name filter drops `%` and `_`; such names are matched here only.
    let plain = !c.name.contains(['%', '_']);
    let (found, _) = store
        .projects(
            &ProjectFilter {
                scopes: vec![c.village],
                fiscal_year: Some(c.fiscal_year.get()),
                name: plain.then(|| c.name.clone()),
                ..ProjectFilter::default()
            },
            10_000,
            0,
        )
        .await?;
    let mut other = None;
    for p in found
        .iter()
        .filter(|p| p.name == c.name && p.region == c.village)
    {
        let Some(record) = store.project_record(p.id).await? else {
            continue;
        };
        let Some(current) = record.versions.iter().max_by_key(|v| v.version) else {
            continue;
        };
        let stored = current
            .content()
            .map_err(|e| anyhow!("project {}: stored content: {e}", p.id))?;
        let diff = stored.diff(c);
        if diff.is_empty() {
            return Ok(Existing::Same);
        }
        other.get_or_insert(Existing::Other {
            id: p.id,
            fields: diff.iter().map(|d| d.0).collect(),
        });
    }
    Ok(other.unwrap_or(Existing::None))
}

// --- Export -----------------------------------------------------------------------------------

/// The stage an exported project is imported back into: `approved` for the library (approved or
/// recorded), `declared` for projects under review (declared, noticed, returned to the
/// township), `draft` for the rest (drafts, returned to the village, revoked).
pub fn import_stage_of(stage: &str) -> &'static str {
    match Stage::parse(stage) {
        Ok(s) if s.in_library() => "approved",
        Ok(Stage::Declared | Stage::Noticed | Stage::ReturnedToTownship) => "declared",
        _ => "draft",
    }
}

/// The CSV of a library: UTF-8 with a byte-order mark, the header [`COLUMNS`] then
/// [`EXPORT_EXTRA`], CRLF line ends, fields Excel would take for formulas guarded with an
/// apostrophe (which the import removes).
pub fn library_csv(
    rows: &[(sunledger_store::Project, sunledger_store::ProjectVersion)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512 + rows.len() * 400);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let header: Vec<&str> = COLUMNS
        .iter()
        .map(|c| c.key)
        .chain(EXPORT_EXTRA.iter().copied())
        .collect();
    let mut ok = w.write_record(&header).is_ok();
    for (p, v) in rows {
        let mut fields: Vec<String> = Vec::with_capacity(header.len());
        for c in &COLUMNS {
            let f = match c.key {
                "village" => v.village.clone(),
                "name" => v.name.clone(),
                "category" => v.category.clone(),
                "fiscal_year" => v.fiscal_year.to_string(),
                "outputs" => v.outputs.clone(),
                "households" => v.households.to_string(),
                "income_effect" => v.income_effect.clone(),
                "satisfaction" => v.satisfaction.to_string(),
                "meeting_on" => v.meeting_on.clone(),
                "meeting_ref" => v.meeting_ref.clone(),
                "description" => v.description.clone(),
                "stage" => import_stage_of(&p.stage).to_string(),
                k => match budget_source(k) {
                    Some(s) => v
                        .budget
                        .iter()
                        .find(|l| l.source == s.key())
                        .map(|l| Money::from_fen(l.amount_fen).to_string())
                        .unwrap_or_default(),
                    None => String::new(),
                },
            };
            fields.push(f);
        }
        fields.push(p.id.to_string());
        fields.push(p.stage.clone());
        fields.push(p.status.clone().unwrap_or_default());
        fields.push(p.progress.to_string());
        fields.push(Money::from_fen(p.budget_total_fen).to_string());
        ok &= w
            .write_record(fields.iter().map(|f| csv_guard(f).into_owned()))
            .is_ok();
    }
    match w.into_inner() {
        Ok(bytes) if ok => bytes,
        _ => Vec::new(),
    }
}

/// The CLI command: writes every project of `region`'s subtree (its current content) to `out`
/// as CSV, ordered by region and id.
pub async fn export_cli(store: &dyn Store, region: &str, out: &Path) -> anyhow::Result<i32> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext != "csv" {
        bail!("--out {}: the file name must end in .csv", out.display());
    }
    let code = RegionCode::parse(region).map_err(|e| anyhow!("--region {region:?}: {e}"))?;
    if store.region(&code).await?.is_none() {
        bail!("--region {region}: no such region");
    }
    let rows = library_rows(store, &code).await?;
    let bytes = library_csv(&rows);
    if bytes.is_empty() {
        bail!("writing the CSV failed");
    }
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("projects={} file={}", rows.len(), out.display());
    Ok(0)
}

/// Every project in `region`'s subtree with its current version.
pub async fn library_rows(
    store: &dyn Store,
    region: &RegionCode,
) -> anyhow::Result<Vec<(sunledger_store::Project, sunledger_store::ProjectVersion)>> {
    const PAGE: i64 = 500;
    let filter = ProjectFilter {
        scopes: vec![*region],
        ..ProjectFilter::default()
    };
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let (page, total) = store.projects(&filter, PAGE, offset).await?;
        let n = page.len() as i64;
        for p in page {
            let Some(record) = store.project_record(p.id).await? else {
                continue;
            };
            // Projects registered outside the library (no content yet) have no row.
            if let Some(v) = record.versions.into_iter().max_by_key(|v| v.version) {
                out.push((record.project, v));
            }
        }
        offset += n;
        if n == 0 || offset >= total {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_english_and_chinese() {
        assert_eq!(column_of("Village"), Some("village"));
        assert_eq!(column_of("\u{feff}项目名称"), Some("name"));
        assert_eq!(
            column_of("中央财政专项扶贫资金（元）"),
            Some("budget_central_special")
        );
        assert_eq!(column_of(" 满意度(%) "), Some("satisfaction"));
        assert_eq!(
            column_of("budget_county_budget"),
            Some("budget_county_budget")
        );
        assert_eq!(column_of("负责人"), None);
    }

    #[test]
    fn values() {
        assert_eq!(parse_category("产业发展"), Ok(Category::Industry));
        assert_eq!(
            parse_category("Infrastructure"),
            Ok(Category::Infrastructure)
        );
        assert!(parse_category("园林").is_err());
        assert_eq!(parse_stage(""), Ok(Stage::Approved));
        assert_eq!(parse_stage("已申报"), Ok(Stage::Declared));
        assert!(parse_stage("noticed").is_err());
        assert_eq!(parse_date("2026/3/1").as_deref(), Ok("2026-03-01"));
        assert_eq!(parse_date("2026年3月1日").as_deref(), Ok("2026-03-01"));
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("3/1/2026").is_err());
        assert_eq!(parse_whole("90%"), Some(90));
        assert_eq!(parse_whole("120.0"), Some(120));
        assert_eq!(parse_whole("1,200"), Some(1200));
        assert_eq!(parse_whole("12.5"), None);
        for c in Category::ALL {
            assert_eq!(parse_category(category_label(*c)), Ok(*c));
        }
        for s in ["approved", "recorded"] {
            assert_eq!(import_stage_of(s), "approved");
        }
        for s in ["declared", "noticed", "returned_to_township"] {
            assert_eq!(import_stage_of(s), "declared");
        }
        for s in ["draft", "returned_to_village", "revoked"] {
            assert_eq!(import_stage_of(s), "draft");
        }
    }
}

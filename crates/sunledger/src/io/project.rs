//! `sunledger projects import` and `sunledger projects export`: a county's existing project
//! library as a file, one project per row. `docs/IMPORT.md` describes the file for users.
//!
//! # The file
//! - Read by the shared strict reader, [`crate::io::read`]: CSV (UTF-8 with or without a
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
use sunledger_core::project::{Budget, Category, Content, Stage};
use sunledger_core::{DomainError, Level, RegionCode};
use sunledger_store::{ImportProject, ProjectFilter, Store, StoreError};
use sunledger_web::app::table::csv_guard;

mod export;
mod import;
mod row;
pub use export::{export_cli, import_stage_of, library_csv, library_rows};
pub use import::{ImportOptions, ImportReport, import_note, import_projects, run_cli};
pub use row::parse_row;

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
pub const COLUMNS: [Column; 16] = [
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
    col("targets", &["绩效指标", "绩效目标"], false),
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

/// The four target columns of files made before indicators, still read: a row gives `targets`
/// or all four of these, which become the indicators `core::project::legacy_targets` makes
/// (those migration 0013 made of the versions booked before).
pub const LEGACY_COLUMNS: [Column; 4] = [
    col(
        "outputs",
        &["产出指标", "建设内容及规模", "建设内容"],
        false,
    ),
    col("households", &["受益户数", "受益户"], false),
    col("income_effect", &["增收效果", "效益指标"], false),
    col("satisfaction", &["满意度", "群众满意度"], false),
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
        .chain(LEGACY_COLUMNS.iter())
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

use crate::io::read::{self, Record, Table, quoted};

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

/// Reads a project file with the shared strict reader ([`crate::io::read`]): a workbook by
/// extension (`.xlsx`, `.xlsm`, `.xlsb`), otherwise CSV. `Err` when the file cannot be read or
/// its header lacks a required column.
pub fn read_project_file(path: &Path) -> anyhow::Result<ProjectFile> {
    let table = read::read_table(path)?;
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
    let legacy: Vec<&str> = LEGACY_COLUMNS
        .iter()
        .map(|c| c.key)
        .filter(|k| !index.contains_key(k))
        .collect();
    if !index.contains_key("targets") && !legacy.is_empty() {
        bail!(
            "the header (line {header_line}) has no column `targets` (绩效指标), nor all four columns of the \
             older layout (missing {}): give the performance targets",
            legacy.join(", ")
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

//! The table writer shared by every export: CSV (UTF-8 with BOM, formula-guarded) and XLSX,
//! file names, download periods and the attachment response.
use crate::app::error::WebError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use sunledger_core::RegionCode;

/// The earliest and latest booking days: the default period, the whole history.
pub const FIRST_DAY: &str = "0000-01-01";
pub const LAST_DAY: &str = "9999-12-31";

pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Characters that make a spreadsheet read a CSV field as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The field as written to CSV: with a leading apostrophe when a spreadsheet would take it for a
/// formula, or when it already starts with the apostrophe this adds (so that
/// [`csv_unguard`] restores every value exactly).
pub fn csv_guard(s: &str) -> Cow<'_, str> {
    let mut chars = s.chars();
    let guard = match chars.next() {
        Some(c) if FORMULA_START.contains(&c) => true,
        Some('\'') => matches!(chars.next(), Some(c) if c == '\'' || FORMULA_START.contains(&c)),
        _ => false,
    };
    if guard {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undoes [`csv_guard`]: strips one leading apostrophe followed by a formula character or another
/// apostrophe.
pub fn csv_unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest)
            if rest
                .chars()
                .next()
                .is_some_and(|c| c == '\'' || FORMULA_START.contains(&c)) =>
        {
            rest
        }
        _ => s,
    }
}

pub(crate) fn push_csv_field(out: &mut Vec<u8>, s: &str) {
    let quote = s.contains([',', '"', '\n', '\r'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if quote {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

pub(crate) fn push_csv_record<'a>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = Cow<'a, str>>,
) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_csv_field(out, &csv_guard(&f));
    }
    out.extend_from_slice(b"\r\n");
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not empty, not
/// starting or ending with an apostrophe.
pub(crate) fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .take(31)
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim().to_string();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") {
        "ledger".to_string()
    } else {
        cleaned
    }
}

/// Display width of a text in Excel's character units: CJK and other wide characters count two.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

/// One cell of an exported table. CSV writes every cell as exact text; XLSX writes numbers as
/// numbers and days as dates, so that a spreadsheet can sum and sort them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// A whole number (years, ids, counts).
    Int(i64),
    /// An amount in fen: CSV `1234.50`, XLSX the number 1234.5 shown as `1,234.50`.
    Fen(i64),
    /// A day `YYYY-MM-DD` (empty for none): XLSX a date shown `yyyy-mm-dd`.
    Day(String),
}

impl Cell {
    /// The cell as CSV writes it.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) | Cell::Day(s) => Cow::Borrowed(s.as_str()),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Fen(f) => Cow::Owned(sunledger_core::money::Money::from_fen(*f).to_string()),
        }
    }

    /// A day, or text when `s` is not one.
    pub fn day(s: impl Into<String>) -> Cell {
        Cell::Day(s.into())
    }

    /// An optional day (empty when `None`).
    pub fn opt_day(s: Option<&str>) -> Cell {
        Cell::Day(s.unwrap_or_default().to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

/// A table as CSV: UTF-8 with a byte-order mark, a header row, CRLF line ends (every field
/// guarded against formula injection). Amounts are exact decimal text.
pub fn table_csv(headers: &[String], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + rows.len() * 200);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    push_csv_record(&mut out, headers.iter().map(|h| Cow::Borrowed(h.as_str())));
    for r in rows {
        push_csv_record(&mut out, r.iter().map(Cell::text));
    }
    out
}

/// An amount in fen as the spreadsheet's number of yuan, the only place an amount leaves integer
/// fen: a spreadsheet number is a double, so the exact decimal text (`1234.56`) is read as the
/// nearest double, which Excel shows and sums as that decimal (no arithmetic on the amount).
fn yuan_number(fen: i64) -> f64 {
    sunledger_core::money::Money::from_fen(fen)
        .to_string()
        .parse()
        .unwrap_or_default()
}

/// The Excel date of a day `YYYY-MM-DD`, if it is one.
fn excel_day(s: &str) -> Option<rust_xlsxwriter::ExcelDateTime> {
    if !sunledger_core::day::is_day(s) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u16>().ok());
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    rust_xlsxwriter::ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()
}

/// The formats of a typed sheet.
pub(crate) struct SheetFormats {
    pub header: rust_xlsxwriter::Format,
    pub text: rust_xlsxwriter::Format,
    pub int: rust_xlsxwriter::Format,
    pub money: rust_xlsxwriter::Format,
    pub day: rust_xlsxwriter::Format,
}

impl SheetFormats {
    pub fn new() -> SheetFormats {
        use rust_xlsxwriter::{Color, Format, FormatBorder};
        SheetFormats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00DD_EBF7))
                .set_border_bottom(FormatBorder::Thin),
            text: Format::new().set_num_format("@"),
            int: Format::new().set_num_format("0"),
            money: Format::new().set_num_format("#,##0.00"),
            day: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

/// Writes one typed cell.
pub(crate) fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &SheetFormats,
    row: u32,
    col: u16,
    cell: &Cell,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match cell {
        Cell::Text(s) => ws.write_string_with_format(row, col, s, &f.text).map(drop),
        // Whole numbers far below 2^53: exact in a spreadsheet number.
        Cell::Int(n) => ws
            .write_number_with_format(row, col, *n as f64, &f.int)
            .map(drop),
        Cell::Fen(fen) => ws
            .write_number_with_format(row, col, yuan_number(*fen), &f.money)
            .map(drop),
        Cell::Day(s) if s.is_empty() => Ok(()),
        Cell::Day(s) => match excel_day(s) {
            Some(d) => ws.write_datetime_with_format(row, col, d, &f.day).map(drop),
            None => ws.write_string_with_format(row, col, s, &f.text).map(drop),
        },
    }
}

/// Display width of a cell in Excel's character units.
fn cell_width(c: &Cell) -> usize {
    match c {
        Cell::Day(_) => 10,
        Cell::Fen(f) => sunledger_core::money::Money::from_fen(*f).to_string().len() + 2,
        c => display_width(&c.text()),
    }
}

/// A table as an XLSX workbook with a bold frozen header and a filter: text as text, whole
/// numbers and amounts as numbers (amounts in yuan, two decimals), days as dates.
pub fn table_xlsx(
    headers: &[String],
    rows: &[Vec<Cell>],
    sheet_title: &str,
) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::Workbook;
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let f = SheetFormats::new();
    let last_row = u32::try_from(rows.len())
        .ok()
        .filter(|n| *n < 1_048_576)
        .ok_or_else(|| format!("{} rows do not fit in one XLSX sheet", rows.len()))?;
    let last_col = u16::try_from(headers.len().saturating_sub(1)).map_err(|e| e.to_string())?;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(sheet_title)).map_err(err)?;
    let mut widths: Vec<usize> = headers.iter().map(|c| display_width(c)).collect();
    for (col, name) in (0u16..).zip(headers) {
        ws.write_string_with_format(0, col, name, &f.header)
            .map_err(err)?;
    }
    for (row, r) in (1u32..).zip(rows) {
        for (col, value) in (0u16..).zip(r) {
            if let Some(w) = widths.get_mut(usize::from(col)) {
                *w = (*w).max(cell_width(value));
            }
            write_cell(ws, &f, row, col, value).map_err(err)?;
        }
    }
    for (col, w) in (0u16..).zip(&widths) {
        let w = u32::try_from((*w + 2).clamp(8, 60)).unwrap_or(60);
        ws.set_column_width(col, w).map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, last_row, last_col).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// A table as a CSV or XLSX download named `stem`.
pub fn table_download(
    xlsx: bool,
    stem: &str,
    headers: &[String],
    rows: &[Vec<Cell>],
) -> Result<Response, WebError> {
    if xlsx {
        let body = table_xlsx(headers, rows, stem).map_err(WebError::Internal)?;
        Ok(attachment(XLSX_CONTENT_TYPE, &format!("{stem}.xlsx"), body))
    } else {
        Ok(attachment(
            CSV_CONTENT_TYPE,
            &format!("{stem}.csv"),
            table_csv(headers, rows),
        ))
    }
}

/// The period of an export: `from`/`to` checked (`YYYY-MM-DD`, blank = unbounded), defaulting to
/// the whole history. Errors name the field.
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<(String, String), WebError> {
    let day = |v: Option<&str>, field: &str, default: &str| -> Result<String, WebError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default.to_string()),
            Some(d) if sunledger_core::day::is_day(d) => Ok(d.to_string()),
            Some(d) => Err(WebError::invalid(field, "malformed", d)),
        }
    };
    let from = day(from, "from", FIRST_DAY)?;
    let to = day(to, "to", LAST_DAY)?;
    if from > to {
        return Err(WebError::invalid("to", "malformed", to));
    }
    Ok((from, to))
}

/// The file name of an export, without extension: `ledger-529121-2026-05` for one month,
/// `ledger-529121-2026-03-01_2026-05-31` for another period, `ledger-529121-asof-2026-05-20` for
/// the whole history (dated `today`); `-subtree` follows the code when the regions below are
/// included. ASCII only, so it needs no encoding in `Content-Disposition`.
pub fn file_stem(region: &RegionCode, subtree: bool, from: &str, to: &str, today: &str) -> String {
    let sub = if subtree { "-subtree" } else { "" };
    let (whole_from, whole_to) = (from == FIRST_DAY, to == LAST_DAY);
    let label = if whole_from && whole_to {
        format!("asof-{today}")
    } else if from.get(..7) == to.get(..7) && from.ends_with("-01") && is_month_end(to) {
        from.get(..7).unwrap_or(from).to_string()
    } else {
        let f = if whole_from { "start" } else { from };
        let t = if whole_to { today } else { to };
        format!("{f}_{t}")
    };
    format!("ledger-{}{sub}-{label}", region.prefix())
}

pub(crate) fn is_month_end(d: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(d, fmt)
        .ok()
        .and_then(|d| d.next_day())
        .is_some_and(|n| n.day() == 1)
}

pub(crate) fn attachment(content_type: &'static str, file_name: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

//! Ledger exports: a region's ledger in the filing columns ([`LedgerRow::COLUMNS`]) as CSV or
//! XLSX, the same files `sunledger ledger import` reads back (see `docs/IMPORT.md`).
//!
//! - CSV: UTF-8 with a byte-order mark (so Chinese Excel opens it as UTF-8, not GB18030), CRLF line
//!   ends, fields quoted where needed. A field that a spreadsheet would take for a formula (one
//!   starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading
//!   apostrophe, and so is one that already starts with an apostrophe followed by one of those
//!   (or by another apostrophe); the importer strips exactly that apostrophe again, so the round
//!   trip is exact.
//! - XLSX: one sheet, bold header, first row frozen, an autofilter, widths fitted to the content.
//!   Every field is written as text (amounts keep their fen exactly and dates stay `YYYY-MM-DD`)
//!   except `fiscal_year` and `detention_days`, which are whole numbers. Text cells are never
//!   formulas, so no apostrophe guard is needed there.
//!
//! Both routes and the CLI read the rows with `Store::ledger_rows` and may only be used on a region
//! the caller may see (`ViewInternal`).
use crate::AppState;
use crate::auth::Ctx;
use crate::error::WebError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::borrow::Cow;
use sunledger_core::{Permission, RegionCode};
use sunledger_store::{LedgerRow, Region};

/// The earliest and latest booking days: the default period, the whole history.
pub const FIRST_DAY: &str = "0000-01-01";
pub const LAST_DAY: &str = "9999-12-31";

pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The fields of a row in [`LedgerRow::COLUMNS`] order.
pub fn row_fields(r: &LedgerRow) -> [Cow<'_, str>; 17] {
    [
        Cow::Borrowed(r.client_id.as_str()),
        Cow::Borrowed(r.booked_on.as_str()),
        Cow::Borrowed(r.kind.as_str()),
        Cow::Borrowed(r.fund_client_id.as_str()),
        Cow::Borrowed(r.fund_source.as_str()),
        Cow::Owned(r.fiscal_year.to_string()),
        Cow::Borrowed(r.fund_document_no.as_str()),
        Cow::Borrowed(r.fund_name.as_str()),
        Cow::Owned(r.detention_days.to_string()),
        Cow::Borrowed(r.from.as_str()),
        Cow::Borrowed(r.to.as_str()),
        Cow::Borrowed(r.payee.as_str()),
        Cow::Borrowed(r.amount.as_str()),
        Cow::Borrowed(r.document_no.as_str()),
        Cow::Borrowed(r.purpose.as_str()),
        Cow::Borrowed(r.state.as_str()),
        Cow::Borrowed(r.reverses.as_str()),
    ]
}

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

fn push_csv_field(out: &mut Vec<u8>, s: &str) {
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

fn push_csv_record<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = Cow<'a, str>>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_csv_field(out, &csv_guard(&f));
    }
    out.extend_from_slice(b"\r\n");
}

/// The rows as CSV: UTF-8 with a byte-order mark, the header [`LedgerRow::COLUMNS`], CRLF line
/// ends.
pub fn ledger_csv(rows: &[LedgerRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + rows.len() * 200);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    push_csv_record(
        &mut out,
        LedgerRow::COLUMNS.iter().map(|c| Cow::Borrowed(*c)),
    );
    for r in rows {
        push_csv_record(&mut out, row_fields(r));
    }
    out
}

/// Columns written as whole numbers in XLSX (the others are text).
const NUMBER_COLUMNS: [&str; 2] = ["fiscal_year", "detention_days"];

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not empty, not
/// starting or ending with an apostrophe.
fn sheet_name(title: &str) -> String {
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
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

/// The rows as an XLSX workbook with one sheet named after `sheet_title` (cleaned to a name Excel
/// accepts). Amounts are text, so their fen survive any round trip.
pub fn ledger_xlsx(rows: &[LedgerRow], sheet_title: &str) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x00DD_EBF7))
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let amount = Format::new()
        .set_num_format("@")
        .set_align(FormatAlign::Right);
    let number = Format::new().set_num_format("0");
    let last_row = u32::try_from(rows.len())
        .ok()
        .filter(|n| *n < 1_048_576)
        .ok_or_else(|| format!("{} rows do not fit in one XLSX sheet", rows.len()))?;

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(sheet_title)).map_err(err)?;
    let mut widths: Vec<usize> = LedgerRow::COLUMNS
        .iter()
        .map(|c| display_width(c))
        .collect();
    for (col, name) in (0u16..).zip(LedgerRow::COLUMNS) {
        ws.write_string_with_format(0, col, name, &header)
            .map_err(err)?;
    }
    for (row, r) in (1u32..).zip(rows) {
        for ((col, name), value) in (0u16..).zip(LedgerRow::COLUMNS).zip(row_fields(r)) {
            if let Some(w) = widths.get_mut(usize::from(col)) {
                *w = (*w).max(display_width(&value));
            }
            if NUMBER_COLUMNS.contains(&name) {
                let n = if name == "fiscal_year" {
                    r.fiscal_year
                } else {
                    r.detention_days
                };
                // Whole numbers far below 2^53: exact in a spreadsheet number.
                ws.write_number_with_format(row, col, n as f64, &number)
                    .map_err(err)?;
            } else if name == "amount" {
                ws.write_string_with_format(row, col, value, &amount)
                    .map_err(err)?;
            } else {
                ws.write_string_with_format(row, col, value, &text)
                    .map_err(err)?;
            }
        }
    }
    for (col, w) in (0u16..).zip(&widths) {
        let w = u32::try_from((*w + 2).clamp(8, 60)).unwrap_or(60);
        ws.set_column_width(col, w).map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, last_row, 16).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// A table as CSV: UTF-8 with a byte-order mark, a header row, CRLF line ends (every field
/// guarded against formula injection).
pub fn table_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + rows.len() * 200);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    push_csv_record(&mut out, headers.iter().map(|h| Cow::Borrowed(h.as_str())));
    for r in rows {
        push_csv_record(&mut out, r.iter().map(|f| Cow::Borrowed(f.as_str())));
    }
    out
}

/// A table as an XLSX workbook of text cells, with a bold frozen header and a filter.
pub fn table_xlsx(
    headers: &[String],
    rows: &[Vec<String>],
    sheet_title: &str,
) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x00DD_EBF7))
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
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
        ws.write_string_with_format(0, col, name, &header)
            .map_err(err)?;
    }
    for (row, r) in (1u32..).zip(rows) {
        for (col, value) in (0u16..).zip(r) {
            if let Some(w) = widths.get_mut(usize::from(col)) {
                *w = (*w).max(display_width(value));
            }
            ws.write_string_with_format(row, col, value, &text)
                .map_err(err)?;
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
    rows: &[Vec<String>],
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

/// Whether `s` is a calendar day written `YYYY-MM-DD`.
pub fn is_day(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// The period of an export: `from`/`to` checked (`YYYY-MM-DD`, blank = unbounded), defaulting to
/// the whole history. Errors name the field.
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<(String, String), WebError> {
    let day = |v: Option<&str>, field: &str, default: &str| -> Result<String, WebError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default.to_string()),
            Some(d) if is_day(d) => Ok(d.to_string()),
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

fn is_month_end(d: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(d, fmt)
        .ok()
        .and_then(|d| d.next_day())
        .is_some_and(|n| n.day() == 1)
}

/// Today in China (UTC+8), `YYYY-MM-DD`, from Unix seconds.
pub fn china_day(now: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.to_offset(offset).date())
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
        })
        .unwrap_or_else(|| "0000-00-00".into())
}

/// Query of the export routes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerExportQuery {
    /// First booking day, `YYYY-MM-DD` (default: the beginning of the ledger).
    pub from: Option<String>,
    /// Last booking day, inclusive (default: the end of the ledger).
    pub to: Option<String>,
    /// `true` to include every region and project below the region (default `false`: the region
    /// itself and its own projects).
    #[param(value_type = Option<bool>)]
    pub subtree: Option<String>,
}

/// A region's ledger, ready to be written as a file.
pub struct LedgerExport {
    pub region: Region,
    pub rows: Vec<LedgerRow>,
    /// The file name without extension (see [`file_stem`]).
    pub file_stem: String,
}

impl LedgerExport {
    /// The worksheet title: the region's name and code.
    pub fn sheet_title(&self) -> String {
        format!("{} {}", self.region.name, self.region.code.prefix())
    }
}

/// The ledger of region `code` for the caller, who needs `ViewInternal` on it.
pub async fn region_ledger(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    q: &LedgerExportQuery,
) -> Result<LedgerExport, WebError> {
    let region = crate::ops::existing_region(state, code).await?;
    ctx.require(Permission::ViewInternal, &region.code)?;
    let subtree = match q.subtree.as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => return Err(WebError::invalid("subtree", "malformed", other)),
    };
    let (from, to) = period(q.from.as_deref(), q.to.as_deref())?;
    let rows = state
        .store
        .ledger_rows(&region.code, subtree, &from, &to)
        .await?;
    let file_stem = file_stem(&region.code, subtree, &from, &to, &china_day(state.now()));
    Ok(LedgerExport {
        region,
        rows,
        file_stem,
    })
}

fn attachment(content_type: &'static str, file_name: &str, body: Vec<u8>) -> Response {
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

/// The export as a CSV download.
pub fn csv_response(e: &LedgerExport) -> Response {
    attachment(
        CSV_CONTENT_TYPE,
        &format!("{}.csv", e.file_stem),
        ledger_csv(&e.rows),
    )
}

/// The export as an XLSX download.
pub fn xlsx_response(e: &LedgerExport) -> Result<Response, WebError> {
    let body = ledger_xlsx(&e.rows, &e.sheet_title()).map_err(WebError::Internal)?;
    Ok(attachment(
        XLSX_CONTENT_TYPE,
        &format!("{}.xlsx", e.file_stem),
        body,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn row(purpose: &str) -> LedgerRow {
        LedgerRow {
            client_id: "c1".into(),
            booked_on: "2026-03-02".into(),
            kind: "receive".into(),
            fund_client_id: "c1".into(),
            fund_source: "central_special".into(),
            fiscal_year: 2026,
            fund_document_no: "黔财农〔2026〕12号".into(),
            fund_name: "资金".into(),
            detention_days: 30,
            from: String::new(),
            to: "529100000000".into(),
            payee: String::new(),
            amount: "1234.50".into(),
            document_no: "黔财农〔2026〕12号".into(),
            purpose: purpose.into(),
            state: String::new(),
            reverses: String::new(),
        }
    }

    #[test]
    fn csv_has_bom_header_and_quotes() {
        let out = ledger_csv(&[row("a,\"b\"\nc"), row("=1+1")]);
        assert!(out.starts_with(b"\xEF\xBB\xBFclient_id,booked_on,kind,"));
        let text = String::from_utf8(out[3..].to_vec()).unwrap();
        assert!(text.contains(",\"a,\"\"b\"\"\nc\","), "{text}");
        assert!(text.contains(",'=1+1,"), "{text}");
        assert_eq!(text.matches("\r\n").count(), 3);
    }

    #[test]
    fn guard_round_trips() {
        for s in [
            "", "a", "=x", "+1", "-", "@a", "'", "'a", "'=x", "''", "''=", "\tx", "a=b",
        ] {
            assert_eq!(csv_unguard(&csv_guard(s)), s, "{s:?}");
        }
        assert_eq!(csv_guard("=x"), "'=x");
        assert_eq!(csv_guard("'a"), "'a");
    }

    #[test]
    fn names() {
        let c = RegionCode::parse("529121").unwrap();
        assert_eq!(
            file_stem(&c, false, "2026-05-01", "2026-05-31", "2026-06-01"),
            "ledger-529121-2026-05"
        );
        assert_eq!(
            file_stem(&c, true, FIRST_DAY, LAST_DAY, "2026-06-01"),
            "ledger-529121-subtree-asof-2026-06-01"
        );
        assert_eq!(
            file_stem(&c, false, "2026-03-01", LAST_DAY, "2026-06-01"),
            "ledger-529121-2026-03-01_2026-06-01"
        );
        assert_eq!(sheet_name("a/b:[c]"), "a_b__c_");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
        assert!(period(Some("2026-02-30"), None).is_err());
        assert_eq!(
            period(None, Some("2026-01-31")).unwrap(),
            (FIRST_DAY.to_string(), "2026-01-31".to_string())
        );
        assert_eq!(china_day(1_700_000_000), "2023-11-15");
    }

    #[test]
    fn xlsx_builds() {
        let bytes = ledger_xlsx(&[row("x")], "青山市 5291").unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}

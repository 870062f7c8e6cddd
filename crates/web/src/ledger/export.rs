//! The ledger's CSV and XLSX downloads, in two forms: the *report* for people (headers, kinds,
//! sources and states in the language asked, names beside codes, amounts as numbers and days as
//! dates in XLSX) and the *import* form (machine headers [`LedgerRow::COLUMNS`] and keys, exact
//! amount text: what `sunledger ledger import` reads back).
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops;
use crate::app::table::{
    CSV_CONTENT_TYPE, Cell, XLSX_CONTENT_TYPE, attachment, display_width, file_stem, period,
    push_csv_record, sheet_name, table_csv, table_xlsx,
};
use crate::i18n::{Lang, t};
use axum::response::Response;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use sunledger_core::day::today_text;
use sunledger_core::money::Money;
use sunledger_core::{Permission, RegionCode};
use sunledger_store::{LedgerRow, Region};

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

/// Names of the regions and projects a ledger names (`from`, `to`).
#[derive(Debug, Default)]
pub struct Names {
    regions: HashMap<RegionCode, String>,
    projects: HashMap<i64, String>,
}

impl Names {
    /// The names the rows need: every region's, and those of the projects they name.
    pub async fn of(state: &AppState, rows: &[LedgerRow]) -> Result<Names, WebError> {
        let regions = state.store.region_names().await?;
        let mut projects = HashMap::new();
        for r in rows {
            for owner in [&r.from, &r.to] {
                if let Some(id) = owner.strip_prefix('P').and_then(|p| p.parse::<i64>().ok())
                    && !projects.contains_key(&id)
                {
                    let name = state
                        .store
                        .project(id)
                        .await?
                        .map(|p| p.name)
                        .unwrap_or_default();
                    projects.insert(id, name);
                }
            }
        }
        Ok(Names { regions, projects })
    }

    /// An account owner in words: `云岭县 529121` for a region (the code shortened to its
    /// prefix), `项目 12 name` for a project, "outside" for none.
    fn owner(&self, lang: Lang, owner: &str) -> String {
        if owner.is_empty() {
            return t(lang, "ledger.external");
        }
        if let Some(id) = owner.strip_prefix('P').and_then(|p| p.parse::<i64>().ok()) {
            let name = self.projects.get(&id).map(String::as_str).unwrap_or("");
            return format!("{} {id} {name}", t(lang, "ledger.target.project"))
                .trim_end()
                .to_string();
        }
        match RegionCode::parse(owner) {
            Ok(c) => match self.regions.get(&c) {
                Some(n) => format!("{n} {}", c.prefix()),
                None => c.prefix().to_string(),
            },
            Err(_) => owner.to_string(),
        }
    }
}

/// The headers of the report form, in order.
const REPORT_HEADERS: [&str; 15] = [
    "export.ledger.booked_on",
    "export.ledger.kind",
    "export.ledger.fund_name",
    "export.ledger.fund_source",
    "export.ledger.fiscal_year",
    "export.ledger.fund_document_no",
    "export.ledger.detention_days",
    "export.ledger.from",
    "export.ledger.to",
    "export.ledger.payee",
    "export.ledger.amount",
    "export.ledger.document_no",
    "export.ledger.purpose",
    "export.ledger.state",
    "export.ledger.reverses",
];

/// The ledger as a report for people: headers, kinds, sources and states in `lang`, names
/// beside codes, the reversed transfer by its day and document number; amounts as numbers and
/// days as dates (in XLSX; CSV keeps exact text).
pub fn report_table(
    lang: Lang,
    names: &Names,
    rows: &[LedgerRow],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = REPORT_HEADERS.iter().map(|k| t(lang, k)).collect();
    let by_client: HashMap<&str, &LedgerRow> =
        rows.iter().map(|r| (r.client_id.as_str(), r)).collect();
    let key = |prefix: &str, k: &str| {
        if k.is_empty() {
            String::new()
        } else {
            t(lang, &format!("{prefix}{k}"))
        }
    };
    let out = rows
        .iter()
        .map(|r| {
            let amount = match Money::parse_yuan(&r.amount) {
                Ok(m) => Cell::Fen(m.fen()),
                Err(_) => Cell::Text(r.amount.clone()),
            };
            let reverses = if r.reverses.is_empty() {
                String::new()
            } else {
                match by_client.get(r.reverses.as_str()) {
                    Some(x) => format!("{} {}", x.booked_on, x.document_no),
                    None => t(lang, "ledger.reversed"),
                }
            };
            vec![
                Cell::day(r.booked_on.as_str()),
                key("ledger.kind.", &r.kind).into(),
                r.fund_name.as_str().into(),
                key("ledger.source.", &r.fund_source).into(),
                Cell::Int(r.fiscal_year),
                r.fund_document_no.as_str().into(),
                Cell::Int(r.detention_days),
                names.owner(lang, &r.from).into(),
                if r.to.is_empty() && !r.payee.is_empty() {
                    Cell::Text(String::new())
                } else {
                    names.owner(lang, &r.to).into()
                },
                r.payee.as_str().into(),
                amount,
                r.document_no.as_str().into(),
                r.purpose.as_str().into(),
                key("ledger.state.", &r.state).into(),
                reverses.into(),
            ]
        })
        .collect();
    (headers, out)
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
    /// `report` for people: headers, kinds, sources and states in the language asked (`lang`),
    /// region and project names beside their codes, amounts as numbers and days as dates in
    /// XLSX. `import` (the default): the machine columns `sunledger ledger import` reads back.
    pub form: Option<String>,
}

impl LedgerExportQuery {
    /// `true` for the report form; errors name the field `form`.
    pub fn report(&self) -> Result<bool, WebError> {
        match self.form.as_deref().map(str::trim) {
            None | Some("" | "import") => Ok(false),
            Some("report") => Ok(true),
            Some(other) => Err(WebError::invalid("form", "malformed", other)),
        }
    }
}

/// A region's ledger, ready to be written as a file.
pub struct LedgerExport {
    pub region: Region,
    pub rows: Vec<LedgerRow>,
    /// The report form: names of the regions and projects the rows name, and the language.
    pub report: Option<(Names, Lang)>,
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
    let region = ops::existing_region(state, code).await?;
    ctx.require(Permission::ViewInternal, &region.code)?;
    let subtree = match q.subtree.as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => return Err(WebError::invalid("subtree", "malformed", other)),
    };
    let (from, to) = period(q.from.as_deref(), q.to.as_deref())?;
    let report = q.report()?;
    let rows = state
        .store
        .ledger_rows(&region.code, subtree, &from, &to)
        .await?;
    let file_stem = file_stem(&region.code, subtree, &from, &to, &today_text(state.now()));
    let report = if report {
        Some((Names::of(state, &rows).await?, ctx.lang))
    } else {
        None
    };
    Ok(LedgerExport {
        region,
        rows,
        report,
        file_stem,
    })
}

/// The export as a CSV download.
pub fn csv_response(e: &LedgerExport) -> Response {
    let body = match &e.report {
        Some((names, lang)) => {
            let (h, rows) = report_table(*lang, names, &e.rows);
            table_csv(&h, &rows)
        }
        None => ledger_csv(&e.rows),
    };
    attachment(CSV_CONTENT_TYPE, &format!("{}.csv", e.file_stem), body)
}

/// The export as an XLSX download.
pub fn xlsx_response(e: &LedgerExport) -> Result<Response, WebError> {
    let body = match &e.report {
        Some((names, lang)) => {
            let (h, rows) = report_table(*lang, names, &e.rows);
            table_xlsx(&h, &rows, &e.sheet_title())
        }
        None => ledger_xlsx(&e.rows, &e.sheet_title()),
    }
    .map_err(WebError::Internal)?;
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
    use crate::app::table::{FIRST_DAY, LAST_DAY, csv_guard, csv_unguard};
    use sunledger_core::RegionCode;

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
        assert_eq!(today_text(1_700_000_000), "2023-11-15");
    }

    #[test]
    fn xlsx_builds() {
        let bytes = ledger_xlsx(&[row("x")], "青山市 5291").unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}

//! `sunledger ledger import` and `sunledger ledger export`: the fund ledger (Book 1) as files in the
//! filing columns ([`LedgerRow::COLUMNS`]), the same columns as the CSV and XLSX downloads of the
//! web API. `docs/IMPORT.md` describes the file for users.
//!
//! # The file
//! - Read by the shared strict reader, [`crate::io::read`] (its documentation has the rules):
//!   CSV (UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark, or GB18030 as
//!   saved by Chinese Excel; comma-separated, or tab-separated when the header has tabs and no
//!   comma) or a workbook (`.xlsx`, `.xlsm`, `.xlsb`: its first sheet), chosen by the file's
//!   extension. A row of the wrong width, a last line without a line break (the file may be cut
//!   off) and a cell with unreadable text are bad rows, so nothing is booked. Lines are the
//!   file's lines (CSV, right for CRLF) or the sheet's row numbers; the header is normally line 1.
//! - The first non-blank row is the header. Columns are found by name (trimmed, any letter case),
//!   in any order; unknown columns are ignored. `payee`, `state`, `reverses` and `detention_days`
//!   may be left out; a header without one of the other columns is an error naming it, and nothing
//!   is read. Rows whose fields are all blank are skipped.
//! - A CSV field starting with an apostrophe followed by `=`, `+`, `-`, `@`, a tab, a carriage
//!   return or another apostrophe loses that apostrophe (the export's guard against spreadsheet
//!   formulas, see `sunledger_web::app::table`). Workbook cells are read as they are: numbers as
//!   their shortest decimal form (`1234.5`), dates as `YYYY-MM-DD`.
//! - `booked_on` is a day of 2000 to 2100; the fund columns of every row (not only receipts)
//!   must hold known values when not blank.
//! - Codes, kinds, dates, amounts and client ids are trimmed; free text (document numbers, names,
//!   purposes, payees) is kept exactly, so an exported file re-imports onto the same bookings.
//!
//! # Each row
//! A `receive` row books a new fund and its receipt at region `to` (its `fund_client_id` is blank
//! or its own `client_id`; its `document_no` and `purpose`, when given, are the fund's document
//! number and name). Every other row books one transfer on the fund whose `receive` row has the
//! client id `fund_client_id` — an earlier row of the file or a fund already booked. `from` and
//! `to` are 12-digit region codes (shorter ones are right-padded) or `P<project id>`; a `reverse`
//! row's `from`/`to` only describe the accounts of the transfer it reverses (the row named in
//! `reverses`) and are not booked. `state` is where the entry stands: an appropriation
//! `dispatched` (or blank) or `received` (its receipt is then confirmed on the row's day), a
//! disbursement `approved` (or blank), `held`, `paid` or `voided` (the payment steps to get there
//! are booked on the row's day). Fund columns on other rows describe the fund; when the fund's
//! `receive` row is in the file they must agree with it (blank is fine).
//!
//! # Policy: all or nothing
//! The file is booked all together, in one transaction, or not at all:
//! 1. Every row is checked first (kind, amount, dates, fund source, fiscal year, accounts, payee,
//!    states, duplicate client ids, references to funds and reversed transfers within the file).
//!    If any row is bad, every bad row is reported on standard error as
//!    `line N: CLIENT_ID: reason`, nothing is booked and the exit status is 2.
//! 2. Then the rows go to the store as one batch (`Store::apply_ledger_ops`). If the store refuses
//!    a step (an overdraft, a region or project that does not exist, a fund not booked, a client
//!    id already booked with other content, a suspension...), that step's line is reported the
//!    same way, nothing is booked and the exit status is 2.
//! 3. Otherwise standard output gets one line, `rows=N booked=N unchanged=N`, and the exit status
//!    is 0. `booked` counts rows that changed the ledger (a new entry, or a receipt or payment
//!    step it still needed), `unchanged` the rows that were already booked exactly so.
//!
//! Client ids make the import idempotent: running the same file again books nothing (every row
//! is `unchanged`) and the log does not grow. A row whose client id is already booked with other
//! content is refused: booked entries are never edited; correct them with a `reverse` row.
//!
//! Errors that stop the import before any row is looked at (unreadable file, bad header) are
//! returned as `Err` (exit status 1).
//!
//! On a terminal, standard error shows a spinner naming the phase (reading, checking, looking up
//! what is already booked, booking); nothing is drawn when it is a pipe or a file.
//!
//! `booked`/`unchanged` are counted here, not taken from the store: `apply_ledger_ops` counts a
//! fund or transfer step as booked even when it was a replay. Before booking, the file's client
//! ids are looked up (`Store::transfer_states`) to find which are already booked and in which
//! state.
use crate::io::read::{self, Record, Table, excerpt, quoted};
use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;
use sunledger_core::RegionCode;
use sunledger_core::ledger::{FiscalYear, FundSource, PaymentAction, TransferKind};
use sunledger_core::money::Money;
use sunledger_store::{LedgerOp, LedgerRow, NewFund, NewTransfer, Owner, Ref, Store, StoreError};
use sunledger_web::app::table;

mod check;
mod export;
mod import;
pub use check::rows_to_ops;
pub use export::export_cli;
pub use import::{ImportReport, import_ledger, run_cli};

/// Columns that may be missing from the header (read as blank; `detention_days` as 30).
const OPTIONAL_COLUMNS: [&str; 4] = ["payee", "state", "reverses", "detention_days"];
/// The detention deadline of a fund whose row leaves it blank (the API's default).
const DEFAULT_DETENTION_DAYS: i64 = 30;
/// Longest client id accepted (the API's limit).
const MAX_CLIENT_ID: usize = 100;

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's line in the file (CSV) or its row number in the sheet (workbooks).
    pub line: u64,
    /// The row's client id as written (may be blank).
    pub client_id: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = if self.client_id.trim().is_empty() {
            "-".to_string()
        } else {
            excerpt(self.client_id.trim())
        };
        write!(f, "line {}: {id}: {}", self.line, self.reason)
    }
}

/// A ledger file as read: its rows by line, and the rows that could not even be read into the
/// columns (text in a whole-number column, a spreadsheet error cell).
#[derive(Debug, Clone, Default)]
pub struct LedgerFile {
    pub rows: Vec<(u64, LedgerRow)>,
    pub errors: Vec<RowError>,
    /// How it was read: `CSV (UTF-8)`, `CSV (GB18030)`, `XLSX`...
    pub format: String,
}

/// Reads a ledger file with the shared strict reader ([`crate::io::read`]): a workbook by
/// extension (`.xlsx`, `.xlsm`, `.xlsb`), otherwise CSV. See the module documentation for the
/// rules. `Err` when the file cannot be read or its header lacks a required column.
pub fn read_ledger_file(path: &Path) -> anyhow::Result<LedgerFile> {
    let table = read::read_table(path)?;
    let format = table.format.clone();
    let mut file = rows_from_table(table).with_context(|| path.display().to_string())?;
    file.format = format;
    Ok(file)
}

/// Finds the header (the first non-blank row) and turns the rows below it into `LedgerRow`s.
fn rows_from_table(table: Table) -> anyhow::Result<LedgerFile> {
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
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            h.as_deref()
                .unwrap_or("")
                .trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if let Some(col) = LedgerRow::COLUMNS.iter().find(|c| **c == n.as_str())
            && let Some(j) = index.insert(col, i)
        {
            bail!(
                "the header (line {header_line}) has the column `{col}` twice (columns {} and {})",
                j + 1,
                i + 1
            );
        }
    }
    let missing: Vec<&str> = LedgerRow::COLUMNS
        .iter()
        .filter(|c| !index.contains_key(*c) && !OPTIONAL_COLUMNS.contains(c))
        .copied()
        .collect();
    if !missing.is_empty() {
        bail!(
            "the header (line {header_line}) has no column {} (expected the columns {}; {} may be left out); its columns are: {}",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", "),
            LedgerRow::COLUMNS.join(", "),
            OPTIONAL_COLUMNS.join(", "),
            names
                .iter()
                .map(|n| quoted(n))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut file = LedgerFile::default();
    for Record {
        line,
        cells,
        problem,
    } in rows
    {
        if let Some(p) = problem {
            let client_id = index
                .get("client_id")
                .and_then(|&i| cells.get(i))
                .and_then(|c| c.as_ref().ok())
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            file.errors.push(RowError {
                line,
                client_id,
                reason: p,
            });
            continue;
        }
        let mut why: Vec<String> = Vec::new();
        let mut get = |col: &str| -> String {
            match index.get(col).and_then(|&i| cells.get(i)) {
                None => String::new(),
                Some(Ok(s)) => s.clone(),
                Some(Err(e)) => {
                    why.push(format!("{col}: {e}"));
                    String::new()
                }
            }
        };
        let trimmed = |s: String| s.trim().to_string();
        let client_id = trimmed(get("client_id"));
        let fiscal_year = trimmed(get("fiscal_year"));
        let detention_days = trimmed(get("detention_days"));
        let mut row = LedgerRow {
            client_id,
            booked_on: trimmed(get("booked_on")),
            kind: trimmed(get("kind")).to_ascii_lowercase(),
            fund_client_id: trimmed(get("fund_client_id")),
            fund_source: trimmed(get("fund_source")).to_ascii_lowercase(),
            fiscal_year: 0,
            fund_document_no: get("fund_document_no"),
            fund_name: get("fund_name"),
            detention_days: DEFAULT_DETENTION_DAYS,
            from: trimmed(get("from")),
            to: trimmed(get("to")),
            payee: get("payee"),
            amount: trimmed(get("amount")),
            document_no: get("document_no"),
            purpose: get("purpose"),
            state: trimmed(get("state")).to_ascii_lowercase(),
            reverses: trimmed(get("reverses")),
        };
        if !fiscal_year.is_empty() {
            match fiscal_year.parse() {
                Ok(y) => row.fiscal_year = y,
                Err(_) => why.push(format!(
                    "fiscal_year {} is not a year",
                    quoted(&fiscal_year)
                )),
            }
        }
        if !detention_days.is_empty() {
            match detention_days.parse() {
                Ok(d) => row.detention_days = d,
                Err(_) => why.push(format!(
                    "detention_days {} is not a whole number of days",
                    quoted(&detention_days)
                )),
            }
        }
        if why.is_empty() {
            file.rows.push((line, row));
        } else {
            file.errors.push(RowError {
                line,
                client_id: row.client_id,
                reason: why.join("; "),
            });
        }
    }
    Ok(file)
}

/// An account named in a row: a region code (2 to 12 digits) or `P<project id>`; blank is none.
fn parse_owner(s: &str) -> Result<Option<Owner>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(id) = s.strip_prefix(['P', 'p']) {
        return match id.parse::<i64>() {
            Ok(n) if n > 0 && id.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(Owner::Project(n))),
            _ => Err(format!(
                "{} is neither a region code nor P<project id>",
                quoted(s)
            )),
        };
    }
    RegionCode::parse(s)
        .map(|c| Some(Owner::Region(c)))
        .map_err(|_| format!("{} is neither a region code nor P<project id>", quoted(s)))
}

fn owner_text(o: &Option<Owner>) -> String {
    match o {
        None => String::new(),
        Some(Owner::Region(c)) => c.as_str().to_string(),
        Some(Owner::Project(p)) => format!("P{p}"),
    }
}

fn kind_list() -> String {
    TransferKind::ALL
        .iter()
        .map(|k| k.key())
        .collect::<Vec<_>>()
        .join(", ")
}

fn source_list() -> String {
    FundSource::ALL
        .iter()
        .map(|k| k.key())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    const HEADER: &str = "client_id,booked_on,kind,fund_client_id,fund_source,fiscal_year,fund_document_no,fund_name,detention_days,from,to,payee,amount,document_no,purpose,state,reverses";
    const F: &str = "central_special,2026,黔财〔2026〕1号,中央资金,30";

    fn table(rows: &[String]) -> LedgerFile {
        let mut text = format!("{HEADER}\n");
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        rows_from_table(csv_table(&text)).unwrap()
    }

    fn csv_table(text: &str) -> Table {
        read::read_csv_text(text, "UTF-8").unwrap()
    }

    #[test]
    fn rows_become_steps_with_their_lines() {
        let f = table(&[
            format!("f1,2026-03-02,Receive,,{F},,529100000000,,1000.00,,,,"),
            format!("a1,2026-03-10,appropriate,f1,{F},5291,529121,,600.00,d,p,RECEIVED,"),
            "r1,2026-03-11,arrange,f1,,,,,,529121,P7,,100.00,d,p,,".to_string(),
            format!("d1,2026-03-12,disburse,f1,{F},p7,,某公司,10.50,d,p,paid,"),
            format!("x1,2026-03-13,reverse,f1,{F},,P7,,10.50,d,冲正,,d1"),
        ]);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let ops = rows_to_ops(&f.rows).unwrap();
        let lines: Vec<u64> = ops.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 3, 4, 5, 5, 6]);
        let LedgerOp::Fund(fund) = &ops[0].1 else {
            panic!("{:?}", ops[0])
        };
        assert_eq!(
            (
                fund.amount.fen(),
                fund.document_no.as_str(),
                fund.name.as_str()
            ),
            (100_000, "黔财〔2026〕1号", "中央资金")
        );
        assert!(matches!(&ops[2].1, LedgerOp::Confirm { on, .. } if on == "2026-03-10"));
        let LedgerOp::Transfer { transfer, .. } = &ops[3].1 else {
            panic!()
        };
        assert_eq!(transfer.to, Some(Owner::Project(7)));
        assert!(matches!(
            &ops[5].1,
            LedgerOp::Payment {
                action: PaymentAction::Pay,
                ..
            }
        ));
        let LedgerOp::Transfer {
            reverses, transfer, ..
        } = &ops[6].1
        else {
            panic!()
        };
        assert_eq!(reverses, &Some(Ref::ClientId("d1".into())));
        assert_eq!((transfer.from, transfer.to), (None, None), "not booked");
    }

    #[test]
    fn reversals_are_checked_against_the_original() {
        let f = table(&[
            format!("f1,2026-03-02,receive,,{F},,529100000000,,1000.00,,,,"),
            format!("a1,2026-03-10,appropriate,f1,{F},5291,529121,,600.00,d,p,,"),
            format!("x1,2026-03-13,reverse,f1,{F},,,,500.00,d,p,,a1"),
            format!("x2,2026-03-13,reverse,f1,{F},529100000000,,,600.00,d,p,,a1"),
            format!("x3,2026-03-13,reverse,f1,{F},,,,600.00,d,p,,x9"),
            format!("x9,2026-03-14,reverse,f1,{F},,,,600.00,d,p,,a1"),
        ]);
        let errs = rows_to_ops(&f.rows).unwrap_err();
        let by_line: Vec<(u64, &str)> = errs.iter().map(|e| (e.line, e.reason.as_str())).collect();
        assert_eq!(errs.len(), 4, "{by_line:?}");
        assert!(by_line[0].1.contains("amount must equal"), "{by_line:?}");
        assert!(
            by_line[1].1.contains("line 4 already reverses"),
            "{by_line:?}"
        );
        assert!(by_line[1].1.contains("the other way round"), "{by_line:?}");
        assert!(by_line[2].1.contains("not above this row"), "{by_line:?}");
        assert!(by_line[3].1.contains("already reverses"), "{by_line:?}");
    }

    #[test]
    fn header_problems_stop_the_import() {
        let e = rows_from_table(csv_table("client_id,kind\nx,receive\n")).unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("`booked_on`") && msg.contains("`amount`"),
            "{msg}"
        );
        assert!(!msg.contains("`payee`"), "payee may be left out: {msg}");
        let e = rows_from_table(csv_table(&format!("{HEADER},KIND\n"))).unwrap_err();
        assert!(format!("{e:#}").contains("`kind` twice"), "{e:#}");
        let e = read::read_csv_text("\n\n", "UTF-8").unwrap_err();
        assert!(format!("{e:#}").contains("empty"), "{e:#}");
        // Optional columns left out, unknown ones ignored, a tab-separated file.
        let text = "备注\tto\tfrom\tamount\tclient_id\tbooked_on\tkind\tfund_client_id\tfund_source\tfiscal_year\tfund_document_no\tfund_name\tdocument_no\tpurpose\n\
                    x\t529100000000\t\t5\tf1\t2026-03-02\treceive\t\tprovincial\t2026\td\tn\t\t\n";
        let f = rows_from_table(csv_table(text)).unwrap();
        assert_eq!(f.rows.len(), 1);
        let r = &f.rows[0].1;
        assert_eq!((r.detention_days, r.amount.as_str()), (30, "5"));
        assert!(rows_to_ops(&f.rows).is_ok());
    }

    #[test]
    fn cells_and_owners() {
        use read::number_text;
        assert_eq!(number_text(2026.0), "2026");
        assert_eq!(number_text(2500.5), "2500.5");
        assert_eq!(number_text(0.1), "0.1");
        assert_eq!(number_text(120000000.07), "120000000.07");
        assert_eq!(parse_owner("P12"), Ok(Some(Owner::Project(12))));
        assert!(
            parse_owner("P").is_err() && parse_owner("P-1").is_err() && parse_owner("P+1").is_err()
        );
        assert_eq!(
            parse_owner(" 5291 "),
            Ok(Some(Owner::Region(
                RegionCode::parse("529100000000").unwrap()
            )))
        );
        assert!(parse_owner("5291x").is_err());
        assert_eq!(parse_owner(""), Ok(None));
    }

    #[test]
    fn formula_guard_is_undone() {
        let row = table(&[format!(
            "f1,2026-03-02,receive,,{F},,529100000000,,1.00,,'=HYPERLINK(\"x\"),,"
        )]);
        assert_eq!(
            row.rows[0].1.purpose, "=HYPERLINK(\"x\")",
            "the export's guard is undone"
        );
    }
}

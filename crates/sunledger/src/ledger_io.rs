//! `sunledger ledger import` and `sunledger ledger export`: the fund ledger (Book 1) as files in the
//! filing columns ([`LedgerRow::COLUMNS`]), the same columns as the CSV and XLSX downloads of the
//! web API. `docs/IMPORT.md` describes the file for users.
//!
//! # The file
//! - Read by the shared strict reader, [`crate::file_read`] (its documentation has the rules):
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
//!   formulas, see `sunledger_web::exports`). Workbook cells are read as they are: numbers as
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
use crate::file_read::{self, Record, Table, excerpt, quoted};
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
use sunledger_web::exports;

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

/// Reads a ledger file with the shared strict reader ([`crate::file_read`]): a workbook by
/// extension (`.xlsx`, `.xlsm`, `.xlsb`), otherwise CSV. See the module documentation for the
/// rules. `Err` when the file cannot be read or its header lacks a required column.
pub fn read_ledger_file(path: &Path) -> anyhow::Result<LedgerFile> {
    let table = file_read::read_table(path)?;
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

/// What a row of the file is, as far as other rows need to know.
struct Seen<'a> {
    line: u64,
    kind: Option<TransferKind>,
    row: &'a LedgerRow,
}

/// The fund a row books on: its own client id for a receive row, else `fund_client_id`.
fn fund_of(r: &LedgerRow, kind: Option<TransferKind>) -> &str {
    if kind == Some(TransferKind::Receive) {
        &r.client_id
    } else {
        &r.fund_client_id
    }
}

/// Checks every row and turns the file into store steps, each with the line of its row: one step
/// per row (a fund for a `receive` row, a transfer otherwise), followed by the receipt or payment
/// step its `state` asks for. `Err` lists every bad row, by line.
pub fn rows_to_ops(rows: &[(u64, LedgerRow)]) -> Result<Vec<(u64, LedgerOp)>, Vec<RowError>> {
    // The first row of every client id.
    let mut first: HashMap<&str, Seen<'_>> = HashMap::with_capacity(rows.len());
    for (line, r) in rows {
        if !r.client_id.is_empty() {
            first.entry(r.client_id.as_str()).or_insert(Seen {
                line: *line,
                kind: TransferKind::parse(&r.kind).ok(),
                row: r,
            });
        }
    }
    let mut errors = Vec::new();
    let mut ops = Vec::with_capacity(rows.len() + rows.len() / 4);
    // Reversals by the client id they reverse.
    let mut reversed: HashMap<&str, u64> = HashMap::new();
    for (line, r) in rows {
        let kind = TransferKind::parse(&r.kind).ok();
        let mut why: Vec<String> = Vec::new();
        match check_row(*line, r, kind, &first, &mut reversed, &mut why) {
            Some(steps) if why.is_empty() => ops.extend(steps.into_iter().map(|op| (*line, op))),
            _ => errors.push(RowError {
                line: *line,
                client_id: r.client_id.clone(),
                reason: why.join("; "),
            }),
        }
    }
    if errors.is_empty() {
        Ok(ops)
    } else {
        Err(errors)
    }
}

/// Checks one row against itself and the rows before it; the steps it books, or `None` with the
/// reasons in `why`.
fn check_row<'a>(
    line: u64,
    r: &'a LedgerRow,
    kind: Option<TransferKind>,
    first: &HashMap<&str, Seen<'_>>,
    reversed: &mut HashMap<&'a str, u64>,
    why: &mut Vec<String>,
) -> Option<Vec<LedgerOp>> {
    let mut bad = |s: String| why.push(s);
    if r.client_id.is_empty() {
        bad("missing client_id".into());
    } else if r.client_id.chars().count() > MAX_CLIENT_ID {
        bad(format!(
            "client_id is longer than {MAX_CLIENT_ID} characters"
        ));
    } else if let Some(f) = first.get(r.client_id.as_str())
        && f.line != line
    {
        bad(format!(
            "duplicate client_id: line {} has it already",
            f.line
        ));
    }
    if !file_read::is_day_in_range(&r.booked_on) {
        bad(format!(
            "booked_on {} is not a date (YYYY-MM-DD) between 2000 and 2100",
            quoted(&r.booked_on)
        ));
    }
    if kind.is_none() {
        bad(format!(
            "unknown kind {} (one of {})",
            quoted(&r.kind),
            kind_list()
        ));
    }
    let amount = match Money::parse_yuan(&r.amount) {
        Ok(m) if m.fen() > 0 => Some(m),
        Ok(_) => {
            bad(format!(
                "amount {} is not greater than zero",
                quoted(&r.amount)
            ));
            None
        }
        Err(_) if r.amount.is_empty() => {
            bad("missing amount".into());
            None
        }
        Err(_) => {
            bad(format!(
                "amount {} is not a sum in yuan with at most two decimals",
                quoted(&r.amount)
            ));
            None
        }
    };
    let mut owner = |col: &str, v: &str| match parse_owner(v) {
        Ok(o) => o,
        Err(e) => {
            bad(format!("{col}: {e}"));
            None
        }
    };
    let from = owner("from", &r.from);
    let to = owner("to", &r.to);
    let from_ok = r.from.is_empty() || from.is_some();
    let to_ok = r.to.is_empty() || to.is_some();
    let kind = kind?;
    let mut bad = |s: String| why.push(s);
    let must_be_blank = |bad: &mut dyn FnMut(String), col: &str, v: &str, what: &str| {
        if !v.trim().is_empty() {
            bad(format!("{col} must be blank on {what}"));
        }
    };
    let state_op = |target: &str| -> Result<Option<LedgerOp>, String> {
        let on = r.booked_on.clone();
        let payment = |action| {
            Ok(Some(LedgerOp::Payment {
                transfer: Ref::ClientId(r.client_id.clone()),
                action,
                on: on.clone(),
                document_no: String::new(),
                actor: None,
            }))
        };
        match (kind, target) {
            (_, "") => Ok(None),
            (TransferKind::Appropriate, "dispatched") => Ok(None),
            (TransferKind::Appropriate, "received") => Ok(Some(LedgerOp::Confirm {
                transfer: Ref::ClientId(r.client_id.clone()),
                on: on.clone(),
                actor: None,
            })),
            (TransferKind::Appropriate, s) => Err(format!(
                "state {} of an appropriation is not dispatched or received",
                quoted(s)
            )),
            (TransferKind::Disburse, "approved") => Ok(None),
            (TransferKind::Disburse, "held") => payment(PaymentAction::Hold),
            (TransferKind::Disburse, "paid") => payment(PaymentAction::Pay),
            (TransferKind::Disburse, "voided") => payment(PaymentAction::Void),
            (TransferKind::Disburse, s) => Err(format!(
                "state {} of a disbursement is not approved, held, paid or voided",
                quoted(s)
            )),
            (k, s) => Err(format!(
                "state {}: a {} row has no state",
                quoted(s),
                k.key()
            )),
        }
    };
    let state = match state_op(&r.state) {
        Ok(s) => s,
        Err(e) => {
            bad(e);
            None
        }
    };

    if kind == TransferKind::Receive {
        if !r.fund_client_id.is_empty() && r.fund_client_id != r.client_id {
            bad("fund_client_id of a receive row must be blank or its own client_id".into());
        }
        let source = FundSource::parse(&r.fund_source)
            .map_err(|_| {
                if r.fund_source.is_empty() {
                    bad("missing fund_source".into());
                } else {
                    bad(format!(
                        "unknown fund_source {} (one of {})",
                        quoted(&r.fund_source),
                        source_list()
                    ));
                }
            })
            .ok();
        let year = if r.fiscal_year == 0 {
            bad("missing fiscal_year".into());
            None
        } else {
            FiscalYear::new(r.fiscal_year)
                .map_err(|_| {
                    bad(format!(
                        "fiscal_year {} is not between 2000 and 2100",
                        r.fiscal_year
                    ))
                })
                .ok()
        };
        for (col, v) in [
            ("fund_document_no", &r.fund_document_no),
            ("fund_name", &r.fund_name),
        ] {
            if v.trim().is_empty() {
                bad(format!("missing {col}"));
            }
        }
        // The receipt's own document and purpose are the fund's: blank, or the same.
        for (col, v, fund_col, fund_v) in [
            (
                "document_no",
                &r.document_no,
                "fund_document_no",
                &r.fund_document_no,
            ),
            ("purpose", &r.purpose, "fund_name", &r.fund_name),
        ] {
            if !v.trim().is_empty() && v.trim() != fund_v.trim() {
                bad(format!(
                    "{col} of a receive row must be blank or equal {fund_col}"
                ));
            }
        }
        if r.detention_days < 0 {
            bad(format!("detention_days {} is negative", r.detention_days));
        }
        must_be_blank(&mut bad, "from", &r.from, "a receive row");
        must_be_blank(&mut bad, "payee", &r.payee, "a receive row");
        must_be_blank(&mut bad, "reverses", &r.reverses, "a receive row");
        let region = match to {
            Some(Owner::Region(c)) => Some(c),
            Some(Owner::Project(_)) => {
                bad("to of a receive row must be the region that receives the fund".into());
                None
            }
            None => {
                if to_ok {
                    bad("missing to: the region that receives the fund".into());
                }
                None
            }
        };
        let (Some(source), Some(fiscal_year), Some(region), Some(amount)) =
            (source, year, region, amount)
        else {
            return None;
        };
        let pick = |own: &str, fund: &str| {
            if own.trim().is_empty() {
                fund.to_string()
            } else {
                own.to_string()
            }
        };
        return Some(vec![LedgerOp::Fund(NewFund {
            client_id: r.client_id.clone(),
            region,
            source,
            fiscal_year,
            document_no: pick(&r.document_no, &r.fund_document_no),
            name: pick(&r.purpose, &r.fund_name),
            detention_days: r.detention_days,
            amount,
            booked_on: r.booked_on.clone(),
            actor: None,
        })]);
    }

    // Every other kind books on a fund named by its receive row; its fund columns, when given,
    // must still be known codes (they describe the fund).
    if !r.fund_source.is_empty() && FundSource::parse(&r.fund_source).is_err() {
        bad(format!(
            "unknown fund_source {} (one of {})",
            quoted(&r.fund_source),
            source_list()
        ));
    }
    if r.fiscal_year != 0 && FiscalYear::new(r.fiscal_year).is_err() {
        bad(format!(
            "fiscal_year {} is not between 2000 and 2100",
            r.fiscal_year
        ));
    }
    if r.detention_days < 0 {
        bad(format!("detention_days {} is negative", r.detention_days));
    }
    if r.fund_client_id.is_empty() {
        bad("missing fund_client_id (the client id of the fund's receive row)".into());
    } else if let Some(f) = first.get(r.fund_client_id.as_str()) {
        if f.line == line {
            bad("fund_client_id names this row itself; it must name the fund's receive row".into());
        } else if f.line > line {
            bad(format!(
                "the fund's receive row {} is line {}, below this row: move it above",
                quoted(&r.fund_client_id),
                f.line
            ));
        } else if f.kind != Some(TransferKind::Receive) {
            bad(format!(
                "fund_client_id {} names line {}, which is not a receive row",
                quoted(&r.fund_client_id),
                f.line
            ));
        } else {
            let fr = f.row;
            let differs = [
                (
                    "fund_source",
                    !r.fund_source.is_empty() && r.fund_source != fr.fund_source,
                ),
                (
                    "fiscal_year",
                    r.fiscal_year != 0 && r.fiscal_year != fr.fiscal_year,
                ),
                (
                    "fund_document_no",
                    !r.fund_document_no.trim().is_empty()
                        && r.fund_document_no.trim() != fr.fund_document_no.trim(),
                ),
                (
                    "fund_name",
                    !r.fund_name.trim().is_empty() && r.fund_name.trim() != fr.fund_name.trim(),
                ),
            ];
            for (col, d) in differs {
                if d {
                    bad(format!(
                        "{col} differs from the fund's receive row (line {})",
                        f.line
                    ));
                }
            }
        }
    }
    if kind != TransferKind::Reverse {
        must_be_blank(
            &mut bad,
            "reverses",
            &r.reverses,
            "a row that reverses nothing",
        );
    }
    let need = |bad: &mut dyn FnMut(String), col: &str, ok: bool, o: &Option<Owner>, what: &str| {
        if o.is_none() && ok {
            bad(format!("missing {col}: {what}"));
        }
    };
    match kind {
        TransferKind::Receive => {}
        TransferKind::Appropriate => {
            need(
                &mut bad,
                "from",
                from_ok,
                &from,
                "the region that appropriates",
            );
            need(&mut bad, "to", to_ok, &to, "the region one level below");
            match (from, to) {
                (Some(Owner::Region(f)), Some(Owner::Region(t))) if t.parent() != Some(f) => {
                    bad(format!("to {t} is not one level below from {f}"))
                }
                (Some(Owner::Project(_)), _) | (_, Some(Owner::Project(_))) => {
                    bad("an appropriation goes from a region to the region one level below".into())
                }
                _ => {}
            }
        }
        TransferKind::Arrange => {
            need(&mut bad, "from", from_ok, &from, "the region that arranges");
            need(&mut bad, "to", to_ok, &to, "the project, P<id>");
            if matches!(from, Some(Owner::Project(_))) || matches!(to, Some(Owner::Region(_))) {
                bad("an arrangement goes from a region to a project (P<id>)".into());
            }
        }
        TransferKind::Refund => {
            need(
                &mut bad,
                "from",
                from_ok,
                &from,
                "the region or project that refunds",
            );
            need(&mut bad, "to", to_ok, &to, "the region above");
            match (from, to) {
                (_, Some(Owner::Project(_))) => {
                    bad("a refund goes up to a region, not to a project".into())
                }
                (Some(Owner::Region(f)), Some(Owner::Region(t))) if f.parent() != Some(t) => {
                    bad(format!("to {t} is not the region directly above from {f}"))
                }
                _ => {}
            }
        }
        TransferKind::Disburse => {
            need(
                &mut bad,
                "from",
                from_ok,
                &from,
                "the project that pays, P<id>",
            );
            if matches!(from, Some(Owner::Region(_))) {
                bad("a disbursement is paid from a project (P<id>)".into());
            }
            must_be_blank(&mut bad, "to", &r.to, "a disbursement (the payee is paid)");
            if r.payee.trim().is_empty() {
                bad("missing payee".into());
            }
        }
        TransferKind::Reverse => {
            if r.reverses.is_empty() {
                bad("missing reverses: the client id of the transfer reversed".into());
            } else if let Some(&other) = reversed.get(r.reverses.as_str()) {
                bad(format!(
                    "line {other} already reverses {}: a transfer is reversed once",
                    quoted(&r.reverses)
                ));
            } else {
                reversed.insert(r.reverses.as_str(), line);
            }
            if let Some(o) = first.get(r.reverses.as_str())
                && o.line >= line
            {
                bad(format!(
                    "reverses line {}, which is not above this row",
                    o.line
                ));
            } else if let Some(o) = first.get(r.reverses.as_str()) {
                let orow = o.row;
                match o.kind {
                    Some(TransferKind::Reverse) => bad(format!(
                        "reverses line {}, a reversal: a reversal cannot be reversed",
                        o.line
                    )),
                    Some(TransferKind::Disburse)
                        if matches!(orow.state.as_str(), "" | "approved" | "held") =>
                    {
                        bad(format!(
                            "reverses line {}, a payment not made: void it instead",
                            o.line
                        ))
                    }
                    Some(TransferKind::Disburse) if orow.state == "voided" => bad(format!(
                        "reverses line {}, a voided payment: nothing to reverse",
                        o.line
                    )),
                    _ => {}
                }
                if fund_of(orow, o.kind) != r.fund_client_id {
                    bad(format!(
                        "reverses line {}, a transfer of another fund",
                        o.line
                    ));
                }
                if Money::parse_yuan(&orow.amount).ok() != amount {
                    bad(format!(
                        "amount must equal the amount of line {} that it reverses ({})",
                        o.line, orow.amount
                    ));
                }
                // The accounts of a reversal are the original's, the other way round.
                let (ofrom, oto) = (
                    parse_owner(&orow.from).ok().flatten(),
                    parse_owner(&orow.to).ok().flatten(),
                );
                if (from.is_some() && from != oto) || (to.is_some() && to != ofrom) {
                    bad(format!(
                        "from/to must be blank or those of line {} the other way round ({} → {})",
                        o.line,
                        owner_text(&oto),
                        owner_text(&ofrom)
                    ));
                }
            }
        }
    }
    let amount = amount?;
    if !why.is_empty() {
        return None;
    }
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let (from, to) = if kind == TransferKind::Reverse {
        // Not booked: the store moves the money back between the original's accounts.
        (None, None)
    } else {
        (from, to)
    };
    let mut steps = vec![LedgerOp::Transfer {
        fund: Ref::ClientId(r.fund_client_id.clone()),
        reverses: opt(&r.reverses).map(Ref::ClientId),
        transfer: NewTransfer {
            client_id: r.client_id.clone(),
            fund_id: 0,
            kind,
            from,
            to,
            payee: opt(&r.payee),
            amount,
            booked_on: r.booked_on.clone(),
            document_no: r.document_no.clone(),
            purpose: r.purpose.clone(),
            actor: None,
            reverses: None,
        },
    }];
    steps.extend(state);
    Some(steps)
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// Rows that changed the ledger.
    pub booked: u64,
    /// Rows already booked exactly so (replays).
    pub unchanged: u64,
    /// The rejected rows, by line; when any, nothing was booked.
    pub errors: Vec<RowError>,
    /// How the file was read (`CSV (UTF-8)`, `XLSX`...).
    pub format: String,
}

impl ImportReport {
    /// `rows=N booked=N unchanged=N`, the CLI's summary line.
    pub fn summary_line(&self) -> String {
        format!(
            "rows={} booked={} unchanged={}",
            self.rows, self.booked, self.unchanged
        )
    }
}

/// The CLI command: imports `path` all together or not at all (see the module documentation).
/// Prints every rejected row on standard error (`line N: CLIENT_ID: reason`) and returns 2, or
/// prints the summary line on standard output and returns 0.
pub async fn run_cli(
    store: &dyn Store,
    path: &Path,
    progress: bool,
    now: i64,
) -> anyhow::Result<i32> {
    let report = import_ledger(store, path, progress, now).await?;
    if !report.errors.is_empty() {
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        for e in &report.errors {
            writeln!(err, "{}", file_read::clip(&e.to_string()))?;
        }
        writeln!(
            err,
            "nothing booked: {} of {} rows refused; fix them and run the import again",
            report.errors.len(),
            report.rows
        )?;
        err.flush()?;
        return Ok(2);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", report.summary_line())?;
    out.flush()?;
    Ok(0)
}

/// Imports the ledger file at `path`: reads and checks every row, then books them in one
/// transaction. Rows refused (by the checks or by the store) are in `errors`, and then nothing
/// was booked. `Err` for failures that concern no row (unreadable file, bad header, database).
pub async fn import_ledger(
    store: &dyn Store,
    path: &Path,
    progress: bool,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let bar = spinner(progress, "reading");
    let _clear = ClearOnDrop(bar.clone());
    let file = read_ledger_file(path)?;
    let mut report = ImportReport {
        rows: (file.rows.len() + file.errors.len()) as u64,
        format: file.format.clone(),
        ..ImportReport::default()
    };
    bar.set_message(format!("checking {} rows", report.rows));
    let checked = rows_to_ops(&file.rows);
    let mut errors = file.errors;
    let ops = match checked {
        Ok(ops) if errors.is_empty() => ops,
        Ok(_) => {
            errors.sort_by_key(|e| e.line);
            report.errors = errors;
            return Ok(report);
        }
        Err(more) => {
            errors.extend(more);
            errors.sort_by_key(|e| e.line);
            report.errors = errors;
            return Ok(report);
        }
    };
    if ops.is_empty() {
        return Ok(report);
    }

    bar.set_message("looking up what is already booked");
    let booked_before = already_booked(store, &file.rows).await?;
    let (lines, steps): (Vec<u64>, Vec<LedgerOp>) = ops.into_iter().unzip();
    bar.set_message(format!(
        "booking {} rows ({} steps)",
        report.rows,
        steps.len()
    ));
    match store.apply_ledger_ops(&steps, now).await {
        Ok(_) => {}
        Err(StoreError::Batch { index, error }) => {
            let line = lines.get(index).copied().unwrap_or(0);
            let row = file.rows.iter().find(|(l, _)| *l == line).map(|(_, r)| r);
            let step = steps.get(index);
            let reason = match (row, step) {
                (Some(r), Some(op)) => refusal(&error, op, r, &file.rows)?,
                _ => error.to_string(),
            };
            report.errors.push(RowError {
                line,
                client_id: row.map(|r| r.client_id.clone()).unwrap_or_default(),
                reason,
            });
            return Ok(report);
        }
        Err(e) => return Err(anyhow!("booking the ledger: {e}")),
    }
    // Which rows were replays: their entry was booked before, and so was the state they ask for.
    for (line, r) in &file.rows {
        let had = booked_before.get(r.client_id.as_str());
        let state_step = steps
            .iter()
            .zip(&lines)
            .filter(|(op, l)| {
                *l == line && matches!(op, LedgerOp::Confirm { .. } | LedgerOp::Payment { .. })
            })
            .count()
            > 0;
        let unchanged = match had {
            None => false,
            Some(state) => !state_step || state.as_deref() == Some(r.state.as_str()),
        };
        if unchanged {
            report.unchanged += 1;
        } else {
            report.booked += 1;
        }
    }
    bar.finish_and_clear();
    Ok(report)
}

/// The client ids (with their state) of the file's rows that are already booked: looked up by
/// client id (a unique index), so the cost follows the file, not the size of the ledger.
async fn already_booked(
    store: &dyn Store,
    rows: &[(u64, LedgerRow)],
) -> anyhow::Result<HashMap<String, Option<String>>> {
    let mut ids: Vec<String> = rows.iter().map(|(_, r)| r.client_id.clone()).collect();
    ids.sort();
    ids.dedup();
    Ok(store.transfer_states(&ids).await?)
}

/// Why the store refused step `op` of row `r`, for the report line. `Err` for failures that are
/// no row's fault (the database).
fn refusal(
    e: &StoreError,
    op: &LedgerOp,
    r: &LedgerRow,
    rows: &[(u64, LedgerRow)],
) -> anyhow::Result<String> {
    let step = match op {
        LedgerOp::Confirm { .. } => "confirming the receipt: ",
        LedgerOp::Payment {
            action: PaymentAction::Hold,
            ..
        } => "holding the payment: ",
        LedgerOp::Payment {
            action: PaymentAction::Pay,
            ..
        } => "paying: ",
        LedgerOp::Payment {
            action: PaymentAction::Void,
            ..
        } => "voiding the payment: ",
        LedgerOp::Payment { .. } => "releasing the payment: ",
        LedgerOp::Fund(_) | LedgerOp::Transfer { .. } => "",
    };
    let in_file = |id: &str| {
        rows.iter()
            .any(|(_, x)| x.client_id == id && x.kind == TransferKind::Receive.key())
    };
    let why = match e {
        StoreError::NotFound("transfer") => match op {
            LedgerOp::Transfer { .. } if r.reverses.is_empty() => format!(
                "fund {} is unknown: no receive row above in this file and no booked fund has that client id",
                quoted(&r.fund_client_id)
            ),
            LedgerOp::Transfer { .. } if in_file(&r.fund_client_id) => format!(
                "reverses {}: no row above in this file and no booked transfer has that client id",
                quoted(&r.reverses)
            ),
            LedgerOp::Transfer { .. } => format!(
                "fund {} or reversed transfer {} is unknown: not in this file, not booked",
                quoted(&r.fund_client_id),
                quoted(&r.reverses)
            ),
            _ => "the transfer was not found".to_string(),
        },
        StoreError::NotFound("region") => format!(
            "region {} does not exist (import the region table first)",
            r.to
        ),
        StoreError::NotFound("project") => format!(
            "project {} does not exist",
            [&r.from, &r.to]
                .into_iter()
                .find(|v| v.starts_with(['P', 'p']))
                .map(String::as_str)
                .unwrap_or("P?")
        ),
        StoreError::NotFound(what) => format!("{what} not found"),
        StoreError::Conflict { field } if field == "client_id" => format!(
            "client_id {} is already booked with other content (booked entries are never changed: book a reverse row instead)",
            quoted(&r.client_id)
        ),
        StoreError::Conflict { field } if field.contains("revers") => format!(
            "{} is already reversed: a transfer is reversed once",
            quoted(&r.reverses)
        ),
        StoreError::Conflict { field } => format!("already exists: {field}"),
        StoreError::Rule(sunledger_core::DomainError::Invalid {
            reason: "insufficient_funds",
            value,
            ..
        }) => format!(
            "overdraft: {} exceeds what {} has available ({value})",
            r.amount,
            if r.from.is_empty() {
                "the account"
            } else {
                &r.from
            }
        ),
        StoreError::Rule(d) => {
            sunledger_web::error::WebError::from(d.clone()).message(sunledger_web::i18n::Lang::En)
        }
        StoreError::Suspended {
            id,
            document_no,
            reason,
        } => format!("payments suspended (suspension {id}, document {document_no}): {reason}"),
        StoreError::Batch { error, .. } => return refusal(error, op, r, rows),
        other => bail!("booking the row {}: {other}", quoted(&r.client_id)),
    };
    Ok(format!("{step}{why}"))
}

/// `sunledger ledger export`: writes the ledger of `region` (with `subtree`, everything below it)
/// booked between `from` and `to` to `out`, as CSV or XLSX by its extension.
pub async fn export_cli(
    store: &dyn Store,
    region: &str,
    subtree: bool,
    from: Option<&str>,
    to: Option<&str>,
    out: &Path,
) -> anyhow::Result<i32> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext != "csv" && ext != "xlsx" {
        bail!(
            "--out {}: the file name must end in .csv or .xlsx (the format follows it)",
            out.display()
        );
    }
    let code = RegionCode::parse(region).map_err(|e| anyhow!("--region {region:?}: {e}"))?;
    let region = store
        .region(&code)
        .await?
        .ok_or_else(|| anyhow!("--region {region}: no such region"))?;
    let (from, to) = exports::period(from, to).map_err(|e| {
        anyhow!(
            "--{}: {}",
            e.field().unwrap_or("from"),
            e.message(sunledger_web::i18n::Lang::En)
        )
    })?;
    let rows = store.ledger_rows(&code, subtree, &from, &to).await?;
    let bytes = if ext == "csv" {
        exports::ledger_csv(&rows)
    } else {
        let title = format!("{} {}", region.name, code.prefix());
        exports::ledger_xlsx(&rows, &title).map_err(|e| anyhow!("writing the workbook: {e}"))?
    };
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("rows={} file={}", rows.len(), out.display());
    Ok(0)
}

/// A spinner on stderr, drawn only when asked for and stderr is a terminal.
fn spinner(enabled: bool, msg: &'static str) -> ProgressBar {
    let target = if enabled && std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(msg);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Clears the progress display however the import ends, so messages start on a clean line.
struct ClearOnDrop(ProgressBar);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
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
        file_read::read_csv_text(text, "UTF-8").unwrap()
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
        let e = file_read::read_csv_text("\n\n", "UTF-8").unwrap_err();
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
        use file_read::number_text;
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

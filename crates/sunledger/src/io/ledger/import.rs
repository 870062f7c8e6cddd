//! `sunledger ledger import`: booking a checked file in one transaction, and its report.
use super::*;

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
            writeln!(err, "{}", read::clip(&e.to_string()))?;
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

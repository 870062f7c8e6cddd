//! Checking the rows of a ledger file and turning them into store steps.
use super::*;

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
    if !read::is_day_in_range(&r.booked_on) {
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
                // A voided line's own document is what voided it.
                document_no: if action == PaymentAction::Void {
                    r.document_no.clone()
                } else {
                    String::new()
                },
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

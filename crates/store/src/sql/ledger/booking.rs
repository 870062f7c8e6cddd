//! Booking one ledger step inside a write: transfers, reversals, receipts, payment actions, and
//! a fund's creation with its receipt.

use super::*;
use sunledger_core::text;

pub(crate) async fn create_fund_in(
    b: &mut Books,
    f: &NewFund,
    now: i64,
) -> Result<(Fund, Transfer)> {
    sunledger_core::ledger::check_amount(f.amount).map_err(rule)?;
    check_date("booked_on", &f.booked_on, now)?;
    if f.detention_days < 0 {
        return Err(rule(sunledger_core::DomainError::invalid(
            "detention_days",
            "negative",
            f.detention_days.to_string(),
        )));
    }
    check_text("document_no", &f.document_no, text::DOCUMENT_NO, true)?;
    check_text("name", &f.name, text::NAME, true)?;
    let hash = content_hash(&[
        "fund".into(),
        f.region.to_string(),
        f.source.key().into(),
        f.fiscal_year.get().to_string(),
        f.document_no.clone(),
        f.name.clone(),
        f.detention_days.to_string(),
        f.amount.fen().to_string(),
        f.booked_on.clone(),
    ]);
    if let Some(t) = replay(b, f.region.county_code(), &f.client_id, &hash).await? {
        let fund = sqlx::query(AssertSqlSafe(format!(
            "SELECT {FUND_COLS} FROM funds WHERE id = $1"
        )))
        .bind(t.fund_id)
        .fetch_one(&mut *b.tx)
        .await?;
        return Ok((fund_row(&fund)?, t));
    }
    if !b.region_exists(&f.region).await? {
        return Err(StoreError::NotFound("region"));
    }
    let row = sqlx::query(
            "INSERT INTO funds (county_code, region_code, source, fiscal_year, document_no, name, detention_days, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(f.region.county_code())
        .bind(f.region.as_str())
        .bind(f.source.key())
        .bind(f.fiscal_year.get())
        .bind(f.document_no.trim())
        .bind(f.name.trim())
        .bind(f.detention_days)
        .bind(now)
        .fetch_one(&mut *b.tx)
        .await?;
    let fund_id: i64 = row.try_get(0)?;
    b.booked("funds", fund_id);
    b.funds.insert(fund_id);
    let t = NewTransfer {
        client_id: f.client_id.clone(),
        fund_id,
        kind: sunledger_core::ledger::TransferKind::Receive,
        from: None,
        to: Some(Owner::Region(f.region)),
        payee: None,
        amount: f.amount,
        booked_on: f.booked_on.clone(),
        document_no: f.document_no.clone(),
        purpose: f.name.clone(),
        actor: f.actor,
        reverses: None,
    };
    let mut acc = b.lock_account(fund_id, &Owner::Region(f.region)).await?;
    acc.balance = acc.balance.credit(f.amount).map_err(rule)?;
    b.save(&acc);
    let tid = insert_transfer(
        b,
        &t,
        &hash,
        Placement {
            county: f.region.county_code(),
            from: None,
            to: Some(acc.id),
            state: None,
        },
        now,
    )
    .await?;
    let fund = sqlx::query(AssertSqlSafe(format!(
        "SELECT {FUND_COLS} FROM funds WHERE id = $1"
    )))
    .bind(fund_id)
    .fetch_one(&mut *b.tx)
    .await?;
    Ok((fund_row(&fund)?, b.transfer(tid).await?))
}

/// The county a transfer is booked in (its shard key, and the scope of its client id): the
/// paying side's, the receiving region's for a receipt, the original's for a reversal.
pub(crate) async fn booking_county(b: &mut Books, t: &NewTransfer) -> Result<String> {
    let owner = match t.kind {
        TransferKind::Reverse => {
            let Some(orig) = t.reverses else {
                return Ok(String::new());
            };
            let r = sqlx::query("SELECT county_code FROM transfers WHERE id = $1")
                .bind(orig)
                .fetch_optional(&mut *b.tx)
                .await?
                .ok_or(StoreError::NotFound("transfer"))?;
            return Ok(r.try_get(0)?);
        }
        TransferKind::Receive => t.to,
        _ => t.from,
    };
    Ok(match owner {
        Some(Owner::Region(c)) => c.county_code().to_string(),
        Some(Owner::Project(p)) => b.project(p).await?.region.county_code().to_string(),
        None => String::new(),
    })
}

pub(crate) async fn self_region_missing(
    tx: &mut sqlx::Transaction<'static, DB>,
    c: &RegionCode,
) -> Result<bool> {
    Ok(sqlx::query("SELECT code FROM regions WHERE code = $1")
        .bind(c.as_str())
        .fetch_optional(&mut **tx)
        .await?
        .is_none())
}

pub(crate) async fn resolve_transfer(b: &mut Books, r: &Ref) -> Result<Transfer> {
    let id = match r {
        Ref::Id(id) => *id,
        Ref::ClientId(c) => b
            .any_client_id(c)
            .await?
            .ok_or(StoreError::NotFound("transfer"))?,
    };
    b.transfer(id).await
}

impl StoreImpl {
    pub(crate) async fn book_in(
        &self,
        b: &mut Books,
        t: &NewTransfer,
        now: i64,
    ) -> Result<Transfer> {
        // Payees are compared exactly (suspensions): store them trimmed.
        let trimmed = NewTransfer {
            payee: t.payee.as_deref().map(str::trim).map(str::to_string),
            ..t.clone()
        };
        let t = &trimmed;
        rules::check_amount(t.amount).map_err(rule)?;
        check_date("booked_on", &t.booked_on, now)?;
        check_text("document_no", &t.document_no, text::DOCUMENT_NO, false)?;
        check_text("purpose", &t.purpose, text::PURPOSE, false)?;
        if let Some(p) = &t.payee {
            check_text("payee", p, text::PAYEE, false)?;
        }
        let hash = content_hash(&[
            t.fund_id.to_string(),
            t.kind.key().into(),
            // A reversal's accounts come from the original: what the caller said does not count.
            format!(
                "{:?}",
                if t.kind == TransferKind::Reverse {
                    None
                } else {
                    t.from
                }
            ),
            format!(
                "{:?}",
                if t.kind == TransferKind::Reverse {
                    None
                } else {
                    t.to
                }
            ),
            format!("{:?}", t.payee),
            t.amount.fen().to_string(),
            t.booked_on.clone(),
            t.document_no.clone(),
            t.purpose.clone(),
            format!("{:?}", t.reverses),
        ]);
        let county = booking_county(b, t).await?;
        if let Some(done) = replay(b, &county, &t.client_id, &hash).await? {
            return Ok(done);
        }
        if !b.fund_exists(t.fund_id).await? {
            return Err(StoreError::NotFound("fund"));
        }
        let id = match t.kind {
            TransferKind::Reverse => self.book_reversal(b, t, &hash, &county, now).await?,
            TransferKind::Receive => {
                let Some(to @ Owner::Region(_)) = t.to else {
                    return Err(rule(sunledger_core::DomainError::invalid(
                        "to",
                        "must_be_region",
                        "",
                    )));
                };
                let mut acc = b.lock_account(t.fund_id, &to).await?;
                acc.balance = acc.balance.credit(t.amount).map_err(rule)?;
                b.save(&acc);
                insert_transfer(
                    b,
                    t,
                    &hash,
                    Placement {
                        county: &county,
                        from: None,
                        to: Some(acc.id),
                        state: None,
                    },
                    now,
                )
                .await?
            }
            TransferKind::Appropriate | TransferKind::Arrange | TransferKind::Refund => {
                let (Some(from), Some(to)) = (t.from, t.to) else {
                    return Err(rule(sunledger_core::DomainError::invalid(
                        "to",
                        "missing_account",
                        "",
                    )));
                };
                self.check_direction(b, t.kind, &from, &to).await?;
                // Create both if needed (in a fixed order), then lock them in id order, so that
                // bookings in opposite directions cannot deadlock.
                let from_first = owner_key(&from) <= owner_key(&to);
                let (first, second) = if from_first {
                    (&from, &to)
                } else {
                    (&to, &from)
                };
                let first = b.ensure_account(t.fund_id, first).await?;
                let second = b.ensure_account(t.fund_id, second).await?;
                let from_id = if from_first { first } else { second };
                let (lo, hi) = (first.min(second), first.max(second));
                let lo_acc = b.account(lo).await?;
                let hi_acc = b.account(hi).await?;
                let (mut src, mut dst) = if lo_acc.id == from_id {
                    (lo_acc, hi_acc)
                } else {
                    (hi_acc, lo_acc)
                };
                if let Some(s) = b
                    .blocking_suspension(&dst.region, dst.project_id, None)
                    .await?
                    && t.kind != TransferKind::Refund
                {
                    return Err(suspended(s));
                }
                src.balance = src.balance.debit(t.amount).map_err(rule)?;
                let state = if t.kind == TransferKind::Appropriate {
                    dst.balance = dst.balance.dispatch_in(t.amount).map_err(rule)?;
                    Some("dispatched")
                } else {
                    dst.balance = dst.balance.credit(t.amount).map_err(rule)?;
                    None
                };
                b.save(&src);
                b.save(&dst);
                insert_transfer(
                    b,
                    t,
                    &hash,
                    Placement {
                        county: &county,
                        from: Some(src.id),
                        to: Some(dst.id),
                        state,
                    },
                    now,
                )
                .await?
            }
            TransferKind::Disburse => {
                let (Some(from @ Owner::Project(pid)), Some(payee)) = (t.from, t.payee.as_deref())
                else {
                    return Err(rule(sunledger_core::DomainError::invalid(
                        "payee",
                        "disbursement_needs_project_and_payee",
                        "",
                    )));
                };
                if payee.trim().is_empty() {
                    return Err(rule(sunledger_core::DomainError::invalid(
                        "payee", "empty", "",
                    )));
                }
                let mut src = b.lock_account(t.fund_id, &from).await?;
                if let Some(s) = b
                    .blocking_suspension(&src.region, Some(pid), Some(payee))
                    .await?
                {
                    return Err(suspended(s));
                }
                retention(b, pid, t.amount).await?;
                src.balance = src.balance.hold(t.amount).map_err(rule)?;
                b.save(&src);
                insert_transfer(
                    b,
                    t,
                    &hash,
                    Placement {
                        county: &county,
                        from: Some(src.id),
                        to: None,
                        state: Some(PaymentState::Approved.key()),
                    },
                    now,
                )
                .await?
            }
        };
        b.transfer(id).await
    }

    /// Appropriations go down exactly one level; arrangements go to a project inside the region;
    /// refunds go back up one level (or from a project to a region above it).
    pub(crate) async fn check_direction(
        &self,
        b: &mut Books,
        kind: TransferKind,
        from: &Owner,
        to: &Owner,
    ) -> Result<()> {
        let bad = |r: &'static str| Err(rule(sunledger_core::DomainError::invalid("to", r, "")));
        match (kind, from, to) {
            (TransferKind::Appropriate, Owner::Region(f), Owner::Region(t)) => {
                if t.parent() != Some(*f) {
                    return bad("not_one_level_down");
                }
                if !b.region_exists(t).await? {
                    return Err(StoreError::NotFound("region"));
                }
                Ok(())
            }
            (TransferKind::Arrange, Owner::Region(f), Owner::Project(p)) => {
                let p = b.project(*p).await?;
                if !p.region.is_within(f) {
                    return bad("project_outside_region");
                }
                Ok(())
            }
            (TransferKind::Refund, Owner::Region(f), Owner::Region(t))
                if f.parent() == Some(*t) =>
            {
                Ok(())
            }
            (TransferKind::Refund, Owner::Project(p), Owner::Region(t)) => {
                let p = b.project(*p).await?;
                if !p.region.is_within(t) {
                    return bad("project_outside_region");
                }
                Ok(())
            }
            _ => bad("wrong_direction"),
        }
    }

    pub(crate) async fn book_reversal(
        &self,
        b: &mut Books,
        t: &NewTransfer,
        hash: &str,
        county: &str,
        now: i64,
    ) -> Result<i64> {
        let orig_id = t.reverses.ok_or_else(|| {
            rule(sunledger_core::DomainError::invalid(
                "reverses", "missing", "",
            ))
        })?;
        // A correction says why, under which document.
        for (field, v) in [("document_no", &t.document_no), ("purpose", &t.purpose)] {
            if v.trim().is_empty() {
                return Err(rule(sunledger_core::DomainError::invalid(
                    field, "empty", "",
                )));
            }
        }
        let orig = b.transfer(orig_id).await?;
        let earlier = sqlx::query("SELECT id FROM transfers WHERE reverses = $1")
            .bind(orig_id)
            .fetch_optional(&mut *b.tx)
            .await?;
        if earlier.is_some() {
            return Err(rule(sunledger_core::DomainError::invalid(
                "reverses",
                "already_reversed",
                orig_id.to_string(),
            )));
        }
        if orig.kind == TransferKind::Reverse.key() {
            return Err(rule(sunledger_core::DomainError::invalid(
                "reverses",
                "cannot_reverse_a_reversal",
                orig_id.to_string(),
            )));
        }
        if orig.fund_id != t.fund_id || orig.amount != t.amount {
            return Err(rule(sunledger_core::DomainError::invalid(
                "amount",
                "must_equal_original",
                orig.amount.to_string(),
            )));
        }
        let state = orig.state.as_deref();
        if matches!(state, Some("approved" | "held")) {
            return Err(rule(sunledger_core::DomainError::invalid(
                "reverses",
                "void_the_payment_instead",
                orig_id.to_string(),
            )));
        }
        if state == Some("voided") {
            return Err(rule(sunledger_core::DomainError::invalid(
                "reverses",
                "payment_was_voided",
                orig_id.to_string(),
            )));
        }
        // Lock in id order.
        let mut ids: Vec<i64> = [orig.from_account, orig.to_account]
            .into_iter()
            .flatten()
            .collect();
        ids.sort_unstable();
        let mut locked = Vec::new();
        for id in ids {
            locked.push(b.account(id).await?);
        }
        let find = |id: Option<i64>| locked.iter().position(|a| Some(a.id) == id);
        let (fi, ti) = (find(orig.from_account), find(orig.to_account));
        // Undo the original's effect on the account it credited first (refusing if spent), then
        // give the money back to the account it came from.
        if let Some(i) = ti {
            let acc = locked.get_mut(i).ok_or(StoreError::NotFound("account"))?;
            acc.balance = if state == Some("dispatched") {
                Balance {
                    in_transit: acc
                        .balance
                        .in_transit
                        .checked_sub(orig.amount)
                        .unwrap_or(Money::ZERO),
                    ..acc.balance
                }
            } else {
                acc.balance.debit(orig.amount).map_err(rule)?
            };
            acc.balance.check().map_err(rule)?;
            if state == Some("received") {
                acc.received_from_above = acc
                    .received_from_above
                    .checked_sub(orig.amount)
                    .unwrap_or(Money::ZERO);
            }
        }
        if let Some(i) = fi {
            let acc = locked.get_mut(i).ok_or(StoreError::NotFound("account"))?;
            acc.balance = acc.balance.credit(orig.amount).map_err(rule)?;
            // A paid disbursement came back: it was debited when paid.
        }
        for a in &locked {
            b.save(a);
        }
        insert_transfer(
            b,
            t,
            hash,
            Placement {
                county,
                from: orig.to_account,
                to: orig.from_account,
                state: None,
            },
            now,
        )
        .await
    }

    pub(crate) async fn confirm_in(
        &self,
        b: &mut Books,
        transfer_id: i64,
        on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer> {
        check_date("on", on, now)?;
        let t = b.transfer(transfer_id).await?;
        if t.kind != TransferKind::Appropriate.key() {
            return Err(rule(sunledger_core::DomainError::invalid(
                "transfer",
                "not_an_appropriation",
                transfer_id.to_string(),
            )));
        }
        if t.state.as_deref() != Some("dispatched") {
            return Err(rule(sunledger_core::DomainError::invalid(
                "state",
                "already_received",
                transfer_id.to_string(),
            )));
        }
        let reversed = sqlx::query("SELECT id FROM transfers WHERE reverses = $1")
            .bind(transfer_id)
            .fetch_optional(&mut *b.tx)
            .await?;
        if reversed.is_some() {
            return Err(rule(sunledger_core::DomainError::invalid(
                "state",
                "reversed",
                transfer_id.to_string(),
            )));
        }
        let mut acc = b
            .account(t.to_account.ok_or(StoreError::NotFound("account"))?)
            .await?;
        if let Some(a) = actor {
            // Four eyes: the sender does not confirm its own appropriation; the receiving level
            // does.
            Control::ConfirmReceipt
                .check(t.actor_id, actor)
                .map_err(rule)?;
            let units = grant_units(&mut b.tx, a).await?;
            duty::check_receiving_level(acc.region.as_str(), units.iter().map(|(r, _)| r.as_str()))
                .map_err(rule)?;
        }
        acc.balance = acc.balance.confirm(t.amount).map_err(rule)?;
        acc.received_from_above =
            acc.received_from_above
                .checked_add(t.amount)
                .ok_or_else(|| {
                    rule(sunledger_core::DomainError::invalid(
                        "amount", "overflow", "",
                    ))
                })?;
        b.save(&acc);
        let change = StateChange {
            county: acc.region.county_code(),
            action: "confirm",
            to_state: "received",
            on,
            document_no: "",
            actor,
        };
        record_event(b, &t, change, now).await?;
        b.transfer(transfer_id).await
    }

    pub(crate) async fn payment_in(
        b: &mut Books,
        transfer_id: i64,
        action: PaymentAction,
        on: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer> {
        check_date("on", on, now)?;
        check_text("document_no", document_no, text::DOCUMENT_NO, false)?;
        action.check_document(document_no).map_err(rule)?;
        let t = b.transfer(transfer_id).await?;
        if t.kind != TransferKind::Disburse.key() {
            return Err(rule(sunledger_core::DomainError::invalid(
                "transfer",
                "not_a_disbursement",
                transfer_id.to_string(),
            )));
        }
        let state = PaymentState::parse(t.state.as_deref().unwrap_or("")).map_err(rule)?;
        let next = state.next(action).map_err(rule)?;
        let mut acc = b
            .account(t.from_account.ok_or(StoreError::NotFound("account"))?)
            .await?;
        if matches!(action, PaymentAction::Pay | PaymentAction::Release)
            && let Some(s) = b
                .blocking_suspension(&acc.region, acc.project_id, t.payee.as_deref())
                .await?
        {
            return Err(suspended(s));
        }
        acc.balance = match (state.holds(), next) {
            (true, PaymentState::Paid) => acc.balance.pay_held(t.amount),
            (true, PaymentState::Voided) => acc.balance.unhold(t.amount),
            _ => Ok(acc.balance),
        }
        .map_err(rule)?;
        b.save(&acc);
        let action_key = match action {
            PaymentAction::Hold => "hold",
            PaymentAction::Release => "release",
            PaymentAction::Pay => "pay",
            PaymentAction::Void => "void",
        };
        let change = StateChange {
            county: acc.region.county_code(),
            action: action_key,
            to_state: next.key(),
            on,
            document_no,
            actor,
        };
        record_event(b, &t, change, now).await?;
        b.transfer(transfer_id).await
    }
}

/// Refuses a payment approval that reaches into the money retained until a library project's
/// acceptance (Book 4; core `acceptance::check_retention`). The project's totals are read from
/// this transaction's accounts where it holds them, else as stored.
async fn retention(b: &mut Books, project_id: i64, amount: Money) -> Result<()> {
    let p = sqlx::query("SELECT county_code, status FROM projects WHERE id = $1")
        .bind(project_id)
        .fetch_optional(&mut *b.tx)
        .await?
        .ok_or(StoreError::NotFound("project"))?;
    let county: String = p.try_get(0)?;
    let status: Option<String> = p.try_get(1)?;
    // Held for the projects of the library, which Book 4 accepts; a project known to the ledger
    // only (imported with an existing ledger, with no implementation status) has no acceptance
    // to wait for.
    if matches!(status.as_deref(), None | Some("accepted" | "evaluated")) {
        return Ok(());
    }
    let percent = super::acceptance::rules_in(&mut b.tx, &county)
        .await?
        .retention_percent;
    let q = format!("SELECT {ACCOUNT_COLS} FROM ledger_accounts WHERE project_id = $1 ORDER BY id");
    let stored = sqlx::query(AssertSqlSafe(q))
        .bind(project_id)
        .fetch_all(&mut *b.tx)
        .await?;
    let (mut credited, mut out) = (0i64, 0i64);
    for r in &stored {
        let a = account_row(r)?;
        let a = b.accounts.get(&a.id).cloned().unwrap_or(a);
        credited = credited.saturating_add(a.balance.credited.fen());
        out = out
            .saturating_add(a.balance.debited.fen())
            .saturating_add(a.balance.held.fen());
    }
    // Refunds from the project go back up: neither arranged nor paid.
    let refunded: i64 = sqlx::query(
        "SELECT COALESCE(CAST(SUM(t.amount) AS BIGINT), 0) FROM transfers t JOIN ledger_accounts la ON la.id = t.from_account \
         WHERE la.project_id = $1 AND t.kind = 'refund' AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.reverses = t.id)",
    )
    .bind(project_id)
    .fetch_one(&mut *b.tx)
    .await?
    .try_get(0)?;
    sunledger_core::acceptance::check_retention(
        Money::from_fen(credited.saturating_sub(refunded)),
        Money::from_fen(out.saturating_sub(refunded)),
        amount,
        percent,
        false,
    )
    .map_err(rule)
}

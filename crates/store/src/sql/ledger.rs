//! Book 1, the fund appropriation ledger. Every booking locks the accounts it touches (in id
//! order, so concurrent bookings cannot deadlock), applies the core rules
//! (`sunledger_core::ledger`) to their totals and writes the entry; the new totals, states and log
//! facts of a whole write (one booking or a batch, see `Books`) are written together before it
//! commits — or nothing is.

use super::*;

mod booking;
mod books;
mod facts;
/// The feature's booking, named explicitly: every feature's is called `BOOKING`.
pub(super) use self::facts::BOOKING;
#[allow(unused_imports)]
pub(crate) use self::{booking::*, books::*, facts::*};

pub(crate) const ACCOUNT_COLS: &str = "id, fund_id, owner_kind, region_code, project_id, credited, debited, held, in_transit, received";

pub(crate) const TRANSFER_COLS: &str = "id, client_id, fund_id, kind, from_account, to_account, payee, amount, booked_on, document_no, purpose, actor_id, reverses, state";

pub(crate) const FUND_COLS: &str =
    "id, region_code, source, fiscal_year, document_no, name, detention_days";

pub(crate) const SUSPENSION_COLS: &str = "id, target_kind, target, region_code, reason, document_no, suspended_by, suspended_at, resumed_at, resume_document";

pub(crate) fn account_row(r: &DbRow) -> Result<Account> {
    Ok(Account {
        id: r.try_get("id")?,
        fund_id: r.try_get("fund_id")?,
        owner_kind: r.try_get("owner_kind")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        project_id: r.try_get("project_id")?,
        balance: Balance {
            credited: Money::from_fen(r.try_get("credited")?),
            debited: Money::from_fen(r.try_get("debited")?),
            held: Money::from_fen(r.try_get("held")?),
            in_transit: Money::from_fen(r.try_get("in_transit")?),
        },
        received_from_above: Money::from_fen(r.try_get("received")?),
    })
}

pub(crate) fn transfer_row(r: &DbRow) -> Result<Transfer> {
    Ok(Transfer {
        id: r.try_get("id")?,
        client_id: r.try_get("client_id")?,
        fund_id: r.try_get("fund_id")?,
        kind: r.try_get("kind")?,
        from_account: r.try_get("from_account")?,
        to_account: r.try_get("to_account")?,
        payee: r.try_get("payee")?,
        amount: Money::from_fen(r.try_get("amount")?),
        booked_on: r.try_get("booked_on")?,
        document_no: r.try_get("document_no")?,
        purpose: r.try_get("purpose")?,
        actor_id: r.try_get("actor_id")?,
        reverses: r.try_get("reverses")?,
        state: r.try_get("state")?,
    })
}

pub(crate) fn fund_row(r: &DbRow) -> Result<Fund> {
    Ok(Fund {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        source: r.try_get("source")?,
        fiscal_year: r.try_get("fiscal_year")?,
        document_no: r.try_get("document_no")?,
        name: r.try_get("name")?,
        detention_days: r.try_get("detention_days")?,
    })
}

pub(crate) fn suspension_row(r: &DbRow) -> Result<Suspension> {
    Ok(Suspension {
        id: r.try_get("id")?,
        target_kind: r.try_get("target_kind")?,
        target: r.try_get("target")?,
        region: r.try_get("region_code")?,
        reason: r.try_get("reason")?,
        document_no: r.try_get("document_no")?,
        suspended_by: r.try_get("suspended_by")?,
        suspended_at: r.try_get("suspended_at")?,
        resumed_at: r.try_get("resumed_at")?,
        resume_document: r.try_get("resume_document")?,
    })
}

pub(crate) fn rule(e: sunledger_core::DomainError) -> StoreError {
    StoreError::Rule(e)
}

pub(crate) fn owner_key(o: &Owner) -> String {
    match o {
        Owner::Region(c) => c.as_str().to_string(),
        Owner::Project(id) => format!("p{id}"),
    }
}

/// A stable digest of what a write asks for, to tell a retry from a different request.
pub(crate) fn content_hash(parts: &[String]) -> String {
    let joined = parts.join("\u{1f}");
    hex(&merkle::leaf_hash(joined.as_bytes()))
}

#[async_trait]
impl LedgerStore for StoreImpl {
    async fn transfer_states(
        &self,
        client_ids: &[String],
    ) -> Result<HashMap<String, Option<String>>> {
        let mut out = HashMap::new();
        let mut conn = self.pool.acquire().await?;
        for chunk in client_ids.chunks(500) {
            let mut qb = QueryBuilder::<DB>::new(
                "SELECT client_id, state FROM transfers WHERE client_id IN (",
            );
            let mut sep = qb.separated(", ");
            for c in chunk {
                sep.push_bind(c.clone());
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut *conn).await? {
                out.insert(r.try_get("client_id")?, r.try_get("state")?);
            }
        }
        Ok(out)
    }

    async fn create_fund(&self, f: &NewFund, now: i64) -> Result<(Fund, Transfer)> {
        let mut b = Books::begin(&self.pool, now).await?;
        let out = create_fund_in(&mut b, f, now).await?;
        b.commit().await?;
        Ok(out)
    }

    async fn fund(&self, id: i64) -> Result<Option<Fund>> {
        let q = format!("SELECT {FUND_COLS} FROM funds WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(fund_row)
            .transpose()
    }

    async fn funds_within(&self, region: &RegionCode) -> Result<Vec<Fund>> {
        let (lo, hi) = subtree_range(region);
        let q = format!(
            "SELECT {FUND_COLS} FROM funds WHERE id IN (SELECT fund_id FROM ledger_accounts WHERE region_code >= $1 AND region_code <= $2) ORDER BY id"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(lo)
            .bind(hi)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(fund_row)
            .collect()
    }

    async fn book_transfer(&self, t: &NewTransfer, now: i64) -> Result<Transfer> {
        let mut b = Books::begin(&self.pool, now).await?;
        let out = self.book_in(&mut b, t, now).await?;
        b.commit().await?;
        Ok(out)
    }

    async fn confirm_receipt(
        &self,
        transfer_id: i64,
        on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer> {
        let mut b = Books::begin(&self.pool, now).await?;
        let out = self.confirm_in(&mut b, transfer_id, on, actor, now).await?;
        b.commit().await?;
        Ok(out)
    }

    async fn payment_action(
        &self,
        transfer_id: i64,
        action: PaymentAction,
        on: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer> {
        let mut b = Books::begin(&self.pool, now).await?;
        let out =
            Self::payment_in(&mut b, transfer_id, action, on, document_no, actor, now).await?;
        b.commit().await?;
        Ok(out)
    }

    async fn ledger_rows(
        &self,
        region: &RegionCode,
        subtree: bool,
        from: &str,
        to: &str,
    ) -> Result<Vec<LedgerRow>> {
        let (lo, hi) = if subtree {
            subtree_range(region)
        } else {
            (region.as_str().to_string(), region.as_str().to_string())
        };
        let q = "SELECT t.client_id, t.booked_on, t.kind, t.payee, t.amount, t.document_no, t.purpose, t.state, \
             f.source, f.fiscal_year, f.document_no AS fund_document_no, f.name AS fund_name, f.detention_days, \
             (SELECT r.client_id FROM transfers r WHERE r.fund_id = f.id AND r.kind = 'receive' ORDER BY r.id LIMIT 1) AS fund_client_id, \
             fa.owner AS from_owner, ta.owner AS to_owner, \
             (SELECT o.client_id FROM transfers o WHERE o.id = t.reverses) AS reverses_client_id \
             FROM transfers t JOIN funds f ON f.id = t.fund_id \
             LEFT JOIN ledger_accounts fa ON fa.id = t.from_account LEFT JOIN ledger_accounts ta ON ta.id = t.to_account \
             WHERE ((fa.region_code >= $1 AND fa.region_code <= $2) OR (ta.region_code >= $1 AND ta.region_code <= $2)) \
             AND t.booked_on >= $3 AND t.booked_on <= $4 ORDER BY t.id";
        let rows = sqlx::query(q)
            .bind(lo)
            .bind(hi)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        let owner = |o: Option<String>| {
            o.map(|o| {
                if let Some(p) = o.strip_prefix('p') {
                    format!("P{p}")
                } else {
                    o
                }
            })
            .unwrap_or_default()
        };
        rows.iter()
            .map(|r| {
                Ok(LedgerRow {
                    client_id: r.try_get("client_id")?,
                    booked_on: r.try_get("booked_on")?,
                    kind: r.try_get("kind")?,
                    fund_client_id: r
                        .try_get::<Option<String>, _>("fund_client_id")?
                        .unwrap_or_default(),
                    fund_source: r.try_get("source")?,
                    fiscal_year: r.try_get("fiscal_year")?,
                    fund_document_no: r.try_get("fund_document_no")?,
                    fund_name: r.try_get("fund_name")?,
                    detention_days: r.try_get("detention_days")?,
                    from: owner(r.try_get("from_owner")?),
                    to: owner(r.try_get("to_owner")?),
                    payee: r.try_get::<Option<String>, _>("payee")?.unwrap_or_default(),
                    amount: sunledger_core::money::Money::from_fen(r.try_get("amount")?)
                        .to_string(),
                    document_no: r.try_get("document_no")?,
                    purpose: r.try_get("purpose")?,
                    state: r.try_get::<Option<String>, _>("state")?.unwrap_or_default(),
                    reverses: r
                        .try_get::<Option<String>, _>("reverses_client_id")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn reconciliation(&self, region: &RegionCode) -> Result<Vec<ReconRow>> {
        let q = format!(
            "SELECT {ACCOUNT_COLS}, \
             (SELECT MIN(t.booked_on) FROM transfers t WHERE t.to_account = a.id AND t.state = 'dispatched' \
              AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id)) AS oldest_in_transit \
             FROM ledger_accounts a WHERE a.owner_kind = 'region' \
             AND a.region_code IN (SELECT code FROM regions WHERE parent_code = $1) ORDER BY a.region_code, a.fund_id"
        );
        let rows = sqlx::query(AssertSqlSafe(q))
            .bind(region.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ReconRow {
                    account: account_row(r)?,
                    oldest_in_transit: r.try_get("oldest_in_transit")?,
                })
            })
            .collect()
    }

    async fn account_credits(&self, account_id: i64) -> Result<Vec<(String, Money)>> {
        // Money that arrived: receipts, arrangements and refunds on their booking day,
        // appropriations on the day their receipt was confirmed; reversed transfers excluded.
        let rows = sqlx::query(
            "SELECT COALESCE((SELECT MIN(e.on_date) FROM transfer_events e WHERE e.transfer_id = t.id AND e.action = 'confirm'), t.booked_on) AS day, \
             t.amount FROM transfers t WHERE t.to_account = $1 AND t.kind IN ('receive', 'appropriate', 'arrange', 'refund') \
             AND (t.kind <> 'appropriate' OR t.state = 'received') \
             AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id) ORDER BY day, t.id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, Money::from_fen(r.try_get(1)?))))
            .collect()
    }

    async fn transfers_of_fund(&self, fund_id: i64) -> Result<Vec<Transfer>> {
        let q = format!("SELECT {TRANSFER_COLS} FROM transfers WHERE fund_id = $1 ORDER BY id");
        sqlx::query(AssertSqlSafe(q))
            .bind(fund_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(transfer_row)
            .collect()
    }

    async fn apply_ledger_ops(&self, ops: &[LedgerOp], now: i64) -> Result<u64> {
        let mut b = Books::begin(&self.pool, now).await?;
        // Which of the batch's client ids are booked already, in a few queries.
        let client_ids: Vec<&str> = ops
            .iter()
            .filter_map(|op| match op {
                LedgerOp::Fund(f) => Some(f.client_id.as_str()),
                LedgerOp::Transfer { transfer, .. } => Some(transfer.client_id.as_str()),
                LedgerOp::Confirm { .. } | LedgerOp::Payment { .. } => None,
            })
            .collect();
        b.look_up_client_ids(&client_ids).await?;
        let mut booked = 0u64;
        for (index, op) in ops.iter().enumerate() {
            let r: Result<bool> = async {
                match op {
                    LedgerOp::Fund(f) => {
                        create_fund_in(&mut b, f, now).await?;
                        Ok(true)
                    }
                    LedgerOp::Transfer {
                        fund,
                        reverses,
                        transfer,
                    } => {
                        let mut t = transfer.clone();
                        t.fund_id = match fund {
                            Ref::Id(id) => *id,
                            Ref::ClientId(_) => resolve_transfer(&mut b, fund).await?.fund_id,
                        };
                        if let Some(r) = reverses {
                            t.reverses = Some(resolve_transfer(&mut b, r).await?.id);
                        }
                        self.book_in(&mut b, &t, now).await?;
                        Ok(true)
                    }
                    LedgerOp::Confirm {
                        transfer,
                        on,
                        actor,
                    } => {
                        let t = resolve_transfer(&mut b, transfer).await?;
                        if t.state.as_deref() == Some("received") {
                            return Ok(false);
                        }
                        self.confirm_in(&mut b, t.id, on, *actor, now).await?;
                        Ok(true)
                    }
                    LedgerOp::Payment {
                        transfer,
                        action,
                        on,
                        document_no,
                        actor,
                    } => {
                        let t = resolve_transfer(&mut b, transfer).await?;
                        let target = match action {
                            PaymentAction::Hold => "held",
                            PaymentAction::Release => "approved",
                            PaymentAction::Pay => "paid",
                            PaymentAction::Void => "voided",
                        };
                        if t.state.as_deref() == Some(target) {
                            return Ok(false);
                        }
                        Self::payment_in(&mut b, t.id, *action, on, document_no, *actor, now)
                            .await?;
                        Ok(true)
                    }
                }
            }
            .await;
            match r {
                Ok(true) => booked += 1,
                Ok(false) => {}
                Err(e) => {
                    return Err(StoreError::Batch {
                        index,
                        error: Box::new(e),
                    });
                }
            }
        }
        b.commit().await?;
        Ok(booked)
    }

    async fn transfer(&self, id: i64) -> Result<Option<Transfer>> {
        let q = format!("SELECT {TRANSFER_COLS} FROM transfers WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(transfer_row)
            .transpose()
    }

    async fn account(&self, id: i64) -> Result<Option<Account>> {
        let q = format!("SELECT {ACCOUNT_COLS} FROM ledger_accounts WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_row)
            .transpose()
    }

    async fn account_of(&self, fund_id: i64, owner: Owner) -> Result<Option<Account>> {
        let q =
            format!("SELECT {ACCOUNT_COLS} FROM ledger_accounts WHERE fund_id = $1 AND owner = $2");
        sqlx::query(AssertSqlSafe(q))
            .bind(fund_id)
            .bind(owner_key(&owner))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_row)
            .transpose()
    }

    async fn accounts_in(&self, region: &RegionCode) -> Result<Vec<Account>> {
        let q = format!(
            "SELECT {ACCOUNT_COLS} FROM ledger_accounts WHERE region_code = $1 ORDER BY fund_id, id"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(region.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(account_row)
            .collect()
    }

    async fn transfers_of_region(
        &self,
        region: &RegionCode,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<Transfer>> {
        let q = format!(
            "SELECT {TRANSFER_COLS} FROM transfers WHERE (from_account IN (SELECT id FROM ledger_accounts WHERE region_code = $1) \
             OR to_account IN (SELECT id FROM ledger_accounts WHERE region_code = $1)) \
             AND booked_on >= $2 AND booked_on <= $3 ORDER BY id DESC LIMIT $4"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(region.as_str())
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(transfer_row)
            .collect()
    }

    /// Books a suspension issued by the finance of `region` (the issuing unit): a project or a
    /// region target must lie inside it; a payee is suspended for payments booked inside it.
    async fn suspend(
        &self,
        target: &SuspensionTarget,
        region: &RegionCode,
        reason: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Suspension> {
        check_text("reason", reason, sunledger_core::text::REASON, true)?;
        check_text(
            "document_no",
            document_no,
            sunledger_core::text::DOCUMENT_NO,
            true,
        )?;
        if let SuspensionTarget::Payee(p) = target {
            check_text("target", p, sunledger_core::text::PAYEE, false)?;
        }
        let mut tx = begin_write(&self.pool).await?;
        let outside = |v: String| {
            Err(rule(sunledger_core::DomainError::invalid(
                "target",
                "outside_issuing_unit",
                v,
            )))
        };
        let (kind, key) = match target {
            SuspensionTarget::Project(id) => {
                let p = project_in_tx(&mut tx, *id).await?;
                if !p.region.is_within(region) {
                    return outside(id.to_string());
                }
                ("project", id.to_string())
            }
            SuspensionTarget::Region(c) => {
                if !c.is_within(region) {
                    return outside(c.as_str().to_string());
                }
                ("region", c.as_str().to_string())
            }
            SuspensionTarget::Payee(p) if !p.trim().is_empty() => ("payee", p.trim().to_string()),
            SuspensionTarget::Payee(_) => {
                return Err(rule(sunledger_core::DomainError::invalid(
                    "target", "empty", "",
                )));
            }
        };
        // A retried request books once: the same target under the same document number from the
        // same unit while it is active is the same suspension.
        let q = format!(
            "SELECT {SUSPENSION_COLS} FROM suspensions WHERE target_kind = $1 AND target = $2 \
             AND document_no = $3 AND region_code = $4 AND resumed_at IS NULL"
        );
        if let Some(existing) = sqlx::query(AssertSqlSafe(q))
            .bind(kind)
            .bind(key.as_str())
            .bind(document_no.trim())
            .bind(region.as_str())
            .fetch_optional(&mut *tx)
            .await?
        {
            return suspension_row(&existing);
        }
        let row = sqlx::query(
            "INSERT INTO suspensions (county_code, target_kind, target, region_code, reason, document_no, suspended_by, suspended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(region.county_code())
        .bind(kind)
        .bind(key)
        .bind(region.as_str())
        .bind(reason.trim())
        .bind(document_no.trim())
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "suspensions", id).await?;
        let q = format!("SELECT {SUSPENSION_COLS} FROM suspensions WHERE id = $1");
        let out = one_in(&mut tx, q, id, suspension_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn suspension(&self, id: i64) -> Result<Option<Suspension>> {
        let q = format!("SELECT {SUSPENSION_COLS} FROM suspensions WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(suspension_row)
            .transpose()
    }

    async fn resume(
        &self,
        suspension_id: i64,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Suspension> {
        check_text(
            "document_no",
            document_no,
            sunledger_core::text::DOCUMENT_NO,
            false,
        )?;
        let mut tx = begin_write(&self.pool).await?;
        // A suspension the escalation ladder booked lifts when its problem is verified; before
        // that only finance a level above the ladder's unit lifts it, with its document.
        let ladder = sqlx::query(
            "SELECT s.region_code FROM suspensions s JOIN escalations e ON e.suspension_id = s.id WHERE s.id = $1",
        )
        .bind(suspension_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = ladder {
            // The ladder is the county's (the city's, for a problem above the counties): only a
            // level above it lifts early.
            let region = code(&r.try_get::<String, _>(0)?)?;
            let unit = region.ancestor_at(Level::County).unwrap_or(region);
            let above = match actor {
                Some(a) => grant_units(&mut tx, a).await?.iter().any(|(g, role)| {
                    role == "finance"
                        && RegionCode::parse(g).is_ok_and(|g| g != unit && unit.is_within(&g))
                }),
                None => false,
            };
            if !above || document_no.trim().is_empty() {
                return Err(rule(sunledger_core::DomainError::invalid(
                    "actor",
                    Control::LiftLadderSuspension.refusal(),
                    "",
                )));
            }
        }
        let n = sqlx::query("UPDATE suspensions SET resumed_at = $1, resumed_by = $2, resume_document = $3 WHERE id = $4 AND resumed_at IS NULL")
            .bind(now)
            .bind(actor)
            .bind(document_no.trim())
            .bind(suspension_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("active suspension"));
        }
        append_later_fact(&mut tx, "suspensions", suspension_id, "suspension.resume").await?;
        let q = format!("SELECT {SUSPENSION_COLS} FROM suspensions WHERE id = $1");
        let out = one_in(&mut tx, q, suspension_id, suspension_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The suspensions that concern `region`'s subtree: issued inside it, or stopping payments
    /// booked inside it (a region target above or inside it, a project inside it, a payee
    /// suspended by a unit above it). What refuses a payment is always among them.
    async fn suspensions_within(
        &self,
        region: &RegionCode,
        active_only: bool,
    ) -> Result<Vec<Suspension>> {
        let (lo, hi) = subtree_range(region);
        let lineage: Vec<String> = region
            .lineage()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!(
            "SELECT {SUSPENSION_COLS} FROM suspensions s WHERE ("
        ));
        qb.push("(s.region_code >= ")
            .push_bind(lo.clone())
            .push(" AND s.region_code <= ")
            .push_bind(hi.clone())
            .push(")");
        qb.push(" OR (s.target_kind = 'region' AND ((s.target >= ")
            .push_bind(lo.clone())
            .push(" AND s.target <= ")
            .push_bind(hi.clone())
            .push(") OR s.target IN (");
        let mut sep = qb.separated(", ");
        for c in &lineage {
            sep.push_bind(c.clone());
        }
        qb.push(")))");
        qb.push(" OR (s.target_kind = 'payee' AND s.region_code IN (");
        let mut sep = qb.separated(", ");
        for c in &lineage {
            sep.push_bind(c.clone());
        }
        qb.push("))");
        qb.push(
            " OR (s.target_kind = 'project' AND EXISTS (SELECT 1 FROM projects p \
             WHERE CAST(p.id AS TEXT) = s.target AND p.region_code >= ",
        )
        .push_bind(lo)
        .push(" AND p.region_code <= ")
        .push_bind(hi)
        .push(")))");
        if active_only {
            qb.push(" AND s.resumed_at IS NULL");
        }
        qb.push(" ORDER BY s.id DESC");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(suspension_row)
            .collect()
    }
}

//! Book 1, the fund appropriation ledger. Every booking locks the accounts it touches (in id
//! order, so concurrent bookings cannot deadlock), applies the core rules
//! (`sunledger_core::ledger`) to their totals and writes the entry; the new totals, states and log
//! facts of a whole write (one booking or a batch, see `Books`) are written together before it
//! commits — or nothing is.

use super::*;

pub(crate) fn fund_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new("fund", "funds", r.try_get("id")?, r.try_get("created_at")?)
            .county(Some(r.try_get::<String, _>("county_code")?))
            .field("region", r.try_get::<String, _>("region_code")?)
            .field("source", r.try_get::<String, _>("source")?)
            .field("fiscal_year", r.try_get::<i64, _>("fiscal_year")?)
            .field("document_no", r.try_get::<String, _>("document_no")?)
            .field("name", r.try_get::<String, _>("name")?)
            .field("detention_days", r.try_get::<i64, _>("detention_days")?),
    ])
}

/// A transfer's booked columns (its `state` changes by `transfer.event` facts).
pub(crate) fn transfer_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "transfer",
            "transfers",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("client_id", r.try_get::<String, _>("client_id")?)
        .field("fund_id", r.try_get::<i64, _>("fund_id")?)
        .field("kind", r.try_get::<String, _>("kind")?)
        .field("from_account", r.try_get::<Option<i64>, _>("from_account")?)
        .field("to_account", r.try_get::<Option<i64>, _>("to_account")?)
        .field("payee", r.try_get::<Option<String>, _>("payee")?)
        .field("amount_fen", r.try_get::<i64, _>("amount")?)
        .field("booked_on", r.try_get::<String, _>("booked_on")?)
        .field("document_no", r.try_get::<String, _>("document_no")?)
        .field("purpose", r.try_get::<String, _>("purpose")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?)
        .field("reverses", r.try_get::<Option<i64>, _>("reverses")?)
        .field("region", r.try_get::<String, _>("region_code")?),
    ])
}

pub(crate) fn transfer_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "transfer.event",
            "transfer_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("transfer_id", r.try_get::<i64, _>("transfer_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<Option<String>, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("document_no", r.try_get::<String, _>("document_no")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?)
        .field("region", r.try_get::<String, _>("region_code")?),
    ])
}

pub(crate) fn suspension_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let region: String = r.try_get("region_code")?;
    let mut out = vec![
        Fact::new("suspension", "suspensions", id, r.try_get("suspended_at")?)
            .county(county.clone())
            .field("target_kind", r.try_get::<String, _>("target_kind")?)
            .field("target", r.try_get::<String, _>("target")?)
            .field("region", region.clone())
            .field("reason", r.try_get::<String, _>("reason")?)
            .field("document_no", r.try_get::<String, _>("document_no")?)
            .field("suspended_by", r.try_get::<Option<i64>, _>("suspended_by")?),
    ];
    if let Some(at) = r.try_get::<Option<i64>, _>("resumed_at")? {
        out.push(
            Fact::new("suspension.resume", "suspensions", id, at)
                .county(county)
                .field("region", region)
                .field("resumed_by", r.try_get::<Option<i64>, _>("resumed_by")?)
                .field(
                    "resume_document",
                    r.try_get::<Option<String>, _>("resume_document")?,
                ),
        );
    }
    Ok(out)
}

pub(crate) async fn create_fund_in(
    b: &mut Books,
    f: &NewFund,
    now: i64,
) -> Result<(Fund, Transfer)> {
    sunledger_core::ledger::check_amount(f.amount).map_err(rule)?;
    check_date(&f.booked_on)?;
    if f.detention_days < 0 {
        return Err(rule(sunledger_core::DomainError::invalid(
            "detention_days",
            "negative",
            f.detention_days.to_string(),
        )));
    }
    for (field, v) in [("document_no", &f.document_no), ("name", &f.name)] {
        if v.trim().is_empty() {
            return Err(rule(sunledger_core::DomainError::invalid(
                field, "empty", "",
            )));
        }
    }
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

pub(crate) async fn project_in_tx(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Project> {
    let q = format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1");
    let r = sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("project"))?;
    project_row(&r)
}

/// One ledger write: its transaction, the log facts it owes and what it has read.
///
/// Every ledger write (one booking or a whole batch) reads accounts, transfers, funds and
/// suspensions through it, so each is read once; changed account totals and the facts of the
/// booked rows (in booking order) are written by `commit`, just before the transaction commits,
/// and so are the transfers' new states. Nothing inside a ledger write reads those back in SQL:
/// totals and states are read through `account` and `transfer`, and the facts are derived from
/// set-once columns only.
pub(crate) struct Books {
    pub(crate) tx: sqlx::Transaction<'static, DB>,
    /// Rows booked (table, id), in booking order: their facts are appended by `commit`.
    pub(crate) booked: Vec<(&'static str, i64)>,
    /// Accounts read in this transaction (locked), with their current totals.
    pub(crate) accounts: HashMap<i64, Account>,
    /// Accounts whose totals changed since they were read.
    pub(crate) dirty: BTreeSet<i64>,
    /// Transfers' new states (written at commit; nothing reads a state back in SQL before).
    pub(crate) states: BTreeMap<i64, String>,
    /// Account ids by (fund, owner key).
    pub(crate) account_ids: HashMap<(i64, String), i64>,
    /// Transfers read or booked in this transaction (locked), as they are now.
    pub(crate) transfers: HashMap<i64, Transfer>,
    /// Client ids looked up, by (county, client id): the transfer booked under each (id,
    /// content hash), or `None` when there is none. Client ids are unique per county.
    pub(crate) client_ids: HashMap<(String, String), Option<(i64, String)>>,
    /// Client ids whose transfers (in every county) were all read into `client_ids` at once.
    pub(crate) prefetched: HashSet<String>,
    /// The transfer each client id named in this write (booked or replayed here): what later
    /// steps of the same write mean by it.
    pub(crate) named: HashMap<String, i64>,
    /// Funds known to exist.
    pub(crate) funds: HashSet<i64>,
    /// Regions known to exist.
    pub(crate) regions: HashSet<RegionCode>,
    /// Projects read (their region is set once).
    pub(crate) projects: HashMap<i64, Project>,
    /// The active suspensions, read at the first payment checked: none starts or ends inside a
    /// ledger write.
    pub(crate) suspensions: Option<Vec<Suspension>>,
}

impl Books {
    pub(crate) async fn begin(pool: &Pool<DB>) -> Result<Books> {
        Ok(Books {
            tx: begin_write(pool).await?,
            booked: Vec::new(),
            accounts: HashMap::new(),
            dirty: BTreeSet::new(),
            states: BTreeMap::new(),
            account_ids: HashMap::new(),
            transfers: HashMap::new(),
            client_ids: HashMap::new(),
            prefetched: HashSet::new(),
            named: HashMap::new(),
            funds: HashSet::new(),
            regions: HashSet::new(),
            projects: HashMap::new(),
            suspensions: None,
        })
    }

    /// Writes the changed totals and the booked rows' facts, and commits.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let dirty: Vec<&Account> = self
            .dirty
            .iter()
            .filter_map(|id| self.accounts.get(id))
            .collect();
        for chunk in dirty.chunks(BATCH_ROWS) {
            let mut qb: QueryBuilder<DB> = QueryBuilder::new(
                "UPDATE ledger_accounts SET credited = v.column2, debited = v.column3, held = v.column4, \
                 in_transit = v.column5, received = v.column6 FROM (",
            );
            qb.push_values(chunk, |mut row, a| {
                row.push_bind(a.id)
                    .push_bind(a.balance.credited.fen())
                    .push_bind(a.balance.debited.fen())
                    .push_bind(a.balance.held.fen())
                    .push_bind(a.balance.in_transit.fen())
                    .push_bind(a.received_from_above.fen());
            });
            qb.push(") AS v WHERE ledger_accounts.id = v.column1");
            qb.build().execute(&mut *self.tx).await?;
        }
        let mut by_state: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for (id, state) in &self.states {
            by_state.entry(state.as_str()).or_default().push(*id);
        }
        for (state, ids) in by_state {
            for chunk in ids.chunks(BATCH_ROWS) {
                let mut qb: QueryBuilder<DB> = QueryBuilder::new("UPDATE transfers SET state = ");
                qb.push_bind(state.to_string()).push(" WHERE id IN (");
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(*id);
                }
                qb.push(")");
                qb.build().execute(&mut *self.tx).await?;
            }
        }
        let facts = rows_facts(&mut self.tx, &self.booked).await?;
        append_facts(&mut self.tx, &facts).await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Row `id` of `table` was just booked: its facts go to the log at commit.
    pub(crate) fn booked(&mut self, table: &'static str, id: i64) {
        self.booked.push((table, id));
    }

    /// The id of the account of `owner` in `fund`, created empty if needed (not locked).
    pub(crate) async fn ensure_account(&mut self, fund_id: i64, owner: &Owner) -> Result<i64> {
        let key = (fund_id, owner_key(owner));
        if let Some(id) = self.account_ids.get(&key) {
            return Ok(*id);
        }
        let (kind, region, project_id) = match owner {
            Owner::Region(c) => ("region", *c, None),
            Owner::Project(id) => ("project", self.project(*id).await?.region, Some(*id)),
        };
        sqlx::query(
            "INSERT INTO ledger_accounts (county_code, fund_id, owner_kind, owner, region_code, project_id) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fund_id, owner) DO NOTHING",
        )
        .bind(region.county_code())
        .bind(fund_id)
        .bind(kind)
        .bind(key.1.as_str())
        .bind(region.as_str())
        .bind(project_id)
        .execute(&mut *self.tx)
        .await?;
        let r = sqlx::query("SELECT id FROM ledger_accounts WHERE fund_id = $1 AND owner = $2")
            .bind(fund_id)
            .bind(key.1.as_str())
            .fetch_one(&mut *self.tx)
            .await?;
        let id: i64 = r.try_get(0)?;
        self.account_ids.insert(key, id);
        Ok(id)
    }

    /// The account of `owner` in `fund`, created empty if needed, locked for this transaction.
    pub(crate) async fn lock_account(&mut self, fund_id: i64, owner: &Owner) -> Result<Account> {
        let id = self.ensure_account(fund_id, owner).await?;
        self.account(id).await
    }

    /// Account `id` as it is now, locked for this transaction.
    pub(crate) async fn account(&mut self, id: i64) -> Result<Account> {
        if let Some(a) = self.accounts.get(&id) {
            return Ok(a.clone());
        }
        let q = format!("SELECT {ACCOUNT_COLS} FROM ledger_accounts WHERE id = $1{FOR_UPDATE}");
        let r = sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound("account"))?;
        let a = account_row(&r)?;
        self.accounts.insert(id, a.clone());
        Ok(a)
    }

    /// Keeps an account's new totals (written at commit).
    pub(crate) fn save(&mut self, a: &Account) {
        self.accounts.insert(a.id, a.clone());
        self.dirty.insert(a.id);
    }

    /// Transfer `id` as it is now, locked for this transaction.
    pub(crate) async fn transfer(&mut self, id: i64) -> Result<Transfer> {
        if let Some(t) = self.transfers.get(&id) {
            return Ok(t.clone());
        }
        let mut t = transfer_in_tx(&mut self.tx, id).await?;
        if let Some(state) = self.states.get(&id) {
            t.state = Some(state.clone());
        }
        self.transfers.insert(id, t.clone());
        Ok(t)
    }

    /// The transfer booked in `county` under `client_id` (its id and content hash), if any.
    pub(crate) async fn client_id(
        &mut self,
        county: &str,
        client_id: &str,
    ) -> Result<Option<(i64, String)>> {
        let key = (county.to_string(), client_id.to_string());
        if let Some(known) = self.client_ids.get(&key) {
            return Ok(known.clone());
        }
        if self.prefetched.contains(client_id) {
            return Ok(None);
        }
        let r = sqlx::query(
            "SELECT id, content_hash FROM transfers WHERE county_code = $1 AND client_id = $2",
        )
        .bind(county)
        .bind(client_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let found = match r {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
            None => None,
        };
        self.client_ids.insert(key, found.clone());
        Ok(found)
    }

    /// The transfer an import names by client id: the one this write booked or replayed under it,
    /// else the one booked under it in whichever county (booked in two counties: ambiguous,
    /// refused as a conflict).
    pub(crate) async fn any_client_id(&mut self, client_id: &str) -> Result<Option<i64>> {
        if let Some(id) = self.named.get(client_id) {
            return Ok(Some(*id));
        }
        let mut known: Vec<i64> = self
            .client_ids
            .iter()
            .filter(|((_, c), _)| c == client_id)
            .filter_map(|(_, v)| v.as_ref().map(|(id, _)| *id))
            .collect();
        if !self.prefetched.contains(client_id) {
            for r in sqlx::query("SELECT id FROM transfers WHERE client_id = $1")
                .bind(client_id)
                .fetch_all(&mut *self.tx)
                .await?
            {
                known.push(r.try_get(0)?);
            }
        }
        known.sort_unstable();
        known.dedup();
        match known.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => Err(StoreError::Conflict {
                field: "client_id".into(),
            }),
        }
    }

    /// Looks up the transfers booked under these client ids in a few queries. Only where a client
    /// id needs no lock first (SQLite: `BEGIN IMMEDIATE` already serialises writers).
    pub(crate) async fn look_up_client_ids(&mut self, ids: &[&str]) -> Result<()> {
        if CLIENT_ID_LOCK.is_some() {
            return Ok(());
        }
        for chunk in ids.chunks(BATCH_ROWS) {
            let mut qb: QueryBuilder<DB> = QueryBuilder::new(
                "SELECT id, client_id, content_hash, county_code FROM transfers WHERE client_id IN (",
            );
            let mut sep = qb.separated(", ");
            for c in chunk {
                sep.push_bind(c.to_string());
            }
            qb.push(")");
            for c in chunk {
                self.prefetched.insert(c.to_string());
            }
            for r in qb.build().fetch_all(&mut *self.tx).await? {
                let client_id: String = r.try_get(1)?;
                let county: String = r.try_get(3)?;
                self.client_ids
                    .insert((county, client_id), Some((r.try_get(0)?, r.try_get(2)?)));
            }
        }
        Ok(())
    }

    /// Project `id`.
    pub(crate) async fn project(&mut self, id: i64) -> Result<Project> {
        if let Some(p) = self.projects.get(&id) {
            return Ok(p.clone());
        }
        let p = project_in_tx(&mut self.tx, id).await?;
        self.projects.insert(id, p.clone());
        Ok(p)
    }

    /// Whether region `c` exists.
    pub(crate) async fn region_exists(&mut self, c: &RegionCode) -> Result<bool> {
        if self.regions.contains(c) {
            return Ok(true);
        }
        let found = !self_region_missing(&mut self.tx, c).await?;
        if found {
            self.regions.insert(*c);
        }
        Ok(found)
    }

    /// Whether fund `id` exists.
    pub(crate) async fn fund_exists(&mut self, id: i64) -> Result<bool> {
        if self.funds.contains(&id) {
            return Ok(true);
        }
        let found = sqlx::query("SELECT id FROM funds WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .is_some();
        if found {
            self.funds.insert(id);
        }
        Ok(found)
    }

    /// The active suspension that stops a payment touching `project` (and its region) or `payee`:
    /// the first (by id) of those that match.
    pub(crate) async fn blocking_suspension(
        &mut self,
        region: &RegionCode,
        project: Option<i64>,
        payee: Option<&str>,
    ) -> Result<Option<Suspension>> {
        if self.suspensions.is_none() {
            let q = format!(
                "SELECT {SUSPENSION_COLS} FROM suspensions WHERE resumed_at IS NULL ORDER BY id"
            );
            let rows = sqlx::query(AssertSqlSafe(q))
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(suspension_row)
                .collect::<Result<Vec<_>>>()?;
            self.suspensions = Some(rows);
        }
        let active = self.suspensions.as_deref().unwrap_or_default();
        let lineage: Vec<String> = region
            .lineage()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        let project = project.map(|p| p.to_string());
        // A payee is suspended in the issuing unit's subtree only (the suspension's region): a
        // county's decision does not stop another county's payments.
        Ok(active
            .iter()
            .find(|s| match s.target_kind.as_str() {
                "region" => lineage.contains(&s.target),
                "project" => project.as_deref() == Some(s.target.as_str()),
                "payee" => payee == Some(s.target.as_str()) && lineage.contains(&s.region),
                _ => false,
            })
            .cloned())
    }
}

/// The facts of the given rows, in their order, read with one query per table and chunk.
pub(crate) async fn rows_facts(
    tx: &mut sqlx::Transaction<'static, DB>,
    rows: &[(&'static str, i64)],
) -> Result<Vec<Fact>> {
    let mut by_table: HashMap<&'static str, Vec<i64>> = HashMap::new();
    for (table, id) in rows {
        by_table.entry(*table).or_default().push(*id);
    }
    let mut facts: HashMap<(&'static str, i64), Vec<Fact>> = HashMap::with_capacity(rows.len());
    for (table, ids) in by_table {
        let (select, build) = fact_source(table).ok_or(StoreError::NotFound("fact table"))?;
        for chunk in ids.chunks(BATCH_ROWS) {
            let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!("{select} WHERE id IN ("));
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut **tx).await? {
                let id: i64 = r.try_get("id")?;
                facts.insert((table, id), build(&r)?);
            }
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for key in rows {
        out.extend(
            facts
                .remove(key)
                .ok_or(StoreError::NotFound("booked row"))?,
        );
    }
    Ok(out)
}

pub(crate) fn suspended(s: Suspension) -> StoreError {
    StoreError::Suspended {
        id: s.id,
        document_no: s.document_no,
        reason: s.reason,
    }
}

/// Where a transfer was booked: its county, the accounts debited and credited, its first state.
pub(crate) struct Placement<'a> {
    pub(crate) county: &'a str,
    pub(crate) from: Option<i64>,
    pub(crate) to: Option<i64>,
    pub(crate) state: Option<&'a str>,
}

pub(crate) async fn insert_transfer(
    b: &mut Books,
    t: &NewTransfer,
    hash: &str,
    at: Placement<'_>,
    now: i64,
) -> Result<i64> {
    let Placement {
        county,
        from,
        to,
        state,
    } = at;
    let row = sqlx::query(
        "INSERT INTO transfers (county_code, client_id, content_hash, fund_id, kind, from_account, to_account, payee, amount, \
         booked_on, document_no, purpose, actor_id, reverses, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(county)
    .bind(t.client_id.as_str())
    .bind(hash)
    .bind(t.fund_id)
    .bind(t.kind.key())
    .bind(from)
    .bind(to)
    .bind(t.payee.as_deref())
    .bind(t.amount.fen())
    .bind(t.booked_on.as_str())
    .bind(t.document_no.as_str())
    .bind(t.purpose.as_str())
    .bind(t.actor)
    .bind(t.reverses)
    .bind(state)
    .bind(now)
    .fetch_one(&mut *b.tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    b.booked("transfers", id);
    b.client_ids.insert(
        (county.to_string(), t.client_id.clone()),
        Some((id, hash.to_string())),
    );
    b.named.insert(t.client_id.clone(), id);
    // What the row now holds: the columns just written.
    b.transfers.insert(
        id,
        Transfer {
            id,
            client_id: t.client_id.clone(),
            fund_id: t.fund_id,
            kind: t.kind.key().to_string(),
            from_account: from,
            to_account: to,
            payee: t.payee.clone(),
            amount: t.amount,
            booked_on: t.booked_on.clone(),
            document_no: t.document_no.clone(),
            purpose: t.purpose.clone(),
            actor_id: t.actor,
            reverses: t.reverses,
            state: state.map(str::to_string),
        },
    );
    Ok(id)
}

pub(crate) async fn transfer_in_tx(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Transfer> {
    let q = format!("SELECT {TRANSFER_COLS} FROM transfers WHERE id = $1{FOR_UPDATE}");
    let r = sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("transfer"))?;
    transfer_row(&r)
}

/// A transfer already booked in `county` under this client id: the same request (returned) or a
/// conflict. Another county's use of the same client id is not seen (nor told).
pub(crate) async fn replay(
    b: &mut Books,
    county: &str,
    client_id: &str,
    hash: &str,
) -> Result<Option<Transfer>> {
    // Concurrent requests with one client id are serialised first, so a retry racing the
    // original waits for it and then gets its result.
    if let Some(lock) = CLIENT_ID_LOCK {
        sqlx::query(lock)
            .bind(client_id)
            .execute(&mut *b.tx)
            .await?;
    }
    match b.client_id(county, client_id).await? {
        None => Ok(None),
        Some((id, stored)) => {
            if stored != hash {
                return Err(StoreError::Conflict {
                    field: "client_id".into(),
                });
            }
            b.named.insert(client_id.to_string(), id);
            Ok(Some(b.transfer(id).await?))
        }
    }
}

/// One change of a transfer's state.
pub(crate) struct StateChange<'a> {
    pub(crate) county: &'a str,
    pub(crate) action: &'a str,
    pub(crate) to_state: &'a str,
    pub(crate) on: &'a str,
    pub(crate) document_no: &'a str,
    pub(crate) actor: Option<i64>,
}

pub(crate) async fn record_event(
    b: &mut Books,
    t: &Transfer,
    c: StateChange<'_>,
    now: i64,
) -> Result<()> {
    let StateChange {
        county,
        action,
        to_state,
        on,
        document_no,
        actor,
    } = c;
    let row = sqlx::query(
        "INSERT INTO transfer_events (county_code, transfer_id, action, from_state, to_state, on_date, document_no, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(county)
    .bind(t.id)
    .bind(action)
    .bind(t.state.as_deref())
    .bind(to_state)
    .bind(on)
    .bind(document_no)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *b.tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    b.states.insert(t.id, to_state.to_string());
    if let Some(cached) = b.transfers.get_mut(&t.id) {
        cached.state = Some(to_state.to_string());
    }
    b.booked("transfer_events", id);
    Ok(())
}

pub(crate) fn check_date(s: &str) -> Result<()> {
    let ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok();
    if ok {
        Ok(())
    } else {
        Err(rule(sunledger_core::DomainError::invalid(
            "booked_on",
            "not_a_date",
            s,
        )))
    }
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
        check_date(&t.booked_on)?;
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
        check_date(on)?;
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
        check_date(on)?;
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
        let mut b = Books::begin(&self.pool).await?;
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
        let mut b = Books::begin(&self.pool).await?;
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
        let mut b = Books::begin(&self.pool).await?;
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
        let mut b = Books::begin(&self.pool).await?;
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
        let mut b = Books::begin(&self.pool).await?;
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

    async fn transfers_of_region(&self, region: &RegionCode, limit: i64) -> Result<Vec<Transfer>> {
        let q = format!(
            "SELECT {TRANSFER_COLS} FROM transfers WHERE from_account IN (SELECT id FROM ledger_accounts WHERE region_code = $1) \
             OR to_account IN (SELECT id FROM ledger_accounts WHERE region_code = $1) ORDER BY id DESC LIMIT $2"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(region.as_str())
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
        for (field, v) in [("reason", reason), ("document_no", document_no)] {
            if v.trim().is_empty() {
                return Err(rule(sunledger_core::DomainError::invalid(
                    field, "empty", "",
                )));
            }
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
        let mut tx = begin_write(&self.pool).await?;
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

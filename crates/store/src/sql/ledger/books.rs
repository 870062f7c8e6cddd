//! `Books`, one ledger write: its transaction, what it has read, the facts it owes; and the
//! low-level inserts of transfers and their events.

use super::*;

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
    /// Accounts as they were first read in this transaction (before any change).
    pub(crate) read: HashMap<i64, Account>,
    /// Accounts created in this transaction.
    pub(crate) created: BTreeSet<i64>,
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
    /// The time of this write (accounts it creates are booked at it).
    pub(crate) now: i64,
}

impl Books {
    pub(crate) async fn begin(pool: &Pool<DB>, now: i64) -> Result<Books> {
        Ok(Books {
            tx: begin_write(pool).await?,
            booked: Vec::new(),
            accounts: HashMap::new(),
            read: HashMap::new(),
            created: BTreeSet::new(),
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
            now,
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
        self.write_states().await?;
        self.figures().await?;
        let facts = rows_facts(&mut self.tx, &self.booked).await?;
        append_facts(&mut self.tx, &facts).await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Keeps the running figures (`summary::figures`) up to date with this write: each changed
    /// or created account's change added to its region's and its ancestors' totals, and the
    /// detention credits of the changed level accounts written again. Runs after the states are
    /// written (a confirmed appropriation counts from its confirmation).
    async fn figures(&mut self) -> Result<()> {
        let mut changes = Vec::new();
        let mut levels = Vec::new();
        let ids: Vec<i64> = self.dirty.union(&self.created).copied().collect();
        for id in &ids {
            let Some(now) = self.accounts.get(id) else {
                // Created and never read: it holds nothing yet.
                if self.created.contains(id) {
                    let a = self.account(*id).await?;
                    changes.push(AccountChange::between(None, &a));
                }
                continue;
            };
            let before = if self.created.contains(id) {
                None
            } else {
                Some(self.read.get(id).ok_or_else(|| {
                    StoreError::Corrupt(format!("account {id} changed without being read"))
                })?)
            };
            changes.push(AccountChange::between(before, now));
            if now.owner_kind == "region" && self.dirty.contains(id) {
                levels.push((*id, now.region.county_code().to_string()));
            }
        }
        add_to_totals(&mut self.tx, &changes).await?;
        rebuild_credits(&mut self.tx, &levels).await
    }

    async fn write_states(&mut self) -> Result<()> {
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
        let created = sqlx::query(
            "INSERT INTO ledger_accounts (county_code, fund_id, owner_kind, owner, region_code, project_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (fund_id, owner) DO NOTHING RETURNING id",
        )
        .bind(region.county_code())
        .bind(fund_id)
        .bind(kind)
        .bind(key.1.as_str())
        .bind(region.as_str())
        .bind(project_id)
        .bind(self.now)
        .fetch_optional(&mut *self.tx)
        .await?;
        let r = match created {
            Some(r) => {
                // A new account is a booked fact: whose share of which fund it is.
                self.booked("ledger_accounts", r.try_get(0)?);
                self.created.insert(r.try_get(0)?);
                r
            }
            None => {
                sqlx::query("SELECT id FROM ledger_accounts WHERE fund_id = $1 AND owner = $2")
                    .bind(fund_id)
                    .bind(key.1.as_str())
                    .fetch_one(&mut *self.tx)
                    .await?
            }
        };
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
        self.read.insert(id, a.clone());
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
        let t = fact_table(table).ok_or(StoreError::NotFound("fact table"))?;
        for chunk in ids.chunks(BATCH_ROWS) {
            let mut qb: QueryBuilder<DB> =
                QueryBuilder::new(format!("{} WHERE {} IN (", t.select, t.key.column()));
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                t.key.bind(&mut qb, *id);
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut **tx).await? {
                let id: i64 = r.try_get("id")?;
                facts.insert((table, id), (t.build)(&r)?);
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

/// A booking day: exactly `YYYY-MM-DD` (`not_a_date`) and no later than today in Beijing
/// (`in_future`), refused naming `field`.
pub(crate) fn check_date(field: &'static str, s: &str, now: i64) -> Result<()> {
    if !sunledger_core::day::is_day(s) {
        return Err(rule(sunledger_core::DomainError::invalid(
            field,
            "not_a_date",
            s,
        )));
    }
    sunledger_core::day::parse_past(field, s, sunledger_core::day::today(now)).map_err(rule)?;
    Ok(())
}

/// A free-text field of a booking, trimmed, at most `max` characters (`too_long`, naming the
/// bound); `required` refuses it empty (`empty`).
pub(crate) fn check_text(
    field: &'static str,
    s: &str,
    max: usize,
    required: bool,
) -> Result<String> {
    if required {
        sunledger_core::text::nonempty(field, s, max)
    } else {
        sunledger_core::text::bounded(field, s, max)
    }
    .map_err(rule)
}

// The SQL shared by both backends. This file is `include!`d by `sqlite.rs` and `postgres.rs`,
// each of which defines `DB`, `StoreImpl` (with a `pool` field), `BACKEND` and `begin_write`
// before including it. Placeholders are `$1`-style, which both engines accept.

use crate::error::classify;
use crate::model::*;
use crate::{Store, StoreError};
use async_trait::async_trait;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashMap;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use sunledger_core::fact::Fact;
use sunledger_core::merkle::{self, Hash, NodeId};
use sunledger_core::{Level, RegionCode};

type DbRow = <DB as sqlx::Database>::Row;

/// Batch size for multi-row inserts: below both engines' limit on bound parameters.
const BATCH_ROWS: usize = 1000;

fn code(s: &str) -> Result<RegionCode> {
    RegionCode::parse(s).map_err(|e| StoreError::Corrupt(format!("region code {s:?}: {e}")))
}

fn opt_code(s: Option<String>) -> Result<Option<RegionCode>> {
    s.as_deref().map(code).transpose()
}

/// The inclusive range of 12-digit codes inside `scope`'s subtree.
fn subtree_range(scope: &RegionCode) -> (String, String) {
    let p = scope.prefix();
    let pad = 12usize.saturating_sub(p.len());
    (
        format!("{p}{}", "0".repeat(pad)),
        format!("{p}{}", "9".repeat(pad)),
    )
}

fn push_scope_filter(qb: &mut QueryBuilder<DB>, column: &str, scopes: &[RegionCode]) {
    qb.push("(");
    if scopes.is_empty() {
        qb.push("1 = 0");
    }
    for (i, s) in scopes.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        let (lo, hi) = subtree_range(s);
        qb.push(format!("({column} >= "))
            .push_bind(lo)
            .push(format!(" AND {column} <= "))
            .push_bind(hi)
            .push(")");
    }
    qb.push(")");
}

fn region_row(r: &DbRow) -> Result<Region> {
    let level: i64 = r.try_get("level")?;
    Ok(Region {
        code: code(&r.try_get::<String, _>("code")?)?,
        name: r.try_get("name")?,
        level: Level::from_i64(level)
            .ok_or_else(|| StoreError::Corrupt(format!("region level {level}")))?,
        parent: opt_code(r.try_get("parent_code")?)?,
        children: r.try_get("children")?,
    })
}

fn department_row(r: &DbRow) -> Result<Department> {
    Ok(Department {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        credit_code: r.try_get("credit_code")?,
        stationed_by: r.try_get("stationed_by")?,
    })
}

fn person_row(r: &DbRow) -> Result<Person> {
    Ok(Person {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        department_id: r.try_get("department_id")?,
        name: r.try_get("name")?,
        position: r.try_get("position")?,
        phone: r.try_get("phone")?,
    })
}

fn user_row(r: &DbRow) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        person_id: r.try_get("person_id")?,
        locale: r.try_get("locale")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

fn grant_row(r: &DbRow) -> Result<GrantRow> {
    Ok(GrantRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        role: r.try_get("role")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        granted_by: r.try_get("granted_by")?,
        granted_at: r.try_get("granted_at")?,
        revoked_by: r.try_get("revoked_by")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

fn auth_event_row(r: &DbRow) -> Result<AuthEvent> {
    Ok(AuthEvent {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        kind: r.try_get("kind")?,
        region: r.try_get("region_code")?,
        username: r.try_get("username")?,
        user_id: r.try_get("user_id")?,
        actor_id: r.try_get("actor_id")?,
        ip: r.try_get("ip")?,
        detail: r.try_get("detail")?,
    })
}

fn limit_row(r: &DbRow) -> Result<SignInLimit> {
    Ok(SignInLimit {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        username: r.try_get("username")?,
        ip: r.try_get("ip")?,
        region: r.try_get("region_code")?,
        attempts: r.try_get("attempts")?,
        window_start: r.try_get("window_start")?,
        next_at: r.try_get("next_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const LIMIT_COLS: &str =
    "id, kind, username, ip, region_code, attempts, window_start, next_at, updated_at";
const REGION_COLS: &str = "r.code, r.name, r.level, r.parent_code, \
    (SELECT COUNT(*) FROM regions c WHERE c.parent_code = r.code) AS children";
const DEPARTMENT_COLS: &str = "id, region_code, kind, name, credit_code, stationed_by";
const PERSON_COLS: &str = "id, region_code, department_id, name, position, phone";
const USER_COLS: &str = "id, username, display_name, password_hash, region_code, person_id, locale, disabled, created_at";
const GRANT_COLS: &str =
    "id, user_id, role, region_code, granted_by, granted_at, revoked_by, revoked_at";

async fn insert_event(tx: &mut sqlx::Transaction<'static, DB>, e: &NewAuthEvent) -> Result<()> {
    sqlx::query(
        "INSERT INTO auth_events (county_code, region_code, at, kind, username, user_id, actor_id, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.region.as_ref().map(|r| r.county_code().to_string()))
    .bind(e.region.as_ref().map(|r| r.as_str().to_string()))
    .bind(e.at)
    .bind(e.kind.key())
    .bind(e.username.as_deref())
    .bind(e.user_id)
    .bind(e.actor_id)
    .bind(e.ip.as_deref())
    .bind(e.detail.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_department(
    tx: &mut sqlx::Transaction<'static, DB>,
    d: &NewDepartment,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO departments (county_code, region_code, kind, name, credit_code, stationed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(d.region.county_code())
    .bind(d.region.as_str())
    .bind(d.kind.key())
    .bind(d.name.as_str())
    .bind(d.credit_code.as_ref().map(|c| c.as_str().to_string()))
    .bind(d.stationed_by.as_deref())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "departments", id).await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// The tamper-evident log. Facts are built from the rows as stored (re-read inside the writing
// transaction), by the same functions `verify` uses, so a leaf always says what its row says.

fn grant_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let region: String = r.try_get("region_code")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new("grant", "grants", id, r.try_get("granted_at")?)
            .county(county.clone())
            .field("user_id", r.try_get::<i64, _>("user_id")?)
            .field("role", r.try_get::<String, _>("role")?)
            .field("region", region)
            .field("granted_by", r.try_get::<Option<i64>, _>("granted_by")?),
    ];
    if let Some(at) = r.try_get::<Option<i64>, _>("revoked_at")? {
        out.push(
            Fact::new("grant.revoke", "grants", id, at)
                .county(county)
                .field("revoked_by", r.try_get::<Option<i64>, _>("revoked_by")?),
        );
    }
    Ok(out)
}

fn user_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "account",
            "users",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("username", r.try_get::<String, _>("username")?)
        .field("display_name", r.try_get::<String, _>("display_name")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("person_id", r.try_get::<Option<i64>, _>("person_id")?),
    ])
}

fn account_status_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let disabled = r.try_get::<i64, _>("disabled")? != 0;
    Ok(vec![
        Fact::new(
            if disabled {
                "account.disable"
            } else {
                "account.enable"
            },
            "account_status",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("user_id", r.try_get::<i64, _>("user_id")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn department_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "department",
            "departments",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("kind", r.try_get::<String, _>("kind")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field(
            "credit_code",
            r.try_get::<Option<String>, _>("credit_code")?,
        )
        .field(
            "stationed_by",
            r.try_get::<Option<String>, _>("stationed_by")?,
        ),
    ])
}

fn person_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "person",
            "people",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("department_id", r.try_get::<i64, _>("department_id")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("position", r.try_get::<String, _>("position")?)
        .field("phone", r.try_get::<Option<String>, _>("phone")?),
    ])
}

/// A project's identity: where it is and who registered it. Its content is in versioned
/// `project.version` facts and its stage and status in `project.event` facts.
fn project_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "project",
            "projects",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("created_by", r.try_get::<Option<i64>, _>("created_by")?),
    ])
}

fn fund_facts(r: &DbRow) -> Result<Vec<Fact>> {
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
fn transfer_facts(r: &DbRow) -> Result<Vec<Fact>> {
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

fn transfer_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
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

fn suspension_facts(r: &DbRow) -> Result<Vec<Fact>> {
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

/// Builds the facts of one row.
type FactBuilder = fn(&DbRow) -> Result<Vec<Fact>>;

/// The facts a row of `table` says, and the query that reads such rows in id order.
fn fact_source(table: &str) -> Option<(&'static str, FactBuilder)> {
    Some(match table {
        "users" => (
            "SELECT id, username, display_name, region_code, county_code, person_id, created_at FROM users",
            user_facts,
        ),
        "grants" => (
            "SELECT id, user_id, role, region_code, county_code, granted_by, granted_at, revoked_by, revoked_at FROM grants",
            grant_facts,
        ),
        "account_status" => (
            "SELECT id, county_code, region_code, user_id, disabled, reason, actor_id, at FROM account_status",
            account_status_facts,
        ),
        "departments" => (
            "SELECT id, region_code, county_code, kind, name, credit_code, stationed_by, created_at FROM departments",
            department_facts,
        ),
        "people" => (
            "SELECT id, department_id, region_code, county_code, name, position, phone, created_at FROM people",
            person_facts,
        ),
        "projects" => (
            "SELECT id, county_code, region_code, created_by, created_at FROM projects",
            project_facts,
        ),
        "funds" => (
            "SELECT id, county_code, region_code, source, fiscal_year, document_no, name, detention_days, created_at FROM funds",
            fund_facts,
        ),
        "transfers" => (
            "SELECT t.id, t.county_code, t.client_id, t.fund_id, t.kind, t.from_account, t.to_account, t.payee, t.amount, \
             t.booked_on, t.document_no, t.purpose, t.actor_id, t.reverses, t.created_at, \
             COALESCE((SELECT a.region_code FROM ledger_accounts a WHERE a.id = COALESCE(t.from_account, t.to_account)), '') AS region_code \
             FROM transfers t",
            transfer_facts,
        ),
        "transfer_events" => (
            "SELECT e.id, e.county_code, e.transfer_id, e.action, e.from_state, e.to_state, e.on_date, e.document_no, e.actor_id, e.at, \
             COALESCE((SELECT a.region_code FROM transfers t JOIN ledger_accounts a ON a.id = COALESCE(t.from_account, t.to_account) \
             WHERE t.id = e.transfer_id), '') AS region_code FROM transfer_events e",
            transfer_event_facts,
        ),
        "suspensions" => (
            "SELECT id, county_code, target_kind, target, region_code, reason, document_no, suspended_by, suspended_at, \
             resumed_by, resumed_at, resume_document FROM suspensions",
            suspension_facts,
        ),
        _ => return project_fact_source(table).or_else(|| supervision_fact_source(table)),
    })
}

/// Reads row `id` of `table` inside the transaction and returns its facts.
async fn row_facts(
    tx: &mut sqlx::Transaction<'static, DB>,
    table: &str,
    id: i64,
) -> Result<Vec<Fact>> {
    let (select, build) = fact_source(table).ok_or(StoreError::NotFound("fact table"))?;
    let row = sqlx::query(AssertSqlSafe(format!("{select} WHERE id = $1")))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    build(&row)
}

/// Appends every fact row `id` of `table` says (a row just booked).
async fn append_row_facts(
    tx: &mut sqlx::Transaction<'static, DB>,
    table: &str,
    id: i64,
) -> Result<()> {
    let facts = row_facts(tx, table, id).await?;
    append_facts(tx, &facts).await
}

/// Appends the facts of kind `kind` that row `id` of `table` says now: the later fact of a row
/// whose set-once columns were just filled (a revocation, an answer, an ending...).
async fn append_later_fact(
    tx: &mut sqlx::Transaction<'static, DB>,
    table: &str,
    id: i64,
    kind: &str,
) -> Result<()> {
    let facts: Vec<Fact> = row_facts(tx, table, id)
        .await?
        .into_iter()
        .filter(|f| f.kind == kind)
        .collect();
    append_facts(tx, &facts).await
}

/// Reads one row by id inside the transaction and maps it.
async fn one_in<T>(
    tx: &mut sqlx::Transaction<'static, DB>,
    select: String,
    id: i64,
    f: fn(&DbRow) -> Result<T>,
) -> Result<T> {
    f(&sqlx::query(AssertSqlSafe(select))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?)
}

/// Appends facts to the log inside the caller's transaction: the leaf rows, the leaf nodes and
/// the perfect subtrees they complete, and the new size. Every append locks the log head, so
/// appends are serialised on both backends.
///
/// The hashes are computed in memory from the log's frontier (the roots of the perfect subtrees
/// along its right edge, the only stored nodes an append reads) and written with multi-row
/// INSERTs, so a batch costs a few statements however many facts it has.
async fn append_facts(tx: &mut sqlx::Transaction<'static, DB>, facts: &[Fact]) -> Result<()> {
    if facts.is_empty() {
        return Ok(());
    }
    let size: i64 = sqlx::query(AssertSqlSafe(format!(
        "SELECT size FROM log_head WHERE id = 1{FOR_UPDATE}"
    )))
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let start = u64::try_from(size).map_err(|_| StoreError::Corrupt(format!("log size {size}")))?;
    // Every left child an append reads is a frontier node or a node of this batch.
    let frontier = merkle::root_nodes(start);
    let mut known: HashMap<NodeId, Hash> = HashMap::new();
    if !frontier.is_empty() {
        for r in nodes_query(&frontier).build().fetch_all(&mut **tx).await? {
            let (id, h) = node_of_row(&r)?;
            known.insert(id, h);
        }
    }
    let mut n = start;
    let mut nodes: Vec<(NodeId, Hash)> = Vec::with_capacity(facts.len() * 2);
    let mut leaves: Vec<(u64, Vec<u8>)> = Vec::with_capacity(facts.len());
    for fact in facts {
        let data = fact.canonical();
        let leaf = merkle::leaf_hash(&data);
        known.insert(NodeId::leaf(n), leaf);
        nodes.push((NodeId::leaf(n), leaf));
        for id in merkle::completed_by_append(n) {
            let (l, r) = id
                .children()
                .ok_or_else(|| StoreError::Corrupt("leaf has no children".into()))?;
            let child = |c: NodeId| {
                known.get(&c).copied().ok_or_else(|| {
                    StoreError::Corrupt(format!("log node {}/{} is missing", c.level, c.index))
                })
            };
            let h = merkle::node_hash(&child(l)?, &child(r)?);
            // Both children are covered by the new node from now on.
            known.remove(&l);
            known.remove(&r);
            known.insert(id, h);
            nodes.push((id, h));
        }
        leaves.push((n, data));
        n += 1;
    }
    for chunk in facts
        .iter()
        .zip(leaves)
        .collect::<Vec<_>>()
        .chunks(BATCH_ROWS)
    {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "INSERT INTO log_leaves (idx, county_code, kind, record_table, record_id, at, data) ",
        );
        qb.push_values(chunk, |mut b, (fact, (idx, data))| {
            b.push_bind(*idx as i64)
                .push_bind(fact.county.clone())
                .push_bind(fact.kind)
                .push_bind(fact.table)
                .push_bind(fact.id)
                .push_bind(fact.at)
                .push_bind(data.clone());
        });
        qb.build().execute(&mut **tx).await?;
    }
    for chunk in nodes.chunks(BATCH_ROWS) {
        let mut qb: QueryBuilder<DB> =
            QueryBuilder::new("INSERT INTO log_nodes (level, idx, hash) ");
        qb.push_values(chunk, |mut b, (id, h)| {
            b.push_bind(i64::from(id.level))
                .push_bind(id.index as i64)
                .push_bind(h.to_vec());
        });
        qb.build().execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE log_head SET size = $1 WHERE id = 1")
        .bind(n as i64)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `SELECT level, idx, hash` of the given log nodes (at most `BATCH_ROWS` of them).
fn nodes_query(ids: &[NodeId]) -> QueryBuilder<DB> {
    let mut qb: QueryBuilder<DB> =
        QueryBuilder::new("SELECT level, idx, hash FROM log_nodes WHERE ");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push("(level = ")
            .push_bind(i64::from(id.level))
            .push(" AND idx = ")
            .push_bind(id.index as i64)
            .push(")");
    }
    qb
}

fn node_of_row(r: &DbRow) -> Result<(NodeId, Hash)> {
    let level: i64 = r.try_get(0)?;
    let idx: i64 = r.try_get(1)?;
    Ok((
        NodeId::new(level as u32, idx as u64),
        to_hash(r.try_get(2)?)?,
    ))
}

fn to_hash(v: Vec<u8>) -> Result<Hash> {
    Hash::try_from(v.as_slice())
        .map_err(|_| StoreError::Corrupt("a stored hash is not 32 bytes".into()))
}

fn leaf_row(r: &DbRow) -> Result<LogLeaf> {
    Ok(LogLeaf {
        index: r.try_get::<i64, _>("idx")? as u64,
        kind: r.try_get("kind")?,
        record_table: r.try_get("record_table")?,
        record_id: r.try_get("record_id")?,
        county_code: r.try_get("county_code")?,
        at: r.try_get("at")?,
        data: r.try_get("data")?,
    })
}

fn checkpoint_row(r: &DbRow) -> Result<StoredCheckpoint> {
    let consistency: String = r.try_get("consistency")?;
    Ok(StoredCheckpoint {
        size: r.try_get::<i64, _>("size")? as u64,
        root: to_hash(r.try_get("root")?)?,
        note: r.try_get("note")?,
        prev_size: r.try_get::<Option<i64>, _>("prev_size")?.map(|v| v as u64),
        consistency: consistency
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        at: r.try_get("at")?,
    })
}

const LEAF_COLS: &str = "idx, county_code, kind, record_table, record_id, at, data";
const CHECKPOINT_COLS: &str = "size, root, note, prev_size, consistency, at";

async fn insert_person(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &NewPerson,
    now: i64,
) -> Result<i64> {
    let dept = sqlx::query("SELECT region_code, county_code FROM departments WHERE id = $1")
        .bind(p.department_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("department"))?;
    let region: String = dept.try_get(0)?;
    let county: String = dept.try_get(1)?;
    let row = sqlx::query(
        "INSERT INTO people (county_code, region_code, department_id, name, position, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(county)
    .bind(region)
    .bind(p.department_id)
    .bind(p.name.as_str())
    .bind(p.position.key())
    .bind(p.phone.as_deref())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "people", id).await?;
    Ok(id)
}

async fn create_fund_in(b: &mut Books, f: &NewFund, now: i64) -> Result<(Fund, Transfer)> {
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

#[async_trait]
impl Store for StoreImpl {
    fn backend(&self) -> Backend {
        BACKEND
    }

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

    async fn project_notice(&self, id: i64) -> Result<Option<ProjectNotice>> {
        self.p_notice(id).await
    }

    async fn region_summary(&self, region: &RegionCode, today: i64) -> Result<RegionSummary> {
        self.s_region_summary(region, today).await
    }

    async fn region_names(&self) -> Result<HashMap<RegionCode, String>> {
        let rows = sqlx::query("SELECT code, name FROM regions")
            .fetch_all(&self.pool)
            .await?;
        let mut m = HashMap::with_capacity(rows.len());
        for r in rows {
            m.insert(code(&r.try_get::<String, _>(0)?)?, r.try_get(1)?);
        }
        Ok(m)
    }

    async fn upsert_regions(&self, rows: &[NewRegion], now: i64) -> Result<UpsertCounts> {
        // A code named twice keeps its last name, as if the rows were applied in order.
        let mut last: HashMap<RegionCode, usize> = HashMap::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            last.insert(r.code, i);
        }
        let rows: Vec<&NewRegion> = rows
            .iter()
            .enumerate()
            .filter(|(i, r)| last.get(&r.code) == Some(i))
            .map(|(_, r)| r)
            .collect();
        let mut tx = begin_write(&self.pool).await?;
        let mut counts = UpsertCounts::default();
        for chunk in rows.chunks(BATCH_ROWS) {
            let mut existing: HashMap<String, String> = HashMap::new();
            let mut qb: QueryBuilder<DB> =
                QueryBuilder::new("SELECT code, name FROM regions WHERE code IN (");
            let mut sep = qb.separated(", ");
            for r in chunk {
                sep.push_bind(r.code.as_str().to_string());
            }
            qb.push(")");
            for row in qb.build().fetch_all(&mut *tx).await? {
                existing.insert(row.try_get(0)?, row.try_get(1)?);
            }
            let changed: Vec<&NewRegion> = chunk
                .iter()
                .copied()
                .filter(|r| existing.get(r.code.as_str()) != Some(&r.name))
                .collect();
            for r in &changed {
                if existing.contains_key(r.code.as_str()) {
                    counts.renamed += 1;
                } else {
                    counts.inserted += 1;
                }
            }
            if changed.is_empty() {
                continue;
            }
            let mut qb: QueryBuilder<DB> = QueryBuilder::new(
                "INSERT INTO regions (code, name, level, parent_code, county_code, updated_at) ",
            );
            qb.push_values(changed, |mut b, r| {
                b.push_bind(r.code.as_str().to_string())
                    .push_bind(r.name.clone())
                    .push_bind(r.code.level().as_i64())
                    .push_bind(r.code.parent().map(|p| p.as_str().to_string()))
                    .push_bind(r.code.county_code().to_string())
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at");
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(counts)
    }

    async fn region(&self, c: &RegionCode) -> Result<Option<Region>> {
        let q = format!("SELECT {REGION_COLS} FROM regions r WHERE r.code = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(c.as_str())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(region_row)
            .transpose()
    }

    async fn region_children(&self, c: &RegionCode) -> Result<Vec<Region>> {
        let q =
            format!("SELECT {REGION_COLS} FROM regions r WHERE r.parent_code = $1 ORDER BY r.code");
        sqlx::query(AssertSqlSafe(q))
            .bind(c.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(region_row)
            .collect()
    }

    async fn region_roots(&self) -> Result<Vec<Region>> {
        // Imports never accept a region whose parent is missing, so the roots are the provinces.
        let q = format!(
            "SELECT {REGION_COLS} FROM regions r WHERE r.parent_code IS NULL ORDER BY r.code"
        );
        sqlx::query(AssertSqlSafe(q))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(region_row)
            .collect()
    }

    async fn region_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM regions")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    async fn create_department(&self, d: &NewDepartment, now: i64) -> Result<Department> {
        let mut tx = begin_write(&self.pool).await?;
        let id = insert_department(&mut tx, d, now).await?;
        tx.commit().await?;
        self.department(id)
            .await?
            .ok_or(StoreError::NotFound("department"))
    }

    async fn create_departments(&self, ds: &[NewDepartment], now: i64) -> Result<Vec<i64>> {
        let mut tx = begin_write(&self.pool).await?;
        let mut ids = Vec::with_capacity(ds.len());
        for d in ds {
            ids.push(insert_department(&mut tx, d, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn department(&self, id: i64) -> Result<Option<Department>> {
        let q = format!("SELECT {DEPARTMENT_COLS} FROM departments WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(department_row)
            .transpose()
    }

    async fn departments_in(&self, region: &RegionCode) -> Result<Vec<Department>> {
        let q =
            format!("SELECT {DEPARTMENT_COLS} FROM departments WHERE region_code = $1 ORDER BY id");
        sqlx::query(AssertSqlSafe(q))
            .bind(region.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(department_row)
            .collect()
    }

    async fn create_person(&self, p: &NewPerson, now: i64) -> Result<Person> {
        let mut tx = begin_write(&self.pool).await?;
        let id = insert_person(&mut tx, p, now).await?;
        tx.commit().await?;
        self.person(id).await?.ok_or(StoreError::NotFound("person"))
    }

    async fn create_people(&self, ps: &[NewPerson], now: i64) -> Result<u64> {
        let mut tx = begin_write(&self.pool).await?;
        for p in ps {
            insert_person(&mut tx, p, now).await?;
        }
        tx.commit().await?;
        Ok(ps.len() as u64)
    }

    async fn person(&self, id: i64) -> Result<Option<Person>> {
        let q = format!("SELECT {PERSON_COLS} FROM people WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(person_row)
            .transpose()
    }

    async fn people_in_department(&self, department_id: i64) -> Result<Vec<Person>> {
        let q = format!("SELECT {PERSON_COLS} FROM people WHERE department_id = $1 ORDER BY id");
        sqlx::query(AssertSqlSafe(q))
            .bind(department_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(person_row)
            .collect()
    }

    async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    async fn create_user(&self, u: &NewUser, event: &NewAuthEvent) -> Result<User> {
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, county_code, region_code, person_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(u.username.as_str())
        .bind(u.display_name.as_str())
        .bind(u.password_hash.as_str())
        .bind(u.region.county_code())
        .bind(u.region.as_str())
        .bind(u.person_id)
        .bind(event.at)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "users", id).await?;
        let mut e = event.clone();
        e.user_id = Some(id);
        insert_event(&mut tx, &e).await?;
        tx.commit().await?;
        self.user(id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn user(&self, id: i64) -> Result<Option<User>> {
        let q = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let q = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn users_within(&self, scopes: &[RegionCode]) -> Result<Vec<User>> {
        let mut qb: QueryBuilder<DB> =
            QueryBuilder::new(format!("SELECT {USER_COLS} FROM users WHERE "));
        push_scope_filter(&mut qb, "region_code", scopes);
        qb.push(" ORDER BY region_code, username LIMIT 5000");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_row)
            .collect()
    }

    async fn set_password(&self, user_id: i64, hash: &str, event: &NewAuthEvent) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("user"));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_locale(&self, user_id: i64, locale: Option<&str>) -> Result<()> {
        let n = sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("user"));
        }
        Ok(())
    }

    async fn grants_of(&self, user_id: i64, include_revoked: bool) -> Result<Vec<GrantRow>> {
        let q = format!(
            "SELECT {GRANT_COLS} FROM grants WHERE user_id = $1 {} ORDER BY id",
            if include_revoked {
                ""
            } else {
                "AND revoked_at IS NULL"
            }
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(grant_row)
            .collect()
    }

    async fn add_grant(&self, g: &NewGrant, now: i64, event: &NewAuthEvent) -> Result<GrantRow> {
        let mut tx = begin_write(&self.pool).await?;
        let dup = sqlx::query("SELECT id FROM grants WHERE user_id = $1 AND role = $2 AND region_code = $3 AND revoked_at IS NULL")
            .bind(g.user_id)
            .bind(g.role.key())
            .bind(g.region.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if dup.is_some() {
            return Err(StoreError::Conflict {
                field: "grant".into(),
            });
        }
        let row = sqlx::query(
            "INSERT INTO grants (county_code, user_id, role, region_code, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(g.region.county_code())
        .bind(g.user_id)
        .bind(g.role.key())
        .bind(g.region.as_str())
        .bind(g.granted_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "grants", id).await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        self.grant(id).await?.ok_or(StoreError::NotFound("grant"))
    }

    async fn revoke_grant(
        &self,
        grant_id: i64,
        by: Option<i64>,
        now: i64,
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("UPDATE grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
            .bind(now)
            .bind(by)
            .bind(grant_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        append_later_fact(&mut tx, "grants", grant_id, "grant.revoke").await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn grant(&self, grant_id: i64) -> Result<Option<GrantRow>> {
        let q = format!("SELECT {GRANT_COLS} FROM grants WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(grant_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(grant_row)
            .transpose()
    }

    async fn create_session(
        &self,
        s: &NewSession,
        replaces: Option<&str>,
        event: &NewAuthEvent,
    ) -> Result<()> {
        self.create_session_with(s, &SessionMeta::default(), replaces, Some(event))
            .await
    }

    async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0 AND s.stage = 'full'",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get(0))
            .transpose()
            .map_err(StoreError::from)
    }

    async fn delete_session(&self, token_hash: &str, event: Option<&NewAuthEvent>) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        if let Some(e) = event {
            insert_event(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_auth_event(&self, e: &NewAuthEvent) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        insert_event(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn failed_sign_ins_since(
        &self,
        username: &str,
        ip: Option<&str>,
        since: i64,
    ) -> Result<(i64, i64)> {
        let by_name: i64 = sqlx::query("SELECT COUNT(*) FROM auth_events WHERE username = $1 AND kind = 'sign_in_failed' AND at >= $2")
            .bind(username)
            .bind(since)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let by_ip: i64 = match ip {
            Some(ip) => sqlx::query("SELECT COUNT(*) FROM auth_events WHERE ip = $1 AND kind = 'sign_in_failed' AND at >= $2")
                .bind(ip)
                .bind(since)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
            None => 0,
        };
        Ok((by_name, by_ip))
    }

    async fn reserve_sign_in(
        &self,
        keys: &SignInKeys,
        policy: &SignInPolicy,
        now: i64,
    ) -> Result<SignInGate> {
        let mut wanted: Vec<(String, &'static str)> =
            vec![(keys.account_address_key(), "account_address")];
        if let Some(a) = keys.address_key() {
            wanted.push((a, "address"));
        }
        if keys.account_backoff {
            wanted.push((keys.account_key(), "account"));
        }
        // Locks are taken in key order, so two attempts never wait on each other in a cycle.
        wanted.sort();
        let region = keys.region.as_ref().map(|r| r.as_str().to_string());
        let county = keys.region.as_ref().map(|r| r.county_code().to_string());
        // Housekeeping, on its own and best effort (a failure changes no count): rows nothing
        // has touched for a day (or a window) hold nothing any more.
        if let Err(e) =
            sqlx::query("DELETE FROM sign_in_limits WHERE updated_at < $1 AND next_at < $2")
                .bind(now - policy.window_secs.max(86_400))
                .bind(now)
                .execute(&self.pool)
                .await
        {
            tracing::warn!(error = %e, "dropping stale sign-in limits");
        }
        let mut tx = begin_write(&self.pool).await?;
        for (key, kind) in &wanted {
            let (username, ip, region, county) = match *kind {
                "address" => (None, keys.ip.as_deref(), None, None),
                "account" => (
                    Some(keys.username.as_str()),
                    None,
                    region.as_deref(),
                    county.as_deref(),
                ),
                _ => (
                    Some(keys.username.as_str()),
                    keys.ip.as_deref(),
                    region.as_deref(),
                    county.as_deref(),
                ),
            };
            sqlx::query(
                "INSERT INTO sign_in_limits (key, kind, username, ip, county_code, region_code, attempts, window_start, next_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7, 0, $7) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key.as_str())
            .bind(*kind)
            .bind(username)
            .bind(ip)
            .bind(county)
            .bind(region)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let mut refusal: Option<(&'static str, i64)> = None;
        let mut updates: Vec<(i64, i64, i64, i64)> = Vec::new();
        for (key, kind) in &wanted {
            let r = sqlx::query(AssertSqlSafe(format!(
                "SELECT id, attempts, window_start, next_at, updated_at FROM sign_in_limits WHERE key = $1{FOR_UPDATE}"
            )))
            .bind(key.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = r.try_get("id")?;
            let attempts: i64 = r.try_get("attempts")?;
            let window_start: i64 = r.try_get("window_start")?;
            let next_at: i64 = r.try_get("next_at")?;
            let updated_at: i64 = r.try_get("updated_at")?;
            let mut refuse = |limit: &'static str, wait: i64| {
                let wait = wait.max(1);
                if refusal.is_none_or(|(_, w)| w < wait) {
                    refusal = Some((limit, wait));
                }
            };
            if *kind == "account" {
                // A day without attempts starts the count again.
                let attempts = if now - updated_at >= 86_400 {
                    0
                } else {
                    attempts
                };
                if next_at > now {
                    refuse("account", next_at - now);
                } else {
                    let n = attempts + 1;
                    updates.push((id, n, window_start, now + policy.account_delay(n)));
                }
            } else {
                let max = if *kind == "address" {
                    policy.max_per_address
                } else {
                    policy.max_per_account_address
                };
                let (a, start) = if window_start <= now - policy.window_secs {
                    (0, now)
                } else {
                    (attempts, window_start)
                };
                if a >= max {
                    refuse(kind, start + policy.window_secs - now);
                } else {
                    updates.push((id, a + 1, start, next_at));
                }
            }
        }
        if let Some((limit, retry_after)) = refusal {
            tx.rollback().await?;
            return Ok(SignInGate::Limited { limit, retry_after });
        }
        for (id, attempts, window_start, next_at) in updates {
            sqlx::query(
                "UPDATE sign_in_limits SET attempts = $1, window_start = $2, next_at = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(attempts)
            .bind(window_start)
            .bind(next_at)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(SignInGate::Allowed)
    }

    async fn sign_in_succeeded(&self, keys: &SignInKeys) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        // The account's backoff starts again; the windows get this attempt back but keep the
        // failures, so a success never buys a guesser a fresh allowance.
        sqlx::query("DELETE FROM sign_in_limits WHERE key = $1")
            .bind(keys.account_key())
            .execute(&mut *tx)
            .await?;
        for key in std::iter::once(keys.account_address_key()).chain(keys.address_key()) {
            sqlx::query(
                "UPDATE sign_in_limits SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
            )
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn signed_in_from(&self, user_id: i64, ip: &str, since: i64) -> Result<bool> {
        let r = sqlx::query(
            "SELECT id FROM auth_events WHERE user_id = $1 AND ip = $2 AND kind = 'sign_in' AND at >= $3 LIMIT 1",
        )
        .bind(user_id)
        .bind(ip)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.is_some())
    }

    async fn sign_in_limits_within(
        &self,
        scopes: &[RegionCode],
        include_unknown: bool,
        policy: &SignInPolicy,
        now: i64,
    ) -> Result<Vec<SignInLimit>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!(
            "SELECT {LIMIT_COLS} FROM sign_in_limits WHERE attempts > 0 AND ("
        ));
        push_scope_filter(&mut qb, "region_code", scopes);
        if include_unknown {
            qb.push(" OR region_code IS NULL");
        }
        qb.push(") AND ((kind <> 'account' AND window_start > ")
            .push_bind(now - policy.window_secs)
            .push(") OR (kind = 'account' AND updated_at > ")
            .push_bind(now - 86_400)
            .push(")) ORDER BY updated_at DESC, id LIMIT 1000");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(limit_row)
            .collect()
    }

    async fn sign_in_limit(&self, id: i64) -> Result<Option<SignInLimit>> {
        let q = format!("SELECT {LIMIT_COLS} FROM sign_in_limits WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(limit_row)
            .transpose()
    }

    async fn clear_sign_in_limits(&self, ids: &[i64], event: &NewAuthEvent) -> Result<u64> {
        let mut tx = begin_write(&self.pool).await?;
        let mut n = 0;
        for id in ids {
            n += sqlx::query("DELETE FROM sign_in_limits WHERE id = $1")
                .bind(*id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if n > 0 {
            insert_event(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    async fn create_session_with(
        &self,
        s: &NewSession,
        meta: &SessionMeta,
        replaces: Option<&str>,
        event: Option<&NewAuthEvent>,
    ) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        // Housekeeping: drop this user's expired sessions.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(s.user_id)
            .bind(s.created_at)
            .execute(&mut *tx)
            .await?;
        let stage = if meta.stage.is_empty() {
            "full"
        } else {
            meta.stage.as_str()
        };
        let public_id = if meta.public_id.is_empty() {
            s.token_hash.chars().take(32).collect()
        } else {
            meta.public_id.clone()
        };
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, public_id, last_seen_at, ip, user_agent, stage, tries) \
             VALUES ($1, $2, $3, $4, $5, $3, $6, $7, $8, 0)",
        )
        .bind(s.token_hash.as_str())
        .bind(s.user_id)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(public_id)
        .bind(meta.ip.as_deref())
        .bind(meta.user_agent.as_deref())
        .bind(stage)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        if let Some(e) = event {
            insert_event(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn live_session(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<LiveSession>> {
        let row = sqlx::query(
            "SELECT s.user_id, s.public_id, s.stage, s.tries, s.created_at, COALESCE(s.last_seen_at, s.created_at) AS seen \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let seen: i64 = r.try_get("seen")?;
        if seen <= now - idle_secs {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        // Written at most once a minute per session (more often for short idle limits).
        if now - seen >= (idle_secs / 10).clamp(0, 60) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(LiveSession {
            user_id: r.try_get("user_id")?,
            public_id: r
                .try_get::<Option<String>, _>("public_id")?
                .unwrap_or_default(),
            stage: r.try_get("stage")?,
            tries: r.try_get("tries")?,
            created_at: r.try_get("created_at")?,
        }))
    }

    async fn bump_session_tries(&self, token_hash: &str) -> Result<i64> {
        let r = sqlx::query(
            "UPDATE sessions SET tries = tries + 1 WHERE token_hash = $1 RETURNING tries",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        match r {
            Some(r) => Ok(r.try_get(0)?),
            None => Ok(i64::MAX),
        }
    }

    async fn sessions_of(
        &self,
        user_id: i64,
        now: i64,
        idle_secs: i64,
    ) -> Result<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT public_id, created_at, COALESCE(last_seen_at, created_at) AS seen, expires_at, ip, user_agent \
             FROM sessions WHERE user_id = $1 AND stage = 'full' AND expires_at > $2 \
             AND COALESCE(last_seen_at, created_at) > $3 ORDER BY created_at DESC LIMIT 200",
        )
        .bind(user_id)
        .bind(now)
        .bind(now - idle_secs)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    id: r
                        .try_get::<Option<String>, _>("public_id")?
                        .unwrap_or_default(),
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("seen")?,
                    expires_at: r.try_get("expires_at")?,
                    ip: r.try_get("ip")?,
                    user_agent: r.try_get("user_agent")?,
                    current: false,
                })
            })
            .collect()
    }

    async fn end_session(
        &self,
        user_id: i64,
        public_id: &str,
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
            .bind(user_id)
            .bind(public_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        actor: Option<i64>,
        reason: &str,
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let flag = i64::from(disabled);
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2 AND disabled <> $1")
            .bind(flag)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            return match exists {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound("user")),
            };
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(
            "INSERT INTO account_status (county_code, region_code, user_id, disabled, reason, actor_id, at) \
             SELECT county_code, region_code, id, $1, $2, $3, $4 FROM users WHERE id = $5 RETURNING id",
        )
        .bind(flag)
        .bind(reason)
        .bind(actor)
        .bind(event.at)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "account_status", id).await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn totp(&self, user_id: i64) -> Result<Option<TotpRow>> {
        let r = sqlx::query(
            "SELECT user_id, secret, created_at, confirmed_at, last_step FROM user_totp WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        r.map(|r| {
            Ok(TotpRow {
                user_id: r.try_get("user_id")?,
                secret: r.try_get("secret")?,
                created_at: r.try_get("created_at")?,
                confirmed_at: r.try_get("confirmed_at")?,
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    async fn start_totp(&self, user_id: i64, secret: &str, now: i64) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query(
            "INSERT INTO user_totp (user_id, county_code, secret, created_at, last_step) \
             SELECT id, county_code, $2, $3, 0 FROM users WHERE id = $1 \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0 \
             WHERE user_totp.confirmed_at IS NULL",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                field: "totp".into(),
            });
        }
        tx.commit().await?;
        Ok(())
    }

    async fn confirm_totp(
        &self,
        user_id: i64,
        step: i64,
        recovery_hashes: &[String],
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query(
            "UPDATE user_totp SET confirmed_at = $1, last_step = $2 WHERE user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(event.at)
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for h in recovery_hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, county_code, code_hash, created_at) \
                 SELECT user_id, county_code, $2, $3 FROM user_totp WHERE user_id = $1",
            )
            .bind(user_id)
            .bind(h.as_str())
            .bind(event.at)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn use_recovery_code(&self, user_id: i64, code_hash: &str, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(code_hash)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    async fn remove_totp(&self, user_id: i64, event: &NewAuthEvent) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if n == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn auth_events_within(
        &self,
        scopes: &[RegionCode],
        include_unknown: bool,
        limit: i64,
    ) -> Result<Vec<AuthEvent>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT id, at, kind, region_code, username, user_id, actor_id, ip, detail FROM auth_events WHERE ",
        );
        push_scope_filter(&mut qb, "region_code", scopes);
        if include_unknown {
            qb.push(" OR region_code IS NULL");
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(auth_event_row)
            .collect()
    }

    async fn create_project(&self, p: &NewProject, now: i64) -> Result<Project> {
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(
            "INSERT INTO projects (county_code, region_code, name, fiscal_year, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(p.region.as_str())
        .bind(p.name.as_str())
        .bind(p.fiscal_year.get())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "projects", id).await?;
        let out = project_in_tx(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project(&self, id: i64) -> Result<Option<Project>> {
        self.p_one(
            format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1"),
            id,
            project_row,
        )
        .await
    }

    async fn create_library_project(
        &self,
        c: &sunledger_core::project::Content,
        declare: bool,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        self.p_create(c, declare, actor, now).await
    }

    async fn revise_project(
        &self,
        id: i64,
        c: &sunledger_core::project::Content,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        self.p_revise(id, c, note, actor, now).await
    }

    async fn project_step(
        &self,
        id: i64,
        action: sunledger_core::project::StageAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        self.p_step(id, action, comment, actor, now).await
    }

    async fn project_status_step(
        &self,
        id: i64,
        action: sunledger_core::project::StatusAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        self.p_status_step(id, action, comment, actor, now).await
    }

    async fn record_objection(
        &self,
        project_id: i64,
        objector: &str,
        content: &str,
        received_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection> {
        self.p_object(project_id, objector, content, received_on, actor, now)
            .await
    }

    async fn answer_objection(
        &self,
        id: i64,
        answer: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection> {
        self.p_answer(id, answer, actor, now).await
    }

    async fn objection(&self, id: i64) -> Result<Option<Objection>> {
        self.p_one(
            format!("SELECT {OBJECTION_COLS} FROM project_objections WHERE id = $1"),
            id,
            objection_row,
        )
        .await
    }

    async fn add_milestone(
        &self,
        project_id: i64,
        name: &str,
        weight: i64,
        due_on: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Milestone> {
        self.p_add_milestone(project_id, name, weight, due_on, actor, now)
            .await
    }

    async fn report_progress(
        &self,
        milestone_id: i64,
        progress: i64,
        on_date: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        self.p_report(milestone_id, progress, on_date, note, actor, now)
            .await
    }

    async fn milestone(&self, id: i64) -> Result<Option<Milestone>> {
        self.p_one(
            format!("SELECT {MILESTONE_COLS} FROM project_milestones m WHERE m.id = $1"),
            id,
            milestone_row,
        )
        .await
    }

    async fn add_beneficiary(
        &self,
        project_id: i64,
        name: &str,
        id_number: &sunledger_core::IdNumber,
        household_size: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Beneficiary> {
        self.p_add_beneficiary(project_id, name, id_number, household_size, actor, now)
            .await
    }

    async fn assign_responsibility(
        &self,
        project_id: i64,
        person_id: i64,
        role: sunledger_core::project::ResponsibleRole,
        start_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility> {
        self.p_assign(project_id, person_id, role, start_on, actor, now)
            .await
    }

    async fn end_responsibility(
        &self,
        id: i64,
        end_on: &str,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility> {
        self.p_end(id, end_on, reason, actor, now).await
    }

    async fn responsibility(&self, id: i64) -> Result<Option<Responsibility>> {
        self.p_one(
            format!("{RESPONSIBILITY_SELECT} WHERE r.id = $1"),
            id,
            responsibility_row,
        )
        .await
    }

    async fn responsibilities(&self, f: &ResponsibilityFilter) -> Result<Vec<Responsibility>> {
        self.p_responsibilities(f).await
    }

    async fn file_letter(
        &self,
        l: &NewLetter,
        actor: Option<i64>,
        now: i64,
    ) -> Result<ResponsibilityLetter> {
        self.p_file_letter(l, actor, now).await
    }

    async fn letter(&self, id: i64) -> Result<Option<ResponsibilityLetter>> {
        self.p_one(format!("{LETTER_SELECT} WHERE l.id = $1"), id, letter_row)
            .await
    }

    async fn letters(&self, scopes: &[RegionCode]) -> Result<Vec<ResponsibilityLetter>> {
        self.p_letters(scopes).await
    }

    async fn projects(
        &self,
        f: &ProjectFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Project>, i64)> {
        self.p_list(f, limit, offset).await
    }

    async fn import_projects(
        &self,
        items: &[ImportProject],
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Vec<Project>> {
        self.p_import(items, note, actor, now).await
    }

    async fn project_record(&self, id: i64) -> Result<Option<ProjectRecord>> {
        self.p_record(id).await
    }

    async fn create_households(&self, hs: &[NewHousehold], now: i64) -> Result<u64> {
        self.s_households(hs, now).await
    }

    async fn households_in(&self, village: &RegionCode) -> Result<Vec<Household>> {
        self.s_households_in(village).await
    }

    async fn create_draw(
        &self,
        region: &RegionCode,
        round: &str,
        seed: &str,
        rules: &sunledger_core::supervision::SampleRules,
        actor: Option<i64>,
        now: i64,
    ) -> Result<SpotDraw> {
        self.s_draw(region, round, seed, rules, actor, now).await
    }

    async fn draws(&self, scopes: &[RegionCode]) -> Result<Vec<SpotDraw>> {
        self.s_draws(scopes).await
    }

    async fn create_inspection(
        &self,
        i: &NewInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection> {
        self.s_inspect(i, actor, now).await
    }

    async fn complete_inspection(
        &self,
        id: i64,
        done_on: &str,
        findings: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection> {
        self.s_inspection_done(id, done_on, findings, actor, now)
            .await
    }

    async fn inspection(&self, id: i64) -> Result<Option<Inspection>> {
        self.p_one(
            format!("SELECT {INSPECTION_COLS} FROM inspections WHERE id = $1"),
            id,
            inspection_row,
        )
        .await
    }

    async fn inspections(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<Inspection>> {
        self.s_inspections(scopes, limit).await
    }

    async fn inspection_days(&self, scopes: &[RegionCode]) -> Result<Vec<(String, String)>> {
        self.s_inspection_days(scopes).await
    }

    async fn create_problem(
        &self,
        p: &NewProblem,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Problem> {
        self.s_problem(p, actor, now).await
    }

    async fn problem_action(
        &self,
        id: i64,
        action: sunledger_core::supervision::ProblemAction,
        text: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Problem> {
        self.s_problem_action(id, action, text, actor, now).await
    }

    async fn problem(&self, id: i64) -> Result<Option<Problem>> {
        self.p_one(format!("{PROBLEM_SELECT} WHERE p.id = $1"), id, problem_row)
            .await
    }

    async fn problem_record(&self, id: i64) -> Result<Option<ProblemRecord>> {
        self.s_problem_record(id).await
    }

    async fn problems(
        &self,
        f: &ProblemFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Problem>, i64)> {
        self.s_problems(f, limit, offset).await
    }

    async fn escalate(
        &self,
        e: &NewEscalation,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation> {
        self.s_escalate(e, actor, now).await
    }

    async fn escalation(&self, id: i64) -> Result<Option<Escalation>> {
        self.p_one(
            format!("SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"),
            id,
            escalation_row,
        )
        .await
    }

    async fn record_outcome(
        &self,
        id: i64,
        outcome: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation> {
        self.s_outcome(id, outcome, actor, now).await
    }

    async fn due_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::supervision::EscalationRule],
        now: i64,
    ) -> Result<Vec<(Problem, Vec<sunledger_core::supervision::Step>)>> {
        self.s_due(scopes, rules, now).await
    }

    async fn propose_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::supervision::EscalationRule],
        now: i64,
    ) -> Result<Vec<Proposal>> {
        self.s_propose(scopes, rules, now).await
    }

    async fn proposal(&self, id: i64) -> Result<Option<Proposal>> {
        self.p_one(
            format!("SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"),
            id,
            proposal_row,
        )
        .await
    }

    async fn dismiss_proposal(
        &self,
        id: i64,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Proposal> {
        self.s_dismiss(id, reason, actor, now).await
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
        self.ledger_book(t, now).await
    }

    async fn confirm_receipt(
        &self,
        transfer_id: i64,
        on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer> {
        self.ledger_confirm(transfer_id, on, actor, now).await
    }

    async fn payment_action(
        &self,
        transfer_id: i64,
        action: sunledger_core::ledger::PaymentAction,
        on: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer> {
        self.ledger_payment(transfer_id, action, on, document_no, actor, now)
            .await
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
        StoreImpl::reconciliation(self, region).await
    }

    async fn account_credits(
        &self,
        account_id: i64,
    ) -> Result<Vec<(String, sunledger_core::money::Money)>> {
        self.credits(account_id).await
    }

    async fn transfers_of_fund(&self, fund_id: i64) -> Result<Vec<Transfer>> {
        self.fund_transfers(fund_id).await
    }

    async fn apply_ledger_ops(&self, ops: &[LedgerOp], now: i64) -> Result<u64> {
        self.apply_ops(ops, now).await
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

    async fn suspend(
        &self,
        target: &SuspensionTarget,
        region: &RegionCode,
        reason: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Suspension> {
        self.ledger_suspend(target, region, reason, document_no, actor, now)
            .await
    }

    async fn suspension(&self, id: i64) -> Result<Option<Suspension>> {
        self.ledger_suspension(id).await
    }

    async fn household(&self, id: i64) -> Result<Option<Household>> {
        self.s_household(id).await
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

    async fn suspensions_within(
        &self,
        region: &RegionCode,
        active_only: bool,
    ) -> Result<Vec<Suspension>> {
        self.ledger_suspensions_within(region, active_only).await
    }

    async fn append_facts(&self, facts: &[Fact]) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        append_facts(&mut tx, facts).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn log_size(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT size FROM log_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(n as u64)
    }

    async fn log_leaf(&self, index: u64) -> Result<Option<LogLeaf>> {
        let q = format!("SELECT {LEAF_COLS} FROM log_leaves WHERE idx = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(index as i64)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(leaf_row)
            .transpose()
    }

    async fn log_leaves(&self, from: u64, limit: u64) -> Result<Vec<LogLeaf>> {
        let q = format!("SELECT {LEAF_COLS} FROM log_leaves WHERE idx >= $1 ORDER BY idx LIMIT $2");
        sqlx::query(AssertSqlSafe(q))
            .bind(from as i64)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(leaf_row)
            .collect()
    }

    async fn log_leaves_of(&self, table: &str, id: i64) -> Result<Vec<LogLeaf>> {
        let q = format!(
            "SELECT {LEAF_COLS} FROM log_leaves WHERE record_table = $1 AND record_id = $2 ORDER BY idx"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(table)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(leaf_row)
            .collect()
    }

    async fn log_leaves_of_table(
        &self,
        table: &str,
        after_id: i64,
        upto_id: i64,
    ) -> Result<Vec<LogLeaf>> {
        let q = format!(
            "SELECT {LEAF_COLS} FROM log_leaves WHERE record_table = $1 AND record_id > $2 AND record_id <= $3 \
             ORDER BY record_id, kind, idx"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(table)
            .bind(after_id)
            .bind(upto_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(leaf_row)
            .collect()
    }

    async fn log_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_ROWS) {
            for r in nodes_query(chunk).build().fetch_all(&self.pool).await? {
                let (id, h) = node_of_row(&r)?;
                out.insert(id, h);
            }
        }
        Ok(out)
    }

    async fn log_nodes_page(&self, level: u32, from: u64, limit: u64) -> Result<Vec<(u64, Hash)>> {
        let rows = sqlx::query(
            "SELECT idx, hash FROM log_nodes WHERE level = $1 AND idx >= $2 ORDER BY idx LIMIT $3",
        )
        .bind(i64::from(level))
        .bind(from as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>(0)? as u64, to_hash(r.try_get(1)?)?)))
            .collect()
    }

    async fn facts_of_table(&self, table: &str, after_id: i64, limit: i64) -> Result<Vec<Fact>> {
        let (select, build) = fact_source(table).ok_or(StoreError::NotFound("fact table"))?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{select} WHERE id > $1 ORDER BY id LIMIT $2"
        )))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.extend(build(r)?);
        }
        Ok(out)
    }

    async fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO log_checkpoints (size, root, note, prev_size, consistency, at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(cp.size as i64)
        .bind(cp.root.to_vec())
        .bind(cp.note.as_str())
        .bind(cp.prev_size.map(|v| v as i64))
        .bind(cp.consistency.join(","))
        .bind(cp.at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        let q = format!("SELECT {CHECKPOINT_COLS} FROM log_checkpoints ORDER BY size DESC LIMIT 1");
        sqlx::query(AssertSqlSafe(q))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(checkpoint_row)
            .transpose()
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let q = format!("SELECT {CHECKPOINT_COLS} FROM log_checkpoints ORDER BY size");
        sqlx::query(AssertSqlSafe(q))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(checkpoint_row)
            .collect()
    }
}

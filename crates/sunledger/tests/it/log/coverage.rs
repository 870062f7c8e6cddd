//! `verify` covers every column of every table (issue 14): each column of the live schema is
//! booked, derived, part of the log or unbooked on purpose; 1,000 random one-field edits behind
//! the application are each named with their table, row and column; deleted, inserted and
//! swapped rows and a moved village are named; and `verify` refuses to audit nothing.
use crate::support::{Kind, TestDb, fresh_db, sunledger, test_signer};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use sunledger::verify::{Finding, verify};
use sunledger_store::{Cover, TableCover};

/// One column of the live schema.
#[derive(Debug, Clone)]
struct Col {
    table: String,
    column: String,
    /// `int`, `text` or `blob`.
    ty: &'static str,
    pk: bool,
}

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// A connection that behaves like someone with full access to the database: foreign keys and
/// triggers off, every statement on its own.
enum Conn {
    Sqlite(sqlx::SqliteConnection),
    Pg(sqlx::PgConnection),
}

impl Conn {
    async fn open(db: &TestDb) -> Conn {
        use sqlx::Connection;
        if db.url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
            sqlx::raw_sql("SET session_replication_role = replica")
                .execute(&mut c)
                .await
                .expect("replica role");
            Conn::Pg(c)
        } else {
            let mut c = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("connect");
            sqlx::raw_sql("PRAGMA foreign_keys = OFF")
                .execute(&mut c)
                .await
                .expect("foreign keys off");
            Conn::Sqlite(c)
        }
    }

    fn pg(&self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    async fn exec(&mut self, sql: &str) -> Result<u64, String> {
        let q = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Conn::Sqlite(c) => sqlx::raw_sql(q)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
                .map_err(|e| e.to_string()),
            Conn::Pg(c) => sqlx::raw_sql(q)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
                .map_err(|e| e.to_string()),
        }
    }

    /// Rows of text cells (NULL as `None`).
    async fn texts(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
        use sqlx::Row;
        let q = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Conn::Sqlite(c) => {
                let rows = sqlx::query(q).fetch_all(c).await.expect(sql);
                rows.iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| {
                                r.try_get::<Option<String>, _>(i)
                                    .or_else(|_| {
                                        r.try_get::<Option<i64>, _>(i)
                                            .map(|v| v.map(|v| v.to_string()))
                                    })
                                    .expect("cell")
                            })
                            .collect()
                    })
                    .collect()
            }
            Conn::Pg(c) => {
                let rows = sqlx::query(q).fetch_all(c).await.expect(sql);
                rows.iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| {
                                r.try_get::<Option<String>, _>(i)
                                    .or_else(|_| {
                                        r.try_get::<Option<i64>, _>(i)
                                            .map(|v| v.map(|v| v.to_string()))
                                    })
                                    .or_else(|_| {
                                        r.try_get::<Option<i32>, _>(i)
                                            .map(|v| v.map(|v| v.to_string()))
                                    })
                                    .expect("cell")
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// One stored value of a column of type `ty`.
    async fn value(&mut self, sql: &str, ty: &str) -> Option<Val> {
        use sqlx::Row;
        let q = sqlx::AssertSqlSafe(sql.to_string());
        macro_rules! read {
            ($c:expr) => {{
                let r = sqlx::query(q).fetch_optional($c).await.expect(sql)?;
                Some(match ty {
                    "int" => r
                        .try_get::<Option<i64>, _>(0)
                        .expect("int")
                        .map_or(Val::Null, Val::Int),
                    "blob" => r
                        .try_get::<Option<Vec<u8>>, _>(0)
                        .expect("blob")
                        .map_or(Val::Null, Val::Blob),
                    _ => r
                        .try_get::<Option<String>, _>(0)
                        .expect("text")
                        .map_or(Val::Null, Val::Text),
                })
            }};
        }
        match self {
            Conn::Sqlite(c) => read!(c),
            Conn::Pg(c) => read!(c),
        }
    }

    fn literal(&self, v: &Val) -> String {
        match v {
            Val::Null => "NULL".into(),
            Val::Int(i) => i.to_string(),
            Val::Text(s) => format!("'{}'", s.replace('\'', "''")),
            Val::Blob(b) => {
                let hex = sunledger_store::hex(b);
                if self.pg() {
                    format!("decode('{hex}', 'hex')")
                } else {
                    format!("X'{hex}'")
                }
            }
        }
    }
}

/// The live schema: every column of every table the migrations made.
async fn schema(c: &mut Conn) -> Vec<Col> {
    let mut out = Vec::new();
    if c.pg() {
        let pks: BTreeSet<(String, String)> = c
            .texts(
                "SELECT k.table_name, k.column_name FROM information_schema.table_constraints t \
                 JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
                 AND k.table_schema = t.table_schema WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = 'public'",
            )
            .await
            .into_iter()
            .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
            .collect();
        for r in c
            .texts(
                "SELECT table_name, column_name, data_type FROM information_schema.columns \
                 WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
            )
            .await
        {
            let (table, column, ty) = (
                r[0].clone().unwrap(),
                r[1].clone().unwrap(),
                r[2].clone().unwrap(),
            );
            let ty = match ty.as_str() {
                "bigint" | "integer" | "smallint" => "int",
                "bytea" => "blob",
                _ => "text",
            };
            let pk = pks.contains(&(table.clone(), column.clone()));
            out.push(Col {
                table,
                column,
                ty,
                pk,
            });
        }
    } else {
        let tables: Vec<String> = c
            .texts("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .await
            .into_iter()
            .map(|r| r[0].clone().unwrap())
            .collect();
        for table in tables {
            for r in c
                .texts(&format!(
                    "SELECT name, type, pk FROM pragma_table_info('{table}')"
                ))
                .await
            {
                let ty = match r[1].clone().unwrap_or_default().to_uppercase().as_str() {
                    "INTEGER" | "BIGINT" => "int",
                    "BLOB" => "blob",
                    _ => "text",
                };
                out.push(Col {
                    table: table.clone(),
                    column: r[0].clone().unwrap(),
                    ty,
                    pk: r[2].as_deref() != Some("0"),
                });
            }
        }
    }
    out
}

fn covers<'a>(cov: &'a BTreeMap<&str, TableCover>, table: &str, column: &str) -> Vec<&'a Cover> {
    cov.get(table)
        .map(|t| {
            t.columns
                .iter()
                .filter(|(c, _)| *c == column || *c == "*")
                .map(|(_, how)| how)
                .collect()
        })
        .unwrap_or_default()
}

/// Every column of the live schema is booked, derived, part of the log or unbooked on purpose,
/// and everything the coverage names exists. A migration that adds a column nobody covers fails
/// here.
async fn every_column_is_covered(db: TestDb) {
    let cov: BTreeMap<&str, TableCover> = db
        .store
        .coverage()
        .into_iter()
        .map(|t| (t.table, t))
        .collect();
    let mut c = Conn::open(&db).await;
    let cols = schema(&mut c).await;
    assert!(cols.len() > 200, "the schema was read: {}", cols.len());
    let uncovered: Vec<String> = cols
        .iter()
        .filter(|col| covers(&cov, &col.table, &col.column).is_empty())
        .map(|col| format!("{}.{}", col.table, col.column))
        .collect();
    assert!(
        uncovered.is_empty(),
        "columns neither booked, derived, in the log nor unbooked with a reason: {uncovered:?}"
    );
    let live: BTreeSet<(String, String)> = cols
        .iter()
        .map(|c| (c.table.clone(), c.column.clone()))
        .collect();
    for t in cov.values() {
        for (column, _) in &t.columns {
            assert!(
                *column == "*" || live.contains(&(t.table.to_string(), column.to_string())),
                "the coverage names {}.{column}, which the schema does not have",
                t.table
            );
        }
    }
    // The unbooked columns are few, each with its reason.
    let unbooked: Vec<(&str, &str)> = cov
        .values()
        .flat_map(|t| {
            t.columns.iter().filter_map(|(c, how)| match how {
                Cover::Unbooked { reason } => {
                    assert!(reason.len() > 20, "{}.{c} needs a reason", t.table);
                    Some((t.table, *c))
                }
                _ => None,
            })
        })
        .collect();
    assert!(unbooked.len() <= 12, "{unbooked:?}");
    // Every fact table is covered by a booking with its key.
    for table in sunledger_store::FACT_TABLES {
        let t = cov
            .get(table)
            .unwrap_or_else(|| panic!("{table} has no coverage"));
        assert!(
            t.columns.iter().any(|(_, how)| *how == Cover::Key),
            "{table}"
        );
    }
}
crate::both!(every_column_is_covered_on, every_column_is_covered);

/// A small deterministic generator (splitmix64).
/// The second field: after a few refusals, numbers jump past every existing value.
struct Rng(u64, bool);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed, false)
    }
}
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// A different value of the same type: digits stay digits (codes, dates), numbers move, text
/// grows, bytes flip, nothing becomes something.
fn changed(v: &Val, ty: &str, key: bool, rng: &mut Rng) -> Val {
    // After a few refusals (a UNIQUE rule), numbers jump past every existing value.
    let key = key || rng.1;
    match v {
        Val::Int(i) if !key && (*i == 0 || *i == 1) => Val::Int(1 - i),
        Val::Int(i) if key => Val::Int(i + 1_000_003),
        // Small numbers (weights, sizes, levels) move a little either way, so CHECK ranges can
        // still hold; times and amounts move more.
        Val::Int(i) if i.abs() < 1000 => {
            let d = 1 + rng.below(3) as i64;
            Val::Int(if rng.below(2) == 0 { i + d } else { i - d })
        }
        Val::Int(i) => Val::Int(i + 1 + rng.below(999) as i64),
        Val::Text(s) => {
            let bytes = s.as_bytes();
            match bytes.iter().rposition(|b| b.is_ascii_digit()) {
                Some(p) if !s.is_empty() && (s.bytes().all(|b| b.is_ascii_digit()) || key) => {
                    let mut t = bytes.to_vec();
                    t[p] = b'0' + (t[p] - b'0' + 1 + rng.below(8) as u8) % 10;
                    Val::Text(String::from_utf8(t).unwrap())
                }
                _ => Val::Text(format!("{s}篡")),
            }
        }
        Val::Blob(b) => {
            let mut b = b.clone();
            match b.first_mut() {
                Some(x) => *x ^= 0x5a,
                None => b.push(1),
            }
            Val::Blob(b)
        }
        Val::Null => match ty {
            "int" => Val::Int(1 + rng.below(3) as i64),
            "blob" => Val::Blob(vec![1, 2, 3]),
            _ => Val::Text("篡改".into()),
        },
    }
}

/// One applied edit.
#[derive(Debug, Clone)]
struct Edit {
    table: String,
    column: String,
    key_cols: Vec<String>,
    key: Vec<Val>,
    old: Val,
    new: Val,
    is_key: bool,
}

impl Edit {
    fn key_text(&self, new: bool) -> String {
        self.key_cols
            .iter()
            .zip(&self.key)
            .map(|(c, v)| {
                let v = if new && *c == self.column {
                    &self.new
                } else {
                    v
                };
                match v {
                    Val::Int(i) => i.to_string(),
                    Val::Text(s) => s.clone(),
                    Val::Blob(b) => sunledger_store::hex(b),
                    Val::Null => "NULL".into(),
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    fn named_by(&self, findings: &[Finding]) -> bool {
        let subjects = [
            format!("{}/{}", self.table, self.key_text(false)),
            format!("{}/{}", self.table, self.key_text(true)),
        ];
        findings.iter().any(|f| {
            subjects.contains(&f.subject)
                && (self.is_key || f.column.as_deref() == Some(self.column.as_str()))
        })
    }

    fn condition(&self, c: &Conn, new: bool) -> String {
        self.key_cols
            .iter()
            .zip(&self.key)
            .map(|(col, v)| {
                let v = if new && *col == self.column {
                    &self.new
                } else {
                    v
                };
                format!("{col} = {}", c.literal(v))
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    async fn apply(&self, c: &mut Conn) -> Result<u64, String> {
        let sql = format!(
            "UPDATE {} SET {} = {} WHERE {}",
            self.table,
            self.column,
            c.literal(&self.new),
            self.condition(c, false)
        );
        c.exec(&sql).await
    }

    async fn revert(&self, c: &mut Conn) {
        let sql = format!(
            "UPDATE {} SET {} = {} WHERE {}",
            self.table,
            self.column,
            c.literal(&self.old),
            self.condition(c, true)
        );
        assert_eq!(c.exec(&sql).await, Ok(1), "{sql}");
    }
}

/// Picks a row of `col`'s table and applies a one-field edit to it; `None` when the database
/// refuses every try (a CHECK or UNIQUE rule).
async fn try_edit(c: &mut Conn, cols: &[Col], col: &Col, rng: &mut Rng) -> Option<Edit> {
    let key_cols: Vec<String> = cols
        .iter()
        .filter(|k| k.table == col.table && k.pk)
        .map(|k| k.column.clone())
        .collect();
    let count: i64 = c
        .texts(&format!("SELECT COUNT(*) FROM {}", col.table))
        .await[0][0]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    if count == 0 || key_cols.is_empty() {
        return None;
    }
    // Small moves first, then jumps past every value (a UNIQUE rule), then small moves again
    // (a CHECK range the jumps leave, e.g. a progress of 100).
    for attempt in 0..12 {
        rng.1 = (4..8).contains(&attempt);
        let offset = rng.below(count as u64);
        let mut key = Vec::new();
        let order = key_cols.join(", ");
        for k in &key_cols {
            let kty = cols
                .iter()
                .find(|x| x.table == col.table && x.column == *k)
                .map(|x| x.ty)
                .unwrap();
            key.push(
                c.value(
                    &format!(
                        "SELECT {k} FROM {} ORDER BY {order} LIMIT 1 OFFSET {offset}",
                        col.table
                    ),
                    kty,
                )
                .await
                .unwrap(),
            );
        }
        let mut e = Edit {
            table: col.table.clone(),
            column: col.column.clone(),
            key_cols: key_cols.clone(),
            key,
            old: Val::Null,
            new: Val::Null,
            is_key: col.pk,
        };
        let cond = e.condition(c, false);
        e.old = c
            .value(
                &format!("SELECT {} FROM {} WHERE {cond}", col.column, col.table),
                col.ty,
            )
            .await
            .unwrap();
        e.new = changed(&e.old, col.ty, col.pk, rng);
        assert_ne!(e.old, e.new);
        if e.apply(c).await == Ok(1) {
            rng.1 = false;
            return Some(e);
        }
    }
    rng.1 = false;
    None
}

async fn verify_now(db: &TestDb) -> Vec<Finding> {
    verify(db.store.as_ref(), &[test_signer().verifier()])
        .await
        .expect("verify runs")
        .findings
}

/// 1,000 random one-field edits, every table and column but the unbooked ones, picked from the
/// live schema: `verify` names each with its table, row and column.
async fn random_edits_are_each_named(db: TestDb) {
    crate::snapshots::book_every_kind(&db).await;
    sunledger_store::log::sign_checkpoint(db.store.as_ref(), &test_signer(), 1)
        .await
        .expect("checkpoint");
    assert_eq!(
        verify_now(&db).await,
        Vec::<Finding>::new(),
        "a clean database verifies"
    );
    let cov: BTreeMap<&str, TableCover> = db
        .store
        .coverage()
        .into_iter()
        .map(|t| (t.table, t))
        .collect();
    let mut c = Conn::open(&db).await;
    let cols = schema(&mut c).await;
    let targets: Vec<Col> = cols
        .iter()
        .filter(|col| {
            covers(&cov, &col.table, &col.column)
                .iter()
                .any(|how| !matches!(how, Cover::Unbooked { .. }))
        })
        .cloned()
        .collect();
    assert!(targets.len() > 250, "{} columns to edit", targets.len());
    let mut rng = Rng::new(if c.pg() { 0x5eed_0002 } else { 0x5eed_0001 });
    // Every column in turn (shuffled), again and again, each batch touching a table once.
    let mut queue: Vec<&Col> = Vec::new();
    let mut done = 0usize;
    let mut per_column: BTreeMap<String, usize> = BTreeMap::new();
    let mut missed: Vec<String> = Vec::new();
    while done < 1000 {
        if queue.is_empty() {
            let mut round: Vec<&Col> = targets.iter().collect();
            for i in (1..round.len()).rev() {
                round.swap(i, rng.below(i as u64 + 1) as usize);
            }
            queue = round;
        }
        let mut batch: Vec<Edit> = Vec::new();
        let mut tables: BTreeSet<String> = BTreeSet::new();
        let mut later: Vec<&Col> = Vec::new();
        while let Some(col) = queue.pop() {
            if tables.contains(&col.table) {
                later.push(col);
                continue;
            }
            if let Some(e) = try_edit(&mut c, &cols, col, &mut rng).await {
                tables.insert(col.table.clone());
                batch.push(e);
            }
            if batch.len() + done >= 1000 {
                break;
            }
        }
        queue.extend(later);
        if batch.is_empty() {
            continue;
        }
        let findings = verify_now(&db).await;
        let unnamed: Vec<Edit> = batch
            .iter()
            .filter(|e| !e.named_by(&findings))
            .cloned()
            .collect();
        for e in batch.iter().rev() {
            e.revert(&mut c).await;
        }
        // An edit another edit of the batch masked is tried alone.
        for e in unnamed {
            assert_eq!(e.apply(&mut c).await, Ok(1));
            let alone = verify_now(&db).await;
            if !e.named_by(&alone) {
                missed.push(format!(
                    "{}/{}.{}: {:?} -> {:?}; findings: {:?}",
                    e.table,
                    e.key_text(false),
                    e.column,
                    e.old,
                    e.new,
                    alone.iter().map(|f| f.to_string()).collect::<Vec<_>>()
                ));
            }
            e.revert(&mut c).await;
        }
        for e in &batch {
            *per_column
                .entry(format!("{}.{}", e.table, e.column))
                .or_default() += 1;
        }
        done += batch.len();
    }
    assert!(
        missed.is_empty(),
        "edits verify did not name:\n{}",
        missed.join("\n")
    );
    let never: Vec<String> = targets
        .iter()
        .map(|col| format!("{}.{}", col.table, col.column))
        // `log_head.id` is held to 1 by a CHECK rule: no one-field edit can change it.
        .filter(|k| !per_column.contains_key(k) && k != "log_head.id")
        .collect();
    assert!(never.is_empty(), "columns never edited: {never:?}");
    assert_eq!(
        verify_now(&db).await,
        Vec::<Finding>::new(),
        "every edit was put back"
    );
}
crate::both!(random_edits_are_each_named_on, random_edits_are_each_named);

fn has(findings: &[Finding], what: &str, subject: &str, column: Option<&str>) -> bool {
    findings.iter().any(|f| {
        f.what == what
            && f.subject == subject
            && (column.is_none() || f.column.as_deref() == column)
    })
}

/// A deleted row, an inserted row, two rows' values swapped and a village moved to another
/// township are each named.
async fn rows_deleted_inserted_swapped_and_moved_are_named(db: TestDb) {
    crate::snapshots::book_every_kind(&db).await;
    let mut c = Conn::open(&db).await;
    let ids = c
        .texts(
            "SELECT t.id, t.amount FROM transfers t WHERE t.id IN ((SELECT MIN(id) FROM transfers), \
             (SELECT MIN(u.id) FROM transfers u WHERE u.amount <> (SELECT amount FROM transfers \
             WHERE id = (SELECT MIN(id) FROM transfers)))) ORDER BY t.id",
        )
        .await;
    let (a, b) = (ids[0][0].clone().unwrap(), ids[1][0].clone().unwrap());
    let (amount_a, amount_b) = (ids[0][1].clone().unwrap(), ids[1][1].clone().unwrap());
    assert_ne!(amount_a, amount_b, "two different amounts to swap");
    c.exec(&format!(
        "UPDATE transfers SET amount = {amount_b} WHERE id = {a}"
    ))
    .await
    .unwrap();
    c.exec(&format!(
        "UPDATE transfers SET amount = {amount_a} WHERE id = {b}"
    ))
    .await
    .unwrap();
    let f = verify_now(&db).await;
    assert!(
        has(&f, "edited", &format!("transfers/{a}"), Some("amount")),
        "{f:?}"
    );
    assert!(
        has(&f, "edited", &format!("transfers/{b}"), Some("amount")),
        "{f:?}"
    );

    let person = c.texts("SELECT MAX(id) FROM people").await[0][0]
        .clone()
        .unwrap();
    c.exec(&format!("DELETE FROM people WHERE id = {person}"))
        .await
        .unwrap();
    c.exec(
        "INSERT INTO problem_events (county_code, problem_id, action, from_state, to_state, text, on_date, at) \
         SELECT county_code, id, 'close', state, 'closed', '', '2026-06-01', 1 FROM problems ORDER BY id LIMIT 1",
    )
    .await
    .unwrap();
    let event = c.texts("SELECT MAX(id) FROM problem_events").await[0][0]
        .clone()
        .unwrap();
    // 金坪村 of 金坪镇 moved under the county's other township.
    let village = c
        .texts("SELECT code, parent_code FROM regions WHERE level = 5 ORDER BY code LIMIT 1")
        .await;
    let (village, township) = (
        village[0][0].clone().unwrap(),
        village[0][1].clone().unwrap(),
    );
    let other = c
        .texts(&format!(
            "SELECT code FROM regions WHERE level = 4 AND code <> '{township}' AND county_code = '{}' ORDER BY code LIMIT 1",
            &township[..6]
        ))
        .await[0][0]
        .clone()
        .unwrap();
    c.exec(&format!(
        "UPDATE regions SET parent_code = '{other}' WHERE code = '{village}'"
    ))
    .await
    .unwrap();
    let f = verify_now(&db).await;
    assert!(
        has(&f, "deleted", &format!("people/{person}"), None),
        "{f:?}"
    );
    assert!(
        has(&f, "inserted", &format!("problem_events/{event}"), None),
        "{f:?}"
    );
    assert!(
        has(
            &f,
            "edited",
            &format!("regions/{village}"),
            Some("parent_code")
        ),
        "{f:?}"
    );
    // The inserted event also changes what the problem's state must be.
    assert!(
        f.iter()
            .any(|x| x.subject.starts_with("problems/") && x.column.as_deref() == Some("state")),
        "{f:?}"
    );
}
crate::both!(
    rows_deleted_inserted_swapped_and_moved_are_named_on,
    rows_deleted_inserted_swapped_and_moved_are_named
);

/// `verify` never passes an audit of nothing: a mistyped path, a file that is no Sunledger
/// database and an empty log are each refused with exit 2 and a sentence; the mistyped path is
/// not created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_refuses_to_audit_nothing() {
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("sunledgr.db");
    let run = |url: String| {
        let out = Command::new(env!("CARGO_BIN_EXE_sunledger"))
            .env("SUNLEDGER_DATA_DIR", dir.path())
            .args(["--database", &url, "verify"])
            .output()
            .expect("run sunledger");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(format!("sqlite:{}", typo.display()));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&typo.display().to_string()) && err.contains("no such database file"),
        "{err}"
    );
    assert!(!typo.exists(), "an audit creates nothing");

    let junk = dir.path().join("other.db");
    std::fs::write(&junk, b"").unwrap();
    let (code, err) = run(format!("sqlite:{}", junk.display()));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a Sunledger database"), "{err}");

    // A migrated database that has booked nothing.
    let (code, _, err) = sunledger(&db, &["verify"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the log is empty"), "{err}");
}

/// `docs/VERIFY.md` lists how every column is covered, as the code says (`SUNLEDGER_BLESS=1`
/// rewrites the section).
#[test]
fn the_docs_list_the_coverage() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/VERIFY.md");
    let doc = std::fs::read_to_string(&path).expect("docs/VERIFY.md");
    let want = sunledger::verify::coverage_markdown(&sunledger_store::coverage());
    let (Some(start), Some(end)) = (
        doc.find("<!-- coverage:start"),
        doc.find("<!-- coverage:end -->"),
    ) else {
        panic!("docs/VERIFY.md has no coverage section");
    };
    let end = end + "<!-- coverage:end -->\n".len();
    if std::env::var("SUNLEDGER_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, format!("{}{want}{}", &doc[..start], &doc[end..])).expect("write");
        return;
    }
    assert!(
        doc[start..end] == want,
        "docs/VERIFY.md's coverage section is out of date: run with SUNLEDGER_BLESS=1"
    );
}

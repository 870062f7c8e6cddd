//! The storage layer as one story, told identically to SQLite and PostgreSQL through `both!`: a
//! region table is imported and corrected, a county sets up its departments and people, accounts
//! are created, granted and revoked, people sign in, rotate and lose their sessions, and the
//! record of sign-ins is read back by region. Every `Store` method is called with real
//! assertions. Then: database integrity (SQLite settings, foreign keys on both backends), and a
//! property test of `upsert_regions` against an in-memory model.
use crate::support::{self, Kind, TestDb, rc};
use proptest::prelude::*;
use sqlx::{AssertSqlSafe, Connection};
use std::collections::HashMap;
use std::time::Instant;
use sunledger_core::org::Position;
use sunledger_core::{CreditCode, DepartmentKind, Level, RegionCode, Role};
use sunledger_store::{
    AuthEvent, AuthEventKind, Backend, Department, NewAuthEvent, NewDepartment, NewGrant,
    NewPerson, NewRegion, NewSession, NewUser, Person, Region, Store, StoreError, UpsertCounts,
};

/// A fixed clock: 2025-06-15 in Unix seconds.
const T0: i64 = 1_750_000_000;

fn nr(code: &str, name: &str) -> NewRegion {
    NewRegion {
        code: rc(code),
        name: name.to_string(),
    }
}

/// A valid unified social credit code from its first 17 characters.
fn credit(body17: &str) -> CreditCode {
    let check = CreditCode::check_char(body17).expect("credit code body");
    CreditCode::parse(&format!("{body17}{check}")).expect("credit code")
}

fn dept(
    region: &str,
    kind: DepartmentKind,
    name: &str,
    credit_code: Option<&CreditCode>,
) -> NewDepartment {
    NewDepartment {
        region: rc(region),
        kind,
        name: name.to_string(),
        credit_code: credit_code.cloned(),
        stationed_by: None,
    }
}

fn event(
    at: i64,
    kind: AuthEventKind,
    region: Option<&str>,
    username: Option<&str>,
    ip: Option<&str>,
) -> NewAuthEvent {
    NewAuthEvent {
        at,
        kind,
        region: region.map(rc),
        username: username.map(str::to_string),
        user_id: None,
        actor_id: None,
        ip: ip.map(str::to_string),
        detail: String::new(),
    }
}

fn new_user(username: &str, region: &str, person_id: Option<i64>) -> NewUser {
    NewUser {
        username: username.to_string(),
        display_name: format!("{username} (display)"),
        password_hash: format!("$argon2id$fake${username}"),
        region: rc(region),
        person_id,
    }
}

/// The field of a `Conflict`, or a panic naming what came back instead.
fn conflict_field<T: std::fmt::Debug>(what: &str, r: sunledger_store::Result<T>) -> String {
    match r {
        Err(StoreError::Conflict { field }) => field,
        other => panic!("{what}: expected StoreError::Conflict, got {other:?}"),
    }
}

fn backend_name(db: &TestDb) -> &'static str {
    match db.store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

// --- raw access to the database behind the store, for what the trait does not expose ---

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// A plain sqlx SQLite connection to the store's file, opened with sqlx's default options (it does
/// not set a journal mode itself).
async fn sqlite_conn(url: &str) -> sqlx::SqliteConnection {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(sqlite_path(url))
        .busy_timeout(std::time::Duration::from_secs(30));
    sqlx::SqliteConnection::connect_with(&opts)
        .await
        .expect("separate sqlite connection")
}

/// One BIGINT/INTEGER value from `sql`, through a separate connection.
async fn scalar(db: &TestDb, sql: &str) -> i64 {
    let q = AssertSqlSafe(sql.to_string());
    match db.store.backend() {
        Backend::Sqlite => {
            let mut c = sqlite_conn(&db.url).await;
            sqlx::query_scalar::<_, i64>(q)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("separate pg connection");
            sqlx::query_scalar::<_, i64>(q)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }
}

/// Runs a statement through a separate connection.
async fn execute(db: &TestDb, sql: &str) {
    let q = AssertSqlSafe(sql.to_string());
    match db.store.backend() {
        Backend::Sqlite => {
            let mut c = sqlite_conn(&db.url).await;
            sqlx::query(q)
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("separate pg connection");
            sqlx::query(q)
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
}

/// Every stored auth event, newest first.
async fn all_events(store: &dyn Store) -> Vec<AuthEvent> {
    // Every region used in this file lies in province 52 or 44.
    store
        .auth_events_within(&[rc("52"), rc("44")], true, 100_000)
        .await
        .expect("auth events")
}

async fn count_kind(store: &dyn Store, kind: AuthEventKind) -> usize {
    all_events(store)
        .await
        .iter()
        .filter(|e| e.kind == kind.key())
        .count()
}

// ------------------------------------------------------------------------------------------------
// The story
// ------------------------------------------------------------------------------------------------

crate::both!(storage_story, story);

async fn story(db: TestDb) {
    let started = Instant::now();
    let expected_backend = if db.url.starts_with("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(db.store.backend(), expected_backend);

    regions(&db).await;
    let org = departments(&db).await;
    let people = people(&db, &org).await;
    let users = users(&db, &people).await;
    grants(&db, &users).await;
    sessions(&db, &users).await;
    auth_events(&db, &users).await;
    races(&db, &users).await;
    repeated_codes(&db).await;

    eprintln!(
        "storage_story[{}]: {:?}",
        backend_name(&db),
        started.elapsed()
    );
}

/// The tree used by the story: province, city, two counties, townships, villages, and a second
/// province with a city without counties. Complete, as imports guarantee: every parent is present.
const TREE: [(&str, &str); 13] = [
    // Children before parents: the table has no foreign key on the parent.
    ("529121100201", "上寨村"),
    ("529121100202", "下寨村"),
    ("529121100", "青石镇"),
    ("529121101", "白水镇"),
    ("529122200", "高坡乡"),
    ("529121", "云岭县"),
    ("529122", "石门县"),
    ("529100", "青山市"),
    ("52", "黔山省"),
    ("4419", "东莞市"),
    ("441900003", "东城街道"),
    ("529122200201", "坡头村"),
    ("44", "广东省"),
];

fn names_of(rows: &[Region]) -> Vec<(String, String, i64)> {
    rows.iter()
        .map(|r| (r.code.as_str().to_string(), r.name.clone(), r.children))
        .collect()
}

mod access;
mod integrity;
mod org;
mod region;
mod sessions;

use access::{Users, grants, new_grant, users};
use org::{Staff, departments, people};
use region::{regions, repeated_codes};
use sessions::{auth_events, races, session, sessions};

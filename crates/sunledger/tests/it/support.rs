//! Test support: fresh databases on both backends, and the real server on a free port.
//!
//! SQLite tests use a temporary file. PostgreSQL tests create a fresh database on the server named
//! by `SUNLEDGER_TEST_PG` (an admin URL such as `postgres://postgres@127.0.0.1:5432/postgres`).
//! Without it the PostgreSQL half of a test is skipped, except under `CI=true`, where a skipped
//! PostgreSQL run is a failure.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use sunledger_store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, migrated database. Dropping it removes the SQLite file (PostgreSQL test databases are
/// left to the throwaway server).
pub struct TestDb {
    pub url: String,
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

pub fn pg_admin_url() -> Option<String> {
    match std::env::var("SUNLEDGER_TEST_PG") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
                panic!("CI=true but SUNLEDGER_TEST_PG is not set: the PostgreSQL run may not be skipped in CI");
            }
            None
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh database of `kind`, or `None` when PostgreSQL is not configured (outside CI).
pub async fn fresh_db(kind: Kind) -> Option<TestDb> {
    match kind {
        Kind::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("sunledger.db");
            let url = format!("sqlite:{}", path.display());
            let store = sunledger_store::open(&url).await.expect("open sqlite");
            Some(TestDb { url, store, _dir: Some(dir) })
        }
        Kind::Postgres => {
            let admin = pg_admin_url()?;
            let name = format!(
                "sl_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
            );
            create_pg_database(&admin, &name).await;
            let url = match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("bad SUNLEDGER_TEST_PG URL"),
            };
            let store = sunledger_store::open(&url).await.expect("open postgres");
            Some(TestDb { url, store, _dir: None })
        }
    }
}

async fn create_pg_database(admin: &str, name: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.expect("connect to SUNLEDGER_TEST_PG");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
}

/// Runs a test body against both backends: `both!(name, body_fn)` makes `name::sqlite` and
/// `name::postgres`, each calling `body_fn(TestDb)`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::support::fresh_db($crate::support::Kind::Sqlite).await.expect("sqlite");
                $body(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::support::fresh_db($crate::support::Kind::Postgres).await {
                    Some(db) => $body(db).await,
                    None => eprintln!("skipped: set SUNLEDGER_TEST_PG to run the PostgreSQL half"),
                }
            }
        }
    };
}

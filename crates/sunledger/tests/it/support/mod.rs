//! Test support: fresh databases on both backends, and the real server on a free port.
//!
//! SQLite tests use a temporary file. PostgreSQL tests create a fresh database on the server named
//! by `SUNLEDGER_TEST_PG` (an admin URL such as `postgres://postgres@127.0.0.1:5432/postgres`).
//! Without it the PostgreSQL half of a test is skipped, except under `CI=true`, where a skipped
//! PostgreSQL run is a failure.
#![allow(dead_code)]

mod fixtures;
pub use fixtures::*;

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
                panic!(
                    "CI=true but SUNLEDGER_TEST_PG is not set: the PostgreSQL run may not be skipped in CI"
                );
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
            Some(TestDb {
                url,
                store,
                _dir: Some(dir),
            })
        }
        Kind::Postgres => {
            let admin = pg_admin_url()?;
            let name = format!(
                "sl_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                now()
            );
            create_pg_database(&admin, &name).await;
            let url = match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("bad SUNLEDGER_TEST_PG URL"),
            };
            let store = sunledger_store::open(&url).await.expect("open postgres");
            Some(TestDb {
                url,
                store,
                _dir: None,
            })
        }
    }
}

async fn create_pg_database(admin: &str, name: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to SUNLEDGER_TEST_PG");
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
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::support::fresh_db($crate::support::Kind::Sqlite)
                    .await
                    .expect("sqlite");
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

/// The real server on a free port, over a fresh database.
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub db: TestDb,
    /// The server's clock: the real time plus an offset a test may move forward.
    pub clock: Arc<TestClock>,
}

/// A clock that runs with the real one, shifted by an offset (for deadlines measured in days).
#[derive(Default)]
pub struct TestClock {
    offset: std::sync::atomic::AtomicI64,
}

impl TestClock {
    pub fn advance_days(&self, days: i64) {
        self.offset.fetch_add(days * 86_400, Ordering::SeqCst);
    }
}

impl sunledger_web::Clock for TestClock {
    fn now(&self) -> i64 {
        now() + self.offset.load(Ordering::SeqCst)
    }
}

impl TestApp {
    /// Starts the server over `db` (after loading the demo city when `demo` is set).
    pub async fn spawn(db: TestDb, demo: bool) -> TestApp {
        if demo {
            sunledger::demo::load(db.store.as_ref(), now())
                .await
                .expect("load demo");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let clock = Arc::new(TestClock::default());
        let mut state =
            sunledger_web::AppState::new(db.store.clone(), sunledger_web::Config::default())
                .with_signer(test_signer(), vec![]);
        state.clock = clock.clone();
        tokio::spawn(async move {
            let _ = sunledger_web::serve(listener, state).await;
        });
        TestApp { addr, db, clock }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client with its own cookie jar.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A client signed in as `username` with the demo password.
    pub async fn signed_in(&self, username: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": sunledger::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(
            r.status(),
            200,
            "sign in as {username}: {}",
            r.text().await.unwrap_or_default()
        );
        c
    }
}

#[allow(clippy::disallowed_methods)]
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Runs an app test on both backends: `both_app!(name, body_fn)` calls `body_fn(TestApp)` with the
/// demo city loaded.
#[macro_export]
macro_rules! both_app {
    ($name:ident, $body:path) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::support::fresh_db($crate::support::Kind::Sqlite)
                    .await
                    .expect("sqlite");
                $body($crate::support::TestApp::spawn(db, true).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::support::fresh_db($crate::support::Kind::Postgres).await {
                    Some(db) => $body($crate::support::TestApp::spawn(db, true).await).await,
                    None => eprintln!("skipped: set SUNLEDGER_TEST_PG to run the PostgreSQL half"),
                }
            }
        }
    };
}

pub const TEST_ORIGIN: &str = "sunledger.test/log";

/// The log signing key of test servers (a fixed seed, so proofs are reproducible).
pub fn test_signer() -> sunledger_core::log::checkpoint::NoteSigner {
    sunledger_core::log::checkpoint::NoteSigner::from_seed(TEST_ORIGIN, &[7u8; 32]).expect("signer")
}

/// Runs SQL directly against the test database, outside the application (to tamper with it).
pub async fn raw_sql(db: &TestDb, sql: &str) {
    raw_sql_url(&db.url, sql).await
}

/// [`raw_sql`] on the database at `url`.
pub async fn raw_sql_url(url: &str, sql: &str) {
    use sqlx::Connection;
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// A database migrated only up to (not including) migration `before`, as a database made by an
/// earlier version of Sunledger is: rows can be written at that schema, then [`OldDb::open`]
/// runs the rest of the migrations, as the store does at startup.
pub struct OldDb {
    pub url: String,
    dir: Option<tempfile::TempDir>,
}

impl OldDb {
    pub async fn new(kind: Kind, before: i64) -> Option<OldDb> {
        let backend = match kind {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        };
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../store/migrations")
            .join(backend);
        let old = tempfile::tempdir().expect("tempdir");
        for e in std::fs::read_dir(&src).expect("migrations") {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().to_string();
            let version: i64 = name.get(..4).and_then(|v| v.parse().ok()).expect("version");
            if version < before {
                std::fs::copy(e.path(), old.path().join(&name)).expect("copy");
            }
        }
        let migrator = sqlx::migrate::Migrator::new(old.path())
            .await
            .expect("migrator");
        let (url, dir) = match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite:{}", dir.path().join("old.db").display());
                let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("url");
                let pool = sqlx::SqlitePool::connect_with(opts.create_if_missing(true))
                    .await
                    .expect("create sqlite");
                migrator.run(&pool).await.expect("old migrations");
                pool.close().await;
                (url, Some(dir))
            }
            Kind::Postgres => {
                let admin = pg_admin_url()?;
                let name = format!(
                    "sl_old_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    now()
                );
                create_pg_database(&admin, &name).await;
                let url = match admin.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => panic!("bad SUNLEDGER_TEST_PG URL"),
                };
                let pool = sqlx::PgPool::connect(&url).await.expect("connect");
                migrator.run(&pool).await.expect("old migrations");
                pool.close().await;
                (url, None)
            }
        };
        Some(OldDb { url, dir })
    }

    /// Runs the remaining migrations and opens the store.
    pub async fn open(self) -> TestDb {
        let store = sunledger_store::open(&self.url).await.expect("open");
        TestDb {
            url: self.url,
            store,
            _dir: self.dir,
        }
    }
}

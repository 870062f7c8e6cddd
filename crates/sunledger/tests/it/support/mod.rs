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

/// The admin URL of a streaming replica of `SUNLEDGER_TEST_PG` (`SUNLEDGER_TEST_PG_REPLICA`, made by
/// `scripts/pg-temp.sh replica`). Without it the replica tests are skipped, except under
/// `CI=true`, where a missing replica is a failure.
pub fn pg_replica_url() -> Option<String> {
    match std::env::var("SUNLEDGER_TEST_PG_REPLICA") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
                panic!(
                    "CI=true but SUNLEDGER_TEST_PG_REPLICA is not set: the read-replica tests may not be \
                     skipped in CI (scripts/pg-temp.sh replica \"$SUNLEDGER_PG_DIR\")"
                );
            }
            None
        }
    }
}

/// `db` (a PostgreSQL test database) opened again with its replica on the server of
/// `replica_admin`: the store waits until the replica has replayed it.
pub async fn with_replica(db: &TestDb, replica_admin: &str) -> TestDb {
    let name = db
        .url
        .rsplit_once('/')
        .map(|(_, n)| n)
        .expect("database name");
    let base = replica_admin
        .rsplit_once('/')
        .map(|(b, _)| b)
        .expect("bad SUNLEDGER_TEST_PG_REPLICA URL");
    // The database appears on the replica when its creation is replayed.
    use sqlx::Connection;
    let mut primary = sqlx::PgConnection::connect(&db.url).await.expect("connect");
    let at: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
        .fetch_one(&mut primary)
        .await
        .expect("the primary's WAL position");
    let mut standby = sqlx::PgConnection::connect(replica_admin)
        .await
        .expect("connect to SUNLEDGER_TEST_PG_REPLICA");
    let start = std::time::Instant::now();
    loop {
        let replayed: Option<bool> =
            sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn")
                .bind(&at)
                .fetch_one(&mut standby)
                .await
                .expect("the replica's position");
        if replayed == Some(true) {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the replica did not replay the new database within a minute: is \
             SUNLEDGER_TEST_PG_REPLICA a streaming replica of SUNLEDGER_TEST_PG?"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let store = sunledger_store::open_with_replica(&db.url, Some(&format!("{base}/{name}")))
        .await
        .expect("open with the replica");
    TestDb {
        url: db.url.clone(),
        store,
        _dir: None,
    }
}

/// `db` (a PostgreSQL test database) opened again, on the primary only.
pub async fn reopen(db: &TestDb) -> TestDb {
    TestDb {
        url: db.url.clone(),
        store: sunledger_store::open(&db.url).await.expect("open"),
        _dir: None,
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh database of `kind`, or `None` when PostgreSQL is not configured (outside CI).
pub async fn fresh_db(kind: Kind) -> Option<TestDb> {
    match kind {
        Kind::Sqlite => Some(sqlite_db(None).await),
        Kind::Postgres => Some(pg_db(&pg_admin_url()?, None).await),
    }
}

/// A fresh copy of the demo city's database of `kind` (`None` as [`fresh_db`]). The demo is loaded
/// once per test process and backend, into a template: a SQLite file copied per test, a
/// PostgreSQL database each test's database is created from. Loading it takes seconds; copying it
/// takes a fraction of one, and the suite loads it in over a hundred tests.
pub async fn demo_db(kind: Kind) -> Option<TestDb> {
    match kind {
        Kind::Sqlite => Some(sqlite_db(demo_template(Kind::Sqlite).as_deref()).await),
        Kind::Postgres => {
            let admin = pg_admin_url()?;
            let template = demo_template(Kind::Postgres)?;
            Some(pg_db(&admin, Some(&template)).await)
        }
    }
}

/// A SQLite database in a new temporary folder: empty, or a copy of the file `template`.
async fn sqlite_db(template: Option<&str>) -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sunledger.db");
    if let Some(t) = template {
        std::fs::copy(t, &path).expect("copy the demo template");
    }
    let url = format!("sqlite:{}", path.display());
    let store = sunledger_store::open(&url).await.expect("open sqlite");
    TestDb {
        url,
        store,
        _dir: Some(dir),
    }
}

/// A new PostgreSQL database on the server of `admin`: empty, or a copy of `template`.
async fn pg_db(admin: &str, template: Option<&str>) -> TestDb {
    let url = new_pg_database(admin, "sl_test", template).await;
    let store = sunledger_store::open(&url).await.expect("open postgres");
    TestDb {
        url,
        store,
        _dir: None,
    }
}

/// Creates a database named from `prefix` on the server of `admin` (empty, or a copy of
/// `template`) and answers its URL.
async fn new_pg_database(admin: &str, prefix: &str, template: Option<&str>) -> String {
    let name = format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        now()
    );
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to SUNLEDGER_TEST_PG");
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
        None => format!("CREATE DATABASE {name}"),
    };
    // A template's last connections may take a moment to go after its runtime stops.
    let mut tries = 0;
    loop {
        match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut conn)
            .await
        {
            Ok(_) => break,
            Err(e) if tries < 40 && e.to_string().contains("being accessed") => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            Err(e) => panic!("{sql}: {e}"),
        }
    }
    match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("bad SUNLEDGER_TEST_PG URL"),
    }
}

/// `db` swapped for a copy of the demo city's database of the same backend.
pub async fn with_demo(db: TestDb) -> TestDb {
    let kind = match db.store.backend() {
        sunledger_store::Backend::Sqlite => Kind::Sqlite,
        sunledger_store::Backend::Postgres => Kind::Postgres,
    };
    drop(db);
    demo_db(kind).await.expect("demo database")
}

static SQLITE_TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
static PG_TEMPLATE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// The demo template of `kind`: a SQLite file path, or a PostgreSQL database name. Built on a
/// thread of its own (with its own runtime, which it shuts down so that no connection to the
/// template is left open), once per process.
fn demo_template(kind: Kind) -> Option<String> {
    let build = move || {
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            let out = rt.block_on(build_template(kind));
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
            out
        })
        .join()
        .expect("the demo template thread")
    };
    match kind {
        Kind::Sqlite => Some(
            SQLITE_TEMPLATE
                .get_or_init(|| build().expect("sqlite template"))
                .clone(),
        ),
        Kind::Postgres => PG_TEMPLATE.get_or_init(build).clone(),
    }
}

async fn build_template(kind: Kind) -> Option<String> {
    let db = fresh_db(kind).await?;
    sunledger::demo::load(db.store.as_ref(), now())
        .await
        .expect("load demo");
    match kind {
        Kind::Sqlite => {
            // A self-contained copy (no WAL beside it) in the target's temporary directory.
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
            let pid = std::process::id();
            if let Ok(entries) = std::fs::read_dir(dir) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.starts_with("demo-template-")
                        && name != format!("demo-template-{pid}.db")
                    {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
            let path = dir.join(format!("demo-template-{pid}.db"));
            let _ = std::fs::remove_file(&path);
            use sqlx::Connection;
            let file = db.url.trim_start_matches("sqlite:").to_string();
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{file}"))
                .await
                .expect("open the demo database");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "VACUUM INTO '{}'",
                path.display()
            )))
            .execute(&mut conn)
            .await
            .expect("copy the demo database");
            conn.close().await.expect("close");
            Some(path.display().to_string())
        }
        Kind::Postgres => {
            let name = db.url.rsplit_once('/').map(|(_, n)| n.to_string());
            drop(db);
            name
        }
    }
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

    /// Sets the clock to `at` (seconds since the epoch); it runs on from there.
    pub fn set(&self, at: i64) {
        self.offset.store(at - now(), Ordering::SeqCst);
    }
}

impl sunledger_web::Clock for TestClock {
    fn now(&self) -> i64 {
        now() + self.offset.load(Ordering::SeqCst)
    }
}

impl TestApp {
    /// Starts the server over `db`; with `demo`, over a copy of the demo city's database of the
    /// same backend instead (see [`demo_db`]).
    pub async fn spawn(db: TestDb, demo: bool) -> TestApp {
        let db = if demo { with_demo(db).await } else { db };
        TestApp::spawn_with(db, sunledger_web::Config::default()).await
    }

    /// Starts the server over `db` as it is, with `config`.
    pub async fn spawn_with(db: TestDb, config: sunledger_web::Config) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let clock = Arc::new(TestClock::default());
        let mut state = sunledger_web::AppState::new(db.store.clone(), config)
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
                let db = $crate::support::demo_db($crate::support::Kind::Sqlite)
                    .await
                    .expect("sqlite");
                $body($crate::support::TestApp::spawn(db, false).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::support::demo_db($crate::support::Kind::Postgres).await {
                    Some(db) => $body($crate::support::TestApp::spawn(db, false).await).await,
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
                let url = new_pg_database(&pg_admin_url()?, "sl_old", None).await;
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

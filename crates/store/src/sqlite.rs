//! The embedded SQLite backend (the default). WAL journal, foreign keys on, `synchronous=FULL`;
//! the settings are read back at open and the store refuses to open if one did not take.
use crate::{Backend, ReplicaStore, Result, StoreError};
use async_trait::async_trait;
use sqlx::Pool;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

type DB = sqlx::Sqlite;
type StoreImpl = SqliteStore;
const BACKEND: Backend = Backend::Sqlite;
/// Row locks: SQLite has none; `BEGIN IMMEDIATE` already holds the write lock.
const FOR_UPDATE: &str = "";
/// `BEGIN IMMEDIATE` already serialises writers, so requests with one client id never overlap.
const CLIENT_ID_LOCK: Option<&str> = None;

pub struct SqliteStore {
    pool: Pool<DB>,
}

/// SQLite allows one writer: take the write lock at BEGIN so concurrent writers queue on the busy
/// timeout instead of failing when a read transaction tries to upgrade.
async fn begin_write(pool: &Pool<DB>) -> Result<sqlx::Transaction<'static, DB>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and migrates it.
    pub async fn open(path: &str) -> Result<SqliteStore> {
        if let Some(dir) = Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
        }
        let opts = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Rows come back from SQLite's worker thread through a channel: a deep one lets the
            // worker run ahead instead of waking the reading task for every row (bulk reads,
            // `verify`, exports).
            .row_buffer_size(4096);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        let store = SqliteStore { pool };
        store.check_settings().await?;
        MIGRATOR.run(&store.pool).await?;
        Ok(store)
    }

    /// Opens an existing database file read-only, for an audit: nothing is created or migrated.
    /// A missing file, or one that is not a Sunledger database migrated by this version, is an
    /// error that says so.
    pub async fn open_read_only(path: &str) -> Result<SqliteStore> {
        if !Path::new(path).is_file() {
            return Err(StoreError::Audit(format!(
                "{path}: no such database file (nothing to verify; check the path or --database URL)"
            )));
        }
        let opts = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?
            .read_only(true)
            .busy_timeout(Duration::from_secs(30))
            .row_buffer_size(4096);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        let applied = sqlx::query_scalar::<_, i64>(crate::APPLIED_MIGRATIONS)
            .fetch_all(&pool)
            .await;
        crate::check_migrated(applied, &MIGRATOR, path)?;
        Ok(SqliteStore { pool })
    }

    /// The pool of the reads that may use a replica: SQLite has none.
    fn reads(&self) -> &Pool<DB> {
        &self.pool
    }

    async fn check_settings(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let journal: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Setting {
                setting: "journal_mode",
                expected: "wal".into(),
                actual: journal,
            });
        }
        let fk: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if fk != 1 {
            return Err(StoreError::Setting {
                setting: "foreign_keys",
                expected: "1".into(),
                actual: fk.to_string(),
            });
        }
        let sync: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if sync != 2 {
            return Err(StoreError::Setting {
                setting: "synchronous",
                expected: "2 (FULL)".into(),
                actual: sync.to_string(),
            });
        }
        Ok(())
    }
}

/// SQLite has no replica: every read sees every write.
#[async_trait]
impl ReplicaStore for SqliteStore {
    fn has_replica(&self) -> bool {
        false
    }

    async fn write_position(&self) -> Result<Option<String>> {
        Ok(None)
    }

    async fn replica_has(&self, _position: &str) -> Result<bool> {
        Ok(true)
    }
}

/// How `verify` covers every column (the same on both backends).
pub(crate) fn coverage() -> Vec<crate::TableCover> {
    sql::column_coverage()
}

/// The SQL shared by both backends, compiled here with this backend's `DB`.
// Mounted by both backends on purpose: each compiles the same SQL with its own `DB`.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

//! The PostgreSQL backend, used when the database URL starts with `postgres://`.
use crate::{Backend, Result};
use sqlx::Pool;
use sqlx::postgres::PgPoolOptions;

type DB = sqlx::Postgres;
type StoreImpl = PgStore;
const BACKEND: Backend = Backend::Postgres;
/// Row locks held until the transaction ends (log head, ledger accounts).
const FOR_UPDATE: &str = " FOR UPDATE";
/// Serialises requests carrying the same client id until the first commits.
const CLIENT_ID_LOCK: Option<&str> = Some("SELECT pg_advisory_xact_lock(hashtext($1))");

pub struct PgStore {
    pool: Pool<DB>,
}

async fn begin_write(pool: &Pool<DB>) -> Result<sqlx::Transaction<'static, DB>> {
    Ok(pool.begin().await?)
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl PgStore {
    pub async fn connect(url: &str) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
    }

    /// Connects to an existing database for an audit: nothing is migrated, and a database that
    /// is not a Sunledger database migrated by this version is an error that says so.
    pub async fn connect_existing(url: &str) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        let applied = sqlx::query_scalar::<_, i64>(crate::APPLIED_MIGRATIONS)
            .fetch_all(&pool)
            .await;
        crate::check_migrated(applied, &MIGRATOR, &crate::redact_url(url))?;
        Ok(PgStore { pool })
    }
}

/// The SQL shared by both backends, compiled here with this backend's `DB`.
// Mounted by both backends on purpose: each compiles the same SQL with its own `DB`.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

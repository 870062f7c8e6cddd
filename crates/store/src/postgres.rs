//! The PostgreSQL backend, used when the database URL starts with `postgres://`.
use crate::{Backend, ReplicaStore, Result, StoreError, redact_url};
use async_trait::async_trait;
use sqlx::Pool;
use sqlx::postgres::PgPoolOptions;
use std::time::{Duration, Instant};

type DB = sqlx::Postgres;
type StoreImpl = PgStore;
const BACKEND: Backend = Backend::Postgres;
/// Row locks held until the transaction ends (log head, ledger accounts).
const FOR_UPDATE: &str = " FOR UPDATE";
/// Serialises requests carrying the same client id until the first commits.
const CLIENT_ID_LOCK: Option<&str> = Some("SELECT pg_advisory_xact_lock(hashtext($1))");

pub struct PgStore {
    pool: Pool<DB>,
    /// A streaming replica of the same database, for the reads that may use it (see
    /// [`crate::replica`]).
    replica: Option<Pool<DB>>,
}

/// How long opening a store waits for its replica to replay the primary's migrations.
const REPLICA_CATCH_UP: Duration = Duration::from_secs(60);

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
        Ok(PgStore {
            pool,
            replica: None,
        })
    }

    /// Connects to the primary at `url` (migrating it, as [`PgStore::connect`]) and to its
    /// streaming replica at `replica`, which must be a hot standby of the same cluster: the store
    /// waits (up to a minute) until the replica has replayed the primary's migrations.
    pub async fn connect_with_replica(url: &str, replica: &str) -> Result<PgStore> {
        let mut store = PgStore::connect(url).await?;
        let name = redact_url(replica);
        let fail = |what: String| StoreError::Replica(format!("{name}: {what}"));
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(replica)
            .await
            .map_err(|e| fail(format!("connecting: {e}")))?;
        let standby: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
            .fetch_one(&pool)
            .await?;
        if !standby {
            return Err(fail(
                "not a standby (pg_is_in_recovery() is false); give a streaming replica of the \
                 main database"
                    .into(),
            ));
        }
        let system = "SELECT system_identifier::text FROM pg_control_system()";
        let ours: String = sqlx::query_scalar(system).fetch_one(&store.pool).await?;
        let theirs: String = sqlx::query_scalar(system).fetch_one(&pool).await?;
        if ours != theirs {
            return Err(fail(format!(
                "a replica of another cluster (system identifier {theirs}, the main database's \
                 is {ours})"
            )));
        }
        store.replica = Some(pool);
        let wanted = store.write_position().await?.unwrap_or_default();
        let start = Instant::now();
        while !store.replica_has(&wanted).await? {
            if start.elapsed() > REPLICA_CATCH_UP {
                return Err(fail(format!(
                    "has not replayed the main database's WAL up to {wanted} within {} s",
                    REPLICA_CATCH_UP.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if let Some(pool) = &store.replica {
            let applied = sqlx::query_scalar::<_, i64>(crate::APPLIED_MIGRATIONS)
                .fetch_all(pool)
                .await;
            crate::check_migrated(applied, &MIGRATOR, &name)?;
        }
        Ok(store)
    }

    /// The pool of the reads that may use the replica: the replica's inside
    /// [`crate::replica::allowed`] when there is one, else the primary's.
    fn reads(&self) -> &Pool<DB> {
        match &self.replica {
            Some(r) if crate::replica::is_allowed() => r,
            _ => &self.pool,
        }
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
        Ok(PgStore {
            pool,
            replica: None,
        })
    }
}

#[async_trait]
impl ReplicaStore for PgStore {
    fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    async fn write_position(&self) -> Result<Option<String>> {
        if self.replica.is_none() {
            return Ok(None);
        }
        // The insert position, not the write position: with `synchronous_commit=off` the commit
        // record may still be in the WAL buffers, ahead of what has been written.
        Ok(Some(
            sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
                .fetch_one(&self.pool)
                .await?,
        ))
    }

    async fn replica_has(&self, position: &str) -> Result<bool> {
        let Some(replica) = &self.replica else {
            return Ok(true);
        };
        if !crate::replica::is_position(position) {
            return Err(StoreError::Replica(format!(
                "{position:?} is not a WAL position"
            )));
        }
        let replayed: Option<bool> =
            sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn")
                .bind(position)
                .fetch_one(replica)
                .await?;
        Ok(replayed.unwrap_or(false))
    }
}

/// The SQL shared by both backends, compiled here with this backend's `DB`.
// Mounted by both backends on purpose: each compiles the same SQL with its own `DB`.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

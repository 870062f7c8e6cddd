//! Reads from a streaming PostgreSQL replica (`serve --read-replica URL`).
//!
//! A store opened with a replica ([`crate::open_with_replica`]) sends a few read-only queries
//! (dashboards, public pages and search: each calls `reads()` instead of its primary pool) to the
//! replica, but only inside [`allowed`]: everywhere else, and always in a write transaction, they
//! go to the primary. The web layer runs a GET inside [`allowed`] unless the reader wrote
//! something the replica has not replayed yet ([`ReplicaStore::write_position`],
//! [`ReplicaStore::replica_has`]), so a writer reads its own writes. SQLite has no replica: its
//! `reads()` is its one pool, [`ReplicaStore::has_replica`] is false.
use crate::Result;
use async_trait::async_trait;
use std::future::Future;

tokio::task_local! {
    static ALLOWED: bool;
}

/// Runs `f` with the replica allowed for the reads that may use it.
pub async fn allowed<F: Future>(f: F) -> F::Output {
    ALLOWED.scope(true, f).await
}

/// Whether the current task runs inside [`allowed`].
pub fn is_allowed() -> bool {
    ALLOWED.try_with(|a| *a).unwrap_or(false)
}

/// Where the primary's writes are, and whether the replica has them (part of [`crate::Store`]).
#[async_trait]
pub trait ReplicaStore: Send + Sync {
    /// Whether reads may go to a replica at all.
    fn has_replica(&self) -> bool;
    /// The primary's current WAL position (`pg_lsn` as text, e.g. `0/3000148`) after a write;
    /// `None` without a replica.
    async fn write_position(&self) -> Result<Option<String>>;
    /// Whether the replica has replayed up to `position` (from [`Self::write_position`]); true
    /// without a replica. A position that is not a WAL position is an error.
    async fn replica_has(&self, position: &str) -> Result<bool>;
}

/// Whether `s` looks like a WAL position (`X/X`, hexadecimal), before it is sent to the server.
pub fn is_position(s: &str) -> bool {
    match s.split_once('/') {
        Some((hi, lo)) => [hi, lo]
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_hexdigit())),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn positions() {
        assert!(super::is_position("0/3000148"));
        assert!(super::is_position("A/FFFFFFFF"));
        assert!(!super::is_position("0/"));
        assert!(!super::is_position("0/3000148'; --"));
        assert!(!super::is_position("3000148"));
    }
}

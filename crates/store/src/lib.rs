//! Sunledger storage: one interface ([`Store`]) and two backends, embedded SQLite (the default)
//! and PostgreSQL, chosen by the database URL.
//!
//! [`Store`] is one trait per feature (`RegionStore`, `LedgerStore`, ...), each in the feature's
//! own file with its rows and inputs; call them with `use sunledger_store::prelude::*;`. Both
//! backends share one body of SQL (`sql/`, one module per feature), compiled once per backend
//! with that backend's `DB` type, so the queries cannot drift apart; each backend has its own
//! migrations folder and connection setup. Every method is one transaction: a call either books
//! everything it was given or nothing.
#![deny(clippy::indexing_slicing)]

pub mod access;
pub mod error;
pub mod escalation;
pub mod inspection;
pub mod ledger;
pub mod log;
pub mod org;
mod postgres;
pub mod problem;
pub mod project;
pub mod region;
pub mod responsibility;
mod sqlite;
pub mod summary;

use std::sync::Arc;

pub use access::*;
pub use error::{Result, StoreError};
pub use escalation::*;
pub use inspection::*;
pub use ledger::*;
pub use log::{LogLeaf, LogStore, StoredCheckpoint, hex, unhex};
pub use org::*;
pub use postgres::*;
pub use problem::*;
pub use project::*;
pub use region::*;
pub use responsibility::*;
pub use sqlite::*;
pub use summary::*;

/// The tables whose rows are booked facts, each row checked by `sunledger verify`.
pub const FACT_TABLES: [&str; 25] = [
    "users",
    "grants",
    "account_status",
    "departments",
    "people",
    "projects",
    "funds",
    "transfers",
    "transfer_events",
    "suspensions",
    "project_versions",
    "project_events",
    "project_objections",
    "project_milestones",
    "milestone_updates",
    "project_beneficiaries",
    "responsibilities",
    "responsibility_letters",
    "households",
    "spot_draws",
    "inspections",
    "problems",
    "problem_events",
    "escalations",
    "escalation_proposals",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens the store named by `url` (`sqlite:PATH` / a plain path, or `postgres://...`) and runs
/// the migrations.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        Ok(Arc::new(SqliteStore::open(path).await?))
    } else if url.contains("://") {
        Err(StoreError::Url(redact_url(url)))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}

/// The URL with any password replaced by `***`, for logs and `Debug` output.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = url.get(s + 3..at).unwrap_or("");
            match creds.split_once(':') {
                Some((user, _)) => format!(
                    "{}://{user}:***@{}",
                    url.get(..s).unwrap_or(""),
                    url.get(at + 1..).unwrap_or("")
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The storage interface: one trait per feature, each in the feature's own file. Implementations:
/// [`SqliteStore`] and [`PgStore`]. Call its methods with `use sunledger_store::prelude::*;`.
pub trait Store:
    RegionStore
    + OrgStore
    + AccessStore
    + LogStore
    + LedgerStore
    + ProjectStore
    + ResponsibilityStore
    + InspectionStore
    + ProblemStore
    + EscalationStore
    + SummaryStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;
}

/// The storage traits, for callers of [`Store`]'s methods: `use sunledger_store::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AccessStore, EscalationStore, InspectionStore, LedgerStore, LogStore, OrgStore,
        ProblemStore, ProjectStore, RegionStore, ResponsibilityStore, Store, SummaryStore,
    };
}

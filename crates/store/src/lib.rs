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

pub mod acceptance;
pub mod access;
pub mod appraisal;
pub mod assessment;
pub mod asset;
pub mod committee;
pub mod complaint;
pub mod disclosure;
pub mod error;
pub mod escalation;
pub mod evaluation;
pub mod flag;
pub mod inspection;
pub mod ledger;
pub mod log;
pub mod meeting;
pub mod notice;
pub mod org;
mod postgres;
pub mod problem;
pub mod project;
pub mod region;
pub mod replica;
pub mod responsibility;
mod sqlite;
pub mod summary;

use std::sync::Arc;

pub use acceptance::*;
pub use access::*;
pub use appraisal::*;
pub use assessment::*;
pub use asset::*;
pub use committee::*;
pub use complaint::*;
pub use disclosure::*;
pub use error::{Result, StoreError};
pub use escalation::*;
pub use evaluation::*;
pub use flag::*;
pub use inspection::*;
pub use ledger::*;
pub use log::{Cover, LogLeaf, LogStore, Mismatch, StoredCheckpoint, TableCover, hex, unhex};
pub use meeting::*;
pub use notice::*;
pub use org::*;
pub use postgres::*;
pub use problem::*;
pub use project::*;
pub use region::*;
pub use replica::ReplicaStore;
pub use responsibility::*;
pub use sqlite::*;
pub use summary::*;

/// The tables whose rows are booked facts, each row checked by `sunledger verify`.
pub const FACT_TABLES: [&str; 81] = [
    "regions",
    "users",
    "auth_events",
    "grants",
    "account_status",
    "departments",
    "people",
    "projects",
    "funds",
    "ledger_accounts",
    "transfers",
    "transfer_events",
    "suspensions",
    "project_versions",
    "project_indicators",
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
    "overdue_proposals",
    "notices",
    "notice_events",
    "public_objections",
    "notice_postings",
    "acceptance_rules",
    "acceptances",
    "acceptance_events",
    "acceptance_members",
    "acceptance_inspections",
    "acceptance_signoffs",
    "assets",
    "asset_events",
    "evaluations",
    "evaluation_records",
    "evaluation_values",
    "evaluation_events",
    "meetings",
    "meeting_roster",
    "meeting_attendance",
    "meeting_items",
    "meeting_minutes",
    "meeting_confirmations",
    "committee_terms",
    "committee_members",
    "committee_member_ends",
    "committee_signatures",
    "crosscheck_lists",
    "crosscheck_entries",
    "appraisal_rounds",
    "appraisal_applicants",
    "appraisal_hits",
    "appraisal_votes",
    "appraisal_samples",
    "appraisal_checks",
    "complaints",
    "complaint_events",
    "complaint_files",
    "complaint_publications",
    "appraisal_steps",
    "household_status_changes",
    "meeting_ballots",
    "flag_settings",
    "flag_scans",
    "flags",
    "flag_events",
    "assessment_schemes",
    "assessment_rounds",
    "assessment_publications",
    "assessment_round_events",
    "assessment_appeals",
    "assessment_appeal_events",
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

/// Opens the store named by `url` as [`open`] does, with reads that may go to the streaming
/// replica at `replica` (PostgreSQL only; see [`replica`]). Without `replica`, [`open`].
pub async fn open_with_replica(url: &str, replica: Option<&str>) -> Result<Arc<dyn Store>> {
    let Some(replica) = replica else {
        return open(url).await;
    };
    if !is_postgres(url) {
        return Err(StoreError::Replica(format!(
            "a read replica needs a PostgreSQL main database, not {}",
            redact_url(url)
        )));
    }
    if !is_postgres(replica) {
        return Err(StoreError::Replica(format!(
            "{}: expected a postgres:// URL",
            redact_url(replica)
        )));
    }
    Ok(Arc::new(PgStore::connect_with_replica(url, replica).await?))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens the store named by `url` for an audit (`sunledger verify`): SQLite read-only, nothing
/// created or migrated. A missing file or an unmigrated database is a [`StoreError::Audit`].
pub async fn open_for_audit(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect_existing(url).await?))
    } else if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        Ok(Arc::new(SqliteStore::open_read_only(path).await?))
    } else if url.contains("://") {
        Err(StoreError::Url(redact_url(url)))
    } else {
        Ok(Arc::new(SqliteStore::open_read_only(url).await?))
    }
}

/// Refuses a database that this version's migrations have not all been applied to, given the
/// versions it lists as applied (an error when it has no migrations table).
fn check_migrated(
    applied: std::result::Result<Vec<i64>, sqlx::Error>,
    migrator: &sqlx::migrate::Migrator,
    name: &str,
) -> Result<()> {
    let Ok(applied) = applied else {
        return Err(StoreError::Audit(format!(
            "{name}: not a Sunledger database (it has no migrations; create one with `sunledger init`)"
        )));
    };
    let missing: Vec<i64> = migrator
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect();
    if !missing.is_empty() {
        return Err(StoreError::Audit(format!(
            "{name}: the database is not migrated to this version (missing migrations {missing:?}; \
             run `sunledger init` against it first)"
        )));
    }
    Ok(())
}

/// The migrations a database lists as applied.
const APPLIED_MIGRATIONS: &str = "SELECT version FROM _sqlx_migrations WHERE success";

/// How `sunledger verify` covers every column of every table: booked, derived, the log itself,
/// or unbooked on purpose (the same on both backends; see [`LogStore::coverage`]).
pub fn coverage() -> Vec<TableCover> {
    sqlite::coverage()
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
    + NoticeStore
    + AcceptanceStore
    + DisclosureStore
    + AssetStore
    + MeetingStore
    + EvaluationStore
    + CommitteeStore
    + AppraisalStore
    + ComplaintStore
    + FlagStore
    + AssessmentStore
    + ReplicaStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;
}

/// The storage traits, for callers of [`Store`]'s methods: `use sunledger_store::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AcceptanceStore, AccessStore, AppraisalStore, AssessmentStore, AssetStore, CommitteeStore,
        ComplaintStore, DisclosureStore, EscalationStore, EvaluationStore, FlagStore,
        InspectionStore, LedgerStore, LogStore, MeetingStore, NoticeStore, OrgStore, ProblemStore,
        ProjectStore, RegionStore, ReplicaStore, ResponsibilityStore, Store, SummaryStore,
    };
}

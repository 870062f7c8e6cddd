//! The SQL shared by both backends, one module per feature. This tree is mounted twice, by
//! `sqlite.rs` and `postgres.rs` (`#[path = "sql/mod.rs"] mod sql;`), each of which defines `DB`,
//! `StoreImpl` (with a `pool` field), `BACKEND`, `FOR_UPDATE`, `CLIENT_ID_LOCK` and `begin_write`,
//! so the queries cannot drift apart. Placeholders are `$1`-style, which both engines accept.
//! Each also defines `reads()`: the pool of the read-only queries of dashboards and public pages,
//! a PostgreSQL read replica's when one is allowed (`crate::replica`), else `pool`; nothing that
//! writes or reads inside a write transaction uses it.

use super::{BACKEND, CLIENT_ID_LOCK, DB, FOR_UPDATE, StoreImpl, begin_write};
use crate::{Backend, Result};
use sqlx::{Pool, Row};

mod acceptance;
mod access;
mod appraisal;
mod assessment;
mod asset;
mod committee;
mod complaint;
mod disclosure;
mod escalation;
mod evaluation;
mod flag;
mod inspection;
mod ledger;
mod log;
mod meeting;
mod notice;
mod org;
mod problem;
mod project;
mod region;
mod responsibility;
mod summary;
#[allow(unused_imports)]
use self::{
    acceptance::*, access::*, appraisal::*, asset::*, committee::*, complaint::*, escalation::*,
    evaluation::*, flag::*, inspection::*, ledger::*, log::*, meeting::*, notice::*, org::*,
    problem::*, project::*, region::*, responsibility::*, summary::*,
};

/// How `verify` covers every column (the same for both backends).
pub(crate) fn column_coverage() -> Vec<crate::TableCover> {
    build_coverage()
}

impl crate::Store for StoreImpl {
    fn backend(&self) -> Backend {
        BACKEND
    }
}

use crate::StoreError;
use crate::error::classify;
use crate::*;
use async_trait::async_trait;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashMap;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use sunledger_core::duty::{self, Control};
use sunledger_core::escalation::{ProblemFacts, Step};
use sunledger_core::inspection::{SampleRules, SampledVillage};
use sunledger_core::ledger::{self as rules, Balance, PaymentAction, PaymentState, TransferKind};
use sunledger_core::log::fact::Fact;
use sunledger_core::log::merkle::{self, Hash, NodeId};
use sunledger_core::money::Money;
use sunledger_core::problem::{ProblemAction, ProblemCategory, ProblemState};
use sunledger_core::project::{Content, NoticeState, Stage, StageAction, Status, StatusAction};
use sunledger_core::responsibility::ResponsibleRole;
use sunledger_core::{Level, RegionCode};

pub(crate) type DbRow = <DB as sqlx::Database>::Row;

/// Batch size for multi-row inserts: below both engines' limit on bound parameters.
pub(crate) const BATCH_ROWS: usize = 1000;

pub(crate) fn code(s: &str) -> Result<RegionCode> {
    RegionCode::parse(s).map_err(|e| StoreError::Corrupt(format!("region code {s:?}: {e}")))
}

pub(crate) fn opt_code(s: Option<String>) -> Result<Option<RegionCode>> {
    s.as_deref().map(code).transpose()
}

/// The inclusive range of 12-digit codes inside `scope`'s subtree.
pub(crate) fn subtree_range(scope: &RegionCode) -> (String, String) {
    let p = scope.prefix();
    let pad = 12usize.saturating_sub(p.len());
    (
        format!("{p}{}", "0".repeat(pad)),
        format!("{p}{}", "9".repeat(pad)),
    )
}

pub(crate) fn push_scope_filter(qb: &mut QueryBuilder<DB>, column: &str, scopes: &[RegionCode]) {
    qb.push("(");
    if scopes.is_empty() {
        qb.push("1 = 0");
    }
    for (i, s) in scopes.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        let (lo, hi) = subtree_range(s);
        qb.push(format!("({column} >= "))
            .push_bind(lo)
            .push(format!(" AND {column} <= "))
            .push_bind(hi)
            .push(")");
    }
    qb.push(")");
}

/// The regions `actor` holds active grants on, with the role, read inside the transaction (for
/// the four-eyes rules the store enforces; see `sunledger_core::duty`).
pub(crate) async fn grant_units(
    tx: &mut sqlx::Transaction<'static, DB>,
    actor: i64,
) -> Result<Vec<(String, String)>> {
    sqlx::query("SELECT region_code, role FROM grants WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(actor)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Reads one row by id inside the transaction and maps it.
pub(crate) async fn one_in<T>(
    tx: &mut sqlx::Transaction<'static, DB>,
    select: String,
    id: i64,
    f: fn(&DbRow) -> Result<T>,
) -> Result<T> {
    f(&sqlx::query(AssertSqlSafe(select))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?)
}

impl StoreImpl {
    pub(crate) async fn one_by_id<T>(
        &self,
        select: String,
        id: i64,
        f: fn(&DbRow) -> Result<T>,
    ) -> Result<Option<T>> {
        sqlx::query(AssertSqlSafe(select))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(f)
            .transpose()
    }
}

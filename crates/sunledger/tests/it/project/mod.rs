//! The project library and Book 2 through the store, on both backends: the declaration path
//! with returns, the notice and its objections, approval, revision against the approved version,
//! implementation with milestones, beneficiaries, responsibilities over time, letters, and the
//! log (`verify` finds an edited row of each new table).
use crate::both;
use crate::support::*;
use std::collections::HashSet;
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::org::Position;
use sunledger_core::project::{Budget, StageAction, StatusAction};
use sunledger_core::responsibility::ResponsibleRole;
use sunledger_core::{DepartmentKind, IdNumber};
use sunledger_store::{
    NewDepartment, NewLetter, NewPerson, ProjectFilter, ResponsibilityFilter, Store, StoreError,
};

const K: &str = "529121"; // 云岭县
const T: &str = "529121100";
const V: &str = "529121100201";
const V2: &str = "529121100202";
const DAY: i64 = 86_400;

async fn setup(store: &dyn Store) {
    let mut want = HashSet::new();
    for c in [K, T, V, V2, "529122100201"] {
        want.extend(rc(c).lineage());
    }
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    store.upsert_regions(&rows, now()).await.unwrap();
}

/// A person in a new department of `kind` at `region`.
async fn person(
    store: &dyn Store,
    region: &str,
    kind: DepartmentKind,
    pos: Position,
    name: &str,
) -> i64 {
    let d = store
        .create_department(
            &NewDepartment {
                region: rc(region),
                kind,
                name: format!("{name}所在{}", kind.key()),
                credit_code: None,
                stationed_by: None,
            },
            now(),
        )
        .await
        .unwrap();
    store
        .create_person(
            &NewPerson {
                department_id: d.id,
                name: name.into(),
                position: pos,
                phone: None,
            },
            now(),
        )
        .await
        .unwrap()
        .id
}

fn field_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { field, .. }) => field,
        other => panic!("expected a rule error, got {other:?}"),
    }
}
fn reason_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { reason, .. }) => reason,
        other => panic!("expected a rule error, got {other:?}"),
    }
}
const VILLAGE: &str = "529121100201"; // the demo village cadre's village

mod declaration;
mod import;
mod migration;
mod model;
mod pages;
mod story;

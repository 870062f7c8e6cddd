//! Supervision through the store, on both backends: households and a seeded spot-check draw that
//! anyone can re-derive, an inspection with three findings, Book 3's lifecycle, the escalation
//! ladder proposed by the rules and confirmed step by step up to a suspension that really stops a
//! payment, verification that resumes it, and the log over every new table.
use crate::both;
use crate::support::*;
use std::collections::HashSet;
use sunledger_core::escalation::Step;
use sunledger_core::inspection::SampleRules;
use sunledger_core::ledger::{FiscalYear, FundSource, TransferKind};
use sunledger_core::money::Money;
use sunledger_core::org::Position;
use sunledger_core::problem::{ProblemAction, ProblemCategory, Severity};
use sunledger_core::{DepartmentKind, RegionCode};
use sunledger_store::{
    NewDepartment, NewEscalation, NewFund, NewHousehold, NewInspection, NewPerson, NewProblem,
    NewTransfer, Owner, ProblemFilter, Store, StoreError,
};

const CITY: &str = "5291";
const K: &str = "529121";
const K2: &str = "529122";
const T: &str = "529121100";
const DAY: i64 = 86_400;

/// The demo's regions of two counties (three villages each) and their households.
async fn setup(store: &dyn Store) -> Vec<RegionCode> {
    let all = sunledger::demo::regions().unwrap();
    let mut want = HashSet::new();
    let mut villages = Vec::new();
    for county in [K, K2] {
        let vs: Vec<RegionCode> = all
            .iter()
            .map(|r| r.code)
            .filter(|c| c.level() == sunledger_core::Level::Village && c.county_code() == county)
            .take(3)
            .collect();
        for v in &vs {
            want.extend(v.lineage());
        }
        villages.extend(vs);
    }
    want.extend(rc(T).lineage());
    let rows: Vec<_> = all.into_iter().filter(|r| want.contains(&r.code)).collect();
    store.upsert_regions(&rows, now()).await.unwrap();
    let mut hs = Vec::new();
    let mut n = 0;
    for v in &villages {
        for i in 0..30 {
            n += 1;
            hs.push(NewHousehold {
                village: *v,
                head_name: format!("户主{n}"),
                id_number: id_number(n),
                poor: i < 22,
                size: 1 + (n % 6) as i64,
            });
        }
    }
    assert_eq!(
        store.create_households(&hs, now()).await.unwrap(),
        hs.len() as u64
    );
    villages
}

async fn dept(store: &dyn Store, region: &str, kind: DepartmentKind, name: &str) -> (i64, i64) {
    let d = store
        .create_department(
            &NewDepartment {
                region: rc(region),
                kind,
                name: name.into(),
                credit_code: None,
                stationed_by: None,
            },
            now(),
        )
        .await
        .unwrap();
    let p = store
        .create_person(
            &NewPerson {
                department_id: d.id,
                name: format!("{name}负责人"),
                position: Position::Head,
                phone: None,
            },
            now(),
        )
        .await
        .unwrap();
    (d.id, p.id)
}

fn reason_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { reason, .. }) => reason,
        other => panic!("expected a rule error, got {other:?}"),
    }
}
const VILLAGE: &str = "529121100201";

mod command;
mod overdue;
mod story;
mod web;

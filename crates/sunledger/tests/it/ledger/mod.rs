//! Book 1, the fund appropriation ledger, through the `Store` interface on both backends.
//!
//! * `model_based`: random operation sequences (allocate, appropriate + confirm, arrange, refund,
//!   approve, hold/release/pay/void, suspend, resume, reverse), checked after every step against
//!   an in-memory reference model written here (balances per account, payment and receipt
//!   states, active suspensions), plus invariants read from the store's own tables (below); a
//!   refused operation must be refused for the model's reason and change nothing. 1,000 sequences
//!   per backend in CI, 80 locally (`LEDGER_MODEL_CASES` to change), all on one database, each with its own funds,
//!   projects and payees.
//! * races: concurrent approvals + payments against one project account, concurrent
//!   appropriations from one region account, bookings in opposite directions, concurrent retries
//!   of one request, pay against void, concurrent confirmations.
//! * replays of client ids, direction and rule checks, and `sunledger verify` over ledger rows.
//!
//! Store-only invariants checked after every step of `model_based` (per fund, from the tables):
//!
//! 1. Journal replay (double entry): every account's running totals equal what its entries say.
//!    `receive` credits its destination; `appropriate` debits its source and puts the amount in
//!    transit at its destination until confirmed (then credits it); `arrange` and `refund` debit
//!    the source and credit the destination; a `disburse` holds the amount on its project account
//!    while `approved`/`held`, debits it once `paid`, and leaves nothing once `voided`; a `reverse`
//!    credits the original's source and debits the original's destination (or takes it out of
//!    transit when the original appropriation was never confirmed). Each account's `received`
//!    is the total of the confirmed appropriations into it, less those reversed afterwards.
//! 2. Conservation: internal transfers cancel out, so
//!    ```text
//!    Σ_accounts (credited − debited + in_transit)
//!      = Σ amount of transfers with no source account      (receipts; reversals of payments)
//!      − Σ amount of disbursements in state `paid`
//!      − Σ amount of reversals with no destination account (reversals of receipts)
//!    ```
//!    and Σ_accounts held = Σ amount of disbursements in state `approved` or `held`.
//! 3. No account ever has a negative total, or credited − debited − held < 0.
use crate::support::{TestDb, now, post_json, raw_sql, rc, run_verify, test_signer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use sunledger_core::ledger::{FiscalYear, FundSource, PaymentAction, TransferKind};
use sunledger_core::money::Money;
use sunledger_store::{
    NewFund, NewProject, NewTransfer, Owner, Store, StoreError, SuspensionTarget, Transfer,
};

// --- the demo regions used here ----------------------------------------------------------------

pub(crate) const CITY: &str = "5291"; // 青山市
pub(crate) const K: &str = "529121"; // 云岭县
pub(crate) const K2: &str = "529122"; // 石门县
pub(crate) const T: &str = "529121100";
pub(crate) const T2: &str = "529121101";
pub(crate) const T3: &str = "529121202";
pub(crate) const V: &str = "529121100201";
pub(crate) const V2: &str = "529121100202";

pub(crate) fn reg(s: &str) -> Option<Owner> {
    Some(Owner::Region(rc(s)))
}
pub(crate) fn proj(id: i64) -> Option<Owner> {
    Some(Owner::Project(id))
}
pub(crate) const DAY: &str = "2026-03-02";
/// Whole yuan in fen.
pub(crate) const fn yuan(y: i64) -> i64 {
    y * 100
}

/// Loads just the demo regions these tests use (with their ancestors): faster than the whole
/// demo city with its departments and people.
pub(crate) async fn setup(store: &dyn Store) {
    let mut want = HashSet::new();
    for c in [CITY, K, K2, T, T2, T3, V, V2] {
        want.extend(rc(c).lineage());
    }
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    assert_eq!(rows.len(), want.len(), "all test regions are demo regions");
    store.upsert_regions(&rows, now()).await.unwrap();
}

pub(crate) fn new_fund(client: &str, region: &str, amount: i64) -> NewFund {
    NewFund {
        client_id: client.into(),
        region: rc(region),
        source: FundSource::CentralSpecial,
        fiscal_year: FiscalYear::new(2026).unwrap(),
        document_no: "财农〔2026〕12号".into(),
        name: "中央财政衔接推进乡村振兴补助资金".into(),
        detention_days: 90,
        amount: Money::from_fen(amount),
        booked_on: DAY.into(),
        actor: None,
    }
}

pub(crate) fn nt(
    client: &str,
    fund: i64,
    kind: TransferKind,
    from: Option<Owner>,
    to: Option<Owner>,
    amount: i64,
) -> NewTransfer {
    NewTransfer {
        client_id: client.into(),
        fund_id: fund,
        kind,
        from,
        to,
        payee: None,
        amount: Money::from_fen(amount),
        booked_on: DAY.into(),
        document_no: "云财农〔2026〕8号".into(),
        purpose: "产业发展".into(),
        actor: None,
        reverses: None,
    }
}

pub(crate) fn disb(client: &str, fund: i64, project: i64, payee: &str, amount: i64) -> NewTransfer {
    NewTransfer {
        payee: Some(payee.into()),
        ..nt(
            client,
            fund,
            TransferKind::Disburse,
            proj(project),
            None,
            amount,
        )
    }
}

pub(crate) fn rev(client: &str, orig: &Transfer) -> NewTransfer {
    NewTransfer {
        reverses: Some(orig.id),
        purpose: "冲正".into(),
        ..nt(
            client,
            orig.fund_id,
            TransferKind::Reverse,
            None,
            None,
            orig.amount.fen(),
        )
    }
}

pub(crate) async fn project(store: &dyn Store, region: &str, name: &str) -> i64 {
    store
        .create_project(
            &NewProject {
                region: rc(region),
                name: name.into(),
                fiscal_year: FiscalYear::new(2026).unwrap(),
            },
            now(),
        )
        .await
        .unwrap()
        .id
}

/// credited, debited, held, in_transit (fen) of an account; zeros when it does not exist.
pub(crate) async fn bal(store: &dyn Store, fund: i64, owner: Option<Owner>) -> [i64; 4] {
    match store.account_of(fund, owner.unwrap()).await.unwrap() {
        Some(a) => [
            a.balance.credited.fen(),
            a.balance.debited.fen(),
            a.balance.held.fen(),
            a.balance.in_transit.fen(),
        ],
        None => [0; 4],
    }
}

/// A short, comparable description of an error: `rule:<reason>`, `suspended:<id>:<document>`,
/// `conflict:<field>`, `not_found:<what>`, or the error text.
pub(crate) fn kind_of(e: &StoreError) -> String {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { reason, .. }) => {
            format!("rule:{reason}")
        }
        StoreError::Rule(d) => format!("rule:{d}"),
        StoreError::Suspended {
            id, document_no, ..
        } => format!("suspended:{id}:{document_no}"),
        StoreError::Conflict { field } => format!("conflict:{field}"),
        StoreError::NotFound(w) => format!("not_found:{w}"),
        other => format!("other:{other}"),
    }
}

pub(crate) fn err_kind<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => kind_of(&e),
    }
}

// --- reading the tables directly ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawAcc {
    id: i64,
    fund: i64,
    kind: String,
    region: String,
    project: Option<i64>,
    b: [i64; 4],
    /// Confirmed appropriations from the level above.
    received: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawTr {
    id: i64,
    fund: i64,
    kind: String,
    from: Option<i64>,
    to: Option<i64>,
    amount: i64,
    state: Option<String>,
    reverses: Option<i64>,
}

/// A connection of its own to the test database, outside the store.
pub(crate) enum Raw {
    Pg(sqlx::PgConnection),
    Lite(sqlx::SqliteConnection),
}

pub(crate) const ACC_Q: &str = "SELECT id, fund_id, owner_kind, region_code, project_id, credited, debited, held, in_transit, received \
                     FROM ledger_accounts WHERE fund_id >= $1 ORDER BY id";
pub(crate) const TR_Q: &str = "SELECT id, fund_id, kind, from_account, to_account, amount, state, reverses \
                    FROM transfers WHERE fund_id >= $1 ORDER BY id";

macro_rules! raw_accounts {
    ($c:expr, $min:expr) => {
        sqlx::query(ACC_Q)
            .bind($min)
            .fetch_all(&mut *$c)
            .await
            .expect("read ledger_accounts")
            .iter()
            .map(|r| RawAcc {
                id: r.get(0),
                fund: r.get(1),
                kind: r.get(2),
                region: r.get(3),
                project: r.get(4),
                b: [r.get(5), r.get(6), r.get(7), r.get(8)],
                received: r.get(9),
            })
            .collect()
    };
}
macro_rules! raw_transfers {
    ($c:expr, $min:expr) => {
        sqlx::query(TR_Q)
            .bind($min)
            .fetch_all(&mut *$c)
            .await
            .expect("read transfers")
            .iter()
            .map(|r| RawTr {
                id: r.get(0),
                fund: r.get(1),
                kind: r.get(2),
                from: r.get(3),
                to: r.get(4),
                amount: r.get(5),
                state: r.get(6),
                reverses: r.get(7),
            })
            .collect()
    };
}

impl Raw {
    async fn connect(db: &TestDb) -> Raw {
        use sqlx::Connection;
        if db.url.starts_with("postgres") {
            Raw::Pg(sqlx::PgConnection::connect(&db.url).await.expect("connect"))
        } else {
            Raw::Lite(
                sqlx::SqliteConnection::connect(&db.url)
                    .await
                    .expect("connect"),
            )
        }
    }
    async fn accounts(&mut self, min_fund: i64) -> Vec<RawAcc> {
        match self {
            Raw::Pg(c) => raw_accounts!(c, min_fund),
            Raw::Lite(c) => raw_accounts!(c, min_fund),
        }
    }
    async fn scalar(&mut self, sql: &'static str) -> i64 {
        match self {
            Raw::Pg(c) => sqlx::query(sql).fetch_one(&mut *c).await.expect(sql).get(0),
            Raw::Lite(c) => sqlx::query(sql).fetch_one(&mut *c).await.expect(sql).get(0),
        }
    }
    async fn transfers(&mut self, min_fund: i64) -> Vec<RawTr> {
        match self {
            Raw::Pg(c) => raw_transfers!(c, min_fund),
            Raw::Lite(c) => raw_transfers!(c, min_fund),
        }
    }
}

/// Everything a refused write must leave as it was.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    accounts: Vec<RawAcc>,
    transfers: Vec<RawTr>,
    log_size: u64,
    active_suspensions: Vec<i64>,
}

pub(crate) async fn snapshot(raw: &mut Raw, store: &dyn Store, min_fund: i64) -> Snapshot {
    let mut active_suspensions: Vec<i64> = store
        .suspensions_within(&rc("52"), true)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    active_suspensions.sort_unstable();
    Snapshot {
        accounts: raw.accounts(min_fund).await,
        transfers: raw.transfers(min_fund).await,
        log_size: store.log_size().await.unwrap(),
        active_suspensions,
    }
}

/// A realistic year on the demo city: receipts, appropriations down to a village with receipts
/// confirmed, arrangements, payments held, released, paid and voided, a suspension lifted,
/// refunds and reversals. Returns the transfers booked.
pub(crate) async fn realistic(s: &dyn Store) -> Vec<Transfer> {
    let mut out = Vec::new();
    let (central, r) = s
        .create_fund(&new_fund("v-central", CITY, yuan(5_000_000)), now())
        .await
        .unwrap();
    out.push(r);
    let county = NewFund {
        source: FundSource::CountyBudget,
        name: "县级衔接资金".into(),
        ..new_fund("v-county", K, yuan(800_000))
    };
    let (county, r) = s.create_fund(&county, now()).await.unwrap();
    out.push(r);
    let p_v = project(s, V, "村集体茶叶加工厂").await;
    let p_t = project(s, T, "乡村道路硬化").await;
    let f = central.id;
    let book = |t: NewTransfer| async move { s.book_transfer(&t, now()).await.unwrap() };
    for (c, from, to, amount) in [
        ("v-a1", CITY, K, yuan(2_000_000)),
        ("v-a2", K, T, yuan(1_000_000)),
        ("v-a3", T, V, yuan(300_000)),
    ] {
        let a = book(nt(
            c,
            f,
            TransferKind::Appropriate,
            reg(from),
            reg(to),
            amount,
        ))
        .await;
        out.push(s.confirm_receipt(a.id, DAY, None, now()).await.unwrap());
    }
    out.push(
        book(nt(
            "v-ar1",
            f,
            TransferKind::Arrange,
            reg(V),
            proj(p_v),
            yuan(250_000),
        ))
        .await,
    );
    out.push(
        book(nt(
            "v-ar2",
            f,
            TransferKind::Arrange,
            reg(T),
            proj(p_t),
            yuan(500_000),
        ))
        .await,
    );
    out.push(
        book(nt(
            "v-ar3",
            county.id,
            TransferKind::Arrange,
            reg(K),
            proj(p_t),
            yuan(300_000),
        ))
        .await,
    );
    let pay = |id: i64, a: PaymentAction| async move {
        s.payment_action(id, a, DAY, "支付凭证", None, now())
            .await
            .unwrap()
    };
    let d1 = book(disb("v-d1", f, p_v, "青山茶叶专业合作社", yuan(120_000))).await;
    out.push(pay(d1.id, PaymentAction::Pay).await);
    let d2 = book(disb("v-d2", f, p_t, "云岭路桥建设有限公司", yuan(200_000))).await;
    pay(d2.id, PaymentAction::Hold).await;
    pay(d2.id, PaymentAction::Release).await;
    out.push(pay(d2.id, PaymentAction::Pay).await);
    let d3 = book(disb("v-d3", f, p_v, "农户张三", yuan(5_000))).await;
    out.push(pay(d3.id, PaymentAction::Void).await);
    let sus = s
        .suspend(
            &SuspensionTarget::Project(p_t),
            &rc(T),
            "审计发现虚报工程量",
            "云纪〔2026〕5号",
            None,
            now(),
        )
        .await
        .unwrap();
    let blocked = s
        .book_transfer(
            &disb("v-d4", county.id, p_t, "云岭路桥建设有限公司", yuan(1_000)),
            now(),
        )
        .await;
    assert!(
        matches!(blocked, Err(StoreError::Suspended { .. })),
        "{blocked:?}"
    );
    s.resume(sus.id, "云纪〔2026〕6号", None, now())
        .await
        .unwrap();
    let d4 = book(disb(
        "v-d4",
        county.id,
        p_t,
        "云岭路桥建设有限公司",
        yuan(1_000),
    ))
    .await;
    out.push(pay(d4.id, PaymentAction::Pay).await);
    out.push(
        book(nt(
            "v-rf1",
            f,
            TransferKind::Refund,
            reg(T),
            reg(K),
            yuan(100_000),
        ))
        .await,
    );
    out.push(
        book(nt(
            "v-rf2",
            f,
            TransferKind::Refund,
            proj(p_t),
            reg(T),
            yuan(50_000),
        ))
        .await,
    );
    let a4 = book(nt(
        "v-a4",
        f,
        TransferKind::Appropriate,
        reg(CITY),
        reg(K2),
        yuan(50_000),
    ))
    .await;
    out.push(book(rev("v-rev-a4", &a4)).await);
    out.push(book(rev("v-rev-d1", &d1)).await);
    out.push(a4);
    out
}

mod counties;
mod model;
mod races;
mod replays;
mod rules;
mod suspension;
mod verify;

mod day;
mod import;

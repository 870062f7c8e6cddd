//! Replays of client ids.
use super::*;
use sunledger_store::Fund;

async fn replays(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    let (f, fund) = step_fund(s).await;
    let (a, t1) = step_transfer(s, &f, &fund).await;
    let (p, d) = step_moved_on(s, &fund, a, t1).await;
    step_refused_then_through(s, &fund, p).await;
    let t_all = step_money_gone(s, &fund, p).await;
    step_reversals(s, &fund, p, d, t_all).await;
    step_per_county(s, &f, &fund).await;
}

/// create_fund: a retry returns the same fund; a changed request is refused.
async fn step_fund(s: &dyn Store) -> (NewFund, Fund) {
    let log = || async { s.log_size().await.unwrap() };
    // create_fund
    let f = new_fund("rp-fund", CITY, 1_000_000);
    let (fund, t0) = s.create_fund(&f, now()).await.unwrap();
    let (size, city) = (log().await, bal(s, fund.id, reg(CITY)).await);
    let again = s.create_fund(&f, now() + 60).await.unwrap();
    assert_eq!(
        again,
        (fund.clone(), t0.clone()),
        "a retry returns the same fund and receipt"
    );
    assert_eq!(
        (log().await, bal(s, fund.id, reg(CITY)).await),
        (size, city)
    );
    let changed = [
        NewFund {
            amount: Money::from_fen(1_000_001),
            ..f.clone()
        },
        NewFund {
            name: "另一笔资金".into(),
            ..f.clone()
        },
        NewFund {
            document_no: "财农〔2026〕13号".into(),
            ..f.clone()
        },
        NewFund {
            booked_on: "2026-03-03".into(),
            ..f.clone()
        },
        NewFund {
            source: FundSource::Provincial,
            ..f.clone()
        },
        NewFund {
            detention_days: 30,
            ..f.clone()
        },
    ];
    for c in &changed {
        assert_eq!(
            err_kind(s.create_fund(c, now()).await),
            "conflict:client_id",
            "{c:?}"
        );
    }
    assert_eq!(
        (log().await, bal(s, fund.id, reg(CITY)).await),
        (size, city)
    );
    assert!(
        s.fund(fund.id + 1).await.unwrap().is_none(),
        "no second fund"
    );
    (f, fund)
}

/// book_transfer: the same, and client ids are one space across funds and transfers.
async fn step_transfer(s: &dyn Store, f: &NewFund, fund: &Fund) -> (NewTransfer, Transfer) {
    let log = || async { s.log_size().await.unwrap() };
    // book_transfer
    let a = nt(
        "rp-approp",
        fund.id,
        TransferKind::Appropriate,
        reg(CITY),
        reg(K),
        300_000,
    );
    let t1 = s.book_transfer(&a, now()).await.unwrap();
    let size = log().await;
    let snap = (
        bal(s, fund.id, reg(CITY)).await,
        bal(s, fund.id, reg(K)).await,
    );
    assert_eq!(s.book_transfer(&a, now() + 60).await.unwrap(), t1);
    assert_eq!(log().await, size);
    assert_eq!(
        (
            bal(s, fund.id, reg(CITY)).await,
            bal(s, fund.id, reg(K)).await
        ),
        snap
    );
    let changed = [
        NewTransfer {
            amount: Money::from_fen(300_001),
            ..a.clone()
        },
        NewTransfer {
            to: reg(K2),
            ..a.clone()
        },
        NewTransfer {
            document_no: "另一文号".into(),
            ..a.clone()
        },
        NewTransfer {
            purpose: "另一用途".into(),
            ..a.clone()
        },
        NewTransfer {
            booked_on: "2026-03-03".into(),
            ..a.clone()
        },
        // Another kind from the same paying side (client ids are scoped by the county booking:
        // a refund from 云岭县 would be 云岭县's key space).
        NewTransfer {
            kind: TransferKind::Arrange,
            ..a.clone()
        },
    ];
    for c in &changed {
        assert_eq!(
            err_kind(s.book_transfer(c, now()).await),
            "conflict:client_id",
            "{c:?}"
        );
    }
    // Client ids are one space across funds and transfers.
    let other = nt(
        "rp-fund",
        fund.id,
        TransferKind::Appropriate,
        reg(CITY),
        reg(K2),
        1,
    );
    assert_eq!(
        err_kind(s.book_transfer(&other, now()).await),
        "conflict:client_id"
    );
    let other = NewFund {
        client_id: "rp-approp".into(),
        ..f.clone()
    };
    assert_eq!(
        err_kind(s.create_fund(&other, now()).await),
        "conflict:client_id"
    );
    assert_eq!(log().await, size);
    assert_eq!(
        (
            bal(s, fund.id, reg(CITY)).await,
            bal(s, fund.id, reg(K)).await
        ),
        snap
    );
    (a, t1)
}

/// A retry after the transfer moved on returns it as it is now, and books nothing.
async fn step_moved_on(
    s: &dyn Store,
    fund: &Fund,
    a: NewTransfer,
    t1: Transfer,
) -> (i64, Transfer) {
    let log = || async { s.log_size().await.unwrap() };
    // A retry after the transfer moved on returns it as it is now, and books nothing.
    s.confirm_receipt(t1.id, DAY, None, now()).await.unwrap();
    let size = log().await;
    let r = s.book_transfer(&a, now()).await.unwrap();
    assert_eq!((r.id, r.state.as_deref()), (t1.id, Some("received")));
    assert_eq!(log().await, size);
    assert_eq!(bal(s, fund.id, reg(K)).await, [300_000, 0, 0, 0]);

    let p = project(s, T, "重放项目").await;
    let arr = nt(
        "rp-arr",
        fund.id,
        TransferKind::Arrange,
        reg(K),
        proj(p),
        100_000,
    );
    s.book_transfer(&arr, now()).await.unwrap();
    let pay = disb("rp-pay", fund.id, p, "农户甲", 40_000);
    let d = s.book_transfer(&pay, now()).await.unwrap();
    s.payment_action(d.id, PaymentAction::Pay, DAY, "付1", None, now())
        .await
        .unwrap();
    let size = log().await;
    let r = s.book_transfer(&pay, now()).await.unwrap();
    assert_eq!(
        (r.id, r.state.as_deref()),
        (d.id, Some("paid")),
        "not approved again"
    );
    assert_eq!(log().await, size);
    assert_eq!(
        bal(s, fund.id, proj(p)).await,
        [100_000, 40_000, 0, 0],
        "not held again"
    );
    (p, d)
}

/// A refused request leaves its client id unused.
async fn step_refused_then_through(s: &dyn Store, fund: &Fund, p: i64) {
    // A refused request leaves its client id unused: the same request goes through later.
    let big = disb("rp-big", fund.id, p, "农户乙", 70_000);
    assert_eq!(
        err_kind(s.book_transfer(&big, now()).await),
        "rule:insufficient_funds"
    );
    let arr2 = nt(
        "rp-arr2",
        fund.id,
        TransferKind::Arrange,
        reg(K),
        proj(p),
        50_000,
    );
    s.book_transfer(&arr2, now()).await.unwrap();
    let b = s.book_transfer(&big, now()).await.unwrap();
    assert_eq!(b.state.as_deref(), Some("approved"));
}

/// A retry after the money is gone still returns the booking.
async fn step_money_gone(s: &dyn Store, fund: &Fund, p: i64) -> Transfer {
    let log = || async { s.log_size().await.unwrap() };
    // A retry after the money is gone still returns the booking (it is not re-checked).
    let all = nt(
        "rp-all",
        fund.id,
        TransferKind::Arrange,
        reg(K),
        proj(p),
        150_000,
    );
    let t_all = s.book_transfer(&all, now()).await.unwrap();
    assert_eq!(bal(s, fund.id, reg(K)).await, [300_000, 300_000, 0, 0]);
    let size = log().await;
    assert_eq!(s.book_transfer(&all, now()).await.unwrap(), t_all);
    assert_eq!(log().await, size);
    assert_eq!(bal(s, fund.id, reg(K)).await, [300_000, 300_000, 0, 0]);
    t_all
}

/// Reversals too.
async fn step_reversals(s: &dyn Store, fund: &Fund, p: i64, d: Transfer, t_all: Transfer) {
    let log = || async { s.log_size().await.unwrap() };
    // Reversals too.
    let rv = rev("rp-rev", &d);
    let r1 = s.book_transfer(&rv, now()).await.unwrap();
    let (size, pb) = (log().await, bal(s, fund.id, proj(p)).await);
    assert_eq!(s.book_transfer(&rv, now()).await.unwrap(), r1);
    assert_eq!((log().await, bal(s, fund.id, proj(p)).await), (size, pb));
    let rv2 = NewTransfer {
        reverses: Some(t_all.id),
        amount: t_all.amount,
        ..rv.clone()
    };
    assert_eq!(
        err_kind(s.book_transfer(&rv2, now()).await),
        "conflict:client_id"
    );
}

/// Client ids are scoped per county.
async fn step_per_county(s: &dyn Store, f: &NewFund, fund: &Fund) {
    let log = || async { s.log_size().await.unwrap() };
    // Client ids are scoped per county: the city's key used in 石门县 books 石门县's own fund, and
    // a retry there answers it.
    let elsewhere = NewFund {
        region: rc(K2),
        ..f.clone()
    };
    let (f2, _) = s.create_fund(&elsewhere, now()).await.unwrap();
    assert_ne!(f2.id, fund.id);
    let size = log().await;
    assert_eq!(s.create_fund(&elsewhere, now()).await.unwrap().0, f2);
    assert_eq!(log().await, size);
}
crate::both!(replays_on, replays);

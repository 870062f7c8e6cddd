//! Races: concurrent bookings against the same accounts and requests.
use super::*;
/// Spawns `n` tasks that wait for each other, then run `f(i)`; returns their results in order.
async fn race<T, F, Fut>(n: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (barrier, fut) = (barrier.clone(), f(i));
            tokio::spawn(async move {
                barrier.wait().await;
                fut.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// One project account holds exactly K × amount; N > K tasks each approve and pay `amount`:
/// exactly K get through, the rest are refused for insufficient funds, and no reading taken
/// during the race ever shows an overdrawn account.
async fn concurrent_payments(db: TestDb) {
    const N: usize = 24;
    const KK: i64 = 7;
    const AMOUNT: i64 = 12_345;
    let store = db.store.clone();
    setup(store.as_ref()).await;
    let (fund, _) = store
        .create_fund(&new_fund("race-fund", K, KK * AMOUNT), now())
        .await
        .unwrap();
    let p = project(store.as_ref(), V, "并发支付项目").await;
    store
        .book_transfer(
            &nt(
                "race-arrange",
                fund.id,
                TransferKind::Arrange,
                reg(K),
                proj(p),
                KK * AMOUNT,
            ),
            now(),
        )
        .await
        .unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let monitor = {
        let (store, done) = (store.clone(), done.clone());
        tokio::spawn(async move {
            let mut samples = 0u64;
            while !done.load(Ordering::SeqCst) {
                let [c, d, h, t] = bal(store.as_ref(), fund.id, proj(p)).await;
                assert!(
                    c == KK * AMOUNT && d >= 0 && h >= 0 && t == 0 && c - d - h >= 0,
                    "mid-race reading overdrawn: {:?}",
                    [c, d, h, t]
                );
                samples += 1;
                tokio::task::yield_now().await;
            }
            samples
        })
    };
    let results = race(N, |i| {
        let store = store.clone();
        async move {
            let t = store
                .book_transfer(
                    &disb(
                        &format!("race-pay-{i}"),
                        fund.id,
                        p,
                        &format!("农户{i}"),
                        AMOUNT,
                    ),
                    now(),
                )
                .await?;
            store
                .payment_action(
                    t.id,
                    PaymentAction::Pay,
                    DAY,
                    &format!("付款{i}"),
                    None,
                    now(),
                )
                .await
        }
    })
    .await;
    done.store(true, Ordering::SeqCst);
    let samples = monitor.await.unwrap();
    let paid: Vec<&Transfer> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let refused: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(kind_of))
        .collect();
    assert_eq!(paid.len() as i64, KK, "exactly K fit; refused: {refused:?}");
    assert!(paid.iter().all(|t| t.state.as_deref() == Some("paid")));
    assert!(
        refused.iter().all(|k| k == "rule:insufficient_funds"),
        "{refused:?}"
    );
    assert_eq!(
        bal(store.as_ref(), fund.id, proj(p)).await,
        [KK * AMOUNT, KK * AMOUNT, 0, 0],
        "held 0, debited K × amount"
    );
    assert!(samples > 0);
}
crate::both!(concurrent_payments_on, concurrent_payments);

/// A county account holding 5 × amount; 16 tasks appropriate `amount` each to its townships at
/// once: exactly 5 are booked. Then three tasks per appropriation confirm it at once: one wins.
async fn concurrent_appropriations(db: TestDb) {
    const N: usize = 16;
    const KK: i64 = 5;
    const AMOUNT: i64 = 50_000;
    let store = db.store.clone();
    setup(store.as_ref()).await;
    let (fund, _) = store
        .create_fund(&new_fund("race-approp-fund", K, KK * AMOUNT), now())
        .await
        .unwrap();
    let children = [T, T2, T3];
    let results = race(N, |i| {
        let store = store.clone();
        async move {
            let t = nt(
                &format!("race-approp-{i}"),
                fund.id,
                TransferKind::Appropriate,
                reg(K),
                reg(children[i % 3]),
                AMOUNT,
            );
            store.book_transfer(&t, now()).await
        }
    })
    .await;
    let booked: Vec<Transfer> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect();
    let refused: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(kind_of))
        .collect();
    assert_eq!(booked.len() as i64, KK, "refused: {refused:?}");
    assert!(
        refused.iter().all(|k| k == "rule:insufficient_funds"),
        "{refused:?}"
    );
    assert_eq!(
        bal(store.as_ref(), fund.id, reg(K)).await,
        [KK * AMOUNT, KK * AMOUNT, 0, 0]
    );
    let mut sum = [0i64; 4];
    for c in children {
        let b = bal(store.as_ref(), fund.id, reg(c)).await;
        for (s, v) in sum.iter_mut().zip(b) {
            *s += v;
        }
    }
    assert_eq!(sum, [0, 0, 0, KK * AMOUNT], "all of it in transit below");

    let ids: Vec<i64> = booked.iter().map(|t| t.id).collect();
    let confirms = race(ids.len() * 3, |i| {
        let (store, id) = (store.clone(), ids[i / 3]);
        async move { (id, store.confirm_receipt(id, DAY, None, now()).await) }
    })
    .await;
    for id in &ids {
        let mine: Vec<_> = confirms.iter().filter(|(t, _)| t == id).collect();
        let ok = mine.iter().filter(|(_, r)| r.is_ok()).count();
        let errs: Vec<String> = mine
            .iter()
            .filter_map(|(_, r)| r.as_ref().err().map(kind_of))
            .collect();
        assert_eq!(
            ok, 1,
            "transfer {id}: one confirmation wins; others: {errs:?}"
        );
        assert!(
            errs.iter().all(|k| k == "rule:already_received"),
            "{errs:?}"
        );
    }
    let mut sum = [0i64; 4];
    for c in children {
        let b = bal(store.as_ref(), fund.id, reg(c)).await;
        for (s, v) in sum.iter_mut().zip(b) {
            *s += v;
        }
    }
    assert_eq!(sum, [KK * AMOUNT, 0, 0, 0], "confirmed once each");
}
crate::both!(concurrent_appropriations_on, concurrent_appropriations);

/// Bookings between the same two accounts in opposite directions at once (appropriations down
/// and refunds up, arrangements and refunds from the project): all have the money, so all must
/// be booked; none may fail on a lock-order deadlock.
async fn opposite_directions(db: TestDb) {
    let store = db.store.clone();
    setup(store.as_ref()).await;
    let (fund, _) = store
        .create_fund(&new_fund("opp-fund", K, 1_000_000), now())
        .await
        .unwrap();
    let p = project(store.as_ref(), T, "对向项目").await;
    let a = store
        .book_transfer(
            &nt(
                "opp-a",
                fund.id,
                TransferKind::Appropriate,
                reg(K),
                reg(T),
                500_000,
            ),
            now(),
        )
        .await
        .unwrap();
    store.confirm_receipt(a.id, DAY, None, now()).await.unwrap();
    store
        .book_transfer(
            &nt(
                "opp-b",
                fund.id,
                TransferKind::Arrange,
                reg(T),
                proj(p),
                200_000,
            ),
            now(),
        )
        .await
        .unwrap();
    let mut failures = Vec::new();
    for round in 0..2 {
        let results = race(16, |i| {
            let store = store.clone();
            async move {
                let (kind, from, to) = match i % 4 {
                    0 => (TransferKind::Appropriate, reg(K), reg(T)),
                    1 => (TransferKind::Refund, reg(T), reg(K)),
                    2 => (TransferKind::Arrange, reg(T), proj(p)),
                    _ => (TransferKind::Refund, proj(p), reg(T)),
                };
                let t = nt(&format!("opp-{round}-{i}"), fund.id, kind, from, to, 100);
                store.book_transfer(&t, now()).await
            }
        })
        .await;
        failures.extend(results.iter().enumerate().filter_map(|(i, r)| {
            r.as_ref()
                .err()
                .map(|e| format!("round {round} task {i}: {e}"))
        }));
    }
    // Bookings in opposite directions between two accounts never deadlock: book_in creates
    // both accounts first, then locks them in id order.
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    let mut total = 0;
    for o in [reg(K), reg(T), proj(p)] {
        let [c, d, _, t] = bal(store.as_ref(), fund.id, o).await;
        total += c - d + t;
    }
    assert_eq!(total, 1_000_000, "money neither made nor lost");
}
crate::both!(opposite_directions_on, opposite_directions);

/// A client retrying a request while the first attempt is still in flight: the same request sent
/// by several tasks at once books once, and every attempt gets that booking back.
async fn concurrent_retries(db: TestDb) {
    let store = db.store.clone();
    setup(store.as_ref()).await;
    let (fund, _) = store
        .create_fund(&new_fund("retry-fund-0", K, 1_000_000), now())
        .await
        .unwrap();
    let p = project(store.as_ref(), T, "重试项目").await;
    let req = nt(
        "retry-arrange",
        fund.id,
        TransferKind::Arrange,
        reg(K),
        proj(p),
        30_000,
    );
    let results = race(8, |_| {
        let (store, req) = (store.clone(), req.clone());
        async move { store.book_transfer(&req, now()).await.map(|t| t.id) }
    })
    .await;
    // Booked once, whatever the retries were told.
    assert_eq!(
        bal(store.as_ref(), fund.id, proj(p)).await,
        [30_000, 0, 0, 0]
    );
    let funds = race(8, |_| {
        let store = store.clone();
        async move {
            store
                .create_fund(&new_fund("retry-fund-1", K2, yuan(777)), now())
                .await
                .map(|(f, _)| f.id)
        }
    })
    .await;
    let booked: HashSet<i64> = funds
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(booked.len(), 1, "one fund: {funds:?}");
    let fid = *booked.iter().next().unwrap();
    assert_eq!(
        bal(store.as_ref(), fid, reg(K2)).await,
        [yuan(777), 0, 0, 0]
    );
    // Concurrent identical retries all get the booked transfer: requests with one client id are
    // serialised (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) before the replay check.
    let expect_same = |rs: &[Result<i64, StoreError>]| -> Result<i64, String> {
        let ids: HashSet<i64> = rs.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
        match ids.iter().next() {
            Some(id) if ids.len() == 1 && rs.iter().all(|r| r.is_ok()) => Ok(*id),
            _ => Err(format!(
                "{:?}",
                rs.iter()
                    .map(|r| r.as_ref().map_err(kind_of))
                    .collect::<Vec<_>>()
            )),
        }
    };
    let transfers_ok = expect_same(&results);
    let funds_ok = expect_same(&funds);
    assert!(
        transfers_ok.is_ok() && funds_ok.is_ok(),
        "every retry gets the one booking back: transfers {transfers_ok:?}, funds {funds_ok:?}"
    );
}
crate::both!(concurrent_retries_on, concurrent_retries);

/// Pay and void of one approved payment at once: exactly one wins, and the account agrees with
/// the winner.
async fn pay_void_race(db: TestDb) {
    let store = db.store.clone();
    setup(store.as_ref()).await;
    let (fund, _) = store
        .create_fund(&new_fund("pv-fund", K, 100_000), now())
        .await
        .unwrap();
    let p = project(store.as_ref(), T, "付作废项目").await;
    store
        .book_transfer(
            &nt(
                "pv-arr",
                fund.id,
                TransferKind::Arrange,
                reg(K),
                proj(p),
                100_000,
            ),
            now(),
        )
        .await
        .unwrap();
    for round in 0..3 {
        let d = store
            .book_transfer(
                &disb(&format!("pv-d{round}"), fund.id, p, "施工单位", 10_000),
                now(),
            )
            .await
            .unwrap();
        let results = race(8, |i| {
            let store = store.clone();
            let action = if i % 2 == 0 {
                PaymentAction::Pay
            } else {
                PaymentAction::Void
            };
            async move {
                store
                    .payment_action(d.id, action, DAY, "凭证", None, now())
                    .await
            }
        })
        .await;
        let won: Vec<&Transfer> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        let lost: Vec<String> = results
            .iter()
            .filter_map(|r| r.as_ref().err().map(kind_of))
            .collect();
        assert_eq!(won.len(), 1, "{lost:?}");
        assert!(
            lost.iter().all(|k| k == "rule:transition_not_allowed"),
            "{lost:?}"
        );
        let state = store.transfer(d.id).await.unwrap().unwrap().state;
        assert_eq!(state, won[0].state);
    }
    let t = raw_states(&db).await;
    let paid: i64 = t
        .iter()
        .filter(|t| t.kind == "disburse" && t.state.as_deref() == Some("paid"))
        .map(|t| t.amount)
        .sum();
    assert_eq!(
        bal(store.as_ref(), fund.id, proj(p)).await,
        [100_000, paid, 0, 0]
    );
}
crate::both!(pay_void_race_on, pay_void_race);

async fn raw_states(db: &TestDb) -> Vec<RawTr> {
    Raw::connect(db).await.transfers(0).await
}

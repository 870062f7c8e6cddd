//! Random operation sequences run against the store and the model side by side.
use super::*;
async fn run_case(ctx: &Ctx, ops: Vec<(Op, Steer)>) -> Result<(), TestCaseError> {
    let store = ctx.store.as_ref();
    let n = ctx.cases.fetch_add(1, Ordering::SeqCst);
    // Suspensions left active by an earlier (failed) case would leak into this one.
    for s in store.suspensions_within(&rc("52"), true).await.unwrap() {
        store.resume(s.id, "清理", None, now()).await.unwrap();
    }
    let mut projects = [0i64; 3];
    for (i, at) in PROJ_AT.iter().enumerate() {
        projects[i] = project(store, REGS[*at], &format!("案例{n}项目{i}")).await;
    }
    let mut c = Case {
        n,
        projects,
        payees: [
            format!("{n}号专业合作社"),
            format!("农户{n}"),
            format!("{n}号建筑公司"),
        ],
        m: Model::default(),
    };
    let mut raw = ctx.raw.lock().await;
    let mut min_fund = i64::MAX;
    for (step, (op, how)) in ops.iter().enumerate() {
        ctx.steps.fetch_add(1, Ordering::Relaxed);
        let op = &steer(&c, op, *how);
        let client = format!("case{}-step{step}", c.n);
        let what = format!("step {step} {op:?}");
        let expect = plan(&c, op);
        let tally = |i: usize| ctx.stats.lock().unwrap().entry(op_name(op)).or_default()[i] += 1;
        let Some(expect) = expect else {
            tally(2);
            continue;
        };
        tally(if expect.ok { 0 } else { 1 });
        let before = if expect.ok {
            None
        } else {
            Some(snapshot(&mut raw, store, min_fund.min(i64::MAX - 1)).await)
        };
        let touched = execute(store, &mut c, op, &client, &what, &expect).await?;
        if let Some(f) = c.m.funds.first() {
            min_fund = *f;
        }
        if let Some(before) = before {
            let after = snapshot(&mut raw, store, min_fund).await;
            ensure!(
                before == after,
                "{what}: a refused write changed the store:\nbefore {before:?}\nafter  {after:?}"
            );
        }
        // The accounts the step touched, through the store's own read.
        for (fund, o) in touched {
            let got = bal(store, fund, Some(c.owner(o))).await;
            let want = c.m.bal.get(&(fund, o)).copied().unwrap_or_default();
            ensure!(
                got == want,
                "{what}: account_of({fund}, {o:?}) = {got:?}, model {want:?}"
            );
        }
        // Every account, state and suspension against the model; the store-only invariants.
        let accs = raw.accounts(min_fund).await;
        let trs = raw.transfers(min_fund).await;
        if let Err(e) = check_invariants(&accs, &trs) {
            return Err(TestCaseError::fail(format!("{what}: {e}")));
        }
        let mut got = BTreeMap::new();
        for a in &accs {
            let o = c
                .mo_of(a)
                .ok_or_else(|| TestCaseError::fail(format!("{what}: unexpected account {a:?}")))?;
            if a.b != [0; 4] {
                got.insert((a.fund, o), a.b);
            }
        }
        let want: BTreeMap<_, _> =
            c.m.bal
                .iter()
                .filter(|(_, b)| **b != [0; 4])
                .map(|(k, v)| (*k, *v))
                .collect();
        ensure!(
            got == want,
            "{what}: balances differ\nstore {got:?}\nmodel {want:?}"
        );
        ensure!(
            trs.len() == c.m.transfers.len(),
            "{what}: {} transfers in the store, {} in the model",
            trs.len(),
            c.m.transfers.len()
        );
        let acc_mo: HashMap<i64, Option<MO>> = accs.iter().map(|a| (a.id, c.mo_of(a))).collect();
        for (t, mt) in trs.iter().zip(&c.m.transfers) {
            let side = |id: Option<i64>| id.and_then(|i| acc_mo.get(&i).copied().flatten());
            ensure!(
                t.id == mt.id
                    && t.amount == mt.amount
                    && t.kind == mt.kind.key()
                    && t.state.as_deref() == mt.state.map(St::key)
                    && side(t.from) == mt.from
                    && side(t.to) == mt.to,
                "{what}: transfer {t:?} differs from the model's {mt:?}"
            );
        }
        let mut active: Vec<i64> = store
            .suspensions_within(&rc("52"), true)
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        active.sort_unstable();
        let model_active: Vec<i64> = c.m.susp.iter().filter(|s| s.active).map(|s| s.id).collect();
        ensure!(
            active == model_active,
            "{what}: active suspensions {active:?}, model {model_active:?}"
        );
    }
    Ok(())
}

/// Runs `op` on the store, checks the outcome against `expect`, applies it to the model; returns
/// the accounts it should have touched.
async fn execute(
    store: &dyn Store,
    c: &mut Case,
    op: &Op,
    client: &str,
    what: &str,
    expect: &Expect,
) -> Result<Vec<(i64, MO)>, TestCaseError> {
    let t_now = now();
    let mut touched = Vec::new();
    match *op {
        Op::Fund { amount } => {
            let f = NewFund {
                name: format!("资金{client}"),
                ..new_fund(client, CITY, amount)
            };
            if let Some((fund, t)) = settle(what, expect, store.create_fund(&f, t_now).await)? {
                ensure!(
                    t.kind == "receive" && t.amount.fen() == amount && t.fund_id == fund.id,
                    "{what}: {t:?}"
                );
                c.m.funds.push(fund.id);
                c.m.add(fund.id, MO::R(0), 0, amount);
                c.m.transfers.push(MT {
                    id: t.id,
                    fund: fund.id,
                    kind: TransferKind::Receive,
                    from: None,
                    to: Some(MO::R(0)),
                    payee: None,
                    amount,
                    state: None,
                    reversed: false,
                });
                touched.push((fund.id, MO::R(0)));
            }
        }
        Op::Appropriate { fund, edge, amount } => {
            let f = fund_of(c, fund).unwrap_or_default();
            let (s, d) = APPROP[edge];
            let (from, to) = (MO::R(s), MO::R(d));
            let t = nt(
                client,
                f,
                TransferKind::Appropriate,
                Some(c.owner(from)),
                Some(c.owner(to)),
                amount,
            );
            if let Some(t) = settle(what, expect, store.book_transfer(&t, t_now).await)? {
                ensure!(t.state.as_deref() == Some("dispatched"), "{what}: {t:?}");
                c.m.add(f, from, 1, amount);
                c.m.add(f, to, 3, amount);
                c.m.transfers.push(MT {
                    id: t.id,
                    fund: f,
                    kind: TransferKind::Appropriate,
                    from: Some(from),
                    to: Some(to),
                    payee: None,
                    amount,
                    state: Some(St::Dispatched),
                    reversed: false,
                });
                touched.extend([(f, from), (f, to)]);
            }
        }
        Op::Confirm { pick: i } => {
            let Some(mt) = pick(kinds(&c.m, TransferKind::Appropriate), i) else {
                return Ok(touched);
            };
            let r = store.confirm_receipt(mt.id, DAY, None, t_now).await;
            if let Some(t) = settle(what, expect, r)? {
                ensure!(t.state.as_deref() == Some("received"), "{what}: {t:?}");
                let to = mt.to.unwrap_or(MO::R(0));
                c.m.add(mt.fund, to, 3, -mt.amount);
                c.m.add(mt.fund, to, 0, mt.amount);
                let idx = index_of(&c.m, mt.id);
                c.m.transfers[idx].state = Some(St::Received);
                touched.push((mt.fund, to));
            }
        }
        Op::Arrange {
            fund,
            region,
            project,
            amount,
        } => {
            let f = fund_of(c, fund).unwrap_or_default();
            let (from, to) = (MO::R(region), MO::P(project));
            let t = nt(
                client,
                f,
                TransferKind::Arrange,
                Some(c.owner(from)),
                Some(c.owner(to)),
                amount,
            );
            if let Some(t) = settle(what, expect, store.book_transfer(&t, t_now).await)? {
                ensure!(t.state.is_none(), "{what}: {t:?}");
                book_move(c, f, t.id, TransferKind::Arrange, from, to, amount);
                touched.extend([(f, from), (f, to)]);
            }
        }
        Op::Refund { fund, edge, amount } => {
            let f = fund_of(c, fund).unwrap_or_default();
            let (from, to) = (REFUND[edge].0, MO::R(REFUND[edge].1));
            let t = nt(
                client,
                f,
                TransferKind::Refund,
                Some(c.owner(from)),
                Some(c.owner(to)),
                amount,
            );
            if let Some(t) = settle(what, expect, store.book_transfer(&t, t_now).await)? {
                book_move(c, f, t.id, TransferKind::Refund, from, to, amount);
                touched.extend([(f, from), (f, to)]);
            }
        }
        Op::Disburse {
            fund,
            project,
            payee,
            amount,
        } => {
            let f = fund_of(c, fund).unwrap_or_default();
            let t = disb(client, f, c.projects[project], &c.payees[payee], amount);
            if let Some(t) = settle(what, expect, store.book_transfer(&t, t_now).await)? {
                ensure!(t.state.as_deref() == Some("approved"), "{what}: {t:?}");
                c.m.add(f, MO::P(project), 2, amount);
                c.m.transfers.push(MT {
                    id: t.id,
                    fund: f,
                    kind: TransferKind::Disburse,
                    from: Some(MO::P(project)),
                    to: None,
                    payee: Some(payee),
                    amount,
                    state: Some(St::Approved),
                    reversed: false,
                });
                touched.push((f, MO::P(project)));
            }
        }
        Op::Payment { pick: i, action } => {
            let Some(mt) = pick(kinds(&c.m, TransferKind::Disburse), i) else {
                return Ok(touched);
            };
            let r = store
                .payment_action(mt.id, action, DAY, "支付凭证001", None, t_now)
                .await;
            if let Some(t) = settle(what, expect, r)? {
                let next = mt.state.and_then(|s| s.after(action));
                ensure!(
                    t.state.as_deref() == next.map(St::key),
                    "{what}: {t:?}, model {next:?}"
                );
                let from = mt.from.unwrap_or(MO::R(0));
                match action {
                    PaymentAction::Pay => {
                        c.m.add(mt.fund, from, 2, -mt.amount);
                        c.m.add(mt.fund, from, 1, mt.amount);
                    }
                    PaymentAction::Void => c.m.add(mt.fund, from, 2, -mt.amount),
                    PaymentAction::Hold | PaymentAction::Release => {}
                }
                let idx = index_of(&c.m, mt.id);
                c.m.transfers[idx].state = next;
                touched.push((mt.fund, from));
            }
        }
        Op::Suspend { target } => {
            let tg = TARGETS[target];
            let (st, region) = match tg {
                Target::Project(p) => (SuspensionTarget::Project(c.projects[p]), REGS[PROJ_AT[p]]),
                Target::Region(r) => (SuspensionTarget::Region(rc(REGS[r])), REGS[r]),
                Target::Payee(p) => (SuspensionTarget::Payee(c.payees[p].clone()), CITY),
            };
            let doc = format!("纪监通〔2026〕{client}号");
            let r = store
                .suspend(&st, &rc(region), "资金使用核查", &doc, None, t_now)
                .await;
            if let Some(s) = settle(what, expect, r)? {
                ensure!(
                    s.document_no == doc && s.resumed_at.is_none(),
                    "{what}: {s:?}"
                );
                c.m.susp.push(MS {
                    id: s.id,
                    target: tg,
                    doc,
                    active: true,
                });
            }
        }
        Op::Resume { pick: i } => {
            let Some(ms) = pick(c.m.susp.clone(), i) else {
                return Ok(touched);
            };
            let r = store.resume(ms.id, "纪监解〔2026〕1号", None, t_now).await;
            if let Some(s) = settle(what, expect, r)? {
                ensure!(s.resumed_at.is_some(), "{what}: {s:?}");
                if let Some(x) = c.m.susp.iter_mut().find(|x| x.id == ms.id) {
                    x.active = false;
                }
            }
        }
        Op::Reverse { pick: i } => {
            let Some(mt) = pick(c.m.transfers.clone(), i) else {
                return Ok(touched);
            };
            let mut t = nt(
                client,
                mt.fund,
                TransferKind::Reverse,
                None,
                None,
                mt.amount,
            );
            t.reverses = Some(mt.id);
            if let Some(t) = settle(what, expect, store.book_transfer(&t, t_now).await)? {
                ensure!(t.reverses == Some(mt.id), "{what}: {t:?}");
                if mt.kind == TransferKind::Appropriate && mt.state == Some(St::Dispatched) {
                    if let Some(to) = mt.to {
                        c.m.add(mt.fund, to, 3, -mt.amount);
                    }
                } else if let Some(to) = mt.to {
                    c.m.add(mt.fund, to, 1, mt.amount);
                }
                if let Some(from) = mt.from {
                    c.m.add(mt.fund, from, 0, mt.amount);
                }
                touched.extend(mt.from.iter().chain(mt.to.iter()).map(|o| (mt.fund, *o)));
                let idx = index_of(&c.m, mt.id);
                c.m.transfers[idx].reversed = true;
                c.m.transfers.push(MT {
                    id: t.id,
                    fund: mt.fund,
                    kind: TransferKind::Reverse,
                    from: mt.to,
                    to: mt.from,
                    payee: None,
                    amount: mt.amount,
                    state: None,
                    reversed: false,
                });
            }
        }
    }
    Ok(touched)
}

fn book_move(c: &mut Case, f: i64, id: i64, kind: TransferKind, from: MO, to: MO, amount: i64) {
    c.m.add(f, from, 1, amount);
    c.m.add(f, to, 0, amount);
    c.m.transfers.push(MT {
        id,
        fund: f,
        kind,
        from: Some(from),
        to: Some(to),
        payee: None,
        amount,
        state: None,
        reversed: false,
    });
}

async fn model_based(db: TestDb) {
    let started = std::time::Instant::now();
    setup(db.store.as_ref()).await;
    let ctx = Ctx {
        store: db.store.clone(),
        raw: tokio::sync::Mutex::new(Raw::connect(&db).await),
        cases: AtomicU64::new(0),
        steps: AtomicU64::new(0),
        stats: Default::default(),
    };
    // Thousands of sequences in CI (1,000 per backend), fewer in a local run.
    let default_cases = if std::env::var("CI").is_ok_and(|v| v == "true") {
        1000
    } else {
        80
    };
    let cases = std::env::var("LEDGER_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&ops_strategy(), |ops| handle.block_on(run_case(&ctx, ops)))
    });
    if let Err(e) = result {
        panic!("{:?}: {e}", db.store.backend());
    }
    eprintln!(
        "ledger model ({:?}): {} cases, {} steps in {:.1?}; [booked, refused, skipped] {:?}",
        db.store.backend(),
        ctx.cases.load(Ordering::SeqCst),
        ctx.steps.load(Ordering::SeqCst),
        started.elapsed(),
        ctx.stats.lock().unwrap()
    );
}
crate::both!(model_based_on, model_based);

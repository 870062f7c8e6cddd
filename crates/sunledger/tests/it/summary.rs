//! The region dashboard (rollups) against the ledger's accounts, on both backends.
use crate::ledger::*;
use crate::support::{TestDb, now, rc};
use sunledger_core::RegionCode;
use sunledger_core::ledger::{PaymentAction, TransferKind};
use sunledger_core::money::Money;
use sunledger_store::{LedgerOp, NewTransfer, Ref, Store};

async fn subtree(s: &dyn Store, code: &str) -> Vec<RegionCode> {
    let mut out = vec![rc(code)];
    let mut i = 0;
    while let Some(c) = out.get(i).copied() {
        for ch in s.region_children(&c).await.unwrap() {
            out.push(ch.code);
        }
        i += 1;
    }
    out
}

fn add(t: &mut sunledger_store::MoneyTotals, a: &sunledger_store::Account) {
    t.accounts += 1;
    t.credited += a.balance.credited.fen();
    t.debited += a.balance.debited.fen();
    t.held += a.balance.held.fen();
    t.in_transit += a.balance.in_transit.fen();
    t.available = t.credited - t.debited - t.held;
}

/// `region_summary` (sums, detention and reconciliation done in SQL) agrees with the same figures
/// computed here account by account through the plain store calls and `core::ledger::detention`,
/// at several regions and on several days.
async fn summary_agrees_with_the_accounts(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    realistic(s).await;
    step_open_items(s).await;
    let day0 = sunledger_core::day::parse("day", DAY).unwrap();
    let mut detained_somewhere = false;
    for region in [CITY, K, T, T2, V, K2] {
        detained_somewhere |= step_region(s, region, day0).await;
    }
    assert!(detained_somewhere, "the late days find detained money");
    step_county_money(s, day0).await;
}

/// Leaves an appropriation unconfirmed and a payment held, so every column has something.
async fn step_open_items(s: &dyn Store) {
    // Leave an appropriation unconfirmed and a payment held, so every column has something.
    let (fund, _) = s
        .create_fund(&new_fund("sum-f", K, yuan(90_000)), now())
        .await
        .unwrap();
    s.book_transfer(
        &nt(
            "sum-a",
            fund.id,
            TransferKind::Appropriate,
            reg(K),
            reg(T2),
            yuan(40_000),
        ),
        now(),
    )
    .await
    .unwrap();
    let p = project(s, V2, "村级光伏电站").await;
    s.book_transfer(
        &nt(
            "sum-ar",
            fund.id,
            TransferKind::Arrange,
            reg(K),
            proj(p),
            yuan(30_000),
        ),
        now(),
    )
    .await
    .unwrap();
    let d = s
        .book_transfer(
            &disb("sum-d", fund.id, p, "光伏安装公司", yuan(7_000)),
            now(),
        )
        .await
        .unwrap();
    s.payment_action(d.id, PaymentAction::Hold, DAY, "暂缓", None, now())
        .await
        .unwrap();
}

/// One region's summary on three days against its accounts, its detention and its
/// reconciliation; whether any money was detained there.
async fn step_region(s: &dyn Store, region: &str, day0: i64) -> bool {
    let mut detained_somewhere = false;
    let codes = subtree(s, region).await;
    let (mut own, mut below, mut projects) = Default::default();
    let mut region_accounts = Vec::new();
    for c in &codes {
        for a in s.accounts_in(c).await.unwrap() {
            match (a.owner_kind.as_str(), c.as_str() == rc(region).as_str()) {
                ("project", _) => add(&mut projects, &a),
                (_, true) => add(&mut own, &a),
                (_, false) => add(&mut below, &a),
            }
            if a.owner_kind == "region" {
                region_accounts.push(a);
            }
        }
    }
    for today in [day0 + 10, day0 + 91, day0 + 400] {
        let got = s.region_summary(&rc(region), today).await.unwrap();
        assert_eq!(
            (got.own, got.below, got.projects),
            (own, below, projects),
            "{region}"
        );
        let (mut fen, mut n, mut max) = (0, 0, None::<i64>);
        for a in &region_accounts {
            let dd = s.fund(a.fund_id).await.unwrap().unwrap().detention_days;
            let credits: Vec<(i64, Money)> = s
                .account_credits(a.id)
                .await
                .unwrap()
                .into_iter()
                .map(|(d, m)| (sunledger_core::day::parse("day", &d).unwrap(), m))
                .collect();
            let out = Money::from_fen(a.balance.debited.fen() + a.balance.held.fen());
            if let Some((m, days)) = sunledger_core::ledger::detention(&credits, out, today, dd) {
                fen += m.fen();
                n += 1;
                max = Some(max.map_or(days, |x| x.max(days)));
            }
        }
        assert_eq!(
            (
                got.detained_fen,
                got.detained_accounts,
                got.detained_max_days
            ),
            (fen, n, max),
            "{region} on day {today}"
        );
        detained_somewhere |= n > 0;
        let recon = s.reconciliation(&rc(region)).await.unwrap();
        let children = s.region_children(&rc(region)).await.unwrap();
        assert_eq!(got.children.len(), children.len(), "{region}");
        for (c, want) in got.children.iter().zip(&children) {
            assert_eq!(c.region_code, want.code.to_string());
            assert_eq!(c.region_name, want.name);
            let mine: Vec<_> = recon
                .iter()
                .filter(|r| r.account.region == want.code)
                .collect();
            let received: i64 = mine
                .iter()
                .map(|r| r.account.received_from_above.fen())
                .sum();
            let transit: i64 = mine
                .iter()
                .map(|r| r.account.balance.in_transit.fen())
                .sum();
            let oldest = mine
                .iter()
                .filter_map(|r| r.oldest_in_transit.clone())
                .min();
            assert_eq!(
                (
                    c.received,
                    c.in_transit,
                    c.dispatched,
                    c.oldest_unconfirmed.clone()
                ),
                (received, transit, received + transit, oldest),
                "{region} → {}",
                c.region_code
            );
        }
    }
    detained_somewhere
}

/// The county's money, its projects by stage, and a county with no project accounts.
async fn step_county_money(s: &dyn Store, day0: i64) {
    // Money: the unconfirmed appropriation shows under the county's children, the held payment
    // on the projects; the suspension was resumed, so none is active.
    let k = s.region_summary(&rc(K), day0).await.unwrap();
    let t2 = k
        .children
        .iter()
        .find(|c| c.region_code == rc(T2).to_string())
        .unwrap();
    assert_eq!(t2.in_transit, yuan(40_000));
    assert_eq!(k.projects.held, yuan(7_000));
    assert_eq!(k.suspensions, 0);
    let stages: i64 = k.projects_by_stage.iter().map(|c| c.count).sum();
    let (_, total) = s
        .projects(
            &sunledger_store::ProjectFilter {
                scopes: vec![rc(K)],
                ..Default::default()
            },
            1,
            0,
        )
        .await
        .unwrap();
    assert_eq!(stages, total, "every project of the county is counted once");
    assert_eq!(
        s.region_summary(&rc(K2), day0)
            .await
            .unwrap()
            .projects
            .accounts,
        0
    );
}

crate::both!(summary_agrees, summary_agrees_with_the_accounts);

/// One round of bookings in the county: an appropriation to township `T` confirmed, one to `T2`
/// left unconfirmed, an arrangement to the project and `payments` paid from it, all on `DAY` —
/// `3 + payments` transfers. The county's and `T`'s accounts keep money, so both are detained on
/// a late day whatever the number of rounds.
fn round(fund: i64, project: i64, tag: &str, payments: usize) -> Vec<LedgerOp> {
    let mut ops = Vec::new();
    let transfer = |t: NewTransfer| LedgerOp::Transfer {
        fund: Ref::Id(fund),
        reverses: None,
        transfer: t,
    };
    let to_t = format!("{tag}-t");
    ops.push(transfer(nt(
        &to_t,
        fund,
        TransferKind::Appropriate,
        reg(K),
        reg(T),
        yuan(100),
    )));
    ops.push(LedgerOp::Confirm {
        transfer: Ref::ClientId(to_t),
        on: DAY.into(),
        actor: None,
    });
    ops.push(transfer(nt(
        &format!("{tag}-t2"),
        fund,
        TransferKind::Appropriate,
        reg(K),
        reg(T2),
        yuan(50),
    )));
    ops.push(transfer(nt(
        &format!("{tag}-p"),
        fund,
        TransferKind::Arrange,
        reg(K),
        proj(project),
        yuan(10 * payments as i64 + 10),
    )));
    for i in 0..payments {
        let client = format!("{tag}-d{i}");
        ops.push(transfer(disb(&client, fund, project, "合作社", yuan(10))));
        ops.push(LedgerOp::Payment {
            transfer: Ref::ClientId(client),
            action: PaymentAction::Pay,
            on: DAY.into(),
            document_no: "云财支〔2026〕1号".into(),
            actor: None,
        });
    }
    ops
}

/// Rows PostgreSQL read from each table (sequential reads and fetches through an index) and
/// from each index, by its own counters. A backend reports its counters when it goes idle, or
/// at most ten seconds later when it reported less than a second before (`PGSTAT_IDLE_INTERVAL`),
/// so this waits for that first.
async fn rows_read(url: &str) -> std::collections::BTreeMap<String, i64> {
    use sqlx::Connection;
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT 'table ' || relname, CAST(COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) AS BIGINT) \
         FROM pg_stat_user_tables \
         UNION ALL SELECT 'index ' || indexrelname, CAST(idx_tup_read AS BIGINT) FROM pg_stat_user_indexes",
    )
    .fetch_all(&mut c)
    .await
    .expect("statistics");
    c.close().await.expect("close");
    rows.into_iter().collect()
}

/// What one county summary read, by table and index (those it read anything from).
async fn summary_reads(
    reader: &dyn Store,
    url: &str,
    today: i64,
) -> std::collections::BTreeMap<String, i64> {
    let before = rows_read(url).await;
    let got = reader.region_summary(&rc(K), today).await.unwrap();
    assert!(
        got.detained_fen > 0 && got.detained_accounts == 2,
        "{got:?}"
    );
    let after = rows_read(url).await;
    after
        .into_iter()
        .map(|(k, v)| (k.clone(), v - before.get(&k).copied().unwrap_or(0)))
        .filter(|(_, v)| *v != 0)
        .collect()
}

/// Issue 22: a county's summary reads the same number of rows with 10 transfers and with 10,000:
/// money comes from the running totals and detention from each level account's cumulative
/// credits, never from the transfers. PostgreSQL counts the rows each table and index gave;
/// SQLite keeps no such counter, so this runs on PostgreSQL (required in CI). Sequential scans are
/// turned off for the reading connections, so a query without a bounding index reads every row
/// of its table and shows here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_summary_reads_as_many_rows_with_10_transfers_as_with_10_000() {
    let Some(db) = crate::support::fresh_db(crate::support::Kind::Postgres).await else {
        eprintln!("skipped: set SUNLEDGER_TEST_PG to run the PostgreSQL half");
        return;
    };
    let s = db.store.as_ref();
    setup(s).await;
    let p = project(s, V, "村级光伏电站").await;
    let (fund, _) = s
        .create_fund(&new_fund("rows-f", K, yuan(100_000_000)), now())
        .await
        .unwrap();
    // 1 receipt + 3 + 6 = 10 transfers.
    s.apply_ledger_ops(&round(fund.id, p, "r0", 6), now())
        .await
        .unwrap();
    let name = db.url.rsplit('/').next().unwrap().to_string();
    {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE \"{name}\" SET enable_seqscan = off"
        )))
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
    }
    // A second store on the same database: its connections start with the setting above.
    let reader = sunledger_store::open(&db.url).await.unwrap();
    let today = sunledger_core::day::parse("day", DAY).unwrap() + 200;
    let small = summary_reads(reader.as_ref(), &db.url, today).await;
    // 9,990 more: 999 rounds of 3 + 7.
    let mut ops = Vec::new();
    for r in 1..1000 {
        ops.extend(round(fund.id, p, &format!("r{r}"), 7));
    }
    for chunk in ops.chunks(2_000) {
        s.apply_ledger_ops(chunk, now()).await.unwrap();
    }
    let large = summary_reads(reader.as_ref(), &db.url, today).await;
    eprintln!("rows read by a county summary, 10 transfers: {small:?}");
    eprintln!("rows read by a county summary, 10,000 transfers: {large:?}");
    assert!(!small.is_empty(), "the summary reads something");
    assert_eq!(small, large, "the same rows at 10 and at 10,000 transfers");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transfers")
        .fetch_one(&sqlx::PgPool::connect(&db.url).await.unwrap())
        .await
        .unwrap();
    assert_eq!(n, 10_000);
}

/// A count from a query on the database at `url`.
async fn count(url: &str, sql: &str) -> i64 {
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&pool)
            .await
            .unwrap()
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&pool)
            .await
            .unwrap()
    }
}

/// Migration 0026 fills the running figures of books kept before it with what the ledger writes
/// keep: the figures of a varied ledger, emptied and filled again by the migration's own
/// statements, are row for row the same.
async fn the_migration_fills_the_figures_of_earlier_books(db: TestDb) {
    let s = db.store.as_ref();
    setup(s).await;
    realistic(s).await;
    step_open_items(s).await;
    let backend = if db.url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let migration = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../store/migrations")
            .join(backend)
            .join("0026_region_figures.sql"),
    )
    .unwrap();
    let fill = migration
        .split("-- The figures of the books already kept.")
        .nth(1)
        .expect("the migration fills the figures");
    let kept = count(&db.url, "SELECT COUNT(*) FROM region_totals").await;
    let days = count(&db.url, "SELECT COUNT(*) FROM level_credits").await;
    assert!(kept > 10 && days > 3, "{kept} totals, {days} credit days");
    crate::support::raw_sql_url(
        &db.url,
        "CREATE TABLE kept_totals AS SELECT * FROM region_totals; \
         CREATE TABLE kept_credits AS SELECT * FROM level_credits; \
         DELETE FROM region_totals; DELETE FROM level_credits;",
    )
    .await;
    crate::support::raw_sql_url(&db.url, fill).await;
    for (a, b) in [
        ("kept_totals", "region_totals"),
        ("kept_credits", "level_credits"),
    ] {
        for (x, y) in [(a, b), (b, a)] {
            let differ = count(
                &db.url,
                &format!("SELECT COUNT(*) FROM (SELECT * FROM {x} EXCEPT SELECT * FROM {y}) d"),
            )
            .await;
            assert_eq!(differ, 0, "rows of {x} not in {y}");
        }
    }
}

crate::both!(
    the_migration_fills_the_figures,
    the_migration_fills_the_figures_of_earlier_books
);

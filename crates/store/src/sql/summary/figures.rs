//! The running figures a dashboard reads (issue 22), kept by every ledger write in its own
//! transaction (`Books::commit`) and re-derived by `verify`:
//! - `region_totals`: the money of every account of a region's subtree by fund, each account
//!   counted in its own region's row and in every ancestor's (`scope`: `own` level accounts,
//!   level accounts `below`, `project` accounts);
//! - `level_credits`: for each level account and each day money arrived in it, the credits
//!   counted for detention up to that day, so that first-in, first-out detention reads one row
//!   per account instead of every credit.

use super::*;

/// The sums of `region_totals`, in its column order.
const SUMS: [&str; 6] = [
    "accounts",
    "credited",
    "debited",
    "held",
    "in_transit",
    "received",
];

/// One account's change in a ledger write (or, for `verify`, its whole totals).
pub(crate) struct AccountChange {
    pub(crate) fund_id: i64,
    /// `region` or `project`.
    pub(crate) owner_kind: String,
    pub(crate) region: RegionCode,
    /// accounts, credited, debited, held, in transit, received (fen).
    pub(crate) sums: [i64; 6],
}

impl AccountChange {
    /// The change from `old` to `new` (`old` is `None` for an account created in this write).
    pub(crate) fn between(old: Option<&Account>, new: &Account) -> AccountChange {
        let sums = |a: &Account| {
            [
                1,
                a.balance.credited.fen(),
                a.balance.debited.fen(),
                a.balance.held.fen(),
                a.balance.in_transit.fen(),
                a.received_from_above.fen(),
            ]
        };
        let mut change = sums(new);
        if let Some(old) = old {
            for (slot, b) in change.iter_mut().zip(sums(old)) {
                *slot -= b;
            }
        }
        AccountChange {
            fund_id: new.fund_id,
            owner_kind: new.owner_kind.clone(),
            region: new.region,
            sums: change,
        }
    }
}

/// The `region_totals` key: (county code, region code, fund, scope).
type TotalsKey = (String, String, i64, &'static str);

/// The rows an account counts in: its own region's and every ancestor's, with the scope.
fn rows_of(c: &AccountChange) -> impl Iterator<Item = TotalsKey> + '_ {
    c.region.lineage().into_iter().map(move |r| {
        let scope = if c.owner_kind == "project" {
            "project"
        } else if r == c.region {
            "own"
        } else {
            "below"
        };
        (
            r.county_code().to_string(),
            r.as_str().to_string(),
            c.fund_id,
            scope,
        )
    })
}

fn sum_rows(changes: &[AccountChange]) -> BTreeMap<TotalsKey, [i64; 6]> {
    let mut rows: BTreeMap<TotalsKey, [i64; 6]> = BTreeMap::new();
    for c in changes {
        for key in rows_of(c) {
            let row = rows.entry(key).or_default();
            for (slot, d) in row.iter_mut().zip(c.sums) {
                *slot += d;
            }
        }
    }
    rows
}

/// Adds a write's account changes to `region_totals` (one multi-row upsert per batch).
pub(crate) async fn add_to_totals(
    tx: &mut sqlx::Transaction<'static, DB>,
    changes: &[AccountChange],
) -> Result<()> {
    let rows: Vec<(TotalsKey, [i64; 6])> = sum_rows(changes)
        .into_iter()
        .filter(|(_, sums)| sums.iter().any(|d| *d != 0))
        .collect();
    for chunk in rows.chunks(BATCH_ROWS / 10) {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!(
            "INSERT INTO region_totals (county_code, region_code, fund_id, scope, {}) ",
            SUMS.join(", ")
        ));
        qb.push_values(chunk, |mut row, ((county, region, fund, scope), sums)| {
            row.push_bind(county.clone())
                .push_bind(region.clone())
                .push_bind(*fund)
                .push_bind(*scope);
            for d in sums {
                row.push_bind(*d);
            }
        });
        qb.push(" ON CONFLICT (county_code, region_code, fund_id, scope) DO UPDATE SET ");
        qb.push(
            SUMS.iter()
                .map(|c| format!("{c} = region_totals.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// The credits counted for detention, summed per level account and day, cumulative in day order,
/// for the accounts `filter` (on `a`, the account) selects: receipts, confirmed appropriations
/// (on the day of their confirmation), arrangements and refunds into the account, none of them
/// reversed (as `sunledger_core::ledger::detention` counts them).
pub(crate) fn credits_sql(filter: &str) -> String {
    format!(
        "SELECT c.county_code, c.account, c.day, \
         CAST(SUM(SUM(c.amount)) OVER (PARTITION BY c.account ORDER BY c.day) AS BIGINT) AS cumulative \
         FROM (SELECT a.county_code, a.id AS account, t.amount, \
         COALESCE((SELECT MIN(e.on_date) FROM transfer_events e WHERE e.transfer_id = t.id AND e.action = 'confirm'), t.booked_on) AS day \
         FROM ledger_accounts a JOIN transfers t ON t.to_account = a.id \
         WHERE a.owner_kind = 'region' AND {filter} \
         AND t.kind IN ('receive', 'appropriate', 'arrange', 'refund') \
         AND (t.kind <> 'appropriate' OR t.state = 'received') \
         AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id)) c \
         GROUP BY c.county_code, c.account, c.day"
    )
}

/// Brings `level_credits` up to date for these level accounts (those a ledger write changed):
/// their credits are read once, by the transfers' index on the receiving account, and only the
/// rows that differ are written (updated in place, inserted, or deleted when a reversal took a
/// day's only credit away).
pub(crate) async fn rebuild_credits(
    tx: &mut sqlx::Transaction<'static, DB>,
    accounts: &[(i64, String)],
) -> Result<()> {
    for chunk in accounts.chunks(BATCH_ROWS / 2) {
        let ids = (0..chunk.len())
            .map(|i| format!("${}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query(AssertSqlSafe(credits_sql(&format!("a.id IN ({ids})"))));
        for (id, _) in chunk {
            q = q.bind(*id);
        }
        let mut want: BTreeMap<(String, i64, String), i64> = BTreeMap::new();
        for r in q.fetch_all(&mut **tx).await? {
            want.insert((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?), r.try_get(3)?);
        }
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT county_code, account_id, day, cumulative FROM level_credits WHERE ",
        );
        for (i, (id, county)) in chunk.iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push("(county_code = ")
                .push_bind(county.clone())
                .push(" AND account_id = ")
                .push_bind(*id)
                .push(")");
        }
        let mut gone = Vec::new();
        for r in qb.build().fetch_all(&mut **tx).await? {
            let key: (String, i64, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            let stored: i64 = r.try_get(3)?;
            match want.get(&key) {
                Some(c) if *c == stored => {
                    want.remove(&key);
                }
                Some(_) => {}
                None => gone.push(key),
            }
        }
        let changed: Vec<_> = want.into_iter().collect();
        for part in changed.chunks(BATCH_ROWS / 4) {
            let mut qb: QueryBuilder<DB> = QueryBuilder::new(
                "INSERT INTO level_credits (county_code, account_id, day, cumulative) ",
            );
            qb.push_values(part, |mut row, ((county, account, day), c)| {
                row.push_bind(county.clone())
                    .push_bind(*account)
                    .push_bind(day.clone())
                    .push_bind(*c);
            });
            qb.push(
                " ON CONFLICT (county_code, account_id, day) DO UPDATE SET cumulative = excluded.cumulative",
            );
            qb.build().execute(&mut **tx).await?;
        }
        for (county, account, day) in gone {
            sqlx::query(
                "DELETE FROM level_credits WHERE county_code = $1 AND account_id = $2 AND day = $3",
            )
            .bind(county)
            .bind(account)
            .bind(day)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The running figures: derived tables, no facts of their own.
pub(crate) const BOOKING: Booking = Booking {
    facts: &[],
    derived: &[
        Derived {
            table: "region_totals",
            columns: &[
                "county_code",
                "region_code",
                "fund_id",
                "scope",
                "accounts",
                "credited",
                "debited",
                "held",
                "in_transit",
                "received",
            ],
            rule: "the ledger accounts summed by fund for the region of each and for every ancestor of it \
                   (own level accounts, level accounts below, project accounts)",
            check: Check::Code(check_totals),
        },
        Derived {
            table: "level_credits",
            columns: &["county_code", "account_id", "day", "cumulative"],
            rule: "each level account's credits counted for detention (receipts, confirmed appropriations on their \
                   confirmation day, arrangements and refunds, none reversed), summed by day, cumulative in day order",
            check: Check::Code(check_credits),
        },
    ],
    unbooked: &[],
};

fn check_totals(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLS} FROM ledger_accounts ORDER BY id"
        )))
        .fetch_all(pool)
        .await?;
        let changes = rows
            .iter()
            .map(|r| Ok(AccountChange::between(None, &account_row(r)?)))
            .collect::<Result<Vec<_>>>()?;
        let mut want = sum_rows(&changes);
        let stored = sqlx::query(AssertSqlSafe(format!(
            "SELECT county_code, region_code, fund_id, scope, {} FROM region_totals",
            SUMS.join(", ")
        )))
        .fetch_all(pool)
        .await?;
        let rule = "the ledger accounts of the region and of its subtree, by fund";
        let mut out = Vec::new();
        for r in &stored {
            let county: String = r.try_get(0)?;
            let region: String = r.try_get(1)?;
            let fund: i64 = r.try_get(2)?;
            let scope: String = r.try_get(3)?;
            let key = format!("{county}/{region}/{fund}/{scope}");
            let derived = want.remove(&(county.clone(), region.clone(), fund, scope_key(&scope)));
            for (i, column) in SUMS.iter().enumerate() {
                let s: i64 = r.try_get(4 + i)?;
                let d = derived.and_then(|sums| sums.get(i).copied());
                if d != Some(s) {
                    out.push(mismatch(
                        ("region_totals", column, rule),
                        &key,
                        Some(s.to_string()),
                        d.map(|d| d.to_string()),
                    ));
                }
            }
        }
        for ((county, region, fund, scope), sums) in want {
            out.push(mismatch(
                ("region_totals", "accounts", rule),
                format!("{county}/{region}/{fund}/{scope}"),
                None,
                Some(sums[0].to_string()),
            ));
        }
        Ok(out)
    })
}

/// The scope's key as `rows_of` spells it (any other stored text matches no derived row).
fn scope_key(s: &str) -> &'static str {
    match s {
        "own" => "own",
        "below" => "below",
        "project" => "project",
        _ => "?",
    }
}

fn check_credits(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let read = |q: String| {
            let pool = pool.clone();
            async move {
                let rows = sqlx::query(AssertSqlSafe(q)).fetch_all(&pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            (r.try_get::<i64, _>(1)?, r.try_get::<String, _>(2)?),
                            (r.try_get::<String, _>(0)?, r.try_get::<i64, _>(3)?),
                        ))
                    })
                    .collect::<Result<BTreeMap<_, _>>>()
            }
        };
        let mut want = read(credits_sql("1 = 1")).await?;
        let stored =
            read("SELECT county_code, account_id, day, cumulative FROM level_credits".to_string())
                .await?;
        let rule = "the account's credits counted for detention, cumulative by day";
        let mut out = Vec::new();
        for ((account, day), (county, cumulative)) in stored {
            let key = format!("{county}/{account}/{day}");
            match want.remove(&(account, day)) {
                Some((c, d)) => {
                    if c != county {
                        out.push(mismatch(
                            ("level_credits", "county_code", rule),
                            &key,
                            Some(county),
                            Some(c),
                        ));
                    }
                    if d != cumulative {
                        out.push(mismatch(
                            ("level_credits", "cumulative", rule),
                            &key,
                            Some(Money::from_fen(cumulative).to_string()),
                            Some(Money::from_fen(d).to_string()),
                        ));
                    }
                }
                None => out.push(mismatch(
                    ("level_credits", "cumulative", rule),
                    &key,
                    Some(Money::from_fen(cumulative).to_string()),
                    None,
                )),
            }
        }
        for ((account, day), (county, d)) in want {
            out.push(mismatch(
                ("level_credits", "cumulative", rule),
                format!("{county}/{account}/{day}"),
                None,
                Some(Money::from_fen(d).to_string()),
            ));
        }
        Ok(out)
    })
}

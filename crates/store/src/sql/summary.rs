//! Rollups: a region's dashboard summed over its subtree. Every query is bounded by the
//! subtree's code range on `(county_code, region_code)` indexes and reads maintained balances, not
//! the transfer history; only the credits of level accounts that still hold money are read, for
//! detention (first in, first out, `sunledger_core::ledger`).

use super::*;

// Rollups: a region's dashboard summed over its subtree (included into both backends).
//
// Every query is bounded by the subtree's code range on `(county_code, region_code)` indexes and
// reads maintained balances, not the transfer history; only the credits of level accounts that
// still hold money are read, for detention (first in, first out, `sunledger_core::ledger`).

/// `(county lo, county hi, code lo, code hi)` of a subtree, for the `(county_code, region_code)`
/// indexes.
pub(crate) fn subtree_bounds(region: &RegionCode) -> (String, String, String, String) {
    let (lo, hi) = subtree_range(region);
    (
        lo.get(..6).unwrap_or("").to_string(),
        hi.get(..6).unwrap_or("").to_string(),
        lo,
        hi,
    )
}

/// The subtree condition on `alias`'s `(county_code, region_code)`, binding $1..$4 as
/// [`subtree_bounds`] returns them. Within one county it is an equality on the county, so the
/// index's second column bounds the scan too.
pub(crate) fn subtree_sql(alias: &str, one_county: bool) -> String {
    let a = if alias.is_empty() {
        String::new()
    } else {
        format!("{alias}.")
    };
    let county = if one_county {
        format!("{a}county_code = $1 AND {a}county_code = $2")
    } else {
        format!("{a}county_code >= $1 AND {a}county_code <= $2")
    };
    format!("{county} AND {a}region_code >= $3 AND {a}region_code <= $4")
}

pub(crate) fn totals_row(r: &DbRow) -> Result<MoneyTotals> {
    let credited: i64 = r.try_get::<Option<i64>, _>("credited")?.unwrap_or(0);
    let debited: i64 = r.try_get::<Option<i64>, _>("debited")?.unwrap_or(0);
    let held: i64 = r.try_get::<Option<i64>, _>("held")?.unwrap_or(0);
    Ok(MoneyTotals {
        accounts: r.try_get("n")?,
        credited,
        debited,
        held,
        in_transit: r.try_get::<Option<i64>, _>("in_transit")?.unwrap_or(0),
        available: credited - debited - held,
    })
}

pub(crate) fn key_counts(rows: &[DbRow]) -> Result<Vec<KeyCount>> {
    rows.iter()
        .map(|r| {
            Ok(KeyCount {
                key: r.try_get::<Option<String>, _>(0)?.unwrap_or_default(),
                count: r.try_get(1)?,
            })
        })
        .collect()
}

#[async_trait]
impl SummaryStore for StoreImpl {
    async fn region_summary(&self, region: &RegionCode, today: i64) -> Result<RegionSummary> {
        let (clo, chi, lo, hi) = subtree_bounds(region);
        let one = clo == chi;
        let sub = subtree_sql("", one);
        let bind4 = |q: String| {
            sqlx::query(AssertSqlSafe(q))
                .bind(clo.clone())
                .bind(chi.clone())
                .bind(lo.clone())
                .bind(hi.clone())
        };
        let mut conn = self.pool.acquire().await?;
        // Level accounts: this region's own, and those below it.
        let (mut own, mut below) = (MoneyTotals::default(), MoneyTotals::default());
        for (is_own, slot) in [(true, &mut own), (false, &mut below)] {
            let sql = format!(
                "SELECT COUNT(*) AS n, CAST(SUM(credited) AS BIGINT) AS credited, \
                 CAST(SUM(debited) AS BIGINT) AS debited, CAST(SUM(held) AS BIGINT) AS held, \
                 CAST(SUM(in_transit) AS BIGINT) AS in_transit FROM ledger_accounts \
                 WHERE owner_kind = 'region' AND {sub} AND region_code {} $5",
                if is_own { "=" } else { "<>" }
            );
            *slot = totals_row(
                &bind4(sql)
                    .bind(region.as_str())
                    .fetch_one(&mut *conn)
                    .await?,
            )?;
        }
        let q = format!(
            "SELECT COUNT(*) AS n, CAST(SUM(credited) AS BIGINT) AS credited, \
             CAST(SUM(debited) AS BIGINT) AS debited, CAST(SUM(held) AS BIGINT) AS held, \
             CAST(SUM(in_transit) AS BIGINT) AS in_transit FROM ledger_accounts \
             WHERE owner_kind = 'project' AND {sub}"
        );
        let projects = totals_row(&bind4(q).fetch_one(&mut *conn).await?)?;
        // Detention, first in, first out (as `sunledger_core::ledger::detention`), summed inside
        // the database: per credit, what is left of it after everything that went out
        // (cumulative credits − out, clamped to the credit), counted when it is older than its
        // fund's deadline. Cut-off days are computed here for the deadlines in use.
        let deadlines: Vec<i64> = bind4(format!(
            "SELECT DISTINCT f.detention_days FROM ledger_accounts a JOIN funds f ON f.id = a.fund_id \
             WHERE a.owner_kind = 'region' AND {} AND a.credited - a.debited - a.held > 0",
            subtree_sql("a", one)
        ))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let (mut detained_fen, mut detained_accounts, mut detained_max_days) = (0i64, 0i64, None);
        if !deadlines.is_empty() {
            let mut cutoff = String::from("CASE dd");
            for (i, _) in deadlines.iter().enumerate() {
                cutoff.push_str(&format!(" WHEN ${} THEN ${}", 5 + 2 * i, 6 + 2 * i));
            }
            cutoff.push_str(" END");
            let q = format!(
                "WITH c AS (SELECT a.id AS account, a.debited + a.held AS out_fen, f.detention_days AS dd, \
                 COALESCE((SELECT MIN(e.on_date) FROM transfer_events e WHERE e.transfer_id = t.id AND e.action = 'confirm'), t.booked_on) AS day, \
                 t.id AS tid, t.amount AS amount FROM ledger_accounts a JOIN funds f ON f.id = a.fund_id \
                 JOIN transfers t ON t.to_account = a.id \
                 WHERE a.owner_kind = 'region' AND {} AND a.credited - a.debited - a.held > 0 \
                 AND t.kind IN ('receive', 'appropriate', 'arrange', 'refund') \
                 AND (t.kind <> 'appropriate' OR t.state = 'received') \
                 AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id)), \
                 w AS (SELECT account, dd, day, amount, \
                 SUM(amount) OVER (PARTITION BY account ORDER BY day, tid ROWS UNBOUNDED PRECEDING) - out_fen AS left_after FROM c) \
                 SELECT account, dd, MIN(day) AS oldest, CAST(SUM(CASE WHEN left_after >= amount THEN amount ELSE left_after END) AS BIGINT) AS fen \
                 FROM w WHERE left_after > 0 AND day < {cutoff} GROUP BY account, dd",
                subtree_sql("a", one)
            );
            let mut query = bind4(q);
            for d in &deadlines {
                query = query.bind(*d).bind(sunledger_core::day::format(today - d));
            }
            for r in query.fetch_all(&mut *conn).await? {
                let dd: i64 = r.try_get("dd")?;
                let oldest: String = r.try_get("oldest")?;
                let day = sunledger_core::day::parse("day", &oldest)
                    .map_err(|e| StoreError::Corrupt(format!("transfer day {oldest:?}: {e}")))?;
                detained_fen += r.try_get::<Option<i64>, _>("fen")?.unwrap_or(0);
                detained_accounts += 1;
                let days = today - day - dd;
                detained_max_days = Some(detained_max_days.map_or(days, |x: i64| x.max(days)));
            }
        }
        // The direct children, reconciled.
        let rows = sqlx::query(
            "SELECT r.code, r.name, CAST(SUM(a.received) AS BIGINT) AS received, \
             CAST(SUM(a.in_transit) AS BIGINT) AS in_transit, \
             MIN(CASE WHEN a.in_transit > 0 THEN (SELECT MIN(t.booked_on) FROM transfers t \
               WHERE t.to_account = a.id AND t.state = 'dispatched' \
               AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.reverses = t.id)) END) AS oldest \
             FROM regions r LEFT JOIN ledger_accounts a ON a.county_code = substr(r.code, 1, 6) \
             AND a.region_code = r.code AND a.owner_kind = 'region' \
             WHERE r.parent_code = $1 GROUP BY r.code, r.name ORDER BY r.code",
        )
        .bind(region.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let children = rows
            .iter()
            .map(|r| {
                let received = r.try_get::<Option<i64>, _>("received")?.unwrap_or(0);
                let in_transit = r.try_get::<Option<i64>, _>("in_transit")?.unwrap_or(0);
                Ok(ChildRecon {
                    region_code: r.try_get("code")?,
                    region_name: r.try_get("name")?,
                    dispatched: received + in_transit,
                    received,
                    in_transit,
                    oldest_unconfirmed: r.try_get("oldest")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let projects_by_stage = key_counts(
            &bind4(format!(
                "SELECT stage, COUNT(*) FROM projects WHERE {sub} GROUP BY stage ORDER BY stage"
            ))
            .fetch_all(&mut *conn)
            .await?,
        )?;
        let projects_by_status = key_counts(
            &bind4(format!(
                "SELECT status, COUNT(*) FROM projects WHERE {sub} AND status IS NOT NULL \
                 GROUP BY status ORDER BY status"
            ))
            .fetch_all(&mut *conn)
            .await?,
        )?;
        let problems_by_state = key_counts(
            &bind4(format!(
                "SELECT state, COUNT(*) FROM problems WHERE {sub} GROUP BY state ORDER BY state"
            ))
            .fetch_all(&mut *conn)
            .await?,
        )?;
        let flags_by_state = key_counts(
            &bind4(format!(
                "SELECT state, COUNT(*) FROM flags WHERE {sub} GROUP BY state ORDER BY state"
            ))
            .fetch_all(&mut *conn)
            .await?,
        )?;
        let suspensions: i64 = bind4(format!(
            "SELECT COUNT(*) FROM suspensions WHERE resumed_at IS NULL AND {sub}"
        ))
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        let (overdue_acceptances, overdue_evaluations) =
            overdue_counts(&self.pool, region, today).await?;
        Ok(RegionSummary {
            region: *region,
            today: sunledger_core::day::format(today),
            own,
            below,
            projects,
            detained_fen,
            detained_accounts,
            detained_max_days,
            children,
            projects_by_stage,
            projects_by_status,
            problems_by_state,
            flags_by_state,
            suspensions,
            overdue_acceptances,
            overdue_evaluations,
        })
    }
}

/// The overdue Book 4 steps in `region`'s subtree on day `today`: (applications not inspected in
/// time, evaluations not reviewed in time), by the same conditions as the lists' `overdue`
/// filters and the ladder's proposals.
pub(crate) async fn overdue_counts(
    pool: &Pool<DB>,
    region: &RegionCode,
    today: i64,
) -> Result<(i64, i64)> {
    let (clo, chi, _, _) = subtree_bounds(region);
    let counties = super::acceptance::county_inspection_days(pool).await?;
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT COUNT(*) FROM acceptances a JOIN projects p ON p.id = a.project_id WHERE a.county_code >= ",
    );
    qb.push_bind(clo.clone())
        .push(" AND a.county_code <= ")
        .push_bind(chi.clone())
        .push(" AND ");
    push_scope_filter(&mut qb, "p.region_code", std::slice::from_ref(region));
    qb.push(" AND ");
    super::acceptance::push_overdue_acceptance(&mut qb, today, &counties);
    let acceptances: i64 = qb.build().fetch_one(pool).await?.try_get(0)?;
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT COUNT(*) FROM evaluations e JOIN projects p ON p.id = e.project_id WHERE e.county_code >= ",
    );
    qb.push_bind(clo)
        .push(" AND e.county_code <= ")
        .push_bind(chi)
        .push(" AND ");
    push_scope_filter(&mut qb, "p.region_code", std::slice::from_ref(region));
    qb.push(" AND ");
    super::acceptance::push_overdue_evaluation(&mut qb, today);
    let evaluations: i64 = qb.build().fetch_one(pool).await?.try_get(0)?;
    Ok((acceptances, evaluations))
}

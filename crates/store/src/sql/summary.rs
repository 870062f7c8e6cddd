//! Rollups: a region's dashboard. Money comes from the region's running totals and detention
//! from each level account's cumulative credits (`figures`: both kept by every ledger write), so
//! neither reads the transfer history; the counts (projects, problems, flags, suspensions) are
//! bounded by the subtree's code range on `(county_code, region_code)` indexes.

use super::*;

mod figures;
/// The feature's booking: the running figures, derived.
pub(super) use self::figures::BOOKING;
pub(crate) use self::figures::{AccountChange, add_to_totals, rebuild_credits};

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
        let mut conn = self.reads().acquire().await?;
        // Money: the region's running totals by fund and scope (one row each).
        let (mut own, mut below, mut projects) = (
            MoneyTotals::default(),
            MoneyTotals::default(),
            MoneyTotals::default(),
        );
        let rows = sqlx::query(
            "SELECT scope, accounts, credited, debited, held, in_transit FROM region_totals \
             WHERE county_code = $1 AND region_code = $2",
        )
        .bind(region.county_code())
        .bind(region.as_str())
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let slot = match r.try_get::<String, _>("scope")?.as_str() {
                "own" => &mut own,
                "below" => &mut below,
                _ => &mut projects,
            };
            slot.accounts += r.try_get::<i64, _>("accounts")?;
            slot.credited += r.try_get::<i64, _>("credited")?;
            slot.debited += r.try_get::<i64, _>("debited")?;
            slot.held += r.try_get::<i64, _>("held")?;
            slot.in_transit += r.try_get::<i64, _>("in_transit")?;
        }
        for t in [&mut own, &mut below, &mut projects] {
            t.available = t.credited - t.debited - t.held;
        }
        // Detention, first in, first out (as `sunledger_core::ledger::detention`), one row per
        // level account that still holds money: what is detained is the money that arrived
        // before the fund's cut-off day less everything that went out (the last
        // `level_credits` row before the cut-off), and the oldest unspent money arrived on the
        // first day whose cumulative credits exceed what went out.
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
            let mut cutoff = String::from("CASE f.detention_days");
            for (i, _) in deadlines.iter().enumerate() {
                cutoff.push_str(&format!(" WHEN ${} THEN ${}", 5 + 2 * i, 6 + 2 * i));
            }
            cutoff.push_str(" END");
            let q = format!(
                "SELECT f.detention_days AS dd, a.debited + a.held AS out_fen, \
                 (SELECT c.cumulative FROM level_credits c WHERE c.county_code = a.county_code AND c.account_id = a.id \
                  AND c.day < {cutoff} \
                  ORDER BY c.day DESC LIMIT 1) AS before_cutoff, \
                 (SELECT c.day FROM level_credits c WHERE c.county_code = a.county_code AND c.account_id = a.id \
                  AND c.cumulative > a.debited + a.held ORDER BY c.day LIMIT 1) AS oldest \
                 FROM ledger_accounts a JOIN funds f ON f.id = a.fund_id \
                 WHERE a.owner_kind = 'region' AND {} AND a.credited - a.debited - a.held > 0",
                subtree_sql("a", one)
            );
            let mut query = bind4(q);
            for d in &deadlines {
                query = query.bind(*d).bind(sunledger_core::day::format(today - d));
            }
            for r in query.fetch_all(&mut *conn).await? {
                let before: i64 = r.try_get::<Option<i64>, _>("before_cutoff")?.unwrap_or(0);
                let fen = before - r.try_get::<i64, _>("out_fen")?;
                if fen <= 0 {
                    continue;
                }
                let dd: i64 = r.try_get("dd")?;
                let oldest: String =
                    r.try_get::<Option<String>, _>("oldest")?.ok_or_else(|| {
                        StoreError::Corrupt("detained money without a day it arrived".into())
                    })?;
                let day = sunledger_core::day::parse("day", &oldest)
                    .map_err(|e| StoreError::Corrupt(format!("transfer day {oldest:?}: {e}")))?;
                detained_fen += fen;
                detained_accounts += 1;
                let days = today - day - dd;
                detained_max_days = Some(detained_max_days.map_or(days, |x: i64| x.max(days)));
            }
        }
        // The direct children, reconciled.
        let rows = sqlx::query(
            "SELECT r.code, r.name, CAST(SUM(a.received) AS BIGINT) AS received, \
             CAST(SUM(a.in_transit) AS BIGINT) AS in_transit, \
             MIN(CASE WHEN a.in_transit > 0 THEN (SELECT t.booked_on FROM transfers t \
               WHERE t.to_account = a.id AND t.state = 'dispatched' \
               AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.reverses = t.id) \
               ORDER BY t.booked_on LIMIT 1) END) AS oldest \
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
            overdue_counts(self.reads(), region, today).await?;
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

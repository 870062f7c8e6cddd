//! Overdue Book 4 steps (acceptances not inspected in time, evaluations not reviewed by their
//! day): finding them, their proposals on the ladder's first rung, and deciding a proposal.

use super::*;

pub(super) const OVERDUE_PROPOSAL_SELECT: &str = "SELECT o.id, o.source, o.source_id, o.project_id, p.name AS project_name, \
    p.region_code, r.name AS region_name, o.step, o.due_on, o.basis, o.proposed_on, o.decision, o.reason, o.problem_id \
    FROM overdue_proposals o JOIN projects p ON p.id = o.project_id JOIN regions r ON r.code = p.region_code";

pub(super) fn overdue_proposal_row(r: &DbRow) -> Result<OverdueProposal> {
    Ok(OverdueProposal {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        source_id: r.try_get("source_id")?,
        project_id: r.try_get("project_id")?,
        project_name: r.try_get("project_name")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        step: r.try_get("step")?,
        due_on: r.try_get("due_on")?,
        basis: r.try_get("basis")?,
        proposed_on: r.try_get("proposed_on")?,
        decision: r.try_get("decision")?,
        reason: r.try_get("reason")?,
        problem_id: r.try_get("problem_id")?,
    })
}

/// The rule that made an overdue step due, with its source: the county's own rules (their
/// basis as set) or the default (`sunledger_core::acceptance::Rules`).
pub(super) fn overdue_basis(rule: String, basis: Option<String>) -> String {
    let basis = basis.unwrap_or_else(|| super::acceptance::default_rules("").basis);
    format!("{rule}: {basis}")
}

/// Book 4 steps overdue on `today` in `scopes` (issue 17), by the conditions the lists and
/// dashboards use.
pub(super) async fn overdue_in(
    pool: &Pool<DB>,
    scopes: &[RegionCode],
    today: i64,
) -> Result<Vec<Overdue>> {
    let mut out = Vec::new();
    let default_days = sunledger_core::acceptance::Rules::default().inspection_days;
    let counties = super::acceptance::county_inspection_days(pool).await?;
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT a.id, a.project_id, p.name AS project_name, p.region_code, r.name AS region_name, a.applied_on, \
         ar.inspection_days, ar.basis FROM acceptances a JOIN projects p ON p.id = a.project_id \
         JOIN regions r ON r.code = p.region_code LEFT JOIN acceptance_rules ar ON ar.county_code = a.county_code WHERE ",
    );
    push_scope_filter(&mut qb, "p.region_code", scopes);
    qb.push(" AND ");
    super::acceptance::push_overdue_acceptance(&mut qb, today, &counties);
    qb.push(" ORDER BY a.applied_on, a.id");
    for r in qb.build().fetch_all(pool).await? {
        let applied: String = r.try_get("applied_on")?;
        let days = r
            .try_get::<Option<i64>, _>("inspection_days")?
            .unwrap_or(default_days);
        let due = sunledger_core::day::parse("applied_on", &applied).map_err(rule)? + days;
        out.push(Overdue {
            source: OverdueSource::Acceptance.key().to_string(),
            source_id: r.try_get("id")?,
            project_id: r.try_get("project_id")?,
            project_name: r.try_get("project_name")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            region_name: r.try_get("region_name")?,
            due_on: sunledger_core::day::format(due),
            days_over: today - due,
            basis: overdue_basis(format!("inspection_days={days}"), r.try_get("basis")?),
        });
    }
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT e.id, e.project_id, p.name AS project_name, p.region_code, r.name AS region_name, e.due_on, e.year, \
         ar.evaluation_years, ar.basis FROM evaluations e JOIN projects p ON p.id = e.project_id \
         JOIN regions r ON r.code = p.region_code LEFT JOIN acceptance_rules ar ON ar.county_code = e.county_code WHERE ",
    );
    push_scope_filter(&mut qb, "p.region_code", scopes);
    qb.push(" AND ");
    super::acceptance::push_overdue_evaluation(&mut qb, today);
    qb.push(" ORDER BY e.due_on, e.id");
    for r in qb.build().fetch_all(pool).await? {
        let due_on: String = r.try_get("due_on")?;
        let due = sunledger_core::day::parse("due_on", &due_on).map_err(rule)?;
        let years = r
            .try_get::<Option<String>, _>("evaluation_years")?
            .unwrap_or_else(|| {
                super::acceptance::default_rules("")
                    .evaluation_years
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            });
        let year: i64 = r.try_get("year")?;
        out.push(Overdue {
            source: OverdueSource::Evaluation.key().to_string(),
            source_id: r.try_get("id")?,
            project_id: r.try_get("project_id")?,
            project_name: r.try_get("project_name")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            region_name: r.try_get("region_name")?,
            due_on: sunledger_core::day::format(due),
            days_over: today - due,
            basis: overdue_basis(
                format!("evaluation_years={years}, year={year}"),
                r.try_get("basis")?,
            ),
        });
    }
    Ok(out)
}

/// Confirms (naming a problem on the same project) or dismisses (with a reason) an open proposal.
pub(super) async fn decide(
    s: &StoreImpl,
    id: i64,
    decision: &OverdueDecision,
    actor: Option<i64>,
    now: i64,
) -> Result<OverdueProposal> {
    let (key, reason, problem_id) = match decision {
        OverdueDecision::Confirm { problem_id } => ("confirmed", String::new(), Some(*problem_id)),
        OverdueDecision::Dismiss { reason } => {
            ("dismissed", nonempty("reason", reason, 2000)?, None)
        }
    };
    let mut tx = begin_write(&s.pool).await?;
    let o = sqlx::query(AssertSqlSafe(format!(
        "{OVERDUE_PROPOSAL_SELECT} WHERE o.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound("proposal"))
    .and_then(|r| overdue_proposal_row(&r))?;
    if let Some(pid) = problem_id {
        // The problem opened for it is on the same project.
        let on: Option<Option<i64>> = sqlx::query("SELECT project_id FROM problems WHERE id = $1")
            .bind(pid)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        if on != Some(Some(o.project_id)) {
            return Err(invalid("problem_id", "not_on_the_project", pid.to_string()));
        }
    }
    let n = sqlx::query(
        "UPDATE overdue_proposals SET decision = $1, reason = $2, problem_id = $3, decided_by = $4, decided_at = $5 \
         WHERE id = $6 AND decided_at IS NULL",
    )
    .bind(key)
    .bind(reason)
    .bind(problem_id)
    .bind(actor)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(invalid(
            "proposal_id",
            "not_an_open_proposal",
            id.to_string(),
        ));
    }
    append_later_fact(
        &mut tx,
        "overdue_proposals",
        id,
        "escalation.overdue_decision",
    )
    .await?;
    let out = one_in(
        &mut tx,
        format!("{OVERDUE_PROPOSAL_SELECT} WHERE o.id = $1"),
        id,
        overdue_proposal_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

//! The writes of Book 4's evaluations, each one transaction that books its facts: recording the
//! values (the system's own where it knows them), returning, reviewing (strict pursuit).

use super::*;
use sunledger_core::evaluation::{EvaluationAction, EvaluationState, Source};

async fn lock(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<Evaluation> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM evaluations WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("evaluation"))?;
    one_in(
        tx,
        format!("{EVALUATION_SELECT} WHERE e.id = $1"),
        id,
        evaluation_row,
    )
    .await
}

async fn done(mut tx: sqlx::Transaction<'static, DB>, id: i64) -> Result<Evaluation> {
    let out = one_in(
        &mut tx,
        format!("{EVALUATION_SELECT} WHERE e.id = $1"),
        id,
        evaluation_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

fn state_of(e: &Evaluation) -> Result<EvaluationState> {
    EvaluationState::parse(&e.state)
        .map_err(|_| StoreError::Corrupt(format!("evaluation state {:?}", e.state)))
}

/// One step: core's transition function, the event row and its fact, the new state.
async fn take(
    tx: &mut sqlx::Transaction<'static, DB>,
    e: &Evaluation,
    action: EvaluationAction,
    comment: &str,
    (record_id, problem_id): (Option<i64>, Option<i64>),
    actor: Option<i64>,
    now: i64,
) -> Result<EvaluationState> {
    let state = state_of(e)?;
    let next = rules::next(state, action).map_err(rule)?;
    let on = sunledger_core::day::format(sunledger_core::day::today(now));
    let row = sqlx::query(
        "INSERT INTO evaluation_events (county_code, evaluation_id, action, from_state, to_state, comment, on_date, \
         record_id, problem_id, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(e.region.county_code())
    .bind(e.id)
    .bind(action.key())
    .bind(state.key())
    .bind(next.key())
    .bind(comment.trim())
    .bind(&on)
    .bind(record_id)
    .bind(problem_id)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let event: i64 = row.try_get(0)?;
    let reviewed_on = (next == EvaluationState::Reviewed).then_some(on);
    sqlx::query(
        "UPDATE evaluations SET state = $1, reviewed_on = COALESCE($2, reviewed_on) WHERE id = $3",
    )
    .bind(next.key())
    .bind(reviewed_on)
    .bind(e.id)
    .execute(&mut **tx)
    .await?;
    append_row_facts(tx, "evaluation_events", event).await?;
    Ok(next)
}

/// The latest recording of an evaluation: (id, recorder, score, band, core missed).
async fn latest_record(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Option<(i64, Option<i64>, i64, String, Vec<i64>)>> {
    sqlx::query(
        "SELECT id, actor_id, total, band, core_missed FROM evaluation_records WHERE evaluation_id = $1 \
         ORDER BY round DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| {
        Ok((
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            missed_of(&r.try_get::<String, _>(4)?),
        ))
    })
    .transpose()
}

pub(super) async fn record(
    s: &StoreImpl,
    id: i64,
    n: &NewEvaluationRecord,
    actor: Option<i64>,
    now: i64,
) -> Result<Evaluation> {
    let summary = nonempty("summary", &n.summary, sunledger_core::text::REPORT)?;
    let (_, on) = sunledger_core::day::today_with_text(now);
    let mut tx = begin_write(&s.pool).await?;
    let e = lock(&mut tx, id).await?;
    rules::next(state_of(&e)?, EvaluationAction::Record).map_err(rule)?;
    let rows = super::project::indicators_of(&mut tx, e.project_id, Some(e.version)).await?;
    let targets = domain_indicators(&rows)?;
    let known = known_values(&targets, &known_of(&mut tx, e.project_id).await?);
    if n.values.len() != targets.len() {
        return Err(invalid(
            "values.rows",
            "one_per_indicator",
            format!("{}/{}", n.values.len(), targets.len()),
        ));
    }
    let mut values = Vec::with_capacity(targets.len());
    for (pos, (v, k)) in n.values.iter().zip(&known).enumerate() {
        values.push(match (k, v.actual) {
            (Some((actual, basis)), _) => rules::Value {
                actual: *actual,
                source: Source::System,
                basis: basis.clone(),
                reason: v.reason.trim().to_string(),
            },
            (None, Some(actual)) => rules::Value {
                actual,
                source: Source::Reported,
                basis: v.evidence.trim().to_string(),
                reason: v.reason.trim().to_string(),
            },
            (None, None) => {
                return Err(invalid(rules::value_field(pos, "actual"), "required", ""));
            }
        });
    }
    rules::check_values(&targets, &values, &known).map_err(rule)?;
    let serious = serious_problem(&mut tx, e.project_id).await?;
    let actuals: Vec<i64> = values.iter().map(|v| v.actual).collect();
    let score = scoring::score(&targets, &actuals, serious).map_err(rule)?;
    let round: i64 =
        sqlx::query("SELECT COUNT(*) FROM evaluation_records WHERE evaluation_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>(0)?
            + 1;
    let county = e.region.county_code();
    let row = sqlx::query(
        "INSERT INTO evaluation_records (county_code, evaluation_id, round, recorded_on, summary, serious_problem, total, \
         band, capped, core_missed, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(county)
    .bind(id)
    .bind(round)
    .bind(&on)
    .bind(&summary)
    .bind(i64::from(serious))
    .bind(score.total)
    .bind(score.band.key())
    .bind(i64::from(score.capped))
    .bind(missed_text(&score.core_missed))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let rid: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "evaluation_records", rid).await?;
    for (pos, ((v, i), points)) in values.iter().zip(&targets).zip(&score.points).enumerate() {
        let row = sqlx::query(
            "INSERT INTO evaluation_values (county_code, record_id, position, actual, source, basis, reason, points, met, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(county)
        .bind(rid)
        .bind(i64::try_from(pos).unwrap_or(i64::MAX))
        .bind(v.actual)
        .bind(v.source.key())
        .bind(&v.basis)
        .bind(&v.reason)
        .bind(*points)
        .bind(i64::from(scoring::met(i, v.actual)))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let vid: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "evaluation_values", vid).await?;
    }
    sqlx::query("UPDATE evaluations SET record_id = $1, total = $2, band = $3 WHERE id = $4")
        .bind(rid)
        .bind(score.total)
        .bind(score.band.key())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    take(
        &mut tx,
        &e,
        EvaluationAction::Record,
        "",
        (Some(rid), None),
        actor,
        now,
    )
    .await?;
    done(tx, id).await
}

/// Whether a serious or critical Book 3 problem has been found on the project (it caps an
/// evaluation's band at 良).
async fn serious_problem(tx: &mut sqlx::Transaction<'static, DB>, project_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM problems WHERE project_id = $1 AND severity IN ('serious', 'critical')",
    )
    .bind(project_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok(n > 0)
}

pub(super) async fn send_back(
    s: &StoreImpl,
    id: i64,
    text: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Evaluation> {
    let text = nonempty("comment", text, sunledger_core::text::REASON)?;
    let mut tx = begin_write(&s.pool).await?;
    let e = lock(&mut tx, id).await?;
    let latest = latest_record(&mut tx, id).await?.map(|l| l.0);
    take(
        &mut tx,
        &e,
        EvaluationAction::Return,
        &text,
        (latest, None),
        actor,
        now,
    )
    .await?;
    done(tx, id).await
}

pub(super) async fn review(
    s: &StoreImpl,
    id: i64,
    text: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Evaluation> {
    let text = sunledger_core::text::bounded("comment", text, sunledger_core::text::REASON)
        .map_err(rule)?;
    let (_, on) = sunledger_core::day::today_with_text(now);
    let mut tx = begin_write(&s.pool).await?;
    let e = lock(&mut tx, id).await?;
    rules::next(state_of(&e)?, EvaluationAction::Review).map_err(rule)?;
    let Some((rid, recorder, total, band, missed)) = latest_record(&mut tx, id).await? else {
        return Err(invalid("state", "evaluation_not_recorded", e.state.clone()));
    };
    Control::ReviewEvaluation
        .check(recorder, actor)
        .map_err(rule)?;
    let band = sunledger_core::acceptance::Band::parse(&band)
        .map_err(|_| StoreError::Corrupt(format!("evaluation band {band:?}")))?;
    let score = scoring::Score {
        points: Vec::new(),
        total,
        band,
        capped: false,
        core_missed: missed
            .iter()
            .filter_map(|m| usize::try_from(*m).ok())
            .collect(),
    };
    // Strict pursuit: 差, or a core indicator missed, opens a Book 3 problem naming the people
    // responsible when the project was accepted (lifelong accountability).
    let problem = match rules::pursuit(&score) {
        None => None,
        Some(p) => {
            let accepted_on: Option<String> =
                sqlx::query("SELECT accepted_on FROM acceptances WHERE id = $1")
                    .bind(e.acceptance_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?
                    .flatten();
            let rows =
                super::project::indicators_of(&mut tx, e.project_id, Some(e.version)).await?;
            let (title, severity) = match &p {
                rules::Pursuit::Poor => (
                    format!(
                        "{}：第 {} 年绩效评价为“差”（{} 分）",
                        e.project_name,
                        e.year,
                        rules::points_text(total)
                    ),
                    sunledger_core::problem::Severity::Serious,
                ),
                rules::Pursuit::CoreMissed(m) => (
                    format!(
                        "{}：第 {} 年绩效评价核心指标未达标（{}）",
                        e.project_name,
                        e.year,
                        m.iter()
                            .filter_map(|p| rows.get(*p).map(|i| i.name.clone()))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                    sunledger_core::problem::Severity::General,
                ),
            };
            let deadline = sunledger_core::day::number(&on)
                .map(|d| sunledger_core::day::format(d + 90))
                .unwrap_or_default();
            let finding = Finding {
                project_id: e.project_id,
                on_date: accepted_on.as_deref().unwrap_or(&on),
                title,
                description: format!(
                    "绩效评价 #{id}（第 {} 年，应于 {} 完成）得分 {}。{}",
                    e.year,
                    e.due_on,
                    rules::points_text(total),
                    text
                ),
                category: ProblemCategory::Objectives,
                severity,
                deadline: &deadline,
            };
            Some(open_finding(&mut tx, &finding, actor, now).await?)
        }
    };
    take(
        &mut tx,
        &e,
        EvaluationAction::Review,
        &text,
        (Some(rid), problem),
        actor,
        now,
    )
    .await?;
    // The project is evaluated once its first evaluation is reviewed; later ones track it on.
    let p = lock_project(&mut tx, e.project_id).await?;
    if status_of(&p)? == Some(Status::Accepted) {
        let next = Status::Accepted
            .next(
                StatusAction::Evaluate,
                u8::try_from(p.progress.clamp(0, 100)).unwrap_or(0),
            )
            .map_err(rule)?;
        sqlx::query("UPDATE projects SET status = $1 WHERE id = $2")
            .bind(next.key())
            .bind(p.id)
            .execute(&mut *tx)
            .await?;
        let why = format!("绩效评价（评价 #{id}）");
        insert_project_event(
            &mut tx,
            &p,
            &EventIn {
                action: StatusAction::Evaluate.key(),
                from_state: Some(Status::Accepted.key()),
                to_state: next.key(),
                comment: &why,
                on_date: &on,
            },
            actor,
            now,
        )
        .await?;
    }
    done(tx, id).await
}

//! The escalation ladder: its steps (a suspension of payment is booked with one) and proposals.

mod overdue;
use overdue::*;

use super::*;
use sunledger_core::escalation::OverdueSource;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "escalations",
        select: "SELECT id, county_code, problem_id, step, document_no, issuing_unit, on_date, content, attendees, new_deadline, \
                 responsible_person, deduction_points, suspension_id, actor_id, at, outcome, outcome_by, outcome_at FROM escalations",
        build: escalation_facts,
        kinds: &[
            (
                "escalation",
                "at",
                &[
                    "problem_id",
                    "step",
                    "document_no",
                    "issuing_unit",
                    "on_date",
                    "content",
                    "attendees",
                    "new_deadline",
                    "responsible_person",
                    "deduction_points",
                    "suspension_id",
                    "actor_id",
                ],
            ),
            (
                "escalation.outcome",
                "outcome_at",
                &["outcome", "outcome_by"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "escalation_proposals",
        select: "SELECT id, county_code, problem_id, step, proposed_on, at, decision, reason, escalation_id, decided_by, \
                 decided_at FROM escalation_proposals",
        build: proposal_facts,
        kinds: &[
            (
                "escalation.proposal",
                "at",
                &["problem_id", "step", "proposed_on"],
            ),
            (
                "escalation.decision",
                "decided_at",
                &["decision", "reason", "escalation_id", "decided_by"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "overdue_proposals",
        select: "SELECT id, county_code, source, source_id, project_id, step, due_on, basis, proposed_on, at, decision, \
                 reason, problem_id, decided_by, decided_at FROM overdue_proposals",
        build: overdue_proposal_facts,
        kinds: &[
            (
                "escalation.overdue_proposal",
                "at",
                &[
                    "source",
                    "source_id",
                    "project_id",
                    "step",
                    "due_on",
                    "basis",
                    "proposed_on",
                ],
            ),
            (
                "escalation.overdue_decision",
                "decided_at",
                &["decision", "reason", "problem_id", "decided_by"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
];

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "escalations",
            "LEFT JOIN problems p ON p.id = t.problem_id",
            "p.region_code",
            "the county of the problem",
        ),
        county(
            "escalation_proposals",
            "LEFT JOIN problems p ON p.id = t.problem_id",
            "p.region_code",
            "the county of the problem",
        ),
        county(
            "overdue_proposals",
            "LEFT JOIN projects p ON p.id = t.project_id",
            "p.region_code",
            "the county of the project",
        ),
    ],
    unbooked: &[],
};

pub(crate) const ESCALATION_COLS: &str = "id, problem_id, step, document_no, issuing_unit, on_date, content, attendees, \
    new_deadline, responsible_person, deduction_points, suspension_id, actor_id, at, outcome, outcome_at";

pub(crate) const PROPOSAL_COLS: &str =
    "id, problem_id, step, proposed_on, decision, reason, escalation_id";

pub(crate) fn escalation_row(r: &DbRow) -> Result<Escalation> {
    Ok(Escalation {
        id: r.try_get("id")?,
        problem_id: r.try_get("problem_id")?,
        step: r.try_get("step")?,
        document_no: r.try_get("document_no")?,
        issuing_unit: r.try_get("issuing_unit")?,
        on_date: r.try_get("on_date")?,
        content: r.try_get("content")?,
        attendees: r.try_get("attendees")?,
        new_deadline: r.try_get("new_deadline")?,
        responsible_person: r.try_get("responsible_person")?,
        deduction_points: r.try_get("deduction_points")?,
        suspension_id: r.try_get("suspension_id")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
        outcome: r.try_get("outcome")?,
        outcome_at: r.try_get("outcome_at")?,
    })
}

pub(crate) fn proposal_row(r: &DbRow) -> Result<Proposal> {
    Ok(Proposal {
        id: r.try_get("id")?,
        problem_id: r.try_get("problem_id")?,
        step: r.try_get("step")?,
        proposed_on: r.try_get("proposed_on")?,
        decision: r.try_get("decision")?,
        reason: r.try_get("reason")?,
        escalation_id: r.try_get("escalation_id")?,
    })
}

pub(crate) fn escalation_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new("escalation", "escalations", id, r.try_get("at")?)
            .county(county.clone())
            .field("problem_id", r.try_get::<i64, _>("problem_id")?)
            .field("step", r.try_get::<String, _>("step")?)
            .field("document_no", r.try_get::<String, _>("document_no")?)
            .field("issuing_unit", r.try_get::<String, _>("issuing_unit")?)
            .field("on_date", r.try_get::<String, _>("on_date")?)
            .field("content", r.try_get::<String, _>("content")?)
            .field("attendees", r.try_get::<String, _>("attendees")?)
            .field(
                "new_deadline",
                r.try_get::<Option<String>, _>("new_deadline")?,
            )
            .field(
                "responsible_person",
                r.try_get::<String, _>("responsible_person")?,
            )
            .field(
                "deduction_points",
                r.try_get::<Option<i64>, _>("deduction_points")?,
            )
            .field(
                "suspension_id",
                r.try_get::<Option<i64>, _>("suspension_id")?,
            )
            .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ];
    let outcome = r.try_get::<Option<String>, _>("outcome")?;
    let outcome_by = r.try_get::<Option<i64>, _>("outcome_by")?;
    if let Some(at) = later(
        r.try_get("outcome_at")?,
        &[outcome.is_some(), outcome_by.is_some()],
    ) {
        out.push(
            Fact::new("escalation.outcome", "escalations", id, at)
                .county(county)
                .field("outcome", outcome)
                .field("outcome_by", outcome_by),
        );
    }
    Ok(out)
}

pub(crate) fn proposal_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new(
            "escalation.proposal",
            "escalation_proposals",
            id,
            r.try_get("at")?,
        )
        .county(county.clone())
        .field("problem_id", r.try_get::<i64, _>("problem_id")?)
        .field("step", r.try_get::<String, _>("step")?)
        .field("proposed_on", r.try_get::<String, _>("proposed_on")?),
    ];
    let decision = r.try_get::<Option<String>, _>("decision")?;
    let reason = r.try_get::<Option<String>, _>("reason")?;
    let escalation_id = r.try_get::<Option<i64>, _>("escalation_id")?;
    let decided_by = r.try_get::<Option<i64>, _>("decided_by")?;
    if let Some(at) = later(
        r.try_get("decided_at")?,
        &[
            decision.is_some(),
            reason.is_some(),
            escalation_id.is_some(),
            decided_by.is_some(),
        ],
    ) {
        out.push(
            Fact::new("escalation.decision", "escalation_proposals", id, at)
                .county(county)
                .field("decision", decision)
                .field("reason", reason)
                .field("escalation_id", escalation_id)
                .field("decided_by", decided_by),
        );
    }
    Ok(out)
}

pub(crate) fn overdue_proposal_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new(
            "escalation.overdue_proposal",
            "overdue_proposals",
            id,
            r.try_get("at")?,
        )
        .county(county.clone())
        .field("source", r.try_get::<String, _>("source")?)
        .field("source_id", r.try_get::<i64, _>("source_id")?)
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("step", r.try_get::<String, _>("step")?)
        .field("due_on", r.try_get::<String, _>("due_on")?)
        .field("basis", r.try_get::<String, _>("basis")?)
        .field("proposed_on", r.try_get::<String, _>("proposed_on")?),
    ];
    let decision = r.try_get::<Option<String>, _>("decision")?;
    let reason = r.try_get::<Option<String>, _>("reason")?;
    let problem_id = r.try_get::<Option<i64>, _>("problem_id")?;
    let decided_by = r.try_get::<Option<i64>, _>("decided_by")?;
    if let Some(at) = later(
        r.try_get("decided_at")?,
        &[
            decision.is_some(),
            reason.is_some(),
            problem_id.is_some(),
            decided_by.is_some(),
        ],
    ) {
        out.push(
            Fact::new("escalation.overdue_decision", "overdue_proposals", id, at)
                .county(county)
                .field("decision", decision)
                .field("reason", reason)
                .field("problem_id", problem_id)
                .field("decided_by", decided_by),
        );
    }
    Ok(out)
}

/// Books a suspension inside `tx` (the ledger's `suspend`, for the escalation ladder).
pub(crate) async fn suspend_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    (target_kind, target): (&str, &str),
    region: &RegionCode,
    reason: &str,
    document_no: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO suspensions (county_code, target_kind, target, region_code, reason, document_no, suspended_by, suspended_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(region.county_code())
    .bind(target_kind)
    .bind(target)
    .bind(region.as_str())
    .bind(reason)
    .bind(document_no)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "suspensions", id).await?;
    Ok(id)
}

/// What the escalation rules need of a problem, read inside `tx`.
pub(crate) async fn problem_facts_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Problem,
) -> Result<ProblemFacts> {
    let steps =
        sqlx::query("SELECT step, on_date FROM escalations WHERE problem_id = $1 ORDER BY id")
            .bind(p.id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| {
                let s: String = r.try_get("step")?;
                let d: String = r.try_get("on_date")?;
                Ok((
                    Step::parse(&s).map_err(rule)?,
                    sunledger_core::day::parse("on_date", &d).map_err(rule)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
    Ok(ProblemFacts {
        state: problem_state(p)?,
        category: ProblemCategory::parse(&p.category).map_err(rule)?,
        deadline: sunledger_core::day::parse("deadline", &p.deadline).map_err(rule)?,
        rejections: u32::try_from(p.rejections).unwrap_or(0),
        steps,
    })
}

impl StoreImpl {
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn decide_in(
        &self,
        tx: &mut sqlx::Transaction<'static, DB>,
        proposal_id: i64,
        problem_id: i64,
        step: Step,
        decision: &str,
        reason: &str,
        escalation_id: Option<i64>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let n = sqlx::query(
            "UPDATE escalation_proposals SET decision = $1, reason = $2, escalation_id = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $6 AND problem_id = $7 AND step = $8 AND decided_at IS NULL",
        )
        .bind(decision)
        .bind(reason.trim())
        .bind(escalation_id)
        .bind(actor)
        .bind(now)
        .bind(proposal_id)
        .bind(problem_id)
        .bind(step.key())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(invalid(
                "proposal_id",
                "not_an_open_proposal",
                proposal_id.to_string(),
            ));
        }
        append_later_fact(
            tx,
            "escalation_proposals",
            proposal_id,
            "escalation.decision",
        )
        .await
    }
}

#[async_trait]
impl EscalationStore for StoreImpl {
    async fn escalate(
        &self,
        e: &NewEscalation,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation> {
        let step = Step::parse(&e.step).map_err(rule)?;
        let document_no = nonempty(
            "document_no",
            &e.document_no,
            sunledger_core::text::DOCUMENT_NO,
        )?;
        let issuing_unit = nonempty("issuing_unit", &e.issuing_unit, sunledger_core::text::NAME)?;
        // Every step's text is bounded, also where it may be empty.
        sunledger_core::text::bounded("content", &e.content, sunledger_core::text::REPORT)
            .map_err(rule)?;
        sunledger_core::text::bounded("attendees", &e.attendees, 2000).map_err(rule)?;
        let responsible = nonempty("responsible_person", &e.responsible_person, 200)?;
        let today = sunledger_core::day::today(now);
        let new_deadline = match e
            .new_deadline
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(d) => {
                let n = sunledger_core::day::parse("new_deadline", d).map_err(rule)?;
                if n <= today {
                    return Err(invalid("new_deadline", "not_in_future", d));
                }
                Some(sunledger_core::day::format(n))
            }
            None => None,
        };
        if step.is_interview() {
            nonempty("attendees", &e.attendees, 2000)?;
            if new_deadline.is_none() {
                return Err(invalid("new_deadline", "empty", ""));
            }
        }
        if step.is_letter() || step == Step::InformedCriticism {
            nonempty("content", &e.content, 20_000)?;
        }
        let points = sunledger_core::escalation::deduction_points(step, e.deduction_points)
            .map_err(StoreError::Rule)?;
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_problem(&mut tx, e.problem_id).await?;
        let facts = problem_facts_in(&mut tx, &p).await?;
        if !facts.state.is_open() {
            return Err(invalid("problem_id", "problem_closed", p.id.to_string()));
        }
        let taken: Vec<Step> = facts.steps.iter().map(|(s, _)| *s).collect();
        step.allowed_after(&taken, facts.category).map_err(rule)?;
        let suspension_id = if step == Step::SuspendPayment {
            let (kind, target) = match p.project_id {
                Some(pid) => ("project", pid.to_string()),
                None => ("region", p.region.as_str().to_string()),
            };
            let reason = format!("问题{}未按期整改：{}", p.id, p.title);
            Some(
                suspend_in(
                    &mut tx,
                    (kind, &target),
                    &p.region,
                    &reason,
                    &document_no,
                    actor,
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        let row = sqlx::query(
            "INSERT INTO escalations (county_code, problem_id, step, document_no, issuing_unit, on_date, content, attendees, \
             new_deadline, responsible_person, deduction_points, suspension_id, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(p.id)
        .bind(step.key())
        .bind(document_no)
        .bind(issuing_unit)
        .bind(sunledger_core::day::format(today))
        .bind(e.content.trim())
        .bind(e.attendees.trim())
        .bind(new_deadline.as_deref())
        .bind(responsible)
        .bind(points)
        .bind(suspension_id)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        let f = row_facts(&mut tx, "escalations", id).await?;
        append_facts(&mut tx, &f).await?;
        if let Some(d) = &new_deadline {
            sqlx::query("UPDATE problems SET deadline = $1 WHERE id = $2")
                .bind(d.as_str())
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(pid) = e.proposal_id {
            self.decide_in(
                &mut tx,
                pid,
                p.id,
                step,
                "confirmed",
                "",
                Some(id),
                actor,
                now,
            )
            .await?;
        }
        let out = one_in(
            &mut tx,
            format!("SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"),
            id,
            escalation_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn escalation(&self, id: i64) -> Result<Option<Escalation>> {
        self.one_by_id(
            format!("SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"),
            id,
            escalation_row,
        )
        .await
    }

    async fn record_outcome(
        &self,
        id: i64,
        outcome: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation> {
        let outcome = nonempty("outcome", outcome, sunledger_core::text::REPORT)?;
        let mut tx = begin_write(&self.pool).await?;
        let e = escalation_row(
            &sqlx::query(AssertSqlSafe(format!(
                "SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("escalation"))?,
        )?;
        if !Step::parse(&e.step).map_err(rule)?.is_referral() {
            return Err(invalid("step", "not_a_referral", e.step));
        }
        let n = sqlx::query("UPDATE escalations SET outcome = $1, outcome_by = $2, outcome_at = $3 WHERE id = $4 AND outcome_at IS NULL")
            .bind(outcome)
            .bind(actor)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                field: "outcome".into(),
            });
        }
        append_later_fact(&mut tx, "escalations", id, "escalation.outcome").await?;
        let out = one_in(
            &mut tx,
            format!("SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"),
            id,
            escalation_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The steps due now on every open problem (in `scopes`), by the rules.
    async fn due_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::escalation::EscalationRule],
        now: i64,
    ) -> Result<Vec<(Problem, Vec<Step>)>> {
        let today = sunledger_core::day::today(now);
        let mut qb =
            QueryBuilder::<DB>::new(format!("{PROBLEM_SELECT} WHERE p.state <> 'closed' AND "));
        push_scope_filter(&mut qb, "p.region_code", scopes);
        qb.push(" ORDER BY p.deadline, p.id");
        let problems = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(problem_row)
            .collect::<Result<Vec<_>>>()?;
        let mut out = Vec::new();
        let mut conn = self.pool.acquire().await?;
        for p in problems {
            let steps = sqlx::query(
                "SELECT step, on_date FROM escalations WHERE problem_id = $1 ORDER BY id",
            )
            .bind(p.id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let s: String = r.try_get("step")?;
                let d: String = r.try_get("on_date")?;
                Ok((
                    Step::parse(&s).map_err(rule)?,
                    sunledger_core::day::parse("on_date", &d).map_err(rule)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
            let facts = ProblemFacts {
                state: problem_state(&p)?,
                category: ProblemCategory::parse(&p.category).map_err(rule)?,
                deadline: sunledger_core::day::parse("deadline", &p.deadline).map_err(rule)?,
                rejections: u32::try_from(p.rejections).unwrap_or(0),
                steps,
            };
            let due = sunledger_core::escalation::due_steps(&facts, rules, today);
            if !due.is_empty() {
                out.push((p, due));
            }
        }
        Ok(out)
    }

    /// Records proposals for the due steps not yet proposed; returns the new ones.
    async fn propose_escalations(
        &self,
        scopes: &[RegionCode],
        rules: &[sunledger_core::escalation::EscalationRule],
        now: i64,
    ) -> Result<Vec<Proposal>> {
        let due = self.due_escalations(scopes, rules, now).await?;
        let today = sunledger_core::day::format(sunledger_core::day::today(now));
        let mut tx = begin_write(&self.pool).await?;
        let mut out = Vec::new();
        for (p, steps) in due {
            for s in steps {
                let exists: i64 = sqlx::query(
                    "SELECT COUNT(*) FROM escalation_proposals WHERE problem_id = $1 AND step = $2",
                )
                .bind(p.id)
                .bind(s.key())
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                if exists > 0 {
                    continue;
                }
                let row = sqlx::query(
                    "INSERT INTO escalation_proposals (county_code, problem_id, step, proposed_on, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(p.region.county_code())
                .bind(p.id)
                .bind(s.key())
                .bind(today.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let id: i64 = row.try_get(0)?;
                append_row_facts(&mut tx, "escalation_proposals", id).await?;
                out.push(
                    one_in(
                        &mut tx,
                        format!("SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"),
                        id,
                        proposal_row,
                    )
                    .await?,
                );
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn overdue_steps(&self, scopes: &[RegionCode], now: i64) -> Result<Vec<Overdue>> {
        overdue_in(&self.pool, scopes, sunledger_core::day::today(now)).await
    }

    async fn propose_overdue(
        &self,
        scopes: &[RegionCode],
        now: i64,
    ) -> Result<Vec<OverdueProposal>> {
        let due = self.overdue_steps(scopes, now).await?;
        let today = sunledger_core::day::format(sunledger_core::day::today(now));
        let step = sunledger_core::escalation::OVERDUE_STEP.key();
        let mut tx = begin_write(&self.pool).await?;
        let mut out = Vec::new();
        for o in due {
            let exists: i64 = sqlx::query(
                "SELECT COUNT(*) FROM overdue_proposals WHERE source = $1 AND source_id = $2 AND step = $3",
            )
            .bind(o.source.as_str())
            .bind(o.source_id)
            .bind(step)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            if exists > 0 {
                continue;
            }
            let row = sqlx::query(
                "INSERT INTO overdue_proposals (county_code, source, source_id, project_id, step, due_on, basis, proposed_on, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(o.region.county_code())
            .bind(o.source.as_str())
            .bind(o.source_id)
            .bind(o.project_id)
            .bind(step)
            .bind(o.due_on.as_str())
            .bind(o.basis.as_str())
            .bind(today.as_str())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = row.try_get(0)?;
            append_row_facts(&mut tx, "overdue_proposals", id).await?;
            out.push(
                one_in(
                    &mut tx,
                    format!("{OVERDUE_PROPOSAL_SELECT} WHERE o.id = $1"),
                    id,
                    overdue_proposal_row,
                )
                .await?,
            );
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn open_overdue_proposals(
        &self,
        scopes: &[RegionCode],
        now: i64,
    ) -> Result<Vec<OverdueProposal>> {
        let still: std::collections::HashSet<(String, i64)> = self
            .overdue_steps(scopes, now)
            .await?
            .into_iter()
            .map(|o| (o.source, o.source_id))
            .collect();
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(OVERDUE_PROPOSAL_SELECT);
        qb.push(" WHERE o.decided_at IS NULL AND ");
        push_scope_filter(&mut qb, "p.region_code", scopes);
        qb.push(" ORDER BY o.due_on, o.id LIMIT 1000");
        Ok(qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(overdue_proposal_row)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|o| still.contains(&(o.source.clone(), o.source_id)))
            .collect())
    }

    async fn overdue_proposal(&self, id: i64) -> Result<Option<OverdueProposal>> {
        self.one_by_id(
            format!("{OVERDUE_PROPOSAL_SELECT} WHERE o.id = $1"),
            id,
            overdue_proposal_row,
        )
        .await
    }

    async fn decide_overdue_proposal(
        &self,
        id: i64,
        decision: &OverdueDecision,
        actor: Option<i64>,
        now: i64,
    ) -> Result<OverdueProposal> {
        overdue::decide(self, id, decision, actor, now).await
    }

    async fn proposal(&self, id: i64) -> Result<Option<Proposal>> {
        self.one_by_id(
            format!("SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"),
            id,
            proposal_row,
        )
        .await
    }

    async fn dismiss_proposal(
        &self,
        proposal_id: i64,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Proposal> {
        let reason = nonempty("reason", reason, 2000)?;
        let mut tx = begin_write(&self.pool).await?;
        let r = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"
        )))
        .bind(proposal_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("proposal"))?;
        let p = proposal_row(&r)?;
        let step = Step::parse(&p.step).map_err(rule)?;
        self.decide_in(
            &mut tx,
            proposal_id,
            p.problem_id,
            step,
            "dismissed",
            &reason,
            None,
            actor,
            now,
        )
        .await?;
        let out = one_in(
            &mut tx,
            format!("SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"),
            proposal_id,
            proposal_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

//! Book 4's performance evaluations: scheduled when the project is accepted ([`schedule`], called
//! by the acceptance), recorded with a value per indicator (the system's own where it knows
//! them), reviewed or returned; strict pursuit through `problem::open_finding`.

use super::*;
use crate::project::ProjectIndicator;
use sunledger_core::acceptance::{self as scoring, Indicator};
use sunledger_core::evaluation::{self as rules, Known};

mod write;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "evaluations",
        select: "SELECT id, county_code, project_id, acceptance_id, year, due_on, version, scheduled_at FROM evaluations",
        build: evaluation_facts,
        kinds: &[(
            "evaluation",
            "scheduled_at",
            &["project_id", "acceptance_id", "year", "due_on", "version"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "evaluation_records",
        select: "SELECT id, county_code, evaluation_id, round, recorded_on, summary, serious_problem, actor_id, at \
                 FROM evaluation_records",
        build: record_facts,
        kinds: &[(
            "evaluation.record",
            "at",
            &[
                "evaluation_id",
                "round",
                "recorded_on",
                "summary",
                // What the recorder's day knew: a serious or critical problem on the project.
                "serious_problem",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "evaluation_values",
        select: "SELECT id, county_code, record_id, position, actual, source, basis, reason, at FROM evaluation_values",
        build: value_facts,
        kinds: &[(
            "evaluation.value",
            "at",
            &[
                "record_id",
                "position",
                "actual",
                "source",
                "basis",
                "reason",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "evaluation_events",
        select: "SELECT id, county_code, evaluation_id, action, from_state, to_state, comment, on_date, record_id, \
                 problem_id, actor_id, at FROM evaluation_events",
        build: event_facts,
        kinds: &[(
            "evaluation.event",
            "at",
            &[
                "evaluation_id",
                "action",
                "from_state",
                "to_state",
                "comment",
                "on_date",
                "record_id",
                "problem_id",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

const BY_EVALUATION: &str =
    "LEFT JOIN evaluations e ON e.id = t.evaluation_id LEFT JOIN projects p ON p.id = e.project_id";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "evaluations",
            "LEFT JOIN projects p ON p.id = t.project_id",
            "p.region_code",
            "the county of the project",
        ),
        Derived {
            table: "evaluations",
            columns: &["state", "record_id", "total", "band", "reviewed_on"],
            rule: "the evaluation's steps: the last one's state (else due), its latest recording and that recording's \
                   score and band, the day of the review",
            check: Check::Sql(
                "SELECT CAST(e.id AS TEXT), e.state, COALESCE((SELECT x.to_state FROM evaluation_events x \
                 WHERE x.evaluation_id = e.id ORDER BY x.id DESC LIMIT 1), 'due'), \
                 CAST(e.record_id AS TEXT), (SELECT CAST(MAX(r.id) AS TEXT) FROM evaluation_records r WHERE r.evaluation_id = e.id), \
                 CAST(e.total AS TEXT), (SELECT CAST(r.total AS TEXT) FROM evaluation_records r WHERE r.evaluation_id = e.id \
                 ORDER BY r.id DESC LIMIT 1), \
                 e.band, (SELECT r.band FROM evaluation_records r WHERE r.evaluation_id = e.id ORDER BY r.id DESC LIMIT 1), \
                 e.reviewed_on, (SELECT x.on_date FROM evaluation_events x WHERE x.evaluation_id = e.id \
                 AND x.action = 'review' ORDER BY x.id DESC LIMIT 1) FROM evaluations e",
            ),
        },
        county(
            "evaluation_records",
            BY_EVALUATION,
            "p.region_code",
            "the county of the project",
        ),
        Derived {
            table: "evaluation_records",
            columns: &["total", "band", "capped", "core_missed"],
            rule: "the score of the recorded values against the evaluated version's indicators, with the band, the cap \
                   at 良 for a serious problem and the core indicators missed (sunledger_core::acceptance::score)",
            check: Check::Code(scores),
        },
        county(
            "evaluation_values",
            "LEFT JOIN evaluation_records r ON r.id = t.record_id LEFT JOIN evaluations e ON e.id = r.evaluation_id \
             LEFT JOIN projects p ON p.id = e.project_id",
            "p.region_code",
            "the county of the project",
        ),
        Derived {
            table: "evaluation_values",
            columns: &["points", "met"],
            rule: "the points the actual value earns against its indicator and whether it meets the target \
                   (sunledger_core::acceptance::points, met)",
            check: Check::Code(value_points),
        },
        county(
            "evaluation_events",
            BY_EVALUATION,
            "p.region_code",
            "the county of the project",
        ),
    ],
    unbooked: &[],
};

pub(crate) fn evaluation_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "evaluation",
            "evaluations",
            r.try_get("id")?,
            r.try_get("scheduled_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("acceptance_id", r.try_get::<i64, _>("acceptance_id")?)
        .field("year", r.try_get::<i64, _>("year")?)
        .field("due_on", r.try_get::<String, _>("due_on")?)
        .field("version", r.try_get::<i64, _>("version")?),
    ])
}

pub(crate) fn record_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "evaluation.record",
            "evaluation_records",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("evaluation_id", r.try_get::<i64, _>("evaluation_id")?)
        .field("round", r.try_get::<i64, _>("round")?)
        .field("recorded_on", r.try_get::<String, _>("recorded_on")?)
        .field("summary", r.try_get::<String, _>("summary")?)
        .field("serious_problem", r.try_get::<i64, _>("serious_problem")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

pub(crate) fn value_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "evaluation.value",
            "evaluation_values",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("record_id", r.try_get::<i64, _>("record_id")?)
        .field("position", r.try_get::<i64, _>("position")?)
        .field("actual", r.try_get::<i64, _>("actual")?)
        .field("source", r.try_get::<String, _>("source")?)
        .field("basis", r.try_get::<String, _>("basis")?)
        .field("reason", r.try_get::<String, _>("reason")?),
    ])
}

pub(crate) fn event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "evaluation.event",
            "evaluation_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("evaluation_id", r.try_get::<i64, _>("evaluation_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("comment", r.try_get::<String, _>("comment")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("record_id", r.try_get::<Option<i64>, _>("record_id")?)
        .field("problem_id", r.try_get::<Option<i64>, _>("problem_id")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

/// The indicators of every evaluated version, by (project, version).
async fn indicators_by_version(pool: &Pool<DB>) -> Result<HashMap<(i64, i64), Vec<Indicator>>> {
    let q = format!(
        "SELECT {} FROM project_indicators WHERE (project_id, version) IN (SELECT project_id, version FROM evaluations) \
         ORDER BY project_id, version, position",
        super::project::INDICATOR_COLS
    );
    let mut out: HashMap<(i64, i64), Vec<Indicator>> = HashMap::new();
    for r in sqlx::query(AssertSqlSafe(q)).fetch_all(pool).await? {
        let i = super::project::indicator_row(&r)?;
        let ind = i.indicator().map_err(StoreError::Rule)?;
        out.entry((i.project_id, i.version)).or_default().push(ind);
    }
    Ok(out)
}

fn mismatch(
    table: &'static str,
    id: i64,
    column: &'static str,
    stored: String,
    derived: String,
    rule: &'static str,
) -> Mismatch {
    Mismatch {
        table,
        key: id.to_string(),
        column,
        stored: Some(stored),
        derived: Some(derived),
        rule,
        sources: format!("{table} {id}"),
    }
}

fn scores(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let targets = indicators_by_version(pool).await?;
        let values = sqlx::query(
            "SELECT v.record_id, v.actual FROM evaluation_values v ORDER BY v.record_id, v.position",
        )
        .fetch_all(pool)
        .await?;
        let mut actuals: HashMap<i64, Vec<i64>> = HashMap::new();
        for v in &values {
            actuals
                .entry(v.try_get("record_id")?)
                .or_default()
                .push(v.try_get("actual")?);
        }
        let rows = sqlx::query(
            "SELECT r.id, e.project_id, e.version, r.serious_problem, r.total, r.band, r.capped, r.core_missed \
             FROM evaluation_records r JOIN evaluations e ON e.id = r.evaluation_id ORDER BY r.id",
        )
        .fetch_all(pool)
        .await?;
        let rule = "the score of the recorded values (sunledger_core::acceptance::score)";
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let key = (r.try_get("project_id")?, r.try_get("version")?);
            let (no_targets, no_actuals) = (Vec::new(), Vec::new());
            let t = targets.get(&key).unwrap_or(&no_targets);
            let a = actuals.get(&id).unwrap_or(&no_actuals);
            let serious = r.try_get::<i64, _>("serious_problem")? != 0;
            let stored = [
                r.try_get::<i64, _>("total")?.to_string(),
                r.try_get::<String, _>("band")?,
                r.try_get::<i64, _>("capped")?.to_string(),
                r.try_get::<String, _>("core_missed")?,
            ];
            let derived = match scoring::score(t, a, serious) {
                Ok(s) => [
                    s.total.to_string(),
                    s.band.key().to_string(),
                    i64::from(s.capped).to_string(),
                    missed_text(&s.core_missed),
                ],
                Err(e) => {
                    let why = format!("unscorable: {e}");
                    [why.clone(), why.clone(), why.clone(), why]
                }
            };
            let columns = ["total", "band", "capped", "core_missed"];
            for ((c, s), d) in columns.iter().zip(stored).zip(derived) {
                if s != d {
                    out.push(mismatch("evaluation_records", id, c, s, d, rule));
                }
            }
        }
        Ok(out)
    })
}

fn value_points(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let targets = indicators_by_version(pool).await?;
        let rows = sqlx::query(
            "SELECT v.id, v.position, v.actual, v.points, v.met, e.project_id, e.version FROM evaluation_values v \
             JOIN evaluation_records r ON r.id = v.record_id JOIN evaluations e ON e.id = r.evaluation_id ORDER BY v.id",
        )
        .fetch_all(pool)
        .await?;
        let rule = "the points of the actual value (sunledger_core::acceptance::points, met)";
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let key = (r.try_get("project_id")?, r.try_get("version")?);
            let position = usize::try_from(r.try_get::<i64, _>("position")?).unwrap_or(usize::MAX);
            let actual: i64 = r.try_get("actual")?;
            let stored = [
                r.try_get::<i64, _>("points")?.to_string(),
                r.try_get::<i64, _>("met")?.to_string(),
            ];
            let derived = match targets.get(&key).and_then(|t| t.get(position)) {
                Some(i) => [
                    scoring::points(i, actual).to_string(),
                    i64::from(scoring::met(i, actual)).to_string(),
                ],
                None => ["no indicator".to_string(), "no indicator".to_string()],
            };
            for ((c, s), d) in ["points", "met"].iter().zip(stored).zip(derived) {
                if s != d {
                    out.push(mismatch("evaluation_values", id, c, s, d, rule));
                }
            }
        }
        Ok(out)
    })
}

fn missed_text(positions: &[usize]) -> String {
    positions
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn missed_of(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|p| p.trim().parse().ok()).collect()
}

// --- Scheduling -----------------------------------------------------------------------------

/// Schedules a just-accepted project's evaluations: one per year of the county's
/// `evaluation_years`, due on the acceptance day's anniversaries, scoring the approved version.
pub(crate) async fn schedule(
    tx: &mut sqlx::Transaction<'static, DB>,
    acceptance_id: i64,
    p: &Project,
    accepted_on: i64,
    years: &[u32],
    now: i64,
) -> Result<()> {
    let version = p.approved_version.unwrap_or(p.version);
    for (year, due) in years.iter().zip(scoring::schedule(accepted_on, years)) {
        let row = sqlx::query(
            "INSERT INTO evaluations (county_code, project_id, acceptance_id, year, due_on, version, scheduled_at, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'due') RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(p.id)
        .bind(acceptance_id)
        .bind(i64::from(*year))
        .bind(sunledger_core::day::format(due))
        .bind(version)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(tx, "evaluations", id).await?;
    }
    Ok(())
}

// --- Reading --------------------------------------------------------------------------------

const EVALUATION_SELECT: &str = "SELECT e.id, e.project_id, p.name AS project_name, p.category, p.region_code, \
    r.name AS region_name, e.acceptance_id, e.year, e.due_on, e.version, e.state, e.total, e.band, e.reviewed_on, \
    (SELECT x.recorded_on FROM evaluation_records x WHERE x.id = e.record_id) AS recorded_on \
    FROM evaluations e JOIN projects p ON p.id = e.project_id JOIN regions r ON r.code = p.region_code";

fn evaluation_row(r: &DbRow) -> Result<Evaluation> {
    Ok(Evaluation {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        project_name: r.try_get("project_name")?,
        category: r.try_get("category")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        acceptance_id: r.try_get("acceptance_id")?,
        year: r.try_get("year")?,
        due_on: r.try_get("due_on")?,
        version: r.try_get("version")?,
        state: r.try_get("state")?,
        total: r.try_get("total")?,
        band: r.try_get("band")?,
        recorded_on: r.try_get("recorded_on")?,
        reviewed_on: r.try_get("reviewed_on")?,
    })
}

const ROUND_SELECT: &str = "SELECT x.id, x.round, x.recorded_on, x.summary, x.serious_problem, x.total, x.band, x.capped, \
    x.core_missed, x.actor_id, u.display_name AS actor_name, (SELECT MIN(l.idx) FROM log_leaves l \
    WHERE l.record_table = 'evaluation_records' AND l.record_id = x.id) AS log_index \
    FROM evaluation_records x LEFT JOIN users u ON u.id = x.actor_id WHERE x.evaluation_id = $1 ORDER BY x.round";

const VALUE_SELECT: &str = "SELECT v.record_id, v.position, v.actual, v.source, v.basis, v.reason, v.points, v.met \
    FROM evaluation_values v JOIN evaluation_records x ON x.id = v.record_id WHERE x.evaluation_id = $1 \
    ORDER BY v.record_id, v.position";

const EVENT_SELECT: &str = "SELECT x.id, x.action, x.from_state, x.to_state, x.comment, x.on_date, x.record_id, \
    x.problem_id, x.actor_id, u.display_name AS actor_name, x.at FROM evaluation_events x \
    LEFT JOIN users u ON u.id = x.actor_id WHERE x.evaluation_id = $1 ORDER BY x.id";

/// What the system knows of a project: its start and completion days, its paid money, the
/// households on its beneficiary list.
async fn known_of(conn: &mut <DB as sqlx::Database>::Connection, project_id: i64) -> Result<Known> {
    let day_of = |action: &'static str| {
        format!(
            "SELECT on_date FROM project_events WHERE project_id = $1 AND action = '{action}' ORDER BY id DESC LIMIT 1"
        )
    };
    let mut k = Known::default();
    for (action, slot) in [("start", 0), ("complete", 1)] {
        let day: Option<String> = sqlx::query(AssertSqlSafe(day_of(action)))
            .bind(project_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let day = day.as_deref().and_then(sunledger_core::day::number);
        if slot == 0 {
            k.started_on = day;
        } else {
            k.completed_on = day;
        }
    }
    let q = "SELECT COALESCE(CAST(SUM(t.amount) AS BIGINT), 0) FROM ledger_accounts a JOIN transfers t ON t.from_account = a.id \
         WHERE a.owner_kind = 'project' AND a.project_id = $1 AND t.kind = 'disburse' AND t.state = 'paid' \
         AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.reverses = t.id)";
    k.paid_fen = Some(
        sqlx::query(q)
            .bind(project_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?,
    );
    let households: i64 =
        sqlx::query("SELECT COUNT(*) FROM project_beneficiaries WHERE project_id = $1")
            .bind(project_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
    k.households = Some(households);
    Ok(k)
}

fn domain_indicators(rows: &[ProjectIndicator]) -> Result<Vec<Indicator>> {
    rows.iter()
        .map(|i| i.indicator().map_err(StoreError::Rule))
        .collect()
}

/// The values the system knows, one slot per indicator.
fn known_values(targets: &[Indicator], k: &Known) -> Vec<Option<(i64, String)>> {
    targets.iter().map(|i| rules::known(i, k)).collect()
}

#[async_trait]
impl EvaluationStore for StoreImpl {
    async fn record_evaluation(
        &self,
        id: i64,
        r: &NewEvaluationRecord,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Evaluation> {
        write::record(self, id, r, actor, now).await
    }

    async fn return_evaluation(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Evaluation> {
        write::send_back(self, id, comment, actor, now).await
    }

    async fn review_evaluation(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Evaluation> {
        write::review(self, id, comment, actor, now).await
    }

    async fn evaluation(&self, id: i64, _now: i64) -> Result<Option<EvaluationRecord>> {
        let Some(e) = self
            .one_by_id(
                format!("{EVALUATION_SELECT} WHERE e.id = $1"),
                id,
                evaluation_row,
            )
            .await?
        else {
            return Ok(None);
        };
        let mut conn = self.pool.acquire().await?;
        let indicators =
            super::project::indicators_of(&mut conn, e.project_id, Some(e.version)).await?;
        let targets = domain_indicators(&indicators)?;
        let known = known_values(&targets, &known_of(&mut conn, e.project_id).await?)
            .into_iter()
            .enumerate()
            .filter_map(|(pos, k)| {
                k.map(|(actual, basis)| KnownValue {
                    position: i64::try_from(pos).unwrap_or(i64::MAX),
                    actual,
                    basis,
                })
            })
            .collect();
        let mut values: HashMap<i64, Vec<EvaluationValue>> = HashMap::new();
        for r in sqlx::query(VALUE_SELECT)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
        {
            values
                .entry(r.try_get("record_id")?)
                .or_default()
                .push(EvaluationValue {
                    position: r.try_get("position")?,
                    actual: r.try_get("actual")?,
                    source: r.try_get("source")?,
                    basis: r.try_get("basis")?,
                    reason: r.try_get("reason")?,
                    points: r.try_get("points")?,
                    met: r.try_get::<i64, _>("met")? != 0,
                });
        }
        let rounds = sqlx::query(ROUND_SELECT)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let rid: i64 = r.try_get("id")?;
                Ok(EvaluationRound {
                    id: rid,
                    round: r.try_get("round")?,
                    recorded_on: r.try_get("recorded_on")?,
                    summary: r.try_get("summary")?,
                    serious_problem: r.try_get::<i64, _>("serious_problem")? != 0,
                    total: r.try_get("total")?,
                    band: r.try_get("band")?,
                    capped: r.try_get::<i64, _>("capped")? != 0,
                    core_missed: missed_of(&r.try_get::<String, _>("core_missed")?),
                    actor_id: r.try_get("actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    values: values.remove(&rid).unwrap_or_default(),
                    log_index: r.try_get("log_index")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let events = sqlx::query(EVENT_SELECT)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(EvaluationEvent {
                    id: r.try_get("id")?,
                    action: r.try_get("action")?,
                    from_state: r.try_get("from_state")?,
                    to_state: r.try_get("to_state")?,
                    comment: r.try_get("comment")?,
                    on_date: r.try_get("on_date")?,
                    record_id: r.try_get("record_id")?,
                    problem_id: r.try_get("problem_id")?,
                    actor_id: r.try_get("actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    at: r.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(EvaluationRecord {
            evaluation: e,
            indicators,
            known,
            rounds,
            events,
        }))
    }

    async fn evaluations_of_project(&self, project_id: i64) -> Result<Vec<Evaluation>> {
        sqlx::query(AssertSqlSafe(format!(
            "{EVALUATION_SELECT} WHERE e.project_id = $1 ORDER BY e.year"
        )))
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(evaluation_row)
        .collect()
    }

    async fn evaluations(
        &self,
        f: &EvaluationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Evaluation>, i64)> {
        let filter = |qb: &mut QueryBuilder<DB>| {
            qb.push(" WHERE ");
            push_scope_filter(qb, "p.region_code", &f.scopes);
            if let Some(s) = &f.state {
                qb.push(" AND e.state = ").push_bind(s.clone());
            }
            if let Some(b) = &f.band {
                qb.push(" AND e.state = 'reviewed' AND e.band = ")
                    .push_bind(b.clone());
            }
            if let Some(y) = f.year {
                qb.push(" AND e.year = ").push_bind(y);
            }
            if let Some(p) = f.project_id {
                qb.push(" AND e.project_id = ").push_bind(p);
            }
            if let Some(day) = &f.overdue_on {
                qb.push(" AND e.state <> 'reviewed' AND e.due_on < ")
                    .push_bind(day.clone());
            }
        };
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(EVALUATION_SELECT);
        filter(&mut qb);
        qb.push(" ORDER BY e.due_on, e.id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(evaluation_row)
            .collect::<Result<Vec<_>>>()?;
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT COUNT(*) FROM evaluations e JOIN projects p ON p.id = e.project_id",
        );
        filter(&mut qb);
        let total: i64 = qb.build().fetch_one(&self.pool).await?.try_get(0)?;
        Ok((rows, total))
    }
}

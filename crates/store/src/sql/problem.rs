//! Book 3, the problem ledger: problems and their lifecycle events.

use super::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "problems",
        select: "SELECT id, county_code, region_code, inspection_id, project_id, review_of, category, severity, title, \
                 description, department_id, person_id, amount, first_deadline, created_by, created_at, deadline_reason FROM problems",
        build: problem_facts,
        kinds: &[(
            "problem",
            "created_at",
            &[
                "region=region_code",
                "inspection_id",
                "project_id",
                "review_of",
                "category",
                "severity",
                "title",
                "description",
                "department_id",
                "person_id",
                "amount_fen=amount",
                "deadline=first_deadline",
                "created_by",
                "deadline_reason",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "problem_events",
        select: "SELECT id, county_code, problem_id, action, from_state, to_state, text, on_date, actor_id, at FROM problem_events",
        build: problem_event_facts,
        kinds: &[(
            "problem.event",
            "at",
            &[
                "problem_id",
                "action",
                "from_state",
                "to_state",
                "text",
                "on_date",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "problems",
            "",
            "t.region_code",
            "the first six digits of the problem's region",
        ),
        Derived {
            table: "problems",
            columns: &["state", "rejections", "deadline"],
            rule: "the problem's events (the last one's state, else open; how many rejections) and its ladder \
                   (the latest new deadline set by an escalation, else the first deadline)",
            check: Check::Sql(
                "SELECT CAST(p.id AS TEXT), p.state, COALESCE((SELECT e.to_state FROM problem_events e WHERE e.problem_id = p.id \
                 ORDER BY e.id DESC LIMIT 1), 'open'), CAST(p.rejections AS TEXT), CAST((SELECT COUNT(*) FROM problem_events e \
                 WHERE e.problem_id = p.id AND e.action = 'reject') AS TEXT), p.deadline, COALESCE((SELECT x.new_deadline \
                 FROM escalations x WHERE x.problem_id = p.id AND x.new_deadline IS NOT NULL ORDER BY x.id DESC LIMIT 1), \
                 p.first_deadline) FROM problems p",
            ),
        },
        county(
            "problem_events",
            "LEFT JOIN problems p ON p.id = t.problem_id",
            "p.region_code",
            "the county of the problem",
        ),
    ],
    unbooked: &[],
};

pub(crate) const PROBLEM_SELECT: &str = "SELECT p.id, p.region_code, p.inspection_id, p.project_id, p.review_of, p.category, \
    p.severity, p.title, p.description, p.department_id, d.name AS department_name, p.person_id, \
    pe.name AS person_name, p.amount, p.first_deadline, p.deadline, p.deadline_reason, p.state, p.rejections, p.created_by, \
    p.created_at FROM problems p JOIN departments d ON d.id = p.department_id \
    LEFT JOIN people pe ON pe.id = p.person_id";

pub(crate) const PROBLEM_EVENT_COLS: &str =
    "id, problem_id, action, from_state, to_state, text, on_date, actor_id, at";

pub(crate) fn problem_row(r: &DbRow) -> Result<Problem> {
    Ok(Problem {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        inspection_id: r.try_get("inspection_id")?,
        project_id: r.try_get("project_id")?,
        review_of: r.try_get("review_of")?,
        category: r.try_get("category")?,
        severity: r.try_get("severity")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        person_id: r.try_get("person_id")?,
        person_name: r.try_get("person_name")?,
        amount_fen: r.try_get("amount")?,
        first_deadline: r.try_get("first_deadline")?,
        deadline: r.try_get("deadline")?,
        deadline_reason: r.try_get("deadline_reason")?,
        state: r.try_get("state")?,
        rejections: r.try_get("rejections")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn problem_event_row(r: &DbRow) -> Result<ProblemEvent> {
    Ok(ProblemEvent {
        id: r.try_get("id")?,
        problem_id: r.try_get("problem_id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        text: r.try_get("text")?,
        on_date: r.try_get("on_date")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

pub(crate) fn problem_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let mut out = vec![
        Fact::new(
            "problem",
            "problems",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field(
            "inspection_id",
            r.try_get::<Option<i64>, _>("inspection_id")?,
        )
        .field("project_id", r.try_get::<Option<i64>, _>("project_id")?)
        .field("review_of", r.try_get::<Option<i64>, _>("review_of")?)
        .field("category", r.try_get::<String, _>("category")?)
        .field("severity", r.try_get::<String, _>("severity")?)
        .field("title", r.try_get::<String, _>("title")?)
        .field("description", r.try_get::<String, _>("description")?)
        .field("department_id", r.try_get::<i64, _>("department_id")?)
        .field("person_id", r.try_get::<Option<i64>, _>("person_id")?)
        .field("amount_fen", r.try_get::<i64, _>("amount")?)
        .field("deadline", r.try_get::<String, _>("first_deadline")?)
        .field("created_by", r.try_get::<Option<i64>, _>("created_by")?),
    ];
    // Only a deadline already past carries a reason; facts booked before it existed are unchanged.
    if let Some(reason) = r.try_get::<Option<String>, _>("deadline_reason")? {
        out = out
            .into_iter()
            .map(|f| f.field("deadline_reason", reason.clone()))
            .collect();
    }
    Ok(out)
}

pub(crate) fn problem_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "problem.event",
            "problem_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("problem_id", r.try_get::<i64, _>("problem_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("text", r.try_get::<String, _>("text")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

// --- Writes ---------------------------------------------------------------------------------

pub(crate) async fn lock_problem(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Problem> {
    // Lock the row first (PostgreSQL), then read it with its names.
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM problems WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("problem"))?;
    problem_row(
        &sqlx::query(AssertSqlSafe(format!("{PROBLEM_SELECT} WHERE p.id = $1")))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

pub(crate) fn problem_state(p: &Problem) -> Result<ProblemState> {
    ProblemState::parse(&p.state)
        .map_err(|_| StoreError::Corrupt(format!("problem state {:?}", p.state)))
}

pub(crate) async fn insert_problem_event(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Problem,
    action: &str,
    to: ProblemState,
    text: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<()> {
    let row = sqlx::query(
        "INSERT INTO problem_events (county_code, problem_id, action, from_state, to_state, text, on_date, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.region.county_code())
    .bind(p.id)
    .bind(action)
    .bind(p.state.as_str())
    .bind(to.key())
    .bind(text.trim())
    .bind(sunledger_core::day::format(sunledger_core::day::today(now)))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "problem_events", id).await
}

#[async_trait]
impl ProblemStore for StoreImpl {
    async fn create_problem(
        &self,
        p: &NewProblem,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Problem> {
        let title = nonempty("title", &p.title, sunledger_core::text::NAME)?;
        let description = nonempty("description", &p.description, sunledger_core::text::REPORT)?;
        let deadline = sunledger_core::problem::Deadline::new(
            "deadline",
            &p.deadline,
            p.deadline_reason.as_deref(),
            sunledger_core::day::today(now),
        )
        .map_err(rule)?;
        if p.amount.fen() < 0 {
            return Err(invalid("amount", "negative", p.amount.to_string()));
        }
        let mut tx = begin_write(&self.pool).await?;
        let dept = sqlx::query("SELECT region_code FROM departments WHERE id = $1")
            .bind(p.department_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                invalid(
                    "department_id",
                    "unknown_department",
                    p.department_id.to_string(),
                )
            })?;
        let dept_region = code(&dept.try_get::<String, _>(0)?)?;
        if dept_region.county_code() != p.region.county_code()
            || !p.region.is_within(&dept_region) && !dept_region.is_within(&p.region)
        {
            return Err(invalid(
                "department_id",
                "outside_region",
                dept_region.as_str(),
            ));
        }
        if let Some(person) = p.person_id {
            let d: Option<i64> = sqlx::query("SELECT department_id FROM people WHERE id = $1")
                .bind(person)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            if d != Some(p.department_id) {
                return Err(invalid(
                    "person_id",
                    "not_in_department",
                    person.to_string(),
                ));
            }
        }
        if let Some(pid) = p.project_id {
            let proj = project_in_tx(&mut tx, pid).await?;
            if proj.region.county_code() != p.region.county_code() {
                return Err(invalid("project_id", "outside_region", pid.to_string()));
            }
        }
        for (field, other) in [
            ("inspection_id", p.inspection_id.map(|i| ("inspections", i))),
            ("review_of", p.review_of.map(|i| ("problems", i))),
        ] {
            if let Some((table, id)) = other {
                let r: Option<String> = sqlx::query(AssertSqlSafe(format!(
                    "SELECT county_code FROM {table} WHERE id = $1"
                )))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
                if r.as_deref() != Some(p.region.county_code()) {
                    return Err(invalid(field, "outside_region", id.to_string()));
                }
            }
        }
        let id = insert_problem(&mut tx, p, (title, description), &deadline, actor, now).await?;
        let out = lock_problem(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn problem_action(
        &self,
        id: i64,
        action: ProblemAction,
        text: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Problem> {
        sunledger_core::text::bounded("text", text, sunledger_core::text::REPORT).map_err(rule)?;
        if action.needs_text() && text.trim().is_empty() {
            return Err(invalid("text", "empty", ""));
        }
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_problem(&mut tx, id).await?;
        let next = problem_state(&p)?.next(action).map_err(rule)?;
        if matches!(action, ProblemAction::Verify | ProblemAction::Reject) {
            // Four eyes: whoever submitted the rectification does not verify it.
            let submitter: Option<i64> = sqlx::query(
                "SELECT actor_id FROM problem_events WHERE problem_id = $1 AND action = 'submit' ORDER BY id DESC LIMIT 1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .flatten();
            Control::VerifyRectification
                .check(submitter, actor)
                .map_err(rule)?;
        }
        let rejections = p.rejections + i64::from(action == ProblemAction::Reject);
        sqlx::query("UPDATE problems SET state = $1, rejections = $2 WHERE id = $3")
            .bind(next.key())
            .bind(rejections)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_problem_event(&mut tx, &p, action.key(), next, text, actor, now).await?;
        if next == ProblemState::Closed {
            // Verified: payments suspended on this problem's ladder resume.
            let doc = format!("问题{id}整改核实");
            let ids: Vec<i64> = sqlx::query(
                "SELECT s.id FROM suspensions s JOIN escalations e ON e.suspension_id = s.id \
                 WHERE e.problem_id = $1 AND s.resumed_at IS NULL",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
            for sid in ids {
                sqlx::query("UPDATE suspensions SET resumed_at = $1, resumed_by = $2, resume_document = $3 WHERE id = $4")
                    .bind(now)
                    .bind(actor)
                    .bind(doc.as_str())
                    .bind(sid)
                    .execute(&mut *tx)
                    .await?;
                append_later_fact(&mut tx, "suspensions", sid, "suspension.resume").await?;
            }
        }
        let out = lock_problem(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn problem(&self, id: i64) -> Result<Option<Problem>> {
        self.one_by_id(format!("{PROBLEM_SELECT} WHERE p.id = $1"), id, problem_row)
            .await
    }

    async fn problem_record(&self, id: i64) -> Result<Option<ProblemRecord>> {
        let Some(r) = sqlx::query(AssertSqlSafe(format!("{PROBLEM_SELECT} WHERE p.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let problem = problem_row(&r)?;
        macro_rules! rows {
            ($q:expr, $f:expr) => {
                sqlx::query(AssertSqlSafe($q))
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map($f)
                    .collect::<Result<Vec<_>>>()?
            };
        }
        Ok(Some(ProblemRecord {
            problem,
            events: rows!(
                format!(
                    "SELECT {PROBLEM_EVENT_COLS} FROM problem_events WHERE problem_id = $1 ORDER BY id"
                ),
                problem_event_row
            ),
            escalations: rows!(
                format!(
                    "SELECT {ESCALATION_COLS} FROM escalations WHERE problem_id = $1 ORDER BY id"
                ),
                escalation_row
            ),
            proposals: rows!(
                format!(
                    "SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE problem_id = $1 ORDER BY id"
                ),
                proposal_row
            ),
        }))
    }

    // --- Reads ------------------------------------------------------------------------------

    async fn problems(
        &self,
        f: &ProblemFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Problem>, i64)> {
        let push_where = |qb: &mut QueryBuilder<DB>| -> Result<()> {
            qb.push(" WHERE ");
            push_scope_filter(qb, "p.region_code", &f.scopes);
            if let Some(s) = &f.state {
                qb.push(" AND p.state = ").push_bind(s.clone());
            }
            if f.open_only {
                qb.push(" AND p.state <> 'closed'");
            }
            if let Some(c) = &f.category {
                qb.push(" AND p.category = ").push_bind(c.clone());
            }
            if let Some(i) = f.inspection_id {
                qb.push(" AND p.inspection_id = ").push_bind(i);
            }
            if let Some(d) = f.department_id {
                qb.push(" AND p.department_id = ").push_bind(d);
            }
            if let Some(d) = &f.overdue_on {
                let d = sunledger_core::day::format(
                    sunledger_core::day::parse("overdue_on", d).map_err(rule)?,
                );
                qb.push(" AND p.state <> 'closed' AND p.deadline < ")
                    .push_bind(d);
            }
            Ok(())
        };
        let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM problems p");
        push_where(&mut count)?;
        let total: i64 = count.build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut qb = QueryBuilder::<DB>::new(PROBLEM_SELECT);
        push_where(&mut qb)?;
        qb.push(
            " ORDER BY CASE WHEN p.state = 'closed' THEN 1 ELSE 0 END, p.deadline, p.id LIMIT ",
        )
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(problem_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }
}

/// The unit that answers for a region when nobody is named: the nearest department at or above
/// it down from the county (a village committee first, then the government, then the poverty
/// bureau).
pub(crate) async fn responsible_department(
    tx: &mut sqlx::Transaction<'static, DB>,
    at: &RegionCode,
) -> Result<i64> {
    for r in at.lineage().into_iter().rev() {
        if r.level() < Level::County {
            break;
        }
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM departments WHERE region_code = $1 ORDER BY \
             CASE kind WHEN 'village_committee' THEN 0 WHEN 'government' THEN 1 WHEN 'poverty_bureau' THEN 2 ELSE 3 END, id \
             LIMIT 1",
        )
        .bind(r.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(d) = found {
            return Ok(d);
        }
    }
    Err(invalid("department_id", "empty", ""))
}

/// Inserts a checked problem and books its fact (inside the caller's transaction).
pub(crate) async fn insert_problem(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &NewProblem,
    (title, description): (String, String),
    deadline: &sunledger_core::problem::Deadline,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let deadline_reason = deadline.reason.clone();
    let deadline = sunledger_core::day::format(deadline.day);
    let row = sqlx::query(
        "INSERT INTO problems (county_code, region_code, inspection_id, project_id, review_of, category, severity, title, \
         description, department_id, person_id, amount, first_deadline, created_by, created_at, state, deadline, deadline_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', $13, $16) RETURNING id",
    )
    .bind(p.region.county_code())
    .bind(p.region.as_str())
    .bind(p.inspection_id)
    .bind(p.project_id)
    .bind(p.review_of)
    .bind(p.category.key())
    .bind(p.severity.key())
    .bind(title)
    .bind(description)
    .bind(p.department_id)
    .bind(p.person_id)
    .bind(p.amount.fen())
    .bind(deadline)
    .bind(actor)
    .bind(now)
    .bind(deadline_reason)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "problems", id).await?;
    Ok(id)
}

/// A finding on a project that calls for strict pursuit of responsibility (a failed acceptance,
/// an evaluation rated 差 or a core indicator missed).
pub(crate) struct Finding<'a> {
    pub(crate) project_id: i64,
    /// The day the responsibility is read on (`YYYY-MM-DD`).
    pub(crate) on_date: &'a str,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) category: ProblemCategory,
    pub(crate) severity: sunledger_core::problem::Severity,
    pub(crate) deadline: &'a str,
}

/// Opens a Book 3 problem on the project, pre-filled with the people Book 2 names as responsible
/// on the finding's day (lifelong accountability): the first of them by role (village cadre,
/// township official, bureau staff, county leader, work team) is the problem's person, and
/// every one of them is named in its description. Without any, the county poverty bureau answers.
pub(crate) async fn open_finding(
    tx: &mut sqlx::Transaction<'static, DB>,
    f: &Finding<'_>,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let project = project_in_tx(tx, f.project_id).await?;
    let rows = sqlx::query(
        "SELECT r.person_id, r.role, pe.name, pe.department_id FROM responsibilities r JOIN people pe ON pe.id = r.person_id \
         WHERE r.project_id = $1 AND r.start_on <= $2 AND (r.end_on IS NULL OR r.end_on >= $2) ORDER BY r.id",
    )
    .bind(f.project_id)
    .bind(f.on_date)
    .fetch_all(&mut **tx)
    .await?;
    // The roles in the order their holder answers first, with the name the description uses.
    let order = [
        ("village_cadre", "村干部"),
        ("township_official", "乡镇干部"),
        ("bureau_staff", "扶贫移民局工作人员"),
        ("county_leader", "县级分管领导"),
        ("work_team_captain", "驻村工作队队长"),
        ("first_secretary", "第一书记"),
    ];
    let mut named: Vec<(usize, i64, String, String, i64)> = Vec::new();
    for r in &rows {
        let role: String = r.try_get("role")?;
        let rank = order
            .iter()
            .position(|o| o.0 == role)
            .unwrap_or(order.len());
        named.push((
            rank,
            r.try_get("person_id")?,
            order.get(rank).map_or(role, |o| o.1.to_string()),
            r.try_get("name")?,
            r.try_get("department_id")?,
        ));
    }
    named.sort_by_key(|n| n.0);
    let (person, department) = match named.first() {
        Some((_, person, _, _, dept)) => (Some(*person), *dept),
        None => {
            let d = sqlx::query(
                "SELECT id FROM departments WHERE county_code = $1 AND kind = 'poverty_bureau' ORDER BY id LIMIT 1",
            )
            .bind(project.region.county_code())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| invalid("department_id", "no_responsible_department", f.project_id.to_string()))?;
            (None, d.try_get(0)?)
        }
    };
    let who: Vec<String> = named
        .iter()
        .map(|(_, _, role, name, _)| format!("{name}（{role}）"))
        .collect();
    let description = if who.is_empty() {
        f.description.clone()
    } else {
        format!(
            "{}\n{} 责任台账所列责任人：{}",
            f.description,
            f.on_date,
            who.join("、")
        )
    };
    let p = NewProblem {
        region: project.region,
        inspection_id: None,
        project_id: Some(f.project_id),
        review_of: None,
        category: f.category,
        severity: f.severity,
        title: f.title.clone(),
        description: description.clone(),
        department_id: department,
        person_id: person,
        amount: Money::ZERO,
        deadline: f.deadline.to_string(),
        deadline_reason: None,
    };
    let deadline = sunledger_core::problem::Deadline::new(
        "deadline",
        f.deadline,
        None,
        sunledger_core::day::today(now),
    )
    .map_err(rule)?;
    let title = nonempty("title", &f.title, sunledger_core::text::NAME)?;
    let description =
        sunledger_core::text::bounded("description", &description, sunledger_core::text::REPORT)
            .map_err(rule)?;
    insert_problem(tx, &p, (title, description), &deadline, actor, now).await
}

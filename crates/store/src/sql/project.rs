//! The project library. Every write locks the project row, checks the step with the domain's
//! state machines, writes the new rows and appends their facts to the log in the same transaction.

use super::*;

/// A project's identity: where it is and who registered it. Its content is in versioned
/// `project.version` facts and its stage and status in `project.event` facts.
pub(crate) fn project_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "project",
            "projects",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("created_by", r.try_get::<Option<i64>, _>("created_by")?),
    ])
}

pub(crate) const PROJECT_COLS: &str = "id, region_code, name, fiscal_year, category, stage, status, version, \
    approved_version, notice_from, progress, budget_total, created_at";

pub(crate) const VERSION_COLS: &str = "id, project_id, version, name, category, region_code, fiscal_year, budget, \
    outputs, households, income_effect, satisfaction, meeting_on, meeting_ref, description, note, actor_id, created_at";

pub(crate) const EVENT_COLS: &str =
    "id, project_id, action, from_state, to_state, version, comment, on_date, actor_id, at";

pub(crate) const OBJECTION_COLS: &str = "id, project_id, objector, content, received_on, recorded_by, recorded_at, \
    answer, answered_by, answered_at";

pub(crate) const MILESTONE_COLS: &str = "m.id, m.project_id, m.name, m.weight, m.due_on, m.created_at, \
    COALESCE((SELECT u.progress FROM milestone_updates u WHERE u.milestone_id = m.id ORDER BY u.id DESC LIMIT 1), 0) AS progress";

pub(crate) const UPDATE_COLS: &str = "id, milestone_id, progress, on_date, note, actor_id, at";

pub(crate) const BENEFICIARY_COLS: &str =
    "id, project_id, name, id_number, household_size, added_by, added_at";

pub(crate) fn project_row(r: &DbRow) -> Result<Project> {
    Ok(Project {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        name: r.try_get("name")?,
        fiscal_year: r.try_get("fiscal_year")?,
        category: r.try_get("category")?,
        stage: r.try_get("stage")?,
        status: r.try_get("status")?,
        version: r.try_get("version")?,
        approved_version: r.try_get("approved_version")?,
        notice_from: r.try_get("notice_from")?,
        progress: r.try_get("progress")?,
        budget_total_fen: r.try_get("budget_total")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn budget_lines(s: &str) -> Result<Vec<BudgetLine>> {
    let b =
        proj::Budget::decode(s).map_err(|e| StoreError::Corrupt(format!("budget {s:?}: {e}")))?;
    Ok(b.lines()
        .iter()
        .map(|(src, m)| BudgetLine {
            source: src.key().to_string(),
            amount_fen: m.fen(),
        })
        .collect())
}

pub(crate) fn version_row(r: &DbRow) -> Result<ProjectVersion> {
    Ok(ProjectVersion {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        category: r.try_get("category")?,
        village: r.try_get("region_code")?,
        fiscal_year: r.try_get("fiscal_year")?,
        budget: budget_lines(&r.try_get::<String, _>("budget")?)?,
        outputs: r.try_get("outputs")?,
        households: r.try_get("households")?,
        income_effect: r.try_get("income_effect")?,
        satisfaction: r.try_get("satisfaction")?,
        meeting_on: r.try_get("meeting_on")?,
        meeting_ref: r.try_get("meeting_ref")?,
        description: r.try_get("description")?,
        note: r.try_get("note")?,
        actor_id: r.try_get("actor_id")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn project_event_row(r: &DbRow) -> Result<ProjectEvent> {
    Ok(ProjectEvent {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        version: r.try_get("version")?,
        comment: r.try_get("comment")?,
        on_date: r.try_get("on_date")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

pub(crate) fn objection_row(r: &DbRow) -> Result<Objection> {
    Ok(Objection {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        objector: r.try_get("objector")?,
        content: r.try_get("content")?,
        received_on: r.try_get("received_on")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        answer: r.try_get("answer")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
    })
}

pub(crate) fn milestone_row(r: &DbRow) -> Result<Milestone> {
    Ok(Milestone {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        name: r.try_get("name")?,
        weight: r.try_get("weight")?,
        due_on: r.try_get("due_on")?,
        progress: r.try_get("progress")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn update_row(r: &DbRow) -> Result<MilestoneUpdate> {
    Ok(MilestoneUpdate {
        id: r.try_get("id")?,
        milestone_id: r.try_get("milestone_id")?,
        progress: r.try_get("progress")?,
        on_date: r.try_get("on_date")?,
        note: r.try_get("note")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

pub(crate) fn beneficiary_row(r: &DbRow) -> Result<Beneficiary> {
    Ok(Beneficiary {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        household_size: r.try_get("household_size")?,
        added_by: r.try_get("added_by")?,
        added_at: r.try_get("added_at")?,
    })
}

// --- Facts ----------------------------------------------------------------------------------

pub(crate) fn project_version_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "project.version",
            "project_versions",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("version", r.try_get::<i64, _>("version")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("category", r.try_get::<String, _>("category")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("fiscal_year", r.try_get::<i64, _>("fiscal_year")?)
        .field("budget", r.try_get::<String, _>("budget")?)
        .field("outputs", r.try_get::<String, _>("outputs")?)
        .field("households", r.try_get::<i64, _>("households")?)
        .field("income_effect", r.try_get::<String, _>("income_effect")?)
        .field("satisfaction", r.try_get::<i64, _>("satisfaction")?)
        .field("meeting_on", r.try_get::<String, _>("meeting_on")?)
        .field("meeting_ref", r.try_get::<String, _>("meeting_ref")?)
        .field("description", r.try_get::<String, _>("description")?)
        .field("note", r.try_get::<String, _>("note")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

pub(crate) fn project_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "project.event",
            "project_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<Option<String>, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("version", r.try_get::<i64, _>("version")?)
        .field("comment", r.try_get::<String, _>("comment")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

pub(crate) fn objection_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new(
            "objection",
            "project_objections",
            id,
            r.try_get("recorded_at")?,
        )
        .county(county.clone())
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("objector", r.try_get::<String, _>("objector")?)
        .field("content", r.try_get::<String, _>("content")?)
        .field("received_on", r.try_get::<String, _>("received_on")?)
        .field("recorded_by", r.try_get::<Option<i64>, _>("recorded_by")?),
    ];
    if let Some(at) = r.try_get::<Option<i64>, _>("answered_at")? {
        out.push(
            Fact::new("objection.answer", "project_objections", id, at)
                .county(county)
                .field("answer", r.try_get::<Option<String>, _>("answer")?)
                .field("answered_by", r.try_get::<Option<i64>, _>("answered_by")?),
        );
    }
    Ok(out)
}

pub(crate) fn milestone_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "milestone",
            "project_milestones",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("weight", r.try_get::<i64, _>("weight")?)
        .field("due_on", r.try_get::<Option<String>, _>("due_on")?)
        .field("created_by", r.try_get::<Option<i64>, _>("created_by")?),
    ])
}

pub(crate) fn milestone_update_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "milestone.update",
            "milestone_updates",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("milestone_id", r.try_get::<i64, _>("milestone_id")?)
        .field("progress", r.try_get::<i64, _>("progress")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("note", r.try_get::<String, _>("note")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

pub(crate) fn beneficiary_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "beneficiary",
            "project_beneficiaries",
            r.try_get("id")?,
            r.try_get("added_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("id_number", r.try_get::<String, _>("id_number")?)
        .field("household_size", r.try_get::<i64, _>("household_size")?)
        .field("added_by", r.try_get::<Option<i64>, _>("added_by")?),
    ])
}

/// The fact sources of this module's tables (see `fact_source`).
pub(crate) fn project_fact_source(table: &str) -> Option<(&'static str, FactBuilder)> {
    Some(match table {
        "project_versions" => (
            "SELECT id, county_code, project_id, version, name, category, region_code, fiscal_year, budget, outputs, \
             households, income_effect, satisfaction, meeting_on, meeting_ref, description, note, actor_id, created_at \
             FROM project_versions",
            project_version_facts,
        ),
        "project_events" => (
            "SELECT id, county_code, project_id, action, from_state, to_state, version, comment, on_date, actor_id, at \
             FROM project_events",
            project_event_facts,
        ),
        "project_objections" => (
            "SELECT id, county_code, project_id, objector, content, received_on, recorded_by, recorded_at, answer, \
             answered_by, answered_at FROM project_objections",
            objection_facts,
        ),
        "project_milestones" => (
            "SELECT id, county_code, project_id, name, weight, due_on, created_by, created_at FROM project_milestones",
            milestone_facts,
        ),
        "milestone_updates" => (
            "SELECT id, county_code, project_id, milestone_id, progress, on_date, note, actor_id, at FROM milestone_updates",
            milestone_update_facts,
        ),
        "project_beneficiaries" => (
            "SELECT id, county_code, project_id, name, id_number, household_size, added_by, added_at FROM project_beneficiaries",
            beneficiary_facts,
        ),
        "responsibilities" => (
            "SELECT id, county_code, project_id, person_id, role, start_on, assigned_by, assigned_at, end_on, end_reason, \
             ended_by, ended_at FROM responsibilities",
            responsibility_facts,
        ),
        "responsibility_letters" => (
            "SELECT id, county_code, region_code, fiscal_year, document_no, title, content, bureau_person_id, \
             township_person_id, signed_on, filed_by, filed_at FROM responsibility_letters",
            letter_facts,
        ),
        _ => return None,
    })
}

// --- Writes ---------------------------------------------------------------------------------

pub(crate) fn invalid(
    field: &'static str,
    reason: &'static str,
    value: impl Into<String>,
) -> StoreError {
    StoreError::Rule(sunledger_core::DomainError::invalid(field, reason, value))
}

pub(crate) fn nonempty(field: &'static str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(invalid(field, "empty", ""));
    }
    if t.chars().count() > max {
        return Err(invalid(field, "too_long", t.chars().count().to_string()));
    }
    Ok(t.to_string())
}

/// A date field that must not be after `today`.
pub(crate) fn past_day(field: &'static str, s: &str, today: i64) -> Result<i64> {
    let d = sunledger_core::day::parse(field, s).map_err(rule)?;
    if d > today {
        return Err(invalid(field, "in_future", s));
    }
    Ok(d)
}

pub(crate) async fn lock_project(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Project> {
    let q = format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1{FOR_UPDATE}");
    let r = sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("project"))?;
    project_row(&r)
}

pub(crate) async fn reload_project(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Project> {
    let q = format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1");
    project_row(
        &sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

pub(crate) fn stage_of(p: &Project) -> Result<Stage> {
    Stage::parse(&p.stage).map_err(|_| StoreError::Corrupt(format!("project stage {:?}", p.stage)))
}

pub(crate) fn status_of(p: &Project) -> Result<Option<Status>> {
    p.status
        .as_deref()
        .map(|s| Status::parse(s).map_err(|_| StoreError::Corrupt(format!("project status {s:?}"))))
        .transpose()
}

/// Inserts version `version` of project `p` and appends its fact; updates the project's listed
/// columns.
pub(crate) async fn insert_version(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Project,
    version: i64,
    c: &Content,
    note: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<()> {
    let total = c.budget.total().map_err(rule)?;
    let row = sqlx::query(
        "INSERT INTO project_versions (county_code, project_id, version, name, category, region_code, fiscal_year, \
         budget, outputs, households, income_effect, satisfaction, meeting_on, meeting_ref, description, note, \
         actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
         RETURNING id",
    )
    .bind(p.region.county_code())
    .bind(p.id)
    .bind(version)
    .bind(c.name.trim())
    .bind(c.category.key())
    .bind(c.village.as_str())
    .bind(c.fiscal_year.get())
    .bind(c.budget.encode())
    .bind(c.targets.outputs.trim())
    .bind(c.targets.households)
    .bind(c.targets.income_effect.trim())
    .bind(c.targets.satisfaction)
    .bind(c.meeting_on.trim())
    .bind(c.meeting_ref.trim())
    .bind(c.description.trim())
    .bind(note.trim())
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    let vid: i64 = row.try_get(0)?;
    sqlx::query(
        "UPDATE projects SET name = $1, category = $2, fiscal_year = $3, budget_total = $4, version = $5 WHERE id = $6",
    )
    .bind(c.name.trim())
    .bind(c.category.key())
    .bind(c.fiscal_year.get())
    .bind(total.fen())
    .bind(version)
    .bind(p.id)
    .execute(&mut **tx)
    .await?;
    append_row_facts(tx, "project_versions", vid).await
}

/// One row of `project_events`.
pub(crate) struct EventIn<'a> {
    pub(crate) action: &'a str,
    pub(crate) from_state: Option<&'a str>,
    pub(crate) to_state: &'a str,
    pub(crate) comment: &'a str,
    pub(crate) on_date: &'a str,
}

pub(crate) async fn insert_project_event(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Project,
    e: &EventIn<'_>,
    actor: Option<i64>,
    now: i64,
) -> Result<()> {
    let row = sqlx::query(
        "INSERT INTO project_events (county_code, project_id, action, from_state, to_state, version, comment, on_date, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(p.region.county_code())
    .bind(p.id)
    .bind(e.action)
    .bind(e.from_state)
    .bind(e.to_state)
    .bind(p.version)
    .bind(e.comment.trim())
    .bind(e.on_date)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "project_events", id).await
}

/// Recomputes a project's progress from its milestones' latest reports.
pub(crate) async fn roll_up(
    tx: &mut sqlx::Transaction<'static, DB>,
    project_id: i64,
) -> Result<()> {
    let q = format!("SELECT {MILESTONE_COLS} FROM project_milestones m WHERE m.project_id = $1");
    let ms: Vec<(i64, i64)> = sqlx::query(AssertSqlSafe(q))
        .bind(project_id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("weight")?, r.try_get("progress")?)))
        .collect::<Result<_>>()?;
    sqlx::query("UPDATE projects SET progress = $1 WHERE id = $2")
        .bind(i64::from(proj::rollup(&ms)))
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl StoreImpl {
    /// Takes a declaration step inside `tx` on the locked project `p`.
    pub(crate) async fn step_in(
        &self,
        tx: &mut sqlx::Transaction<'static, DB>,
        p: Project,
        action: StageAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let today = sunledger_core::day::today(now);
        let stage = stage_of(&p)?;
        if action.needs_comment() && comment.trim().is_empty() {
            return Err(invalid("comment", "empty", ""));
        }
        if action == StageAction::Declare && p.version == 0 {
            return Err(invalid("content", "empty", ""));
        }
        let notice = match &p.notice_from {
            Some(from) => {
                let unanswered: i64 = sqlx::query(
                    "SELECT COUNT(*) FROM project_objections WHERE project_id = $1 AND answered_at IS NULL",
                )
                .bind(p.id)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
                Some(NoticeState {
                    from: sunledger_core::day::parse("notice_from", from).map_err(rule)?,
                    unanswered: u32::try_from(unanswered).unwrap_or(u32::MAX),
                })
            }
            None => None,
        };
        let next = stage.next(action, notice, today).map_err(rule)?;
        let today_s = sunledger_core::day::format(today);
        let mut q = QueryBuilder::<DB>::new("UPDATE projects SET stage = ");
        q.push_bind(next.key());
        match action {
            StageAction::TownshipApprove => {
                q.push(", notice_from = ").push_bind(today_s.clone());
            }
            StageAction::CountyApprove => {
                q.push(", approved_version = ")
                    .push_bind(p.version)
                    .push(", status = COALESCE(status, 'planned')");
            }
            _ => {}
        }
        q.push(" WHERE id = ").push_bind(p.id);
        q.build().execute(&mut **tx).await?;
        insert_project_event(
            tx,
            &p,
            &EventIn {
                action: action.key(),
                from_state: Some(stage.key()),
                to_state: next.key(),
                comment,
                on_date: &today_s,
            },
            actor,
            now,
        )
        .await
    }

    /// One imported project, inside the import's transaction.
    pub(crate) async fn import_one(
        &self,
        tx: &mut sqlx::Transaction<'static, DB>,
        item: &ImportProject,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        let today = sunledger_core::day::today(now);
        let c = &item.content;
        if !matches!(item.stage, Stage::Draft | Stage::Declared | Stage::Approved) {
            return Err(invalid("stage", "not_importable", item.stage.key()));
        }
        c.check(today).map_err(rule)?;
        let row = sqlx::query(
            "INSERT INTO projects (county_code, region_code, name, fiscal_year, category, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(c.village.county_code())
        .bind(c.village.as_str())
        .bind(c.name.trim())
        .bind(c.fiscal_year.get())
        .bind(c.category.key())
        .bind(actor)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(tx, "projects", id).await?;
        let p = reload_project(tx, id).await?;
        insert_version(tx, &p, 1, c, note, actor, now).await?;
        let p = reload_project(tx, id).await?;
        match item.stage {
            Stage::Declared => {
                self.step_in(tx, p, StageAction::Declare, note, actor, now)
                    .await?;
            }
            Stage::Approved => {
                sqlx::query(
                    "UPDATE projects SET stage = $1, approved_version = $2, status = $3 WHERE id = $4",
                )
                .bind(Stage::Approved.key())
                .bind(p.version)
                .bind(Status::Planned.key())
                .bind(id)
                .execute(&mut **tx)
                .await?;
                insert_project_event(
                    tx,
                    &p,
                    &EventIn {
                        action: IMPORT_ACTION,
                        from_state: Some(Stage::Draft.key()),
                        to_state: Stage::Approved.key(),
                        comment: note,
                        on_date: &sunledger_core::day::format(today),
                    },
                    actor,
                    now,
                )
                .await?;
            }
            _ => {}
        }
        reload_project(tx, id).await
    }
}

#[async_trait]
impl ProjectStore for StoreImpl {
    async fn project_notice(&self, id: i64) -> Result<Option<ProjectNotice>> {
        let mut conn = self.pool.acquire().await?;
        let q = format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1");
        let Some(r) = sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let project = project_row(&r)?;
        let shown = project.approved_version.unwrap_or(project.version);
        let q = format!(
            "SELECT {VERSION_COLS} FROM project_versions WHERE project_id = $1 AND version = $2"
        );
        let content = sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .bind(shown)
            .fetch_optional(&mut *conn)
            .await?
            .as_ref()
            .map(version_row)
            .transpose()?;
        let q = format!(
            "SELECT {MILESTONE_COLS} FROM project_milestones m WHERE m.project_id = $1 ORDER BY m.id"
        );
        let milestones = sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(milestone_row)
            .collect::<Result<Vec<_>>>()?;
        let codes: Vec<String> = [Level::County, Level::Township, Level::Village]
            .iter()
            .filter_map(|l| project.region.ancestor_at(*l))
            .map(|c| c.to_string())
            .collect();
        let mut names: Vec<(String, String)> = Vec::new();
        if !codes.is_empty() {
            let mut qb = QueryBuilder::<DB>::new("SELECT code, name FROM regions WHERE code IN (");
            let mut sep = qb.separated(", ");
            for c in &codes {
                sep.push_bind(c.clone());
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut *conn).await? {
                names.push((r.try_get("code")?, r.try_get("name")?));
            }
        }
        let place = codes
            .iter()
            .filter_map(|c| names.iter().find(|(k, _)| k == c).map(|(_, n)| n.clone()))
            .collect();
        Ok(Some(ProjectNotice {
            project,
            content,
            milestones,
            place,
        }))
    }

    async fn create_project(&self, p: &NewProject, now: i64) -> Result<Project> {
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(
            "INSERT INTO projects (county_code, region_code, name, fiscal_year, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(p.region.as_str())
        .bind(p.name.as_str())
        .bind(p.fiscal_year.get())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "projects", id).await?;
        let out = project_in_tx(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project(&self, id: i64) -> Result<Option<Project>> {
        self.one_by_id(
            format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1"),
            id,
            project_row,
        )
        .await
    }

    async fn create_library_project(
        &self,
        c: &Content,
        declare: bool,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        let today = sunledger_core::day::today(now);
        c.check(today).map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(
            "INSERT INTO projects (county_code, region_code, name, fiscal_year, category, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(c.village.county_code())
        .bind(c.village.as_str())
        .bind(c.name.trim())
        .bind(c.fiscal_year.get())
        .bind(c.category.key())
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "projects", id).await?;
        let p = reload_project(&mut tx, id).await?;
        insert_version(&mut tx, &p, 1, c, "", actor, now).await?;
        if declare {
            let p = reload_project(&mut tx, id).await?;
            self.step_in(&mut tx, p, StageAction::Declare, "", actor, now)
                .await?;
        }
        let out = reload_project(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn revise_project(
        &self,
        id: i64,
        c: &Content,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        let today = sunledger_core::day::today(now);
        c.check(today).map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_project(&mut tx, id).await?;
        let stage = stage_of(&p)?;
        if stage.editors().is_empty() {
            return Err(invalid("stage", "not_editable_in_stage", stage.key()));
        }
        if c.village != p.region {
            return Err(invalid("village", "cannot_change", c.village.as_str()));
        }
        if stage.in_library() && note.trim().is_empty() {
            return Err(invalid("note", "empty", ""));
        }
        if p.version > 0 {
            let q = format!(
                "SELECT {VERSION_COLS} FROM project_versions WHERE project_id = $1 AND version = $2"
            );
            let cur = version_row(
                &sqlx::query(AssertSqlSafe(q))
                    .bind(id)
                    .bind(p.version)
                    .fetch_one(&mut *tx)
                    .await?,
            )?;
            if cur.content().map_err(rule)?.diff(c).is_empty() {
                return Err(invalid("content", "unchanged", ""));
            }
        }
        insert_version(&mut tx, &p, p.version + 1, c, note, actor, now).await?;
        let out = reload_project(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project_step(
        &self,
        id: i64,
        action: StageAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_project(&mut tx, id).await?;
        self.step_in(&mut tx, p, action, comment, actor, now)
            .await?;
        let out = reload_project(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project_status_step(
        &self,
        id: i64,
        action: StatusAction,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_project(&mut tx, id).await?;
        let stage = stage_of(&p)?;
        if !stage.in_library() {
            return Err(invalid("stage", "not_in_library", stage.key()));
        }
        let status = status_of(&p)?.unwrap_or(Status::Planned);
        let next = status
            .next(action, u8::try_from(p.progress.clamp(0, 100)).unwrap_or(0))
            .map_err(rule)?;
        sqlx::query("UPDATE projects SET status = $1 WHERE id = $2")
            .bind(next.key())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let today_s = sunledger_core::day::format(sunledger_core::day::today(now));
        insert_project_event(
            &mut tx,
            &p,
            &EventIn {
                action: action.key(),
                from_state: Some(status.key()),
                to_state: next.key(),
                comment,
                on_date: &today_s,
            },
            actor,
            now,
        )
        .await?;
        let out = reload_project(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn record_objection(
        &self,
        project_id: i64,
        objector: &str,
        content: &str,
        received_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection> {
        let today = sunledger_core::day::today(now);
        let objector = nonempty("objector", objector, 100)?;
        let content = nonempty("content", content, 4000)?;
        let received = past_day("received_on", received_on, today)?;
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_project(&mut tx, project_id).await?;
        if stage_of(&p)? != Stage::Noticed {
            return Err(invalid("stage", "not_under_notice", p.stage.clone()));
        }
        let from = p
            .notice_from
            .as_deref()
            .map(|s| sunledger_core::day::parse("notice_from", s))
            .transpose()
            .map_err(rule)?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("project {project_id} noticed without a date"))
            })?;
        let n = NoticeState {
            from,
            unanswered: 0,
        };
        if received < n.from || received > n.until() {
            return Err(invalid("received_on", "outside_notice", received_on));
        }
        let row = sqlx::query(
            "INSERT INTO project_objections (county_code, project_id, objector, content, received_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(project_id)
        .bind(objector)
        .bind(content)
        .bind(sunledger_core::day::format(received))
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "project_objections", id).await?;
        let q = format!("SELECT {OBJECTION_COLS} FROM project_objections WHERE id = $1");
        let out = one_in(&mut tx, q, id, objection_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn answer_objection(
        &self,
        id: i64,
        answer: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Objection> {
        let answer = nonempty("answer", answer, 4000)?;
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query(
            "UPDATE project_objections SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answered_at IS NULL",
        )
        .bind(answer)
        .bind(actor)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            let exists: i64 = sqlx::query("SELECT COUNT(*) FROM project_objections WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            return Err(if exists == 0 {
                StoreError::NotFound("objection")
            } else {
                StoreError::Conflict {
                    field: "answer".into(),
                }
            });
        }
        append_later_fact(&mut tx, "project_objections", id, "objection.answer").await?;
        let q = format!("SELECT {OBJECTION_COLS} FROM project_objections WHERE id = $1");
        let out = one_in(&mut tx, q, id, objection_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn objection(&self, id: i64) -> Result<Option<Objection>> {
        self.one_by_id(
            format!("SELECT {OBJECTION_COLS} FROM project_objections WHERE id = $1"),
            id,
            objection_row,
        )
        .await
    }

    async fn add_milestone(
        &self,
        project_id: i64,
        name: &str,
        weight: i64,
        due_on: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Milestone> {
        let name = nonempty("name", name, 200)?;
        proj::check_weight(weight).map_err(rule)?;
        let due = match due_on.map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => Some(sunledger_core::day::format(
                sunledger_core::day::parse("due_on", d).map_err(rule)?,
            )),
            None => None,
        };
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_project(&mut tx, project_id).await?;
        if stage_of(&p)? == Stage::Revoked {
            return Err(invalid("stage", "not_allowed_in_stage", p.stage.clone()));
        }
        if matches!(status_of(&p)?, Some(s) if s != Status::Planned && s != Status::InProgress) {
            return Err(invalid(
                "status",
                "not_allowed_in_status",
                p.status.clone().unwrap_or_default(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO project_milestones (county_code, project_id, name, weight, due_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(project_id)
        .bind(name)
        .bind(weight)
        .bind(due)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "project_milestones", id).await?;
        roll_up(&mut tx, project_id).await?;
        let q = format!("SELECT {MILESTONE_COLS} FROM project_milestones m WHERE m.id = $1");
        let out = one_in(&mut tx, q, id, milestone_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn report_progress(
        &self,
        milestone_id: i64,
        progress: i64,
        on_date: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Project> {
        proj::check_progress(progress).map_err(rule)?;
        let today = sunledger_core::day::today(now);
        let on = past_day("on_date", on_date, today)?;
        let mut tx = begin_write(&self.pool).await?;
        let project_id: i64 =
            sqlx::query("SELECT project_id FROM project_milestones WHERE id = $1")
                .bind(milestone_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("milestone"))?
                .try_get(0)?;
        let p = lock_project(&mut tx, project_id).await?;
        if !stage_of(&p)?.in_library() {
            return Err(invalid("stage", "not_in_library", p.stage.clone()));
        }
        if !matches!(status_of(&p)?, Some(Status::Planned | Status::InProgress)) {
            return Err(invalid(
                "status",
                "not_allowed_in_status",
                p.status.clone().unwrap_or_default(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO milestone_updates (county_code, project_id, milestone_id, progress, on_date, note, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(project_id)
        .bind(milestone_id)
        .bind(progress)
        .bind(sunledger_core::day::format(on))
        .bind(note.trim())
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "milestone_updates", id).await?;
        roll_up(&mut tx, project_id).await?;
        let out = reload_project(&mut tx, project_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn milestone(&self, id: i64) -> Result<Option<Milestone>> {
        self.one_by_id(
            format!("SELECT {MILESTONE_COLS} FROM project_milestones m WHERE m.id = $1"),
            id,
            milestone_row,
        )
        .await
    }

    async fn add_beneficiary(
        &self,
        project_id: i64,
        name: &str,
        id_number: &sunledger_core::IdNumber,
        household_size: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Beneficiary> {
        let name = nonempty("name", name, 100)?;
        if !(1..=30).contains(&household_size) {
            return Err(invalid(
                "household_size",
                "out_of_range",
                household_size.to_string(),
            ));
        }
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_project(&mut tx, project_id).await?;
        let row = sqlx::query(
            "INSERT INTO project_beneficiaries (county_code, project_id, name, id_number, household_size, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(project_id)
        .bind(name)
        .bind(id_number.as_str())
        .bind(household_size)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "project_beneficiaries", id).await?;
        let q = format!("SELECT {BENEFICIARY_COLS} FROM project_beneficiaries WHERE id = $1");
        let out = one_in(&mut tx, q, id, beneficiary_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    // --- Reads ------------------------------------------------------------------------------

    async fn projects(
        &self,
        f: &ProjectFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Project>, i64)> {
        let push_where = |qb: &mut QueryBuilder<DB>| {
            qb.push(" WHERE ");
            push_scope_filter(qb, "region_code", &f.scopes);
            if let Some(y) = f.fiscal_year {
                qb.push(" AND fiscal_year = ").push_bind(y);
            }
            if let Some(c) = &f.category {
                qb.push(" AND category = ").push_bind(c.clone());
            }
            if let Some(s) = &f.stage {
                qb.push(" AND stage = ").push_bind(s.clone());
            }
            if let Some(s) = &f.status {
                qb.push(" AND status = ").push_bind(s.clone());
            }
            if let Some(p) = f.person_id {
                qb.push(" AND id IN (SELECT project_id FROM responsibilities WHERE person_id = ")
                    .push_bind(p)
                    .push(")");
            }
            if let Some(n) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                qb.push(" AND name LIKE ")
                    .push_bind(format!("%{}%", n.replace(['%', '_'], "")));
            }
        };
        let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM projects");
        push_where(&mut count);
        let total: i64 = count.build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut qb = QueryBuilder::<DB>::new(format!("SELECT {PROJECT_COLS} FROM projects"));
        push_where(&mut qb);
        qb.push(" ORDER BY region_code, id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(project_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    async fn import_projects(
        &self,
        items: &[ImportProject],
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Vec<Project>> {
        let note = nonempty("note", note, 1000)?;
        let mut tx = begin_write(&self.pool).await?;
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let p = self
                .import_one(&mut tx, item, &note, actor, now)
                .await
                .map_err(|e| StoreError::Batch {
                    index,
                    error: Box::new(e),
                })?;
            out.push(p);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn project_record(&self, id: i64) -> Result<Option<ProjectRecord>> {
        let q = format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1");
        let Some(r) = sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let project = project_row(&r)?;
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
        Ok(Some(ProjectRecord {
            project,
            versions: rows!(
                format!(
                    "SELECT {VERSION_COLS} FROM project_versions WHERE project_id = $1 ORDER BY version"
                ),
                version_row
            ),
            events: rows!(
                format!(
                    "SELECT {EVENT_COLS} FROM project_events WHERE project_id = $1 ORDER BY id"
                ),
                project_event_row
            ),
            objections: rows!(
                format!(
                    "SELECT {OBJECTION_COLS} FROM project_objections WHERE project_id = $1 ORDER BY id"
                ),
                objection_row
            ),
            milestones: rows!(
                format!(
                    "SELECT {MILESTONE_COLS} FROM project_milestones m WHERE m.project_id = $1 ORDER BY m.id"
                ),
                milestone_row
            ),
            updates: rows!(
                format!(
                    "SELECT {UPDATE_COLS} FROM milestone_updates WHERE project_id = $1 ORDER BY id"
                ),
                update_row
            ),
            beneficiaries: rows!(
                format!(
                    "SELECT {BENEFICIARY_COLS} FROM project_beneficiaries WHERE project_id = $1 ORDER BY id"
                ),
                beneficiary_row
            ),
            responsibilities: rows!(
                format!(
                    "{RESPONSIBILITY_SELECT} WHERE r.project_id = $1 ORDER BY r.start_on, r.id"
                ),
                responsibility_row
            ),
        }))
    }
}

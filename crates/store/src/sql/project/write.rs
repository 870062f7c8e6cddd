//! Shared steps of project writes: locking, versions, events, the milestone rollup, one import.

use super::*;

// --- Writes ---------------------------------------------------------------------------------

pub(crate) fn invalid(
    field: &'static str,
    reason: &'static str,
    value: impl Into<String>,
) -> StoreError {
    StoreError::Rule(sunledger_core::DomainError::invalid(field, reason, value))
}

/// Free text: the core rule (`text::nonempty`: trimmed, not empty, at most `max` characters).
pub(crate) fn nonempty(field: &'static str, s: &str, max: usize) -> Result<String> {
    sunledger_core::text::nonempty(field, s, max).map_err(StoreError::Rule)
}

/// A date field that must not be after `today` (the core rule, `day::parse_past`).
pub(crate) fn past_day(field: &'static str, s: &str, today: i64) -> Result<i64> {
    sunledger_core::day::parse_past(field, s, today).map_err(StoreError::Rule)
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

/// Inserts version `version` of project `p` with its indicator rows and appends their facts;
/// updates the project's listed columns.
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
         actor_id, created_at, meeting_item_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19) \
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
    // The four target fields of versions made before indicators stay empty (their rows follow).
    .bind("")
    .bind(0i64)
    .bind("")
    .bind(0i64)
    .bind(c.meeting_on.trim())
    .bind(c.meeting_ref.trim())
    .bind(c.description.trim())
    .bind(note.trim())
    .bind(actor)
    .bind(now)
    .bind(c.meeting_item_id)
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
    append_row_facts(tx, "project_versions", vid).await?;
    insert_indicators(tx, p, version, &c.targets, now).await
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
        .bind(i64::from(sunledger_core::project::rollup(&ms)))
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
        sunledger_core::text::bounded("comment", comment, sunledger_core::text::REASON)
            .map_err(StoreError::Rule)?;
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
                // Objections raised by the public on the notice's page block it alike.
                let unanswered = unanswered + unanswered_on_project(tx, p.id).await?;
                Some(NoticeState {
                    from: sunledger_core::day::parse("notice_from", from).map_err(rule)?,
                    unanswered: u32::try_from(unanswered).unwrap_or(u32::MAX),
                })
            }
            None => None,
        };
        let next = stage.next(action, notice, today).map_err(rule)?;
        // Four eyes: the township does not approve what its approver declared or revised, nor
        // the county what its approver approved at the township.
        let controlled = match action {
            StageAction::TownshipApprove => Some((Control::TownshipApproval, "declare")),
            StageAction::CountyApprove => Some((Control::CountyApproval, "township_approve")),
            _ => None,
        };
        if let Some((control, earlier_action)) = controlled {
            let earlier: Vec<Option<i64>> = sqlx::query(
                "SELECT actor_id FROM project_events WHERE project_id = $1 AND action = $2 \
                 AND id = (SELECT MAX(id) FROM project_events WHERE project_id = $1 AND action = $2) \
                 UNION ALL SELECT actor_id FROM project_versions WHERE project_id = $1 AND version = $3",
            )
            .bind(p.id)
            .bind(earlier_action)
            .bind(if control == Control::TownshipApproval { p.version } else { -1 })
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
            for e in earlier {
                control.check(e, actor).map_err(rule)?;
            }
        }
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

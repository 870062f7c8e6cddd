//! The project library. Every write locks the project row, checks the step with the domain's
//! state machines, writes the new rows and appends their facts to the log in the same transaction.

use super::*;

mod cite;
mod derive;
mod indicators;
mod read;
mod rows;
mod write;
#[allow(unused_imports)]
pub(crate) use self::{derive::*, indicators::*, read::*, rows::*, write::*};

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "projects",
        select: "SELECT id, county_code, region_code, created_by, created_at FROM projects",
        build: project_facts,
        kinds: &[(
            "project",
            "created_at",
            &["region=region_code", "created_by"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "project_versions",
        select: "SELECT id, county_code, project_id, version, name, category, region_code, fiscal_year, budget, outputs, \
                 households, income_effect, satisfaction, meeting_on, meeting_ref, meeting_item_id, description, note, actor_id, \
                 created_at FROM project_versions",
        build: project_version_facts,
        kinds: &[(
            "project.version",
            "created_at",
            &[
                "project_id",
                "version",
                "name",
                "category",
                "region=region_code",
                "fiscal_year",
                "budget",
                "outputs",
                "households",
                "income_effect",
                "satisfaction",
                "meeting_on",
                "meeting_ref",
                "meeting_item_id",
                "description",
                "note",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "project_indicators",
        select: INDICATOR_SELECT,
        build: indicator_facts,
        kinds: &[(
            "project.indicator",
            "created_at",
            &[
                "project_id",
                "version",
                "position",
                "kind",
                "name",
                "operator",
                "target",
                "unit",
                "weight",
                "core",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "project_events",
        select: "SELECT id, county_code, project_id, action, from_state, to_state, version, comment, on_date, actor_id, at \
                 FROM project_events",
        build: project_event_facts,
        kinds: &[(
            "project.event",
            "at",
            &[
                "project_id",
                "action",
                "from_state",
                "to_state",
                "version",
                "comment",
                "on_date",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "project_objections",
        select: "SELECT id, county_code, project_id, objector, content, received_on, recorded_by, recorded_at, answer, \
                 answered_by, answered_at FROM project_objections",
        build: objection_facts,
        kinds: &[
            (
                "objection",
                "recorded_at",
                &[
                    "project_id",
                    "objector",
                    "content",
                    "received_on",
                    "recorded_by",
                ],
            ),
            (
                "objection.answer",
                "answered_at",
                &["answer", "answered_by"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "project_milestones",
        select: "SELECT id, county_code, project_id, name, weight, due_on, created_by, created_at FROM project_milestones",
        build: milestone_facts,
        kinds: &[(
            "milestone",
            "created_at",
            &["project_id", "name", "weight", "due_on", "created_by"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "milestone_updates",
        select: "SELECT id, county_code, project_id, milestone_id, progress, on_date, note, actor_id, at FROM milestone_updates",
        build: milestone_update_facts,
        kinds: &[(
            "milestone.update",
            "at",
            &[
                "project_id",
                "milestone_id",
                "progress",
                "on_date",
                "note",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "project_beneficiaries",
        select: "SELECT id, county_code, project_id, name, id_number, household_size, added_by, added_at FROM project_beneficiaries",
        build: beneficiary_facts,
        kinds: &[(
            "beneficiary",
            "added_at",
            &[
                "project_id",
                "name",
                "id_number",
                "household_size",
                "added_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

/// How a project's rows reach the project, whose county they are in.
const BY_PROJECT: &str = "LEFT JOIN projects p ON p.id = t.project_id";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "projects",
            "",
            "t.region_code",
            "the first six digits of the project's village",
        ),
        Derived {
            table: "projects",
            columns: &[
                "name",
                "category",
                "fiscal_year",
                "version",
                "budget_total",
                "stage",
                "status",
                "approved_version",
                "notice_from",
                "progress",
            ],
            rule: "the project's latest version (name, category, year, version, budget total), its events (stage, \
                   status, the version the county approved, the first day of the notice) and its milestones' latest \
                   reports (progress, by weight)",
            check: Check::Code(project_columns),
        },
        county(
            "project_versions",
            BY_PROJECT,
            "p.region_code",
            "the county of the project",
        ),
        county(
            "project_indicators",
            BY_PROJECT,
            "p.region_code",
            "the county of the project",
        ),
        LEGACY_DERIVED,
        county(
            "project_events",
            BY_PROJECT,
            "p.region_code",
            "the county of the project",
        ),
        county(
            "project_objections",
            BY_PROJECT,
            "p.region_code",
            "the county of the project",
        ),
        county(
            "project_milestones",
            BY_PROJECT,
            "p.region_code",
            "the county of the project",
        ),
        county(
            "milestone_updates",
            BY_PROJECT,
            "p.region_code",
            "the county of the project",
        ),
        county(
            "project_beneficiaries",
            BY_PROJECT,
            "p.region_code",
            "the county of the project",
        ),
    ],
    unbooked: &[],
};

#[async_trait]
impl ProjectStore for StoreImpl {
    async fn project_notice(&self, id: i64) -> Result<Option<ProjectNotice>> {
        let mut conn = self.reads().acquire().await?;
        notice_of(&mut conn, id).await
    }

    async fn indicators(&self, project_id: i64, version: i64) -> Result<Vec<ProjectIndicator>> {
        let mut conn = self.pool.acquire().await?;
        indicators_of(&mut conn, project_id, Some(version)).await
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
        let mut tx = begin_write(&self.pool).await?;
        let c = &cite::cite(&mut tx, c, None).await?;
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
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "projects", id).await?;
        let p = reload_project(&mut tx, id).await?;
        insert_version(&mut tx, &p, 1, c, "", actor, now).await?;
        if declare {
            let p = reload_project(&mut tx, id).await?;
            cite::require_cited(&mut tx, &p).await?;
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
        let mut tx = begin_write(&self.pool).await?;
        let c = &cite::cite(&mut tx, c, Some(id)).await?;
        c.check(today).map_err(rule)?;
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
            let mut cur = [cur];
            attach_targets(&mut tx, &mut cur).await?;
            let [cur] = cur;
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
        if action == StageAction::Declare {
            cite::require_cited(&mut tx, &p).await?;
        }
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
        if action == StatusAction::Accept {
            // Acceptance is Book 4's work: a team that signs, a posting, then the status follows.
            return Err(invalid("action", "accepted_through_book4", action.key()));
        }
        if action == StatusAction::Evaluate {
            // So is evaluation: the values recorded, reviewed by the county bureau.
            return Err(invalid("action", "evaluated_through_book4", action.key()));
        }
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
        sunledger_core::project::check_weight(weight).map_err(rule)?;
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
        sunledger_core::project::check_progress(progress).map_err(rule)?;
        sunledger_core::text::bounded("note", note, sunledger_core::text::REASON).map_err(rule)?;
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
        sunledger_core::inspection::check_household_size("household_size", household_size)
            .map_err(StoreError::Rule)?;
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
        let mut conn = self.pool.acquire().await?;
        record_of(&mut conn, id).await
    }
}

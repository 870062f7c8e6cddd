//! Project rows and their facts (the column lists, row mappers, fact builders).

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
    meeting_on, meeting_ref, meeting_item_id, description, note, actor_id, created_at";

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
    let b = sunledger_core::project::Budget::decode(s)
        .map_err(|e| StoreError::Corrupt(format!("budget {s:?}: {e}")))?;
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
        // Read with the rows of `project_indicators` (`attach_targets`).
        targets: Vec::new(),
        meeting_on: r.try_get("meeting_on")?,
        meeting_ref: r.try_get("meeting_ref")?,
        meeting_item_id: r.try_get("meeting_item_id")?,
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

/// A version's fact. A version made before indicators (migration 0013) also holds its four
/// target fields, as it was booked then; a later one has them empty and books its targets as
/// `project.indicator` facts instead.
pub(crate) fn project_version_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let households: i64 = r.try_get("households")?;
    let fact = Fact::new(
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
    .field("budget", r.try_get::<String, _>("budget")?);
    let fact = if households != 0 {
        fact.field("outputs", r.try_get::<String, _>("outputs")?)
            .field("households", households)
            .field("income_effect", r.try_get::<String, _>("income_effect")?)
            .field("satisfaction", r.try_get::<i64, _>("satisfaction")?)
    } else {
        let (outputs, income_effect, satisfaction): (String, String, i64) = (
            r.try_get("outputs")?,
            r.try_get("income_effect")?,
            r.try_get("satisfaction")?,
        );
        // Filled behind a version made since indicators: book what the row says, so the
        // difference from its leaf names the column.
        let mut fact = fact;
        if !outputs.is_empty() {
            fact = fact.field("outputs", outputs);
        }
        if !income_effect.is_empty() {
            fact = fact.field("income_effect", income_effect);
        }
        if satisfaction != 0 {
            fact = fact.field("satisfaction", satisfaction);
        }
        fact
    };
    // The meeting decision cited (issue 18): booked when there is one, so that versions made
    // before keep the bytes of their leaves.
    let fact = match r.try_get::<Option<i64>, _>("meeting_item_id")? {
        Some(item) => fact.field("meeting_item_id", item),
        None => fact,
    };
    Ok(vec![
        fact.field("meeting_on", r.try_get::<String, _>("meeting_on")?)
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
    let answer = r.try_get::<Option<String>, _>("answer")?;
    let answered_by = r.try_get::<Option<i64>, _>("answered_by")?;
    if let Some(at) = later(
        r.try_get("answered_at")?,
        &[answer.is_some(), answered_by.is_some()],
    ) {
        out.push(
            Fact::new("objection.answer", "project_objections", id, at)
                .county(county)
                .field("answer", answer)
                .field("answered_by", answered_by),
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

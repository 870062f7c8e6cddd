//! Reads of a project's whole record and of its public notice.

use super::*;

/// A project's public notice, read on one connection.
pub(crate) async fn notice_of(
    conn: &mut <DB as sqlx::Database>::Connection,
    id: i64,
) -> Result<Option<ProjectNotice>> {
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
    let mut content = sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .bind(shown)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(version_row)
        .transpose()?;
    if let Some(c) = content.as_mut() {
        attach_targets(&mut *conn, std::slice::from_mut(c)).await?;
    }
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

/// A project with its versions (and their indicators), events, objections, milestones,
/// beneficiaries and Book 2.
pub(crate) async fn record_of(
    conn: &mut <DB as sqlx::Database>::Connection,
    id: i64,
) -> Result<Option<ProjectRecord>> {
    let q = format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1");
    let Some(r) = sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let project = project_row(&r)?;
    macro_rules! rows {
        ($q:expr, $f:expr) => {
            sqlx::query(AssertSqlSafe($q))
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map($f)
                .collect::<Result<Vec<_>>>()?
        };
    }
    let mut versions = rows!(
        format!(
            "SELECT {VERSION_COLS} FROM project_versions WHERE project_id = $1 ORDER BY version"
        ),
        version_row
    );
    attach_targets(&mut *conn, &mut versions).await?;
    Ok(Some(ProjectRecord {
        project,
        versions,
        events: rows!(
            format!("SELECT {EVENT_COLS} FROM project_events WHERE project_id = $1 ORDER BY id"),
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
            format!("{RESPONSIBILITY_SELECT} WHERE r.project_id = $1 ORDER BY r.start_on, r.id"),
            responsibility_row
        ),
    }))
}

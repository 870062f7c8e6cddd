//! A declaration cites the meeting decision that approved it (issue 18): a decision item of a
//! villagers' or representatives' meeting of the same village that passed, naming no other
//! project. The version's meeting day and reference are filled from the meeting.

use super::*;

/// `c` with its meeting day and reference filled from the decision it cites (checked); `c` as
/// given when it cites none. `project` is the project declaring (none while it is created).
pub(crate) async fn cite(
    tx: &mut sqlx::Transaction<'static, DB>,
    c: &Content,
    project: Option<i64>,
) -> Result<Content> {
    let Some(item) = c.meeting_item_id else {
        return Ok(c.clone());
    };
    let field = "meeting_item_id";
    let row = sqlx::query(
        "SELECT i.decision, i.outcome, i.project_id, i.title AS item_title, m.region_code, m.kind, m.held_on, \
         m.title FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id WHERE i.id = $1",
    )
    .bind(item)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else {
        return Err(invalid(field, "unknown_reference", item.to_string()));
    };
    // Another village's decision is refused like an unknown one.
    if r.try_get::<String, _>("region_code")? != c.village.as_str() {
        return Err(invalid(field, "unknown_reference", item.to_string()));
    }
    if r.try_get::<i64, _>("decision")? == 0 {
        return Err(invalid(
            field,
            "meeting_item_not_decision",
            item.to_string(),
        ));
    }
    if r.try_get::<String, _>("kind")? == "committee" {
        return Err(invalid(field, "meeting_item_committee", item.to_string()));
    }
    if r.try_get::<Option<String>, _>("outcome")?.as_deref() != Some("passed") {
        return Err(invalid(field, "meeting_item_failed", item.to_string()));
    }
    if let Some(other) = r.try_get::<Option<i64>, _>("project_id")?
        && Some(other) != project
    {
        return Err(invalid(
            field,
            "meeting_item_other_project",
            item.to_string(),
        ));
    }
    let held: Option<String> = r.try_get("held_on")?;
    let title: String = r.try_get("title")?;
    let item_title: String = r.try_get("item_title")?;
    let reference: String = format!("{title} · {item_title}")
        .chars()
        .take(sunledger_core::text::NAME)
        .collect();
    Ok(Content {
        meeting_on: held.unwrap_or_default(),
        meeting_ref: reference,
        ..c.clone()
    })
}

/// A declaration needs the meeting decision that approved it: the one its latest version cites,
/// or a passed decision naming the project.
pub(crate) async fn require_cited(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Project,
) -> Result<()> {
    let cited: Option<i64> = sqlx::query(
        "SELECT meeting_item_id FROM project_versions WHERE project_id = $1 AND version = $2",
    )
    .bind(p.id)
    .bind(p.version)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?
    .flatten();
    if cited.is_some() {
        return Ok(());
    }
    let naming: Option<i64> = sqlx::query(
        "SELECT i.id FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id WHERE i.project_id = $1 \
         AND i.outcome = 'passed' AND m.kind <> 'committee' AND m.region_code = $2 ORDER BY i.id LIMIT 1",
    )
    .bind(p.id)
    .bind(p.region.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    match naming {
        Some(_) => Ok(()),
        None => Err(invalid("meeting_item_id", "required", "")),
    }
}

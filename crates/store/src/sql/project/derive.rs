//! What `verify` re-derives of a project: the columns kept on its row for speed, from its
//! versions, events and milestone reports, with the rules the writes apply.

use super::*;
use sunledger_core::project::Budget;

/// The derived columns of a project, as its booked rows give them.
#[derive(Default)]
struct Want {
    /// From the latest version (none for a project registered without content).
    version: Option<(i64, String, String, i64, i64)>,
    stage: Option<String>,
    status: Option<String>,
    approved_version: Option<i64>,
    notice_from: Option<String>,
    /// (weight, latest reported progress) of each milestone.
    milestones: Vec<(i64, i64)>,
}

const RULE: &str = "the project's versions, events and milestone reports";

pub(crate) fn project_columns(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let mut want: HashMap<i64, Want> = HashMap::new();
        let versions = sqlx::query(
            "SELECT v.project_id, v.version, v.name, v.category, v.fiscal_year, v.budget FROM project_versions v \
             WHERE v.version = (SELECT MAX(w.version) FROM project_versions w WHERE w.project_id = v.project_id)",
        )
        .fetch_all(pool)
        .await?;
        for r in &versions {
            let budget: String = r.try_get("budget")?;
            // An undecodable budget cannot give a total: report it as the text itself.
            let total = Budget::decode(&budget)
                .and_then(|b| b.total())
                .map(|m| m.fen())
                .unwrap_or(i64::MIN);
            want.entry(r.try_get("project_id")?).or_default().version = Some((
                r.try_get("version")?,
                r.try_get("name")?,
                r.try_get("category")?,
                r.try_get("fiscal_year")?,
                total,
            ));
        }
        let events = sqlx::query(
            "SELECT project_id, action, to_state, version, on_date FROM project_events ORDER BY project_id, id",
        )
        .fetch_all(pool)
        .await?;
        for r in &events {
            let w = want.entry(r.try_get("project_id")?).or_default();
            let action: String = r.try_get("action")?;
            let to: String = r.try_get("to_state")?;
            if Stage::parse(&to).is_ok() {
                if action == StageAction::TownshipApprove.key() {
                    w.notice_from = Some(r.try_get("on_date")?);
                }
                let approves = action == StageAction::CountyApprove.key()
                    || (action == IMPORT_ACTION && to == Stage::Approved.key());
                if approves {
                    w.approved_version = Some(r.try_get("version")?);
                    w.status
                        .get_or_insert_with(|| Status::Planned.key().to_string());
                }
                w.stage = Some(to);
            } else if Status::parse(&to).is_ok() {
                w.status = Some(to);
            }
        }
        let milestones = sqlx::query(
            "SELECT m.project_id, m.weight, COALESCE((SELECT u.progress FROM milestone_updates u \
             WHERE u.milestone_id = m.id ORDER BY u.id DESC LIMIT 1), 0) AS progress FROM project_milestones m",
        )
        .fetch_all(pool)
        .await?;
        for r in &milestones {
            want.entry(r.try_get("project_id")?)
                .or_default()
                .milestones
                .push((r.try_get("weight")?, r.try_get("progress")?));
        }
        let rows = sqlx::query(
            "SELECT id, name, category, fiscal_year, version, budget_total, stage, status, approved_version, \
             notice_from, progress FROM projects ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::new();
        let none = Want::default();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let w = want.get(&id).unwrap_or(&none);
            let int = |v: i64| Some(v.to_string());
            let mut check =
                |column: &'static str, stored: Option<String>, derived: Option<String>| {
                    if stored != derived {
                        out.push(Mismatch {
                            sources: format!("the versions, events and milestones of project {id}"),
                            ..mismatch(("projects", column, RULE), id, stored, derived)
                        });
                    }
                };
            match &w.version {
                Some((version, name, category, year, total)) => {
                    check("name", r.try_get("name")?, Some(name.clone()));
                    check("category", r.try_get("category")?, Some(category.clone()));
                    check("fiscal_year", int(r.try_get("fiscal_year")?), int(*year));
                    check("version", int(r.try_get("version")?), int(*version));
                    check("budget_total", int(r.try_get("budget_total")?), int(*total));
                }
                // Registered without content (only the ledger's tests do): nothing to take
                // the name and year from; the rest keep their starting values.
                None => {
                    check("category", r.try_get("category")?, Some("other".into()));
                    check("version", int(r.try_get("version")?), int(0));
                    check("budget_total", int(r.try_get("budget_total")?), int(0));
                }
            }
            check(
                "stage",
                r.try_get("stage")?,
                Some(w.stage.clone().unwrap_or_else(|| Stage::Draft.key().into())),
            );
            check("status", r.try_get("status")?, w.status.clone());
            check(
                "approved_version",
                r.try_get::<Option<i64>, _>("approved_version")?
                    .map(|v| v.to_string()),
                w.approved_version.map(|v| v.to_string()),
            );
            check(
                "notice_from",
                r.try_get("notice_from")?,
                w.notice_from.clone(),
            );
            check(
                "progress",
                int(r.try_get("progress")?),
                int(i64::from(sunledger_core::project::rollup(&w.milestones))),
            );
        }
        Ok(out)
    })
}

//! The project library's download table.
use crate::AppState;
use crate::app::error::WebError;
use crate::i18n::{Lang, t};
use sunledger_core::RegionCode;
use sunledger_core::money::Money;
use sunledger_store::Project;

/// The project library as a table for filing: headers in `lang`, one row a project.
pub async fn library_table(
    state: &AppState,
    lang: Lang,
    projects: &[Project],
) -> Result<(Vec<String>, Vec<Vec<String>>), WebError> {
    let names = state.store.region_names().await?;
    let name = |c: Option<RegionCode>| c.and_then(|c| names.get(&c).cloned()).unwrap_or_default();
    let headers = [
        "export.project.id",
        "export.project.name",
        "export.project.category",
        "export.project.township",
        "export.project.village",
        "export.project.region_code",
        "export.project.fiscal_year",
        "export.project.budget",
        "export.project.stage",
        "export.project.status",
        "export.project.progress",
        "export.project.version",
        "export.project.approved_version",
        "export.project.notice_from",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.name.clone(),
                t(lang, &format!("project.category.{}", p.category)),
                name(p.region.ancestor_at(sunledger_core::Level::Township)),
                name(Some(p.region)),
                p.region.as_str().to_string(),
                p.fiscal_year.to_string(),
                Money::from_fen(p.budget_total_fen).to_string(),
                t(lang, &format!("project.stage.{}", p.stage)),
                p.status
                    .as_deref()
                    .map(|s| t(lang, &format!("project.status.{s}")))
                    .unwrap_or_default(),
                p.progress.to_string(),
                p.version.to_string(),
                p.approved_version
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                p.notice_from.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok((headers, rows))
}

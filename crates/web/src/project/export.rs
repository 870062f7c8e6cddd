//! The project library's download table.
use crate::AppState;
use crate::app::error::WebError;
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_core::RegionCode;
use sunledger_store::Project;

/// The project library as a table for filing: headers and codes in `lang`, one row a project,
/// ids, years and amounts as numbers, the notice day as a date.
pub async fn library_table(
    state: &AppState,
    lang: Lang,
    projects: &[Project],
) -> Result<(Vec<String>, Vec<Vec<Cell>>), WebError> {
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
                Cell::Int(p.id),
                p.name.as_str().into(),
                t(lang, &format!("project.category.{}", p.category)).into(),
                name(p.region.ancestor_at(sunledger_core::Level::Township)).into(),
                name(Some(p.region)).into(),
                p.region.as_str().into(),
                Cell::Int(p.fiscal_year),
                Cell::Fen(p.budget_total_fen),
                t(lang, &format!("project.stage.{}", p.stage)).into(),
                p.status
                    .as_deref()
                    .map(|s| t(lang, &format!("project.status.{s}")))
                    .unwrap_or_default()
                    .into(),
                Cell::Int(p.progress),
                Cell::Int(p.version),
                p.approved_version
                    .map_or_else(|| Cell::Text(String::new()), Cell::Int),
                Cell::opt_day(p.notice_from.as_deref()),
            ]
        })
        .collect();
    Ok((headers, rows))
}

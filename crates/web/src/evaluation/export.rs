//! The evaluations' download table, in the filing columns.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_store::Evaluation;

/// The evaluations as a table for filing: the project, its region, the year and due day, the
/// state, the score and band, the days recorded and reviewed.
pub fn evaluation_table(lang: Lang, rows: &[Evaluation]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.evaluation.id",
        "export.evaluation.project",
        "export.evaluation.project_name",
        "export.evaluation.category",
        "export.evaluation.region_code",
        "export.region_name",
        "export.evaluation.year",
        "export.evaluation.due_on",
        "export.evaluation.state",
        "export.evaluation.score",
        "export.evaluation.band",
        "export.evaluation.recorded_on",
        "export.evaluation.reviewed_on",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let day = |d: &Option<String>| {
        d.as_deref()
            .map_or_else(|| Cell::Text(String::new()), Cell::day)
    };
    let rows = rows
        .iter()
        .map(|e| {
            vec![
                Cell::Int(e.id),
                Cell::Int(e.project_id),
                e.project_name.as_str().into(),
                t(lang, &format!("project.category.{}", e.category)).into(),
                e.region.as_str().into(),
                e.region_name.as_str().into(),
                Cell::Int(e.year),
                Cell::day(e.due_on.as_str()),
                t(lang, &format!("evaluation.state.{}", e.state)).into(),
                e.total
                    .map(sunledger_core::evaluation::points_text)
                    .unwrap_or_default()
                    .into(),
                e.band
                    .as_deref()
                    .map(|b| t(lang, &format!("acceptance.band.{b}")))
                    .unwrap_or_default()
                    .into(),
                day(&e.recorded_on),
                day(&e.reviewed_on),
            ]
        })
        .collect();
    (headers, rows)
}

//! Book 4's download table, in the filing columns.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_store::Acceptance;

/// Book 4 as a table for filing: the project, its region, the application, the inspection, the
/// grade, the team's signatures, the posting, the acceptance and the money retained.
pub fn acceptance_table(lang: Lang, rows: &[Acceptance]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.acceptance.id",
        "export.acceptance.project",
        "export.acceptance.project_name",
        "export.acceptance.category",
        "export.acceptance.region_code",
        "export.region_name",
        "export.acceptance.applied_on",
        "export.acceptance.inspect_by",
        "export.acceptance.inspected_on",
        "export.acceptance.rounds",
        "export.acceptance.grade",
        "export.acceptance.members",
        "export.acceptance.agreed",
        "export.acceptance.disagreed",
        "export.acceptance.deadline",
        "export.acceptance.notice",
        "export.acceptance.accepted_on",
        "export.acceptance.state",
        "export.acceptance.arranged",
        "export.acceptance.retained",
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
        .map(|a| {
            vec![
                Cell::Int(a.id),
                Cell::Int(a.project_id),
                a.project_name.as_str().into(),
                t(lang, &format!("project.category.{}", a.category)).into(),
                a.region.as_str().into(),
                a.region_name.as_str().into(),
                Cell::day(a.applied_on.as_str()),
                Cell::day(a.inspect_by.as_str()),
                day(&a.inspected_on),
                Cell::Int(a.rounds),
                a.grade
                    .as_deref()
                    .map(|g| t(lang, &format!("acceptance.grade.{g}")))
                    .unwrap_or_default()
                    .into(),
                Cell::Int(a.members),
                Cell::Int(a.agreed),
                Cell::Int(a.disagreed),
                day(&a.deadline),
                a.notice_id
                    .map_or_else(|| Cell::Text(String::new()), Cell::Int),
                day(&a.accepted_on),
                t(lang, &format!("acceptance.state.{}", a.state)).into(),
                Cell::Fen(a.arranged_fen),
                Cell::Fen(a.retained_fen),
            ]
        })
        .collect();
    (headers, rows)
}

//! Book 3's download table.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use std::collections::HashMap;
use sunledger_core::RegionCode;
use sunledger_store::Problem;

/// Book 3 as a table for filing: headers and codes in `lang`, the region's name beside its code,
/// amounts and ids as numbers, deadlines as dates.
pub fn problem_table(
    lang: Lang,
    names: &HashMap<RegionCode, String>,
    rows: &[Problem],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.problem.id",
        "export.problem.title",
        "export.problem.category",
        "export.problem.severity",
        "export.problem.region_code",
        "export.region_name",
        "export.problem.department",
        "export.problem.person",
        "export.problem.amount",
        "export.problem.deadline",
        "export.problem.first_deadline",
        "export.problem.state",
        "export.problem.inspection",
        "export.problem.project",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let opt_id = |i: Option<i64>| i.map_or_else(|| Cell::Text(String::new()), Cell::Int);
    let rows = rows
        .iter()
        .map(|p| {
            vec![
                Cell::Int(p.id),
                p.title.as_str().into(),
                t(lang, &format!("problem.category.{}", p.category)).into(),
                t(lang, &format!("problem.severity.{}", p.severity)).into(),
                p.region.as_str().into(),
                names.get(&p.region).cloned().unwrap_or_default().into(),
                p.department_name.as_str().into(),
                p.person_name.clone().unwrap_or_default().into(),
                Cell::Fen(p.amount_fen),
                Cell::day(p.deadline.as_str()),
                Cell::day(p.first_deadline.as_str()),
                t(lang, &format!("problem.state.{}", p.state)).into(),
                opt_id(p.inspection_id),
                opt_id(p.project_id),
            ]
        })
        .collect();
    (headers, rows)
}

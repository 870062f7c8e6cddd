//! Book 3's download table.
use crate::i18n::{Lang, t};
use sunledger_core::money::Money;
use sunledger_store::Problem;

pub fn problem_table(lang: Lang, rows: &[Problem]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "export.problem.id",
        "export.problem.title",
        "export.problem.category",
        "export.problem.severity",
        "export.problem.region_code",
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
    let rows = rows
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.title.clone(),
                t(lang, &format!("problem.category.{}", p.category)),
                t(lang, &format!("problem.severity.{}", p.severity)),
                p.region.as_str().to_string(),
                p.department_name.clone(),
                p.person_name.clone().unwrap_or_default(),
                Money::from_fen(p.amount_fen).to_string(),
                p.deadline.clone(),
                p.first_deadline.clone(),
                t(lang, &format!("problem.state.{}", p.state)),
                p.inspection_id.map(|i| i.to_string()).unwrap_or_default(),
                p.project_id.map(|i| i.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    (headers, rows)
}

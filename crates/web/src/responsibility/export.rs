//! Book 2's download table.
use crate::i18n::{Lang, t};
use sunledger_store::Responsibility;

/// Book 2 as a table for filing.
pub fn book_table(lang: Lang, rows: &[Responsibility]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "export.project.id",
        "export.project.name",
        "export.project.region_code",
        "export.resp.role",
        "export.resp.person",
        "export.resp.position",
        "export.resp.department",
        "export.resp.start_on",
        "export.resp.end_on",
        "export.resp.end_reason",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.project_id.to_string(),
                r.project_name.clone(),
                r.project_region.as_str().to_string(),
                t(lang, &format!("resp.role.{}", r.role)),
                r.person_name.clone(),
                t(lang, &format!("position.{}", r.person_position)),
                r.department_name.clone(),
                r.start_on.clone(),
                r.end_on.clone().unwrap_or_default(),
                r.end_reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    (headers, rows)
}

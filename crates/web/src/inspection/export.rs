//! The inspections' download table.
use crate::i18n::{Lang, t};
use sunledger_store::Inspection;

pub fn inspection_table(lang: Lang, rows: &[Inspection]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "export.inspection.id",
        "export.inspection.title",
        "export.inspection.kind",
        "export.inspection.region_code",
        "export.inspection.team",
        "export.inspection.lead",
        "export.inspection.targets",
        "export.inspection.planned_on",
        "export.inspection.done_on",
        "export.inspection.findings",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|i| {
            vec![
                i.id.to_string(),
                i.title.clone(),
                t(lang, &format!("inspection.kind.{}", i.kind)),
                i.region.as_str().to_string(),
                i.team.clone(),
                i.lead_departments
                    .iter()
                    .map(|k| t(lang, &format!("dept.kind.{k}")))
                    .collect::<Vec<_>>()
                    .join("、"),
                i.targets.clone(),
                i.planned_on.clone(),
                i.done_on.clone().unwrap_or_default(),
                i.findings.clone().unwrap_or_default(),
            ]
        })
        .collect();
    (headers, rows)
}

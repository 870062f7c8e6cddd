//! The inspections' download table.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use std::collections::HashMap;
use sunledger_core::RegionCode;
use sunledger_store::Inspection;

/// The targets (`project:12;region:529121;household:7`) in words, with region names.
fn targets_text(lang: Lang, names: &HashMap<RegionCode, String>, s: &str) -> String {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| match x.split_once(':') {
            Some(("project", id)) => {
                format!("{} {}", t(lang, "inspection.target.project"), id.trim())
            }
            Some(("household", id)) => {
                format!("{} {}", t(lang, "inspection.target.household"), id.trim())
            }
            Some(("region", code)) => {
                let name = RegionCode::parse(code.trim())
                    .ok()
                    .and_then(|c| names.get(&c).cloned())
                    .unwrap_or_default();
                format!(
                    "{} {} {name}",
                    t(lang, "inspection.target.region"),
                    code.trim()
                )
                .trim_end()
                .to_string()
            }
            _ => x.to_string(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The inspection record as a table for filing: headers and codes in `lang`, the region's name
/// beside its code, ids as numbers, days as dates.
pub fn inspection_table(
    lang: Lang,
    names: &HashMap<RegionCode, String>,
    rows: &[Inspection],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.inspection.id",
        "export.inspection.title",
        "export.inspection.kind",
        "export.inspection.region_code",
        "export.region_name",
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
                Cell::Int(i.id),
                i.title.as_str().into(),
                t(lang, &format!("inspection.kind.{}", i.kind)).into(),
                i.region.as_str().into(),
                names.get(&i.region).cloned().unwrap_or_default().into(),
                i.team.as_str().into(),
                i.lead_departments
                    .iter()
                    .map(|k| t(lang, &format!("dept.kind.{k}")))
                    .collect::<Vec<_>>()
                    .join("、")
                    .into(),
                targets_text(lang, names, &i.targets).into(),
                Cell::day(i.planned_on.as_str()),
                Cell::opt_day(i.done_on.as_deref()),
                i.findings.clone().unwrap_or_default().into(),
            ]
        })
        .collect();
    (headers, rows)
}

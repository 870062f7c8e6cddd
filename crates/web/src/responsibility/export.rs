//! Book 2's download table.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use std::collections::HashMap;
use sunledger_core::RegionCode;
use sunledger_store::Responsibility;

/// Book 2 as a table for filing: headers and codes in `lang`, the region's name beside its code,
/// ids as numbers, days as dates.
pub fn book_table(
    lang: Lang,
    names: &HashMap<RegionCode, String>,
    rows: &[Responsibility],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.project.id",
        "export.project.name",
        "export.project.region_code",
        "export.region_name",
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
                Cell::Int(r.project_id),
                r.project_name.as_str().into(),
                r.project_region.as_str().into(),
                names
                    .get(&r.project_region)
                    .cloned()
                    .unwrap_or_default()
                    .into(),
                t(lang, &format!("resp.role.{}", r.role)).into(),
                r.person_name.as_str().into(),
                t(lang, &format!("position.{}", r.person_position)).into(),
                r.department_name.as_str().into(),
                Cell::day(r.start_on.as_str()),
                Cell::opt_day(r.end_on.as_deref()),
                r.end_reason.clone().unwrap_or_default().into(),
            ]
        })
        .collect();
    (headers, rows)
}

//! The round's filing table: one applicant a row, the head's ID number masked.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_store::RoundRecord;

/// The ID number as pages and files show it.
pub fn masked(id: &str) -> String {
    sunledger_core::IdNumber::parse(id)
        .map(|n| n.masked())
        .unwrap_or_else(|_| "******".into())
}

pub fn round_table(lang: Lang, r: &RoundRecord) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.appraisal.round",
        "export.appraisal.village",
        "export.region_name",
        "export.appraisal.year",
        "export.appraisal.kind",
        "export.appraisal.applicant",
        "export.appraisal.head_name",
        "export.appraisal.id_number",
        "export.appraisal.reason",
        "export.appraisal.income_evidence",
        "export.appraisal.applied_on",
        "export.appraisal.hits",
        "export.appraisal.vote",
        "export.appraisal.removed",
        "export.appraisal.state",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let round = &r.round;
    let rows = r
        .applicants
        .iter()
        .map(|a| {
            let hits: Vec<String> = r
                .hits
                .iter()
                .filter(|h| h.applicant_id == a.id)
                .map(|h| {
                    let d = h
                        .decision
                        .as_deref()
                        .map(|d| t(lang, &format!("appraisal.decision.{d}")))
                        .unwrap_or_default();
                    format!(
                        "{} {} {} {}",
                        t(lang, &format!("appraisal.list.{}", h.kind)),
                        h.entry.relation,
                        h.entry.of_name,
                        d
                    )
                })
                .collect();
            vec![
                Cell::Int(round.id),
                round.region.as_str().into(),
                round.region_name.as_str().into(),
                Cell::Int(round.year),
                t(lang, &format!("appraisal.kind.{}", round.kind)).into(),
                Cell::Int(a.id),
                a.head_name.as_str().into(),
                masked(&a.id_number).into(),
                a.reason.as_str().into(),
                a.income_evidence.as_str().into(),
                Cell::day(a.applied_on.as_str()),
                hits.join("; ").into(),
                a.vote
                    .as_deref()
                    .map(|v| t(lang, &format!("appraisal.vote.{v}")))
                    .unwrap_or_default()
                    .into(),
                a.removed_reason.clone().unwrap_or_default().into(),
                t(lang, &format!("appraisal.state.{}", round.state)).into(),
            ]
        })
        .collect();
    (headers, rows)
}

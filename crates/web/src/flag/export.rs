//! The flags' download table.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_store::Flag;

/// The flags as a table: the rule, the region, the severity, the money, the sentence, the day
/// raised, the state and the case opened.
pub fn flag_table(lang: Lang, rows: &[Flag]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.flag.id",
        "export.flag.rule",
        "export.flag.rule_name",
        "export.flag.region_code",
        "export.region_name",
        "export.flag.severity",
        "export.flag.amount",
        "export.flag.evidence",
        "export.flag.raised_on",
        "export.flag.state",
        "export.flag.problem",
        "export.flag.log_size",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|f| {
            let name = sunledger_core::flag::rule(&f.rule_id)
                .map(|r| if lang == Lang::Zh { r.zh } else { r.en })
                .unwrap_or_default();
            let sentence = if lang == Lang::Zh {
                &f.evidence.zh
            } else {
                &f.evidence.en
            };
            vec![
                Cell::Int(f.id),
                f.rule_id.as_str().into(),
                name.into(),
                f.region.as_str().into(),
                f.region_name.as_str().into(),
                t(lang, &format!("flag.severity.{}", f.severity)).into(),
                Cell::Fen(f.amount_fen),
                sentence.as_str().into(),
                Cell::day(f.raised_on.as_str()),
                t(lang, &format!("flag.state.{}", f.state)).into(),
                f.problem_id.map_or(Cell::Text(String::new()), Cell::Int),
                Cell::Int(f.log_size),
            ]
        })
        .collect();
    (headers, rows)
}

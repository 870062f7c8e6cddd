//! The meetings' download table.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_store::Meeting;

/// The meetings as a table: the village, the kind, the title, the days called, planned and
/// held, the roster, those present, the quorum and whether it was met, the minutes' hash.
pub fn meeting_table(lang: Lang, rows: &[Meeting]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.meeting.id",
        "export.meeting.region_code",
        "export.region_name",
        "export.meeting.kind",
        "export.meeting.title",
        "export.meeting.called_on",
        "export.meeting.planned_on",
        "export.meeting.held_on",
        "export.meeting.roster",
        "export.meeting.present",
        "export.meeting.needed",
        "export.meeting.quorum",
        "export.meeting.minutes_sha256",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|m| {
            vec![
                Cell::Int(m.id),
                m.region.as_str().into(),
                m.region_name.as_str().into(),
                t(lang, &format!("meeting.kind.{}", m.kind)).into(),
                m.title.as_str().into(),
                Cell::day(m.called_on.as_str()),
                Cell::day(m.planned_on.as_str()),
                m.held_on
                    .as_deref()
                    .map_or_else(|| Cell::Text(String::new()), Cell::day),
                Cell::Int(m.roster_size),
                Cell::Int(m.present),
                Cell::Int(m.quorum_needed),
                t(
                    lang,
                    if m.quorum_met {
                        "meeting.quorum_met"
                    } else {
                        "meeting.quorum_not_met"
                    },
                )
                .into(),
                m.minutes_sha256.clone().unwrap_or_default().into(),
            ]
        })
        .collect();
    (headers, rows)
}

//! The complaint ledger's download table.
use crate::app::table::Cell;
use crate::complaint::ops::QueueRow;
use crate::i18n::{Lang, t};

/// The complaints as a table: code, day, channel, category, region, handler, state, the clock
/// (stage, due, working days left, timing), the finding, the problem opened, whether the first
/// answer came in time. No complainant's name or contact: the ledger is shared wider than the
/// handling unit.
pub fn complaint_table(lang: Lang, rows: &[QueueRow]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.complaint.code",
        "export.complaint.received_on",
        "export.complaint.channel",
        "export.complaint.category",
        "export.complaint.region_code",
        "export.region_name",
        "export.complaint.title",
        "export.complaint.handler",
        "export.complaint.state",
        "export.complaint.stage",
        "export.complaint.due_on",
        "export.complaint.days_left",
        "export.complaint.timing",
        "export.complaint.finding",
        "export.complaint.problem_id",
        "export.complaint.on_time",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let opt_key = |prefix: &str, v: &Option<String>| -> Cell {
        v.as_deref().map_or_else(
            || Cell::Text(String::new()),
            |k| t(lang, &format!("{prefix}{k}")).into(),
        )
    };
    let rows = rows
        .iter()
        .map(|r| {
            let c = &r.complaint;
            vec![
                c.code.as_str().into(),
                Cell::day(c.received_on.as_str()),
                t(lang, &format!("complaint.channel.{}", c.channel)).into(),
                t(lang, &format!("complaint.category.{}", c.category)).into(),
                c.region.as_str().into(),
                c.region_name.as_str().into(),
                c.title.as_str().into(),
                format!(
                    "{} {}",
                    c.handler_name,
                    t(lang, &format!("complaint.unit.{}", c.handler_unit))
                )
                .into(),
                t(lang, &format!("complaint.state.{}", c.state)).into(),
                opt_key("complaint.stage.", &r.stage),
                r.due_on
                    .as_deref()
                    .map_or_else(|| Cell::Text(String::new()), Cell::day),
                r.days_left
                    .map_or_else(|| Cell::Text(String::new()), Cell::Int),
                opt_key("complaint.timing.", &r.timing),
                opt_key("complaint.finding.", &c.finding),
                c.problem_id
                    .map_or_else(|| Cell::Text(String::new()), Cell::Int),
                match r.answered_on_time {
                    Some(true) => t(lang, "complaint.on_time.yes").into(),
                    Some(false) => t(lang, "complaint.on_time.no").into(),
                    None => Cell::Text(String::new()),
                },
            ]
        })
        .collect();
    (headers, rows)
}

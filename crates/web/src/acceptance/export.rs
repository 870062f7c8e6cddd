//! Book 4's download table, in the filing columns.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_store::{Acceptance, Book4Evaluation, Book4Row};

/// Book 4 as a table for filing: the project, its region, the application, the inspection, the
/// grade, the team's signatures, the posting, the acceptance and the money retained.
pub fn acceptance_table(lang: Lang, rows: &[Acceptance]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.acceptance.id",
        "export.acceptance.project",
        "export.acceptance.project_name",
        "export.acceptance.category",
        "export.acceptance.region_code",
        "export.region_name",
        "export.acceptance.applied_on",
        "export.acceptance.inspect_by",
        "export.acceptance.inspected_on",
        "export.acceptance.rounds",
        "export.acceptance.grade",
        "export.acceptance.members",
        "export.acceptance.agreed",
        "export.acceptance.disagreed",
        "export.acceptance.deadline",
        "export.acceptance.notice",
        "export.acceptance.accepted_on",
        "export.acceptance.state",
        "export.acceptance.arranged",
        "export.acceptance.retained",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let day = |d: &Option<String>| {
        d.as_deref()
            .map_or_else(|| Cell::Text(String::new()), Cell::day)
    };
    let rows = rows
        .iter()
        .map(|a| {
            vec![
                Cell::Int(a.id),
                Cell::Int(a.project_id),
                a.project_name.as_str().into(),
                t(lang, &format!("project.category.{}", a.category)).into(),
                a.region.as_str().into(),
                a.region_name.as_str().into(),
                Cell::day(a.applied_on.as_str()),
                Cell::day(a.inspect_by.as_str()),
                day(&a.inspected_on),
                Cell::Int(a.rounds),
                a.grade
                    .as_deref()
                    .map(|g| t(lang, &format!("acceptance.grade.{g}")))
                    .unwrap_or_default()
                    .into(),
                Cell::Int(a.members),
                Cell::Int(a.agreed),
                Cell::Int(a.disagreed),
                day(&a.deadline),
                a.notice_id
                    .map_or_else(|| Cell::Text(String::new()), Cell::Int),
                day(&a.accepted_on),
                t(lang, &format!("acceptance.state.{}", a.state)).into(),
                Cell::Fen(a.arranged_fen),
                Cell::Fen(a.retained_fen),
            ]
        })
        .collect();
    (headers, rows)
}

/// The evaluation years Book 4 shows: on acceptance and 1, 2 and 3 years on.
pub const EVALUATION_YEARS: [i64; 4] = [0, 1, 2, 3];

/// A score in hundredths of a point as points with two decimals (`9250` is `92.50`).
pub fn score_text(total: i64) -> String {
    let sign = if total < 0 { "-" } else { "" };
    let t = total.unsigned_abs();
    format!("{sign}{}.{:02}", t / 100, t % 100)
}

/// An evaluation as Book 4 shows it: the reviewed score with its band, else where it stands
/// (not yet due, to evaluate, to review), or nothing when none is scheduled.
pub fn evaluation_text(lang: Lang, e: Option<&Book4Evaluation>, today: &str) -> String {
    let Some(e) = e else {
        return String::new();
    };
    match (e.state.as_str(), e.total) {
        ("reviewed", Some(total)) => format!(
            "{} {}",
            score_text(total),
            e.band
                .as_deref()
                .map(|b| t(lang, &format!("acceptance.band.{b}")))
                .unwrap_or_default()
        ),
        ("recorded", _) => t(lang, "acceptance.book.eval_to_review"),
        _ if e.due_on.as_str() > today => t(lang, "acceptance.book.eval_not_due"),
        _ => t(lang, "acceptance.book.eval_due"),
    }
}

/// The team as one text: each member's name and unit.
pub fn team_text(r: &Book4Row) -> String {
    r.team
        .iter()
        .map(|m| format!("{}（{}）", m.name, m.unit_name))
        .collect::<Vec<_>>()
        .join("、")
}

/// The performance targets as one text: `name ≥ 3.2 公里` each.
pub fn targets_text(lang: Lang, r: &Book4Row) -> String {
    r.targets
        .iter()
        .map(|i| {
            format!(
                "{} {} {} {}",
                i.name,
                t(lang, &format!("indicator.operator.{}", i.operator)),
                i.target_text,
                i.unit
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn opt_day(d: &Option<String>) -> Cell {
    Cell::opt_day(d.as_deref())
}

fn key(lang: Lang, prefix: &str, k: Option<&str>) -> Cell {
    k.map(|k| t(lang, &format!("{prefix}{k}")))
        .unwrap_or_default()
        .into()
}

/// Book 4 itself for filing: per region, each project with its application, team, signatures,
/// grade, assets and each year's evaluation score.
pub fn book4_table(lang: Lang, today: &str, rows: &[Book4Row]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers: Vec<String> = [
        "export.acceptance.id",
        "export.acceptance.project",
        "export.acceptance.project_name",
        "export.acceptance.category",
        "export.book4.fiscal_year",
        "export.acceptance.region_code",
        "export.region_name",
        "export.acceptance.applied_on",
        "export.book4.application",
        "export.book4.team",
        "export.acceptance.members",
        "export.acceptance.agreed",
        "export.acceptance.disagreed",
        "export.acceptance.inspected_on",
        "export.acceptance.grade",
        "export.acceptance.accepted_on",
        "export.acceptance.state",
        "export.book4.assets",
        "export.book4.assets_value",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    for y in EVALUATION_YEARS {
        headers.push(t(lang, &format!("export.book4.evaluation_{y}")));
    }
    let rows = rows
        .iter()
        .map(|r| {
            let mut c = vec![
                Cell::Int(r.acceptance_id),
                Cell::Int(r.project_id),
                r.project_name.as_str().into(),
                t(lang, &format!("project.category.{}", r.category)).into(),
                Cell::Int(r.fiscal_year),
                r.region.as_str().into(),
                r.region_name.as_str().into(),
                Cell::day(r.applied_on.as_str()),
                r.application.as_str().into(),
                team_text(r).into(),
                Cell::Int(r.members),
                Cell::Int(r.agreed),
                Cell::Int(r.disagreed),
                opt_day(&r.inspected_on),
                key(lang, "acceptance.grade.", r.grade.as_deref()),
                opt_day(&r.accepted_on),
                t(lang, &format!("acceptance.state.{}", r.state)).into(),
                Cell::Int(r.assets),
                Cell::Fen(r.assets_fen),
            ];
            for y in EVALUATION_YEARS {
                c.push(evaluation_text(lang, r.evaluation(y), today).into());
            }
            c
        })
        .collect();
    (headers, rows)
}

/// The database of implemented projects for filing: each accepted or evaluated project with
/// its benefits (beneficiary households, assets, the latest reviewed score) and its targets.
pub fn implemented_table(lang: Lang, rows: &[Book4Row]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "export.acceptance.project",
        "export.acceptance.project_name",
        "export.acceptance.category",
        "export.book4.fiscal_year",
        "export.acceptance.region_code",
        "export.region_name",
        "export.book4.status",
        "export.acceptance.grade",
        "export.acceptance.accepted_on",
        "export.book4.budget",
        "export.book4.households",
        "export.book4.people",
        "export.book4.assets",
        "export.book4.assets_value",
        "export.book4.latest_year",
        "export.book4.latest_score",
        "export.book4.latest_band",
        "export.book4.targets",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            let latest = r.latest_reviewed();
            vec![
                Cell::Int(r.project_id),
                r.project_name.as_str().into(),
                t(lang, &format!("project.category.{}", r.category)).into(),
                Cell::Int(r.fiscal_year),
                r.region.as_str().into(),
                r.region_name.as_str().into(),
                key(lang, "project.status.", r.status.as_deref()),
                key(lang, "acceptance.grade.", r.grade.as_deref()),
                opt_day(&r.accepted_on),
                Cell::Fen(r.budget_fen),
                Cell::Int(r.households),
                Cell::Int(r.people),
                Cell::Int(r.assets),
                Cell::Fen(r.assets_fen),
                latest.map_or_else(|| Cell::Text(String::new()), |e| Cell::Int(e.year)),
                latest
                    .and_then(|e| e.total)
                    .map(score_text)
                    .unwrap_or_default()
                    .into(),
                key(
                    lang,
                    "acceptance.band.",
                    latest.and_then(|e| e.band.as_deref()),
                ),
                targets_text(lang, r).into(),
            ]
        })
        .collect();
    (headers, rows)
}

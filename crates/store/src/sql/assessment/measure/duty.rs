//! Duties with a due day: Book 4 (acceptance, evaluations), public notices, complaints, and
//! red flags.

use super::*;
use sunledger_core::complaint::{self as complaints, ComplaintAction, Stage};
use sunledger_core::day::Calendar;

/// `acceptance_on_time`: a row per project of the county (source `project`, label its name)
/// completed by a `completed` step booked by `as_of`, whose acceptance fell due in the year:
/// the completion day plus the days the `unaccepted` flag allows (`days` in force, default 60);
/// day: that due day; part 1 when its `accepted` step (booked by `as_of`) is dated by then.
/// Completion and acceptance are the first such project events, as the flags read them.
pub(super) async fn acceptance_on_time(
    conn: &mut Conn,
    w: &Window,
    days: i64,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    for r in sqlx::query(
        "SELECT p.id, p.name, \
         (SELECT MIN(e.on_date) FROM project_events e WHERE e.project_id = p.id AND e.to_state = 'completed' AND e.at <= $2) AS completed_on, \
         (SELECT MIN(e.on_date) FROM project_events e WHERE e.project_id = p.id AND e.to_state = 'accepted' AND e.at <= $2) AS accepted_on \
         FROM projects p WHERE p.county_code = $1 ORDER BY p.id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let Some(completed) = opt_day("completed_on", r.try_get("completed_on")?)? else {
            continue;
        };
        let due = completed.saturating_add(days);
        if !w.holds(due) {
            continue;
        }
        let accepted = opt_day("accepted_on", r.try_get("accepted_on")?)?;
        out.push(rate(
            Measure::AcceptanceOnTime,
            ("project", r.try_get("id")?),
            r.try_get("name")?,
            due,
            by(accepted, due),
        ));
    }
    Ok(())
}

/// `evaluations_on_time`: a row per Book 4 evaluation of the county (source `evaluation`, label
/// its project's name) scheduled by `as_of` and due in the year (day: `due_on`); part 1 when its
/// review (a `review` event booked by `as_of`) is dated on or before the due day.
pub(super) async fn evaluations_on_time(
    conn: &mut Conn,
    w: &Window,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    for r in sqlx::query(
        "SELECT v.id, p.name, v.due_on, \
         (SELECT MIN(x.on_date) FROM evaluation_events x WHERE x.evaluation_id = v.id AND x.action = 'review' AND x.at <= $2) AS reviewed_on \
         FROM evaluations v JOIN projects p ON p.id = v.project_id \
         WHERE v.county_code = $1 AND v.scheduled_at <= $2 ORDER BY v.id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let due = day_of("due_on", &r.try_get::<String, _>("due_on")?)?;
        if !w.holds(due) {
            continue;
        }
        let reviewed = opt_day("reviewed_on", r.try_get("reviewed_on")?)?;
        out.push(rate(
            Measure::EvaluationsOnTime,
            ("evaluation", r.try_get("id")?),
            r.try_get("name")?,
            due,
            by(reviewed, due),
        ));
    }
    Ok(())
}

/// The events that call for a notice, as `NoticeStore::notice_dues` lists them: the notice kind
/// and a query giving the row's source and id, the `notices.source` that answers it, the label,
/// the event's day and the day it was reversed, each booked by `as_of` (`$2`).
const DUES: &[(&str, &str)] = &[
    (
        // An appropriation or arrangement to the county's regions, on its booking day.
        "fund_allocation",
        "SELECT 'transfer' AS source, t.id, 'transfer:' || CAST(t.id AS TEXT) AS answered_by, \
         f.name || ' ' || t.document_no AS label, t.booked_on AS event_on, \
         (SELECT MIN(r.booked_on) FROM transfers r WHERE r.reverses = t.id AND r.created_at <= $2) AS reversed_on \
         FROM transfers t JOIN ledger_accounts a ON a.id = t.to_account JOIN funds f ON f.id = t.fund_id \
         WHERE a.county_code = $1 AND t.kind IN ('appropriate', 'arrange') AND t.created_at <= $2 ORDER BY t.id",
    ),
    (
        // A project's plan, on the county's approval.
        "project_plan",
        "SELECT 'project' AS source, p.id, 'project:' || CAST(p.id AS TEXT) AS answered_by, p.name AS label, \
         (SELECT MIN(e.on_date) FROM project_events e WHERE e.project_id = p.id AND e.action = 'county_approve' AND e.at <= $2) AS event_on, \
         CAST(NULL AS TEXT) AS reversed_on FROM projects p WHERE p.county_code = $1 ORDER BY p.id",
    ),
    (
        // Book 4's result, once the team's signatures are complete (source: the acceptance, so
        // that a project's plan and its acceptance are two keys).
        "acceptance",
        "SELECT 'acceptance' AS source, a.id, 'project:' || CAST(a.project_id AS TEXT) AS answered_by, p.name AS label, \
         (SELECT MIN(e.on_date) FROM acceptance_events e WHERE e.acceptance_id = a.id AND e.action = 'complete_signing' AND e.at <= $2) AS event_on, \
         CAST(NULL AS TEXT) AS reversed_on FROM acceptances a JOIN projects p ON p.id = a.project_id \
         WHERE a.county_code = $1 AND a.applied_at <= $2 ORDER BY a.id",
    ),
];

/// `notices_on_time`: a row per event of the county that calls for a public notice (fund
/// allocation: source `transfer`; project plan: `project`; acceptance result: `acceptance`, the
/// acceptance's id), not reversed by `end`, whose notice fell due in the year: the kind's working
/// days after the event (`core::notice::due_on`, China's calendar as compiled in); day: that due
/// day; part 1 when a notice of the kind answering it (`notices.source`) was published (a
/// `publish` event booked by `as_of`) on or before it.
pub(super) async fn notices_on_time(
    conn: &mut Conn,
    w: &Window,
    cal: &Calendar,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    let mut published: HashMap<(String, String), i64> = HashMap::new();
    for r in sqlx::query(
        "SELECT n.kind, n.source, \
         (SELECT MIN(e.on_date) FROM notice_events e WHERE e.notice_id = n.id AND e.action = 'publish' AND e.at <= $2) AS published_on \
         FROM notices n WHERE n.county_code = $1 AND n.source IS NOT NULL AND n.drafted_at <= $2 ORDER BY n.id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        if let Some(d) = opt_day("published_on", r.try_get("published_on")?)? {
            let e = published
                .entry((r.try_get("kind")?, r.try_get("source")?))
                .or_insert(d);
            *e = (*e).min(d);
        }
    }
    for (kind, select) in DUES {
        let Some(due_rule) = sunledger_core::notice::kind(kind).ok().and_then(|k| k.due) else {
            continue;
        };
        for r in sqlx::query(*select)
            .bind(&w.shard)
            .bind(w.as_of)
            .fetch_all(&mut *conn)
            .await?
        {
            let Some(event) = opt_day("event_on", r.try_get("event_on")?)? else {
                continue;
            };
            if by(opt_day("reversed_on", r.try_get("reversed_on")?)?, w.end) {
                continue;
            }
            let due = sunledger_core::notice::due_on(cal, &due_rule, event);
            if !w.holds(due) {
                continue;
            }
            let answered_by: String = r.try_get("answered_by")?;
            let on = published.get(&((*kind).to_string(), answered_by)).copied();
            let source: String = r.try_get("source")?;
            let label: String = r.try_get("label")?;
            out.push(rate(
                Measure::NoticesOnTime,
                (&source, r.try_get("id")?),
                label.trim().to_string(),
                due,
                by(on, due),
            ));
        }
    }
    Ok(())
}

/// `complaints_on_time`: a row per complaint about the county's regions (source `complaint`,
/// label its receipt code) received by `as_of` whose answer fell due in the year; day: that due
/// day. The due day is the answer clock's (`core::complaint::progress` over the steps booked by
/// `as_of` and dated by `end`, up to the first answer: accepted, extended, paused, with the
/// default rules and China's calendar); part 1 when the first answer is dated by then. A
/// complaint still waiting to be accepted, or referred or merged before an answer, has no
/// answer due.
pub(super) async fn complaints_on_time(
    conn: &mut Conn,
    w: &Window,
    cal: &Calendar,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    // (code, received day, steps up to the first answer, the first answer's day).
    type Clock = (String, i64, Vec<complaints::Step>, Option<i64>);
    let mut list: BTreeMap<i64, Clock> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT id, code, received_on FROM complaints WHERE county_code = $1 AND received_at <= $2 ORDER BY id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let received = day_of("received_on", &r.try_get::<String, _>("received_on")?)?;
        list.insert(
            r.try_get("id")?,
            (r.try_get("code")?, received, Vec::new(), None),
        );
    }
    for r in sqlx::query(
        "SELECT e.complaint_id, e.action, e.on_date FROM complaint_events e \
         JOIN complaints c ON c.id = e.complaint_id WHERE c.county_code = $1 AND e.at <= $2 ORDER BY e.id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let day = day_of("complaint event on_date", &r.try_get::<String, _>("on_date")?)?;
        let action = ComplaintAction::parse(&r.try_get::<String, _>("action")?)
            .map_err(|e| StoreError::Corrupt(format!("complaint action: {e}")))?;
        let Some(c) = list.get_mut(&r.try_get::<i64, _>("complaint_id")?) else {
            continue;
        };
        if day > w.end || c.3.is_some() {
            continue;
        }
        if action == ComplaintAction::Answer {
            c.3 = Some(day);
        } else {
            c.2.push(complaints::Step { action, day });
        }
    }
    let rules = complaints::Rules::default();
    for (id, (code, received, steps, answered)) in list {
        let p = complaints::progress(&rules, cal, received, &steps, answered.unwrap_or(w.end))
            .map_err(|e| StoreError::Corrupt(format!("complaint {id}: {e}")))?;
        let Some(clock) = p.clock.filter(|c| c.stage == Stage::Answer) else {
            continue;
        };
        if !w.holds(clock.due) {
            continue;
        }
        out.push(rate(
            Measure::ComplaintsOnTime,
            ("complaint", id),
            code,
            clock.due,
            by(answered, clock.due),
        ));
    }
    Ok(())
}

/// `flags_handled`: a row per red flag of the county (source `flag`, label the rule's name and
/// the evidence key) raised in the year by a scan booked by `as_of` (day: `raised_on`); part 1
/// when it was triaged, dismissed or made a case (its first event, booked by `as_of`) by `end`.
pub(super) async fn flags_handled(
    conn: &mut Conn,
    w: &Window,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    for r in sqlx::query(
        "SELECT f.id, f.rule_id, f.evidence_key, f.raised_on, \
         (SELECT MIN(e.on_date) FROM flag_events e WHERE e.flag_id = f.id AND e.at <= $2) AS handled_on \
         FROM flags f WHERE f.county_code = $1 AND f.at <= $2 ORDER BY f.id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let raised = day_of("raised_on", &r.try_get::<String, _>("raised_on")?)?;
        if !w.holds(raised) {
            continue;
        }
        let rule_id: String = r.try_get("rule_id")?;
        let name = sunledger_core::flag::rule(&rule_id).map_or(rule_id.as_str(), |x| x.zh);
        let id: i64 = r.try_get("id")?;
        // The rule's name and the flag's number: an evidence key may name a payee.
        out.push(rate(
            Measure::FlagsHandled,
            ("flag", id),
            format!("{name} #{id}"),
            raised,
            by(opt_day("handled_on", r.try_get("handled_on")?)?, w.end),
        ));
    }
    Ok(())
}

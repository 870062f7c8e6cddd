//! Supervision: quarterly inspections, Book 3 (problems) and the escalation ladder.

use super::*;
use sunledger_core::inspection::Quarter;

/// `inspection_quarters`: a row per quarter of the year ended by `end`, and one for the quarter
/// still running once it has had its inspection (source `quarter`, id 1-4, label `2026Q1`, day its
/// first day), so a quarter is never counted short before it is over; part 1 when an inspection
/// of the county was done in it (`inspections.done_on` in the quarter and by `end`, recorded by `as_of`: `done_at`), as
/// the quarterly coverage counts inspections (`InspectionStore::inspection_days`). Spot-check
/// draws are not counted: the municipal draw is the city's (its shard), and an inspection drawn
/// from it is counted by its own done day.
pub(super) async fn inspection_quarters(
    conn: &mut Conn,
    w: &Window,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    let mut done = Vec::new();
    for r in sqlx::query(
        "SELECT done_on FROM inspections WHERE county_code = $1 AND done_on IS NOT NULL \
         AND done_at IS NOT NULL AND done_at <= $2",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        done.push(day_of("done_on", &r.try_get::<String, _>("done_on")?)?);
    }
    let year = Quarter::of_day(w.first).year;
    for q in 1..=4u8 {
        let quarter = Quarter { year, q };
        let (from, to) = quarter.days();
        if from > w.end {
            break;
        }
        let ended = to <= w.end;
        let to = to.min(w.end);
        let met = done.iter().any(|d| from <= *d && *d <= to);
        if !ended && !met {
            continue;
        }
        out.push(rate(
            Measure::InspectionQuarters,
            ("quarter", i64::from(q)),
            quarter.label(),
            from,
            met,
        ));
    }
    Ok(())
}

/// A problem of the county as booked by `as_of`.
struct Problem {
    id: i64,
    title: String,
    first_deadline: i64,
    created_on: i64,
    review_of: Option<i64>,
    /// The state on `end` (the last event dated by then), and the day of that event.
    state: String,
    state_on: Option<i64>,
    /// The deadline in force on `end`: the latest new deadline an interview set, else the first.
    deadline: i64,
}

/// Book 3 and the ladder, from the county's problems, their events and escalations booked by
/// `as_of`:
/// * `problems_rectified_on_time`: a row per problem (source `problem`, label its title) whose
///   first deadline falls in the year; part 1 when on `end` it is closed and the verification
///   that closed it is dated on or before that deadline (a later deadline set at an interview
///   does not make a late rectification on time; one reopened is not rectified).
/// * `problems_overdue`: a row per problem whose deadline in force (as `problems.deadline`
///   derives it: the latest new deadline of an interview dated by `end`, else the first) falls in
///   the year before `end`, not closed on `end`; day: that deadline.
/// * `double_investigations`: a row per problem reviewing the leaders' duty in another case
///   (一案双查: `review_of` set) created in the year; day: its creation day.
/// * the ladder, a row per escalation (source `escalation`, label its document number, day its
///   `on_date`) dated in the year: `reminders` the letters of rung 1 (reminder, supervision and
///   suggestion letters), `interviews` rung 2 (work and warning interviews), `suspensions` the
///   suspensions of payment, `informed_criticism` (weight: its deduction points), `referrals`
///   rung 5 (to the discipline commission or to judicial organs).
pub(super) async fn problems_and_ladder(
    conn: &mut Conn,
    w: &Window,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    let mut problems: BTreeMap<i64, Problem> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT id, title, first_deadline, created_at, review_of FROM problems \
         WHERE county_code = $1 AND created_at <= $2 ORDER BY id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: i64 = r.try_get("id")?;
        let first_deadline = day_of("first_deadline", &r.try_get::<String, _>("first_deadline")?)?;
        problems.insert(
            id,
            Problem {
                id,
                title: r.try_get("title")?,
                first_deadline,
                created_on: sunledger_core::day::today(r.try_get::<i64, _>("created_at")?),
                review_of: r.try_get("review_of")?,
                state: "open".into(),
                state_on: None,
                deadline: first_deadline,
            },
        );
    }
    for r in sqlx::query(
        "SELECT e.problem_id, e.to_state, e.on_date FROM problem_events e \
         JOIN problems p ON p.id = e.problem_id WHERE p.county_code = $1 AND e.at <= $2 ORDER BY e.id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let on = day_of("problem event on_date", &r.try_get::<String, _>("on_date")?)?;
        if on > w.end {
            continue;
        }
        if let Some(p) = problems.get_mut(&r.try_get::<i64, _>("problem_id")?) {
            p.state = r.try_get("to_state")?;
            p.state_on = Some(on);
        }
    }
    for r in sqlx::query(
        "SELECT id, problem_id, step, document_no, on_date, new_deadline, deduction_points \
         FROM escalations WHERE county_code = $1 AND at <= $2 ORDER BY id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let on = day_of("escalation on_date", &r.try_get::<String, _>("on_date")?)?;
        if on > w.end {
            continue;
        }
        if let Some(d) = opt_day("new_deadline", r.try_get("new_deadline")?)?
            && let Some(p) = problems.get_mut(&r.try_get::<i64, _>("problem_id")?)
        {
            p.deadline = d;
        }
        if on < w.first {
            continue;
        }
        let step = Step::parse(&r.try_get::<String, _>("step")?)
            .map_err(|e| StoreError::Corrupt(format!("escalation step: {e}")))?;
        let measure = match step.rung() {
            1 => Measure::Reminders,
            2 => Measure::Interviews,
            3 => Measure::Suspensions,
            4 => Measure::InformedCriticism,
            _ => Measure::Referrals,
        };
        let weight = if step == Step::InformedCriticism {
            r.try_get::<Option<i64>, _>("deduction_points")?
                .unwrap_or(0)
        } else {
            1
        };
        out.push(row(
            measure,
            ("escalation", r.try_get("id")?),
            r.try_get("document_no")?,
            on,
            (weight, 0),
        ));
    }
    for p in problems.into_values() {
        let closed = p.state == "closed";
        if w.holds(p.first_deadline) {
            out.push(rate(
                Measure::ProblemsRectifiedOnTime,
                ("problem", p.id),
                p.title.clone(),
                p.first_deadline,
                closed && by(p.state_on, p.first_deadline),
            ));
        }
        if w.holds(p.deadline) && p.deadline < w.end && !closed {
            out.push(event(
                Measure::ProblemsOverdue,
                ("problem", p.id),
                p.title.clone(),
                p.deadline,
            ));
        }
        if p.review_of.is_some() && w.holds(p.created_on) {
            out.push(event(
                Measure::DoubleInvestigations,
                ("problem", p.id),
                p.title,
                p.created_on,
            ));
        }
    }
    Ok(())
}

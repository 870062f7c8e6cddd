//! The reads of the household appraisal: rounds, applicants, the record of a round with what
//! blocks its next step.

use super::*;

// --- Reading --------------------------------------------------------------------------------

pub(crate) const ROUND_SELECT: &str = "SELECT r.id, r.region_code, g.name AS region_name, r.year, r.kind, r.notice_days, \
    r.township_percent, r.county_percent, r.state, r.created_by, r.created_at, \
    (SELECT COUNT(*) FROM appraisal_applicants a WHERE a.round_id = r.id) AS applicants \
    FROM appraisal_rounds r JOIN regions g ON g.code = r.region_code";

pub(crate) fn round_row(r: &DbRow) -> Result<Round> {
    Ok(Round {
        id: int(r, "id")?,
        region: code(&text(r, "region_code")?)?,
        region_name: text(r, "region_name")?,
        year: int(r, "year")?,
        kind: text(r, "kind")?,
        notice_days: int(r, "notice_days")?,
        township_percent: int(r, "township_percent")?,
        county_percent: int(r, "county_percent")?,
        state: text(r, "state")?,
        created_by: oint(r, "created_by")?,
        created_at: int(r, "created_at")?,
        applicants: int(r, "applicants")?,
    })
}

pub(crate) const APPLICANT_SELECT: &str = "SELECT a.id, a.round_id, a.household_id, a.head_name, h.id_number, h.poor, a.reason, \
    a.income_evidence, a.applied_on, a.removed_on, a.removed_reason, a.removed_cause, \
    (SELECT v.outcome FROM appraisal_votes v WHERE v.applicant_id = a.id ORDER BY v.id DESC LIMIT 1) AS vote \
    FROM appraisal_applicants a JOIN households h ON h.id = a.household_id";

pub(crate) fn applicant_row(r: &DbRow) -> Result<Applicant> {
    Ok(Applicant {
        id: int(r, "id")?,
        round_id: int(r, "round_id")?,
        household_id: int(r, "household_id")?,
        head_name: text(r, "head_name")?,
        id_number: text(r, "id_number")?,
        poor: int(r, "poor")? != 0,
        reason: text(r, "reason")?,
        income_evidence: text(r, "income_evidence")?,
        applied_on: text(r, "applied_on")?,
        removed_on: otext(r, "removed_on")?,
        removed_reason: otext(r, "removed_reason")?,
        removed_cause: otext(r, "removed_cause")?,
        vote: otext(r, "vote")?,
    })
}

pub(crate) const ENTRY_COLS: &str =
    "e.id, e.list_id, e.row_no, e.name, e.id_number, e.relation, e.of_name, e.village_code, e.note";

pub(crate) fn entry_row(r: &DbRow) -> Result<CrosscheckEntry> {
    Ok(CrosscheckEntry {
        id: int(r, "id")?,
        list_id: int(r, "list_id")?,
        row_no: int(r, "row_no")?,
        name: text(r, "name")?,
        id_number: text(r, "id_number")?,
        relation: text(r, "relation")?,
        of_name: text(r, "of_name")?,
        village: otext(r, "village_code")?,
        note: text(r, "note")?,
    })
}

/// Everything on a round's applicants' paths, and its gate, read on one connection.
pub(crate) async fn round_record_of(
    conn: &mut <DB as sqlx::Database>::Connection,
    round: Round,
    today: i64,
) -> Result<RoundRecord> {
    let id = round.id;
    let applicants = sqlx::query(AssertSqlSafe(format!(
        "{APPLICANT_SELECT} WHERE a.round_id = $1 ORDER BY a.id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(applicant_row)
    .collect::<Result<Vec<_>>>()?;
    let hits = sqlx::query(AssertSqlSafe(format!(
        "SELECT t.id AS hit_id, t.applicant_id, l.kind, t.matched_by, t.decision, t.decision_reason, t.decided_by, \
         t.decided_at, {ENTRY_COLS} FROM appraisal_hits t JOIN appraisal_applicants a ON a.id = t.applicant_id \
         JOIN crosscheck_entries e ON e.id = t.entry_id JOIN crosscheck_lists l ON l.id = e.list_id \
         WHERE a.round_id = $1 ORDER BY t.id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RoundHit {
            id: int(r, "hit_id")?,
            applicant_id: int(r, "applicant_id")?,
            kind: text(r, "kind")?,
            matched_by: text(r, "matched_by")?,
            entry: entry_row(r)?,
            decision: otext(r, "decision")?,
            decision_reason: otext(r, "decision_reason")?,
            decided_by: oint(r, "decided_by")?,
            decided_at: oint(r, "decided_at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let votes = sqlx::query(
        "SELECT v.id, v.applicant_id, v.item_id, i.meeting_id, i.title, v.outcome, i.votes_for, i.present, v.at \
         FROM appraisal_votes v JOIN appraisal_applicants a ON a.id = v.applicant_id \
         JOIN meeting_items i ON i.id = v.item_id WHERE a.round_id = $1 ORDER BY v.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RoundVote {
            id: int(r, "id")?,
            applicant_id: int(r, "applicant_id")?,
            item_id: int(r, "item_id")?,
            meeting_id: int(r, "meeting_id")?,
            item_title: text(r, "title")?,
            outcome: text(r, "outcome")?,
            votes_for: oint(r, "votes_for")?,
            present: int(r, "present")?,
            at: int(r, "at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let samples = sqlx::query(
        "SELECT id, level, seed, percent, population, sample, actor_id, at FROM appraisal_samples \
         WHERE round_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RoundSample {
            id: int(r, "id")?,
            level: text(r, "level")?,
            seed: text(r, "seed")?,
            percent: int(r, "percent")?,
            population: text(r, "population")?,
            sample: text(r, "sample")?,
            actor_id: oint(r, "actor_id")?,
            at: int(r, "at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let checks = sqlx::query(
        "SELECT c.id, c.sample_id, c.applicant_id, c.passed, c.note, c.actor_id, c.at FROM appraisal_checks c \
         JOIN appraisal_samples m ON m.id = c.sample_id WHERE m.round_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RoundCheck {
            id: int(r, "id")?,
            sample_id: int(r, "sample_id")?,
            applicant_id: int(r, "applicant_id")?,
            passed: int(r, "passed")? != 0,
            note: text(r, "note")?,
            actor_id: oint(r, "actor_id")?,
            at: int(r, "at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let steps = sqlx::query(
        "SELECT s.id, s.action, s.from_state, s.to_state, s.on_date, s.document, s.comment, s.notice_id, s.actor_id, \
         u.display_name AS actor_name, s.at FROM appraisal_steps s LEFT JOIN users u ON u.id = s.actor_id \
         WHERE s.round_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RoundStep {
            id: int(r, "id")?,
            action: text(r, "action")?,
            from_state: text(r, "from_state")?,
            to_state: text(r, "to_state")?,
            on_date: text(r, "on_date")?,
            document: text(r, "document")?,
            comment: text(r, "comment")?,
            notice_id: oint(r, "notice_id")?,
            actor_id: oint(r, "actor_id")?,
            actor_name: otext(r, "actor_name")?,
            at: int(r, "at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let objections = sqlx::query(
        "SELECT o.id, o.subject_id, o.content, o.received_on, o.answer, o.answered_at, \
         (SELECT a.id FROM appraisal_applicants a WHERE a.round_id = $1 \
          AND a.removed_cause = 'objection:' || CAST(o.id AS TEXT)) AS removed_applicant \
         FROM public_objections o WHERE o.subject_table = 'notices' AND o.subject_id IN \
         (SELECT s.notice_id FROM appraisal_steps s WHERE s.round_id = $1 AND s.notice_id IS NOT NULL) ORDER BY o.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RoundObjection {
            id: int(r, "id")?,
            notice_id: int(r, "subject_id")?,
            content: text(r, "content")?,
            received_on: text(r, "received_on")?,
            answer: otext(r, "answer")?,
            answered_at: oint(r, "answered_at")?,
            removed_applicant: oint(r, "removed_applicant")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let changes = sqlx::query(
        "SELECT id, household_id, poor, round_id, step_id, at FROM household_status_changes WHERE round_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(change_row)
    .collect::<Result<Vec<_>>>()?;
    let state = RoundState::parse(&round.state)
        .map_err(|_| StoreError::Corrupt(format!("round state {:?}", round.state)))?;
    let gate = gate_of(
        state,
        &applicants,
        &hits,
        &samples,
        &checks,
        &steps,
        &objections,
        today,
        round.notice_days,
    );
    Ok(RoundRecord {
        round,
        applicants,
        hits,
        votes,
        samples,
        checks,
        steps,
        objections,
        changes,
        gate,
    })
}

pub(crate) fn change_row(r: &DbRow) -> Result<StatusChange> {
    Ok(StatusChange {
        id: int(r, "id")?,
        household_id: int(r, "household_id")?,
        poor: int(r, "poor")? != 0,
        round_id: int(r, "round_id")?,
        step_id: int(r, "step_id")?,
        at: int(r, "at")?,
    })
}

/// The level whose sample the round's state calls for.
pub(crate) fn level_of(state: RoundState) -> Option<&'static str> {
    match state {
        RoundState::FirstNotice => Some("township"),
        RoundState::SecondNotice => Some("county"),
        _ => None,
    }
}

/// What blocks the round's next step.
#[allow(clippy::too_many_arguments)]
fn gate_of(
    state: RoundState,
    applicants: &[Applicant],
    hits: &[RoundHit],
    samples: &[RoundSample],
    checks: &[RoundCheck],
    steps: &[RoundStep],
    objections: &[RoundObjection],
    today: i64,
    notice_days: i64,
) -> RoundGate {
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let staying: Vec<&Applicant> = applicants
        .iter()
        .filter(|a| a.removed_on.is_none())
        .collect();
    let undecided = hits
        .iter()
        .filter(|h| h.decision.is_none() && staying.iter().any(|a| a.id == h.applicant_id))
        .count();
    let unvoted = staying
        .iter()
        .filter(|a| !matches!(a.vote.as_deref(), Some("passed" | "failed")))
        .count();
    let mut g = RoundGate {
        applicants: n(staying.len()),
        undecided_hits: n(undecided),
        unvoted: n(unvoted),
        ..RoundGate::default()
    };
    // The notice now up: the last step's notice, when the round is at a notice.
    if let Some(level) = level_of(state) {
        if let Some(step) = steps.last()
            && let (Some(notice), Some(from)) =
                (step.notice_id, sunledger_core::day::number(&step.on_date))
        {
            {
                let w = sunledger_core::notice::Window {
                    from,
                    days: notice_days,
                };
                g.notice_id = Some(notice);
                g.window_last_day = Some(sunledger_core::day::format(w.last_day()));
                g.window_over = today > w.last_day();
                g.unanswered = n(objections
                    .iter()
                    .filter(|o| o.notice_id == notice && o.answer.is_none())
                    .count());
            }
        }
        let since = steps.last().map(|s| s.at).unwrap_or(0);
        if let Some(s) = samples
            .iter()
            .rev()
            .find(|s| s.level == level && s.at >= since)
        {
            g.sample_drawn = true;
            g.unchecked_sample = n(s
                .sample
                .split(',')
                .filter_map(|x| x.parse::<i64>().ok())
                .filter(|id| {
                    staying.iter().any(|a| a.id == *id)
                        && !checks
                            .iter()
                            .any(|c| c.sample_id == s.id && c.applicant_id == *id)
                })
                .count());
        }
    }
    g
}

/// The round's record inside a write's transaction (for the gate).
pub(crate) async fn record_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
    today: i64,
) -> Result<RoundRecord> {
    let round = sqlx::query(AssertSqlSafe(format!("{ROUND_SELECT} WHERE r.id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("round"))?;
    let round = round_row(&round)?;
    round_record_of(tx, round, today).await
}

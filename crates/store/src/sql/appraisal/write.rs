//! The writes of a round, each one transaction that books its facts: opening, applications, the
//! steps (the cross-check when applications close, the notices, the announcement), hit decisions,
//! votes, samples and their checks, answers to objections.

use super::*;

async fn lock_round(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<Round> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM appraisal_rounds WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("round"))?;
    one_in(tx, format!("{ROUND_SELECT} WHERE r.id = $1"), id, round_row).await
}

fn state_of(r: &Round) -> Result<RoundState> {
    RoundState::parse(&r.state)
        .map_err(|_| StoreError::Corrupt(format!("round state {:?}", r.state)))
}

/// Commits and returns the round as it now stands.
async fn done(mut tx: sqlx::Transaction<'static, DB>, id: i64) -> Result<Round> {
    let out = one_in(
        &mut tx,
        format!("{ROUND_SELECT} WHERE r.id = $1"),
        id,
        round_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// The round of an applicant, locked.
async fn round_of_applicant(
    tx: &mut sqlx::Transaction<'static, DB>,
    applicant_id: i64,
) -> Result<Round> {
    let round: i64 = sqlx::query("SELECT round_id FROM appraisal_applicants WHERE id = $1")
        .bind(applicant_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("applicant"))?
        .try_get(0)?;
    lock_round(tx, round).await
}

/// Removes an applicant (once), naming the cause, and books it.
async fn remove(
    tx: &mut sqlx::Transaction<'static, DB>,
    applicant_id: i64,
    reason: &str,
    cause: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE appraisal_applicants SET removed_on = $1, removed_reason = $2, removed_cause = $3, removed_by = $4, \
         removed_at = $5 WHERE id = $6 AND removed_at IS NULL",
    )
    .bind(sunledger_core::day::today_text(now))
    .bind(reason)
    .bind(cause)
    .bind(actor)
    .bind(now)
    .bind(applicant_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(invalid(
            "applicant",
            "already_removed",
            applicant_id.to_string(),
        ));
    }
    append_later_fact(
        tx,
        "appraisal_applicants",
        applicant_id,
        "appraisal_applicant.remove",
    )
    .await
}

pub(super) async fn open(
    s: &StoreImpl,
    r: &NewRound,
    actor: Option<i64>,
    now: i64,
) -> Result<Round> {
    if r.village.level() != Level::Village {
        return Err(invalid("village", "not_a_village", r.village.as_str()));
    }
    if !(2000..=2100).contains(&r.year) {
        return Err(invalid("year", "out_of_range", r.year.to_string()));
    }
    let rules = &r.rules;
    if !(1..=30).contains(&rules.notice_days) {
        return Err(invalid(
            "notice_days",
            "out_of_range",
            rules.notice_days.to_string(),
        ));
    }
    // Practice: the township checks at least 20 %, the county at least 10 %.
    if !(20..=100).contains(&rules.township_sample_percent) {
        return Err(invalid(
            "township_percent",
            "below_the_minimum",
            rules.township_sample_percent.to_string(),
        ));
    }
    if !(10..=100).contains(&rules.county_sample_percent) {
        return Err(invalid(
            "county_percent",
            "below_the_minimum",
            rules.county_sample_percent.to_string(),
        ));
    }
    let mut tx = begin_write(&s.pool).await?;
    let known = sqlx::query("SELECT code FROM regions WHERE code = $1")
        .bind(r.village.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(invalid("village", "unknown_region", r.village.as_str()));
    }
    let row = sqlx::query(
        "INSERT INTO appraisal_rounds (county_code, region_code, year, kind, notice_days, township_percent, county_percent, \
         created_by, created_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open') RETURNING id",
    )
    .bind(r.village.county_code())
    .bind(r.village.as_str())
    .bind(r.year)
    .bind(r.kind.key())
    .bind(rules.notice_days)
    .bind(i64::from(rules.township_sample_percent))
    .bind(i64::from(rules.county_sample_percent))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "appraisal_rounds", id).await?;
    done(tx, id).await
}

pub(super) async fn apply(
    s: &StoreImpl,
    a: &NewApplicant,
    actor: Option<i64>,
    now: i64,
) -> Result<Applicant> {
    let reason = nonempty("reason", &a.reason, sunledger_core::text::REASON)?;
    let evidence = nonempty(
        "income_evidence",
        &a.income_evidence,
        sunledger_core::text::REASON,
    )?;
    let mut tx = begin_write(&s.pool).await?;
    let round = lock_round(&mut tx, a.round_id).await?;
    if state_of(&round)? != RoundState::Open {
        return Err(invalid("state", "applications_closed", round.state.clone()));
    }
    let h = sqlx::query("SELECT region_code, head_name, poor FROM households WHERE id = $1")
        .bind(a.household_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            invalid(
                "household_id",
                "unknown_household",
                a.household_id.to_string(),
            )
        })?;
    if text(&h, "region_code")? != round.region.as_str() {
        return Err(invalid(
            "household_id",
            "not_of_the_village",
            a.household_id.to_string(),
        ));
    }
    let poor = int(&h, "poor")? != 0;
    let kind = appr::RoundKind::parse(&round.kind)
        .map_err(|_| StoreError::Corrupt(format!("round kind {:?}", round.kind)))?;
    if poor == kind.poor_after() {
        let why = if poor { "already_poor" } else { "not_poor" };
        return Err(invalid("household_id", why, a.household_id.to_string()));
    }
    let row = sqlx::query(
        "INSERT INTO appraisal_applicants (county_code, round_id, household_id, head_name, reason, income_evidence, \
         applied_on, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(round.region.county_code())
    .bind(round.id)
    .bind(a.household_id)
    .bind(text(&h, "head_name")?)
    .bind(reason)
    .bind(evidence)
    .bind(sunledger_core::day::today_text(now))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "appraisal_applicants", id).await?;
    let out = one_in(
        &mut tx,
        format!("{APPLICANT_SELECT} WHERE a.id = $1"),
        id,
        applicant_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// The notice text of a round's step: the approved applicants' names and villages only.
fn notice_fields(
    rec: &RoundRecord,
    action: RoundAction,
    s: &StepInput,
) -> (String, BTreeMap<String, String>) {
    let r = &rec.round;
    let what = if r.kind == "exit" {
        "脱贫户退出"
    } else {
        "贫困户识别"
    };
    let (kind, title) = match action {
        RoundAction::PostFirstNotice => (
            "appraisal",
            format!("{}{}年{}第一次公示", r.region_name, r.year, what),
        ),
        RoundAction::PostSecondNotice => (
            "appraisal",
            format!("{}{}年{}第二次公示", r.region_name, r.year, what),
        ),
        _ => (
            "appraisal_announcement",
            format!("{}{}年{}结果公告", r.region_name, r.year, what),
        ),
    };
    let names: Vec<String> = rec
        .applicants
        .iter()
        .filter(|a| a.approved())
        .map(|a| format!("{} {}", a.head_name, r.region_name))
        .collect();
    let mut f = BTreeMap::new();
    f.insert("title".to_string(), title);
    if !s.document.trim().is_empty() {
        f.insert("document_no".to_string(), s.document.trim().to_string());
    }
    if !s.comment.trim().is_empty() {
        f.insert("body".to_string(), s.comment.trim().to_string());
    }
    f.insert(
        "channels".to_string(),
        "对公示对象有异议的，请在公示期内到村委会反映，或在本页面提出（可不留姓名）。".to_string(),
    );
    f.insert(
        "object".to_string(),
        format!("{}{}年{}对象", r.region_name, r.year, what),
    );
    if kind == "appraisal" {
        f.insert(
            "standard".to_string(),
            "国家扶贫标准及本省识别（退出）标准，经村民代表会议民主评议、村委会核实".to_string(),
        );
    }
    f.insert("result".to_string(), format!("经评议拟定{}户", names.len()));
    f.insert("beneficiaries".to_string(), names.join("\n"));
    (kind.to_string(), f)
}

pub(super) async fn step(
    s: &StoreImpl,
    round_id: i64,
    action: RoundAction,
    input: &StepInput,
    actor: Option<i64>,
    now: i64,
) -> Result<Round> {
    let document = nonempty(
        "document",
        &input.document,
        sunledger_core::text::DOCUMENT_NO,
    )?;
    let comment =
        sunledger_core::text::bounded("comment", &input.comment, sunledger_core::text::REASON)
            .map_err(rule)?;
    let today = sunledger_core::day::today(now);
    let mut tx = begin_write(&s.pool).await?;
    let round = lock_round(&mut tx, round_id).await?;
    let state = state_of(&round)?;
    let rec = record_in(&mut tx, round_id, today).await?;
    if matches!(
        action,
        RoundAction::TownshipReview | RoundAction::CountyCheck
    ) && !rec.gate.sample_drawn
    {
        // The notice's window and objections speak first; then the sample must be drawn.
        let mut g = rec.gate.core();
        g.unchecked_sample = 0;
        appr::next(state, action, &g).map_err(rule)?;
        let level = if action == RoundAction::TownshipReview {
            "township"
        } else {
            "county"
        };
        return Err(invalid("sample", "sample_not_drawn", level));
    }
    let next = appr::next(state, action, &rec.gate.core()).map_err(rule)?;
    let mut notice = None;
    if action == RoundAction::CloseApplications {
        // The cross-check: every applicant against the standing lists, every hit booked.
        for a in &rec.applicants {
            let found = lists::hits(
                &mut tx,
                round.region.county_code(),
                Some(&round.region),
                &a.head_name,
                Some(&a.id_number),
            )
            .await?;
            for h in found {
                let id: i64 = sqlx::query(
                    "INSERT INTO appraisal_hits (county_code, applicant_id, entry_id, matched_by, at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(round.region.county_code())
                .bind(a.id)
                .bind(h.entry.id)
                .bind(&h.matched_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                append_row_facts(&mut tx, "appraisal_hits", id).await?;
            }
        }
    }
    if matches!(
        action,
        RoundAction::PostFirstNotice | RoundAction::PostSecondNotice | RoundAction::Announce
    ) {
        let (kind, fields) = notice_fields(&rec, action, input);
        let id = post_in(
            &mut tx,
            &round.region,
            &kind,
            &fields,
            &format!("appraisal:{}", round.id),
            round.notice_days,
            actor,
            now,
        )
        .await?;
        notice = Some(id);
    }
    let step_id: i64 = sqlx::query(
        "INSERT INTO appraisal_steps (county_code, round_id, action, from_state, to_state, on_date, document, comment, \
         notice_id, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(round.region.county_code())
    .bind(round.id)
    .bind(action.key())
    .bind(state.key())
    .bind(next.key())
    .bind(sunledger_core::day::format(today))
    .bind(&document)
    .bind(&comment)
    .bind(notice)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    append_row_facts(&mut tx, "appraisal_steps", step_id).await?;
    sqlx::query("UPDATE appraisal_rounds SET state = $1 WHERE id = $2")
        .bind(next.key())
        .bind(round.id)
        .execute(&mut *tx)
        .await?;
    if action == RoundAction::Announce {
        // The announcement is the only cause of a change of the `poor` flag.
        let kind = appr::RoundKind::parse(&round.kind)
            .map_err(|_| StoreError::Corrupt(format!("round kind {:?}", round.kind)))?;
        let poor = i64::from(kind.poor_after());
        for a in rec.applicants.iter().filter(|a| a.approved()) {
            let id: i64 = sqlx::query(
                "INSERT INTO household_status_changes (county_code, household_id, poor, round_id, step_id, at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(round.region.county_code())
            .bind(a.household_id)
            .bind(poor)
            .bind(round.id)
            .bind(step_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            append_row_facts(&mut tx, "household_status_changes", id).await?;
            sqlx::query("UPDATE households SET poor = $1 WHERE id = $2")
                .bind(poor)
                .bind(a.household_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    done(tx, round.id).await
}

pub(super) async fn decide(
    s: &StoreImpl,
    hit_id: i64,
    decision: HitDecision,
    reason: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Round> {
    let reason = nonempty("decision_reason", reason, sunledger_core::text::REASON)?;
    let mut tx = begin_write(&s.pool).await?;
    let applicant: i64 = sqlx::query("SELECT applicant_id FROM appraisal_hits WHERE id = $1")
        .bind(hit_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("hit"))?
        .try_get(0)?;
    let round = round_of_applicant(&mut tx, applicant).await?;
    if state_of(&round)? != RoundState::CrossChecking {
        return Err(invalid("state", "not_cross_checking", round.state.clone()));
    }
    let n = sqlx::query(
        "UPDATE appraisal_hits SET decision = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $5 AND decided_at IS NULL",
    )
    .bind(decision.key())
    .bind(&reason)
    .bind(actor)
    .bind(now)
    .bind(hit_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict {
            field: "decision".into(),
        });
    }
    append_later_fact(&mut tx, "appraisal_hits", hit_id, "appraisal_hit.decide").await?;
    if decision == HitDecision::Excluded {
        let removed: Option<String> =
            sqlx::query("SELECT removed_on FROM appraisal_applicants WHERE id = $1")
                .bind(applicant)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        if removed.is_none() {
            remove(
                &mut tx,
                applicant,
                &reason,
                &format!("hit:{hit_id}"),
                actor,
                now,
            )
            .await?;
        }
    }
    done(tx, round.id).await
}

pub(super) async fn vote(
    s: &StoreImpl,
    applicant_id: i64,
    item_id: i64,
    actor: Option<i64>,
    now: i64,
) -> Result<Round> {
    let today = sunledger_core::day::today(now);
    let mut tx = begin_write(&s.pool).await?;
    let round = round_of_applicant(&mut tx, applicant_id).await?;
    if state_of(&round)? != RoundState::CrossChecking {
        return Err(invalid("state", "not_cross_checking", round.state.clone()));
    }
    let rec = record_in(&mut tx, round.id, today).await?;
    let a = rec
        .applicants
        .iter()
        .find(|a| a.id == applicant_id)
        .ok_or(StoreError::NotFound("applicant"))?;
    if a.removed_on.is_some() {
        return Err(invalid("applicant", "removed", applicant_id.to_string()));
    }
    let undecided = rec
        .hits
        .iter()
        .filter(|h| h.applicant_id == applicant_id && h.decision.is_none())
        .count();
    if undecided > 0 {
        return Err(invalid("hits", "hits_undecided", undecided.to_string()));
    }
    let item = sqlx::query(
        "SELECT i.decision, i.outcome, m.kind, m.region_code FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id \
         WHERE i.id = $1",
    )
    .bind(item_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| invalid("item_id", "unknown_item", item_id.to_string()))?;
    if text(&item, "region_code")? != round.region.as_str()
        || text(&item, "kind")? != "representatives"
        || int(&item, "decision")? == 0
    {
        return Err(invalid(
            "item_id",
            "not_a_representatives_vote_of_the_village",
            item_id.to_string(),
        ));
    }
    let outcome = otext(&item, "outcome")?.unwrap_or_default();
    if outcome == "void" {
        return Err(invalid("item_id", "vote_void", item_id.to_string()));
    }
    if outcome != "passed" && outcome != "failed" {
        return Err(invalid("item_id", "no_outcome", item_id.to_string()));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO appraisal_votes (county_code, applicant_id, item_id, outcome, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(round.region.county_code())
    .bind(applicant_id)
    .bind(item_id)
    .bind(&outcome)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    append_row_facts(&mut tx, "appraisal_votes", id).await?;
    done(tx, round.id).await
}

pub(super) async fn draw(
    s: &StoreImpl,
    round_id: i64,
    level: &str,
    seed: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Round> {
    let seed = nonempty("seed", seed, 200)?;
    let today = sunledger_core::day::today(now);
    let mut tx = begin_write(&s.pool).await?;
    let round = lock_round(&mut tx, round_id).await?;
    let state = state_of(&round)?;
    let (want, percent) = match level {
        "township" => (RoundState::FirstNotice, round.township_percent),
        "county" => (RoundState::SecondNotice, round.county_percent),
        other => return Err(invalid("level", "unknown_level", other)),
    };
    if state != want {
        return Err(invalid("state", "not_at_this_level", round.state.clone()));
    }
    let rec = record_in(&mut tx, round_id, today).await?;
    if rec.gate.sample_drawn {
        return Err(StoreError::Conflict {
            field: "sample".into(),
        });
    }
    let population: Vec<String> = rec
        .applicants
        .iter()
        .filter(|a| a.approved())
        .map(|a| a.id.to_string())
        .collect();
    let population = population.join(",");
    let sample = draw_text(&seed, round.id, level, &population, percent);
    let id: i64 = sqlx::query(
        "INSERT INTO appraisal_samples (county_code, round_id, level, seed, percent, population, sample, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(round.region.county_code())
    .bind(round.id)
    .bind(level)
    .bind(&seed)
    .bind(percent)
    .bind(&population)
    .bind(&sample)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    append_row_facts(&mut tx, "appraisal_samples", id).await?;
    done(tx, round.id).await
}

pub(super) async fn check(
    s: &StoreImpl,
    round_id: i64,
    applicant_id: i64,
    passed: bool,
    note: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Round> {
    let note = nonempty("note", note, sunledger_core::text::REASON)?;
    let today = sunledger_core::day::today(now);
    let mut tx = begin_write(&s.pool).await?;
    let round = lock_round(&mut tx, round_id).await?;
    let state = state_of(&round)?;
    let level =
        level_of(state).ok_or_else(|| invalid("state", "no_sample_now", round.state.clone()))?;
    let rec = record_in(&mut tx, round_id, today).await?;
    let since = rec.steps.last().map(|s| s.at).unwrap_or(0);
    let sample = rec
        .samples
        .iter()
        .rev()
        .find(|s| s.level == level && s.at >= since)
        .ok_or_else(|| invalid("sample", "sample_not_drawn", level))?;
    let drawn = sample
        .sample
        .split(',')
        .any(|x| x == applicant_id.to_string());
    if !drawn {
        return Err(invalid(
            "applicant_id",
            "not_in_the_sample",
            applicant_id.to_string(),
        ));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO appraisal_checks (county_code, sample_id, applicant_id, passed, note, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(round.region.county_code())
    .bind(sample.id)
    .bind(applicant_id)
    .bind(i64::from(passed))
    .bind(&note)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(classify)?
    .try_get(0)?;
    append_row_facts(&mut tx, "appraisal_checks", id).await?;
    if !passed {
        remove(
            &mut tx,
            applicant_id,
            &note,
            &format!("check:{id}"),
            actor,
            now,
        )
        .await?;
    }
    done(tx, round.id).await
}

pub(super) async fn answer(
    s: &StoreImpl,
    objection_id: i64,
    answer: &str,
    remove_applicant: Option<i64>,
    actor: Option<i64>,
    now: i64,
) -> Result<Round> {
    let answer = nonempty("answer", answer, sunledger_core::text::REASON)?;
    let mut tx = begin_write(&s.pool).await?;
    let row = sqlx::query(
        "SELECT o.answered_at, s.round_id FROM public_objections o JOIN appraisal_steps s ON s.notice_id = o.subject_id \
         WHERE o.id = $1 AND o.subject_table = 'notices'",
    )
    .bind(objection_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound("objection"))?;
    if oint(&row, "answered_at")?.is_some() {
        return Err(StoreError::Conflict {
            field: "answer".into(),
        });
    }
    let round = lock_round(&mut tx, int(&row, "round_id")?).await?;
    if let Some(a) = remove_applicant {
        let of: Option<i64> =
            sqlx::query("SELECT round_id FROM appraisal_applicants WHERE id = $1")
                .bind(a)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        if of != Some(round.id) {
            return Err(invalid(
                "remove",
                "not_an_applicant_of_the_round",
                a.to_string(),
            ));
        }
    }
    sqlx::query(
        "UPDATE public_objections SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answered_at IS NULL",
    )
    .bind(&answer)
    .bind(actor)
    .bind(now)
    .bind(objection_id)
    .execute(&mut *tx)
    .await?;
    append_later_fact(
        &mut tx,
        "public_objections",
        objection_id,
        "public_objection.answer",
    )
    .await?;
    if let Some(a) = remove_applicant {
        remove(
            &mut tx,
            a,
            &answer,
            &format!("objection:{objection_id}"),
            actor,
            now,
        )
        .await?;
    }
    done(tx, round.id).await
}

//! The writes of the supervision committee, each one transaction that books its facts:
//! electing a term (the conflict rule), a by-election, a member leaving, a posting signature.

use super::*;

/// The meeting that elects: of the village, held, quorate, a villagers' or representatives'
/// meeting. Returns its day.
pub(super) async fn electing_meeting(
    tx: &mut sqlx::Transaction<'static, DB>,
    village: &RegionCode,
    meeting_id: i64,
) -> Result<String> {
    let r =
        sqlx::query("SELECT region_code, kind, held_on, quorum_met FROM meetings WHERE id = $1")
            .bind(meeting_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| invalid("meeting_id", "unknown_reference", meeting_id.to_string()))?;
    if r.try_get::<String, _>("region_code")? != village.as_str() {
        return Err(invalid(
            "meeting_id",
            "unknown_reference",
            meeting_id.to_string(),
        ));
    }
    if r.try_get::<String, _>("kind")? == "committee" {
        return Err(invalid(
            "meeting_id",
            "meeting_cannot_elect",
            meeting_id.to_string(),
        ));
    }
    let held: Option<String> = r.try_get("held_on")?;
    let Some(held) = held else {
        return Err(invalid(
            "meeting_id",
            "meeting_not_held",
            meeting_id.to_string(),
        ));
    };
    if r.try_get::<i64, _>("quorum_met")? == 0 {
        return Err(invalid(
            "meeting_id",
            "meeting_without_quorum",
            meeting_id.to_string(),
        ));
    }
    Ok(held)
}

/// The people the conflict rule checks against: the village committee's members (the people of
/// the village's `village_committee` departments) and the cadre-relatives lists of the county
/// that cover the village.
pub(super) async fn ties(
    tx: &mut sqlx::Transaction<'static, DB>,
    village: &RegionCode,
) -> Result<Vec<Tie>> {
    let mut out: Vec<Tie> = sqlx::query(
        "SELECT pe.name FROM people pe JOIN departments d ON d.id = pe.department_id \
         WHERE d.kind = 'village_committee' AND d.region_code = $1 ORDER BY pe.id",
    )
    .bind(village.as_str())
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| {
        Ok(Tie {
            name: r.try_get(0)?,
            id_number: None,
            relation: "本人".into(),
            of_name: String::new(),
        })
    })
    .collect::<Result<_>>()?;
    out.extend(list_ties(tx, village).await?);
    Ok(out)
}

/// The rows of the standing cadre-relatives lists (imported for the household appraisal; the
/// latest list of each region) that cover the village — the same rows `crosscheck_hits` matches
/// by name: a cadre's own row (本人) and their close relatives.
pub(super) async fn list_ties(
    tx: &mut sqlx::Transaction<'static, DB>,
    village: &RegionCode,
) -> Result<Vec<Tie>> {
    sqlx::query(
        "SELECT e.name, e.id_number, e.relation, e.of_name FROM crosscheck_entries e \
         JOIN crosscheck_lists l ON l.id = e.list_id WHERE l.kind = 'cadre_relatives' AND e.county_code = $1 \
         AND l.id = (SELECT MAX(x.id) FROM crosscheck_lists x WHERE x.region_code = l.region_code AND x.kind = l.kind) \
         AND (e.village_code = $2 OR (e.village_code IS NULL AND l.region_code = $2)) ORDER BY e.id",
    )
    .bind(village.county_code())
    .bind(village.as_str())
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| {
        let id: String = r.try_get(1)?;
        Ok(Tie {
            name: r.try_get(0)?,
            id_number: Some(id).filter(|s| !s.trim().is_empty()),
            relation: r.try_get(2)?,
            of_name: r.try_get(3)?,
        })
    })
    .collect()
}

pub(super) fn candidate(m: &NewMember) -> Result<(Candidate, Option<String>)> {
    let id = match m.id_number.trim() {
        "" => None,
        s => Some(IdNumber::parse(s).map_err(rule)?.as_str().to_string()),
    };
    Ok((
        Candidate {
            name: m.name.trim().to_string(),
            id_number: id.clone(),
            chair: m.chair,
            accounting: m.accounting,
        },
        id,
    ))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_member(
    tx: &mut sqlx::Transaction<'static, DB>,
    county: &str,
    term_id: i64,
    position: i64,
    m: &NewMember,
    id_number: Option<&str>,
    started_on: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<()> {
    let name = nonempty("name", &m.name, sunledger_core::text::NAME)?;
    let skills = sunledger_core::text::bounded("skills", &m.skills, sunledger_core::text::NAME)
        .map_err(rule)?;
    if m.accounting && skills.is_empty() {
        return Err(invalid("skills", "required", name));
    }
    if let Some(p) = m.person_id {
        let found = sqlx::query("SELECT 1 FROM people WHERE id = $1 AND county_code = $2")
            .bind(p)
            .bind(county)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            return Err(invalid("person_id", "unknown_reference", p.to_string()));
        }
    }
    let row = sqlx::query(
        "INSERT INTO committee_members (county_code, term_id, position, name, id_number, person_id, chair, accounting, \
         skills, started_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         RETURNING id",
    )
    .bind(county)
    .bind(term_id)
    .bind(position)
    .bind(&name)
    .bind(id_number)
    .bind(m.person_id)
    .bind(i64::from(m.chair))
    .bind(i64::from(m.accounting))
    .bind(&skills)
    .bind(started_on)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "committee_members", id).await
}

pub(super) async fn elect(
    s: &StoreImpl,
    n: &NewTerm,
    actor: Option<i64>,
    now: i64,
) -> Result<CommitteeTerm> {
    if n.village.level() != Level::Village {
        return Err(invalid("village", "not_a_village", n.village.as_str()));
    }
    let today = sunledger_core::day::today(now);
    let slate = n
        .members
        .iter()
        .map(candidate)
        .collect::<Result<Vec<_>>>()?;
    let mut tx = begin_write(&s.pool).await?;
    let held = electing_meeting(&mut tx, &n.village, n.meeting_id).await?;
    let ties = ties(&mut tx, &n.village).await?;
    let cands: Vec<Candidate> = slate.iter().map(|(c, _)| c.clone()).collect();
    rules::check_slate(&cands, &ties, &rules::Rules::default()).map_err(rule)?;
    let elected = sunledger_core::day::number(&held)
        .ok_or_else(|| invalid("meeting_id", "meeting_not_held", held.clone()))?;
    let ends = rules::term_ends(elected, rules::Rules::default().term_years)
        .map(sunledger_core::day::format)
        .ok_or_else(|| invalid("meeting_id", "meeting_not_held", held.clone()))?;
    let later =
        sqlx::query("SELECT 1 FROM committee_terms WHERE region_code = $1 AND elected_on >= $2")
            .bind(n.village.as_str())
            .bind(&held)
            .fetch_optional(&mut *tx)
            .await?;
    if later.is_some() {
        return Err(invalid("meeting_id", "term_not_after_last", held));
    }
    let row = sqlx::query(
        "INSERT INTO committee_terms (county_code, region_code, meeting_id, elected_on, ends_on, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(n.village.county_code())
    .bind(n.village.as_str())
    .bind(n.meeting_id)
    .bind(&held)
    .bind(&ends)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "committee_terms", id).await?;
    for (pos, (m, (_, idn))) in n.members.iter().zip(&slate).enumerate() {
        let position = i64::try_from(pos).unwrap_or(i64::MAX);
        insert_member(
            &mut tx,
            n.village.county_code(),
            id,
            position,
            m,
            idn.as_deref(),
            &held,
            actor,
            now,
        )
        .await?;
    }
    let out = term_in(&mut tx, id, today).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn add(
    s: &StoreImpl,
    term_id: i64,
    meeting_id: i64,
    m: &NewMember,
    actor: Option<i64>,
    now: i64,
) -> Result<CommitteeTerm> {
    let today = sunledger_core::day::today(now);
    let (c, idn) = candidate(m)?;
    let mut tx = begin_write(&s.pool).await?;
    let t = term_in(&mut tx, term_id, today).await?;
    if !t.current {
        return Err(invalid("term_id", "term_not_sitting", term_id.to_string()));
    }
    let held = electing_meeting(&mut tx, &t.region, meeting_id).await?;
    if held < t.elected_on {
        return Err(invalid("meeting_id", "meeting_before_term", held));
    }
    let sitting: Vec<Candidate> = t
        .members
        .iter()
        .filter(|x| x.sitting)
        .map(|x| Candidate {
            name: x.name.clone(),
            id_number: None,
            chair: x.chair,
            accounting: x.accounting,
        })
        .collect();
    // Sitting members' ID numbers decide a repeat; read them (the term shows them masked).
    let mut with_ids = sitting.clone();
    for (cand, x) in with_ids
        .iter_mut()
        .zip(t.members.iter().filter(|x| x.sitting))
    {
        let r = sqlx::query("SELECT id_number FROM committee_members WHERE id = $1")
            .bind(x.id)
            .fetch_one(&mut *tx)
            .await?;
        cand.id_number = r.try_get(0)?;
    }
    let ties = ties(&mut tx, &t.region).await?;
    rules::check_addition(&c, &with_ids, &ties, &rules::Rules::default()).map_err(rule)?;
    let position = t.members.iter().map(|x| x.position + 1).max().unwrap_or(0);
    insert_member(
        &mut tx,
        t.region.county_code(),
        term_id,
        position,
        m,
        idn.as_deref(),
        &held,
        actor,
        now,
    )
    .await?;
    let out = term_in(&mut tx, term_id, today).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn end(
    s: &StoreImpl,
    member_id: i64,
    ended_on: &str,
    reason: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<CommitteeTerm> {
    let today = sunledger_core::day::today(now);
    let day = past_day("ended_on", ended_on, today)?;
    let reason = nonempty("reason", reason, sunledger_core::text::REASON)?;
    let mut tx = begin_write(&s.pool).await?;
    let r = sqlx::query(
        "SELECT cm.term_id, cm.started_on, t.county_code, (SELECT e.id FROM committee_member_ends e \
         WHERE e.member_id = cm.id) AS ended FROM committee_members cm JOIN committee_terms t ON t.id = cm.term_id \
         WHERE cm.id = $1",
    )
    .bind(member_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound("committee member"))?;
    if r.try_get::<Option<i64>, _>("ended")?.is_some() {
        return Err(invalid(
            "member_id",
            "member_already_ended",
            member_id.to_string(),
        ));
    }
    let started: String = r.try_get("started_on")?;
    let on = sunledger_core::day::format(day);
    if on < started {
        return Err(invalid("ended_on", "before_start", started));
    }
    let term_id: i64 = r.try_get("term_id")?;
    let county: String = r.try_get("county_code")?;
    let row = sqlx::query(
        "INSERT INTO committee_member_ends (county_code, member_id, ended_on, reason, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&county)
    .bind(member_id)
    .bind(&on)
    .bind(&reason)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "committee_member_ends", id).await?;
    let out = term_in(&mut tx, term_id, today).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn sign(
    s: &StoreImpl,
    member_id: i64,
    posting_id: i64,
    actor: Option<i64>,
    now: i64,
) -> Result<CommitteeSignature> {
    let (today, on) = sunledger_core::day::today_with_text(now);
    let mut tx = begin_write(&s.pool).await?;
    let r = sqlx::query("SELECT term_id FROM committee_members WHERE id = $1")
        .bind(member_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("committee member"))?;
    let t = term_in(&mut tx, r.try_get(0)?, today).await?;
    if !t.members.iter().any(|m| m.id == member_id && m.sitting) {
        return Err(invalid(
            "member_id",
            "member_not_sitting",
            member_id.to_string(),
        ));
    }
    let p = sqlx::query(
        "SELECT n.region_code FROM notice_postings p JOIN notices n ON n.id = p.notice_id WHERE p.id = $1",
    )
    .bind(posting_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| invalid("posting_id", "unknown_reference", posting_id.to_string()))?;
    if p.try_get::<String, _>(0)? != t.region.as_str() {
        return Err(invalid(
            "posting_id",
            "unknown_reference",
            posting_id.to_string(),
        ));
    }
    let dup =
        sqlx::query("SELECT 1 FROM committee_signatures WHERE member_id = $1 AND posting_id = $2")
            .bind(member_id)
            .bind(posting_id)
            .fetch_optional(&mut *tx)
            .await?;
    if dup.is_some() {
        return Err(invalid(
            "posting_id",
            "already_signed",
            posting_id.to_string(),
        ));
    }
    let row = sqlx::query(
        "INSERT INTO committee_signatures (county_code, member_id, posting_id, signed_on, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(t.region.county_code())
    .bind(member_id)
    .bind(posting_id)
    .bind(&on)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "committee_signatures", id).await?;
    let q = format!("{SIGNATURE_SELECT} WHERE s.id = $1");
    let out = sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)
        .and_then(|r| signature_row(&r))?;
    tx.commit().await?;
    Ok(out)
}

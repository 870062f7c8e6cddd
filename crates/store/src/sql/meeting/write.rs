//! The writes of village meetings, each one transaction that books its facts: calling with the
//! roster frozen, ticking attendance, items and their votes, minutes and confirmations.

use super::ballot;
use super::*;

pub(super) fn kind_of(m: &Meeting) -> Result<(MeetingKind, RosterBasis)> {
    let kind = MeetingKind::parse(&m.kind)
        .map_err(|_| StoreError::Corrupt(format!("meeting kind {:?}", m.kind)))?;
    let basis = RosterBasis::parse(&m.basis)
        .map_err(|_| StoreError::Corrupt(format!("meeting basis {:?}", m.basis)))?;
    Ok((kind, basis))
}

pub(super) async fn lock(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<Meeting> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM meetings WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("meeting"))?;
    one_in(
        tx,
        format!("{MEETING_SELECT} WHERE m.id = $1"),
        id,
        meeting_row,
    )
    .await
}

/// The meeting's quorum now: its roster and those marked present (each line's latest tick).
pub(super) async fn quorum_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    m: &Meeting,
) -> Result<rules::Quorum> {
    let (kind, basis) = kind_of(m)?;
    let roster: i64 = sqlx::query("SELECT COUNT(*) FROM meeting_roster WHERE meeting_id = $1")
        .bind(m.id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let present: i64 = sqlx::query(
        "SELECT COUNT(*) FROM meeting_roster t WHERE t.meeting_id = $1 AND (SELECT a.present FROM meeting_attendance a \
         WHERE a.roster_id = t.id ORDER BY a.id DESC LIMIT 1) = 1",
    )
    .bind(m.id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    rules::quorum(&rules::Rules::default(), kind, basis, n(roster), n(present)).map_err(rule)
}

/// Writes the derived columns of a meeting from its roster, attendance and minutes.
pub(super) async fn derive(tx: &mut sqlx::Transaction<'static, DB>, m: &Meeting) -> Result<()> {
    let q = quorum_in(tx, m).await?;
    sqlx::query(
        "UPDATE meetings SET roster_size = $1, present = $2, quorum_needed = $3, quorum_met = $4, \
         held_on = (SELECT MIN(a.on_date) FROM meeting_attendance a JOIN meeting_roster t ON t.id = a.roster_id \
         WHERE t.meeting_id = $5), \
         state = CASE WHEN EXISTS (SELECT 1 FROM meeting_attendance a JOIN meeting_roster t ON t.id = a.roster_id \
         WHERE t.meeting_id = $5) THEN 'held' ELSE 'called' END, \
         minutes_sha256 = (SELECT x.minutes_sha256 FROM meeting_minutes x WHERE x.meeting_id = $5 ORDER BY x.id DESC LIMIT 1) \
         WHERE id = $5",
    )
    .bind(i64::from(q.roster))
    .bind(i64::from(q.present))
    .bind(i64::from(q.needed))
    .bind(i64::from(q.met))
    .bind(m.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn done(mut tx: sqlx::Transaction<'static, DB>, id: i64) -> Result<Meeting> {
    let out = one_in(
        &mut tx,
        format!("{MEETING_SELECT} WHERE m.id = $1"),
        id,
        meeting_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn call(
    s: &StoreImpl,
    n: &NewMeeting,
    actor: Option<i64>,
    now: i64,
) -> Result<Meeting> {
    let title = nonempty("title", &n.title, sunledger_core::text::NAME)?;
    if n.village.level() != Level::Village {
        return Err(invalid("village", "not_a_village", n.village.as_str()));
    }
    let (today, on) = sunledger_core::day::today_with_text(now);
    let planned = sunledger_core::day::parse("planned_on", &n.planned_on).map_err(rule)?;
    rules::check_notice(&rules::Rules::default(), n.kind, today, planned).map_err(rule)?;
    let mut tx = begin_write(&s.pool).await?;
    let lines: Vec<(Option<i64>, String)> =
        if n.kind == MeetingKind::Villagers && n.basis == RosterBasis::Households {
            sqlx::query("SELECT id, head_name FROM households WHERE region_code = $1 ORDER BY id")
                .bind(n.village.as_str())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((Some(r.try_get(0)?), r.try_get(1)?)))
                .collect::<Result<_>>()?
        } else {
            n.members
                .iter()
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .map(|m| (None, m))
                .collect()
        };
    if lines.is_empty() {
        return Err(invalid("roster", "empty", ""));
    }
    for (_, name) in &lines {
        sunledger_core::text::nonempty("roster", name, sunledger_core::text::NAME).map_err(rule)?;
    }
    let row = sqlx::query(
        "INSERT INTO meetings (county_code, region_code, kind, basis, title, called_on, planned_on, named_votes, called_by, \
         called_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(n.village.county_code())
    .bind(n.village.as_str())
    .bind(n.kind.key())
    .bind(n.basis.key())
    .bind(&title)
    .bind(&on)
    .bind(sunledger_core::day::format(planned))
    .bind(i64::from(n.named_votes))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "meetings", id).await?;
    for (pos, (household, name)) in lines.iter().enumerate() {
        let row = sqlx::query(
            "INSERT INTO meeting_roster (county_code, meeting_id, position, household_id, name, at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(n.village.county_code())
        .bind(id)
        .bind(i64::try_from(pos).unwrap_or(i64::MAX))
        .bind(household)
        .bind(name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let rid: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "meeting_roster", rid).await?;
    }
    let m = lock(&mut tx, id).await?;
    derive(&mut tx, &m).await?;
    done(tx, id).await
}

pub(super) async fn roster_line(
    tx: &mut sqlx::Transaction<'static, DB>,
    meeting_id: i64,
    roster_id: i64,
) -> Result<()> {
    let found = sqlx::query("SELECT id FROM meeting_roster WHERE id = $1 AND meeting_id = $2")
        .bind(roster_id)
        .bind(meeting_id)
        .fetch_optional(&mut **tx)
        .await?;
    if found.is_none() {
        return Err(invalid(
            "roster_id",
            "unknown_reference",
            roster_id.to_string(),
        ));
    }
    Ok(())
}

pub(super) async fn attend(
    s: &StoreImpl,
    meeting_id: i64,
    lines: &[(i64, bool)],
    actor: Option<i64>,
    now: i64,
) -> Result<Meeting> {
    let (today, on) = sunledger_core::day::today_with_text(now);
    let mut tx = begin_write(&s.pool).await?;
    let m = lock(&mut tx, meeting_id).await?;
    if sunledger_core::day::number(&m.planned_on).is_some_and(|p| today < p) {
        return Err(invalid(
            "held_on",
            "before_planned_day",
            m.planned_on.clone(),
        ));
    }
    for (roster_id, present) in lines {
        roster_line(&mut tx, meeting_id, *roster_id).await?;
        let row = sqlx::query(
            "INSERT INTO meeting_attendance (county_code, roster_id, present, on_date, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(m.region.county_code())
        .bind(roster_id)
        .bind(i64::from(*present))
        .bind(&on)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "meeting_attendance", id).await?;
    }
    derive(&mut tx, &m).await?;
    done(tx, meeting_id).await
}

pub(super) async fn item(
    s: &StoreImpl,
    meeting_id: i64,
    n: &NewItem,
    actor: Option<i64>,
    now: i64,
) -> Result<MeetingItem> {
    let title = nonempty("title", &n.title, sunledger_core::text::NAME)?;
    let mut tx = begin_write(&s.pool).await?;
    let m = lock(&mut tx, meeting_id).await?;
    if m.state != "held" {
        return Err(invalid("state", "meeting_not_held", m.state.clone()));
    }
    let q = quorum_in(&mut tx, &m).await?;
    // Named-vote mode: a decision's tally is its ballots counted.
    let tally = if n.ballots.is_empty() {
        if m.named_votes && n.tally.is_some() {
            return Err(invalid("ballots", "required", ""));
        }
        n.tally
    } else {
        let t = ballot::check(&mut tx, &m, &n.ballots).await?;
        if n.tally.is_some_and(|given| given != t) {
            return Err(invalid("tally", "differs_from_ballots", ""));
        }
        Some(t)
    };
    let outcome = tally
        .map(|t| rules::decide(&rules::Rules::default(), &q, t))
        .transpose()
        .map_err(rule)?;
    if let Some(pid) = n.project_id {
        let p = lock_project(&mut tx, pid).await?;
        if p.region != m.region {
            return Err(invalid("project_id", "unknown_reference", pid.to_string()));
        }
        if tally.is_none() {
            return Err(invalid("tally", "required", ""));
        }
    }
    let position: i64 = sqlx::query("SELECT COUNT(*) FROM meeting_items WHERE meeting_id = $1")
        .bind(meeting_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let count = |f: fn(&Tally) -> u32| tally.as_ref().map(|t| i64::from(f(t)));
    let row = sqlx::query(
        "INSERT INTO meeting_items (county_code, meeting_id, position, title, decision, project_id, votes_for, \
         votes_against, votes_abstain, outcome, roster_size, present, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(m.region.county_code())
    .bind(meeting_id)
    .bind(position)
    .bind(&title)
    .bind(i64::from(tally.is_some()))
    .bind(n.project_id)
    .bind(count(|t| t.for_))
    .bind(count(|t| t.against))
    .bind(count(|t| t.abstain))
    .bind(outcome.map(Outcome::key))
    .bind(i64::from(q.roster))
    .bind(i64::from(q.present))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "meeting_items", id).await?;
    ballot::book(&mut tx, &m, id, &n.ballots, now).await?;
    let out = one_in(
        &mut tx,
        format!("SELECT {ITEM_COLS} FROM meeting_items WHERE id = $1"),
        id,
        item_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn minutes(
    s: &StoreImpl,
    meeting_id: i64,
    text: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Meeting> {
    let text = nonempty("minutes", text, sunledger_core::text::REPORT)?;
    let mut tx = begin_write(&s.pool).await?;
    let m = lock(&mut tx, meeting_id).await?;
    if m.state != "held" {
        return Err(invalid("state", "meeting_not_held", m.state.clone()));
    }
    let row = sqlx::query(
        "INSERT INTO meeting_minutes (county_code, meeting_id, minutes, minutes_sha256, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(m.region.county_code())
    .bind(meeting_id)
    .bind(&text)
    .bind(sha256_hex(text.as_bytes()))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "meeting_minutes", id).await?;
    derive(&mut tx, &m).await?;
    done(tx, meeting_id).await
}

pub(super) async fn confirm(
    s: &StoreImpl,
    meeting_id: i64,
    roster_id: i64,
    now: i64,
) -> Result<Meeting> {
    let mut tx = begin_write(&s.pool).await?;
    let m = lock(&mut tx, meeting_id).await?;
    roster_line(&mut tx, meeting_id, roster_id).await?;
    let Some(hash) = m.minutes_sha256.clone() else {
        return Err(invalid("minutes", "empty", ""));
    };
    let present: Option<i64> = sqlx::query(
        "SELECT present FROM meeting_attendance WHERE roster_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(roster_id)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    if present != Some(1) {
        return Err(invalid("roster_id", "not_present", roster_id.to_string()));
    }
    let row = sqlx::query(
        "INSERT INTO meeting_confirmations (county_code, roster_id, minutes_sha256, at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(m.region.county_code())
    .bind(roster_id)
    .bind(&hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "meeting_confirmations", id).await?;
    done(tx, meeting_id).await
}

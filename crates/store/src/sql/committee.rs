//! The village affairs supervision committee: terms elected at a village meeting, the conflict
//! rule against the village committee and the cadre-relatives list (core `committee`), members
//! who leave, signatures on the posting evidence of the village's notices.

use super::*;
use sunledger_core::committee::{self as rules, Candidate, Tie};
use sunledger_core::ids::IdNumber;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "committee_terms",
        select: "SELECT id, county_code, region_code, meeting_id, elected_on, recorded_by, recorded_at \
                 FROM committee_terms",
        build: term_facts,
        kinds: &[(
            "committee.term",
            "recorded_at",
            &["region_code", "meeting_id", "elected_on", "recorded_by"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "committee_members",
        select: "SELECT id, county_code, term_id, position, name, id_number, person_id, chair, accounting, skills, \
                 started_on, recorded_by, recorded_at FROM committee_members",
        build: member_facts,
        kinds: &[(
            "committee.member",
            "recorded_at",
            &[
                "term_id",
                "position",
                "name",
                "id_number",
                "person_id",
                "chair",
                "accounting",
                "skills",
                "started_on",
                "recorded_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "committee_member_ends",
        select: "SELECT id, county_code, member_id, ended_on, reason, recorded_by, recorded_at FROM committee_member_ends",
        build: end_facts,
        kinds: &[(
            "committee.member_end",
            "recorded_at",
            &["member_id", "ended_on", "reason", "recorded_by"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "committee_signatures",
        select: "SELECT id, county_code, member_id, posting_id, signed_on, recorded_by, recorded_at \
                 FROM committee_signatures",
        build: signature_facts,
        kinds: &[(
            "committee.signature",
            "recorded_at",
            &["member_id", "posting_id", "signed_on", "recorded_by"],
        )],
        key: Key::Id,
        versioned: false,
    },
];

const BY_TERM: &str = "LEFT JOIN committee_terms m ON m.id = t.term_id";
const BY_MEMBER: &str = "LEFT JOIN committee_members x ON x.id = t.member_id \
    LEFT JOIN committee_terms m ON m.id = x.term_id";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "committee_terms",
            "",
            "t.region_code",
            "the county of the village",
        ),
        Derived {
            table: "committee_terms",
            columns: &["ends_on"],
            rule: "the day before the term's anniversary (sunledger_core::committee::term_ends)",
            check: Check::Code(term_ends),
        },
        county(
            "committee_members",
            BY_TERM,
            "m.region_code",
            "the county of the term",
        ),
        county(
            "committee_member_ends",
            BY_MEMBER,
            "m.region_code",
            "the county of the term",
        ),
        county(
            "committee_signatures",
            BY_MEMBER,
            "m.region_code",
            "the county of the term",
        ),
    ],
    unbooked: &[],
};

fn term_ends(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query("SELECT id, elected_on, ends_on FROM committee_terms ORDER BY id")
            .fetch_all(pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let stored: String = r.try_get("ends_on")?;
            let derived = sunledger_core::day::number(&r.try_get::<String, _>("elected_on")?)
                .and_then(|d| rules::term_ends(d, rules::Rules::default().term_years))
                .map(sunledger_core::day::format)
                .unwrap_or_default();
            if stored != derived {
                out.push(Mismatch {
                    table: "committee_terms",
                    key: id.to_string(),
                    column: "ends_on",
                    stored: Some(stored),
                    derived: Some(derived),
                    rule: "the term's last day (sunledger_core::committee::term_ends)",
                    sources: format!("committee_terms {id}"),
                });
            }
        }
        Ok(out)
    })
}

fn term_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "committee.term",
            "committee_terms",
            r.try_get("id")?,
            r.try_get("recorded_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("meeting_id", r.try_get::<i64, _>("meeting_id")?)
        .field("elected_on", r.try_get::<String, _>("elected_on")?)
        .field("recorded_by", r.try_get::<Option<i64>, _>("recorded_by")?),
    ])
}

fn member_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "committee.member",
            "committee_members",
            r.try_get("id")?,
            r.try_get("recorded_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("term_id", r.try_get::<i64, _>("term_id")?)
        .field("position", r.try_get::<i64, _>("position")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("id_number", r.try_get::<Option<String>, _>("id_number")?)
        .field("person_id", r.try_get::<Option<i64>, _>("person_id")?)
        .field("chair", r.try_get::<i64, _>("chair")?)
        .field("accounting", r.try_get::<i64, _>("accounting")?)
        .field("skills", r.try_get::<String, _>("skills")?)
        .field("started_on", r.try_get::<String, _>("started_on")?)
        .field("recorded_by", r.try_get::<Option<i64>, _>("recorded_by")?),
    ])
}

fn end_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "committee.member_end",
            "committee_member_ends",
            r.try_get("id")?,
            r.try_get("recorded_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("member_id", r.try_get::<i64, _>("member_id")?)
        .field("ended_on", r.try_get::<String, _>("ended_on")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("recorded_by", r.try_get::<Option<i64>, _>("recorded_by")?),
    ])
}

fn signature_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "committee.signature",
            "committee_signatures",
            r.try_get("id")?,
            r.try_get("recorded_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("member_id", r.try_get::<i64, _>("member_id")?)
        .field("posting_id", r.try_get::<i64, _>("posting_id")?)
        .field("signed_on", r.try_get::<String, _>("signed_on")?)
        .field("recorded_by", r.try_get::<Option<i64>, _>("recorded_by")?),
    ])
}

// --- Writing --------------------------------------------------------------------------------

/// The meeting that elects: of the village, held, quorate, a villagers' or representatives'
/// meeting. Returns its day.
async fn electing_meeting(
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
async fn ties(tx: &mut sqlx::Transaction<'static, DB>, village: &RegionCode) -> Result<Vec<Tie>> {
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
async fn list_ties(
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

fn candidate(m: &NewMember) -> Result<(Candidate, Option<String>)> {
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
async fn insert_member(
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

async fn elect(s: &StoreImpl, n: &NewTerm, actor: Option<i64>, now: i64) -> Result<CommitteeTerm> {
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

async fn add(
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

async fn end(
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

async fn sign(
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

/// Whether a person sits today on the committee of `village` (an acceptance team may take them).
pub(crate) async fn sits_on_committee(
    tx: &mut sqlx::Transaction<'static, DB>,
    person_id: i64,
    village: &str,
    today: i64,
) -> Result<bool> {
    let day = sunledger_core::day::format(today);
    let r = sqlx::query(
        "SELECT 1 FROM committee_members cm JOIN committee_terms t ON t.id = cm.term_id \
         WHERE cm.person_id = $1 AND t.region_code = $2 AND t.elected_on <= $3 AND t.ends_on >= $3 \
         AND cm.started_on <= $3 \
         AND NOT EXISTS (SELECT 1 FROM committee_terms n WHERE n.region_code = t.region_code \
             AND n.elected_on > t.elected_on AND n.elected_on <= $3) \
         AND NOT EXISTS (SELECT 1 FROM committee_member_ends e WHERE e.member_id = cm.id AND e.ended_on <= $3)",
    )
    .bind(person_id)
    .bind(village)
    .bind(&day)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.is_some())
}

// --- Reading --------------------------------------------------------------------------------

const TERM_SELECT: &str = "SELECT t.id, t.region_code, r.name AS region_name, t.meeting_id, m.title AS meeting_title, \
    t.elected_on, t.ends_on, (SELECT MAX(n.elected_on) FROM committee_terms n WHERE n.region_code = t.region_code \
    AND n.elected_on <= $2) AS latest FROM committee_terms t JOIN regions r ON r.code = t.region_code \
    JOIN meetings m ON m.id = t.meeting_id";

const MEMBER_SELECT: &str = "SELECT cm.id, cm.term_id, cm.position, cm.name, cm.id_number, cm.person_id, cm.chair, \
    cm.accounting, cm.skills, cm.started_on, e.ended_on, e.reason FROM committee_members cm \
    LEFT JOIN committee_member_ends e ON e.member_id = cm.id";

const SIGNATURE_SELECT: &str = "SELECT s.id, s.member_id, cm.name, s.posting_id, p.notice_id, p.place, s.signed_on \
    FROM committee_signatures s JOIN committee_members cm ON cm.id = s.member_id \
    JOIN notice_postings p ON p.id = s.posting_id";

fn signature_row(r: &DbRow) -> Result<CommitteeSignature> {
    Ok(CommitteeSignature {
        id: r.try_get(0)?,
        member_id: r.try_get(1)?,
        member_name: r.try_get(2)?,
        posting_id: r.try_get(3)?,
        notice_id: r.try_get(4)?,
        place: r.try_get(5)?,
        signed_on: r.try_get(6)?,
    })
}

fn term_head(r: &DbRow, today: i64) -> Result<CommitteeTerm> {
    let day = sunledger_core::day::format(today);
    let elected_on: String = r.try_get("elected_on")?;
    let ends_on: String = r.try_get("ends_on")?;
    let latest: Option<String> = r.try_get("latest")?;
    let current =
        latest.as_deref() == Some(elected_on.as_str()) && elected_on <= day && day <= ends_on;
    Ok(CommitteeTerm {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        meeting_id: r.try_get("meeting_id")?,
        meeting_title: r.try_get("meeting_title")?,
        elected_on,
        ends_on,
        current,
        members: Vec::new(),
        gaps: Vec::new(),
    })
}

fn member_row(r: &DbRow, current: bool, day: &str) -> Result<CommitteeMember> {
    let id_number: Option<String> = r.try_get("id_number")?;
    let started_on: String = r.try_get("started_on")?;
    let ended_on: Option<String> = r.try_get("ended_on")?;
    let sitting =
        current && started_on.as_str() <= day && ended_on.as_deref().is_none_or(|e| e > day);
    Ok(CommitteeMember {
        id: r.try_get("id")?,
        term_id: r.try_get("term_id")?,
        position: r.try_get("position")?,
        name: r.try_get("name")?,
        id_number_masked: id_number
            .as_deref()
            .and_then(|s| IdNumber::parse(s).ok())
            .map(|i| i.masked()),
        person_id: r.try_get("person_id")?,
        chair: r.try_get::<i64, _>("chair")? != 0,
        accounting: r.try_get::<i64, _>("accounting")? != 0,
        skills: r.try_get("skills")?,
        started_on,
        ended_on,
        end_reason: r.try_get("reason")?,
        sitting,
    })
}

fn finish(t: &mut CommitteeTerm) {
    let sitting: Vec<Candidate> = t
        .members
        .iter()
        .filter(|m| m.sitting)
        .map(|m| Candidate {
            name: m.name.clone(),
            id_number: None,
            chair: m.chair,
            accounting: m.accounting,
        })
        .collect();
    t.gaps = if t.current {
        rules::gaps(&sitting, &rules::Rules::default())
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        Vec::new()
    };
}

async fn term_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
    today: i64,
) -> Result<CommitteeTerm> {
    let day = sunledger_core::day::format(today);
    let r = sqlx::query(AssertSqlSafe(format!("{TERM_SELECT} WHERE t.id = $1")))
        .bind(id)
        .bind(&day)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("committee term"))?;
    let mut t = term_head(&r, today)?;
    t.members = sqlx::query(AssertSqlSafe(format!(
        "{MEMBER_SELECT} WHERE cm.term_id = $1 ORDER BY cm.position"
    )))
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| member_row(r, t.current, &day))
    .collect::<Result<_>>()?;
    finish(&mut t);
    Ok(t)
}

async fn terms_where(
    s: &StoreImpl,
    today: i64,
    filter: impl FnOnce(&mut QueryBuilder<DB>),
) -> Result<Vec<CommitteeTerm>> {
    let day = sunledger_core::day::format(today);
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT t.id, t.region_code, r.name AS region_name, t.meeting_id, m.title AS meeting_title, t.elected_on, \
         t.ends_on, (SELECT MAX(n.elected_on) FROM committee_terms n WHERE n.region_code = t.region_code AND n.elected_on <= ",
    );
    qb.push_bind(day.clone());
    qb.push(
        ") AS latest FROM committee_terms t JOIN regions r ON r.code = t.region_code JOIN meetings m ON m.id = t.meeting_id \
         WHERE ",
    );
    filter(&mut qb);
    let mut terms: Vec<CommitteeTerm> = qb
        .build()
        .fetch_all(&s.pool)
        .await?
        .iter()
        .map(|r| term_head(r, today))
        .collect::<Result<_>>()?;
    if terms.is_empty() {
        return Ok(terms);
    }
    let mut qb: QueryBuilder<DB> =
        QueryBuilder::new(format!("{MEMBER_SELECT} WHERE cm.term_id IN ("));
    let mut sep = qb.separated(", ");
    for t in &terms {
        sep.push_bind(t.id);
    }
    qb.push(") ORDER BY cm.term_id, cm.position");
    let rows = qb.build().fetch_all(&s.pool).await?;
    for t in &mut terms {
        for r in &rows {
            if r.try_get::<i64, _>("term_id")? == t.id {
                let m = member_row(r, t.current, &day)?;
                t.members.push(m);
            }
        }
        finish(t);
    }
    Ok(terms)
}

#[async_trait]
impl CommitteeStore for StoreImpl {
    async fn elect_committee(
        &self,
        n: &NewTerm,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeTerm> {
        elect(self, n, actor, now).await
    }

    async fn add_committee_member(
        &self,
        term_id: i64,
        meeting_id: i64,
        m: &NewMember,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeTerm> {
        add(self, term_id, meeting_id, m, actor, now).await
    }

    async fn end_committee_member(
        &self,
        member_id: i64,
        ended_on: &str,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeTerm> {
        end(self, member_id, ended_on, reason, actor, now).await
    }

    async fn sign_posting(
        &self,
        member_id: i64,
        posting_id: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeSignature> {
        sign(self, member_id, posting_id, actor, now).await
    }

    async fn committee_term(&self, id: i64, today: i64) -> Result<Option<CommitteeTerm>> {
        let mut v = terms_where(self, today, |qb| {
            qb.push("t.id = ").push_bind(id);
        })
        .await?;
        Ok(v.pop())
    }

    async fn committee_member_term(
        &self,
        member_id: i64,
        today: i64,
    ) -> Result<Option<CommitteeTerm>> {
        let r = sqlx::query("SELECT term_id FROM committee_members WHERE id = $1")
            .bind(member_id)
            .fetch_optional(&self.pool)
            .await?;
        match r {
            Some(r) => self.committee_term(r.try_get(0)?, today).await,
            None => Ok(None),
        }
    }

    async fn committee_terms(
        &self,
        village: &RegionCode,
        today: i64,
    ) -> Result<Vec<CommitteeTerm>> {
        let v = village.as_str().to_string();
        terms_where(self, today, |qb| {
            qb.push("t.region_code = ")
                .push_bind(v)
                .push(" ORDER BY t.elected_on DESC, t.id DESC");
        })
        .await
    }

    async fn committees(
        &self,
        scopes: &[RegionCode],
        today: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CommitteeTerm>, i64)> {
        let latest = "NOT EXISTS (SELECT 1 FROM committee_terms n WHERE n.region_code = t.region_code \
                      AND (n.elected_on > t.elected_on OR (n.elected_on = t.elected_on AND n.id > t.id)))";
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!(
            "SELECT COUNT(*) FROM committee_terms t WHERE {latest} AND "
        ));
        push_scope_filter(&mut qb, "t.region_code", scopes);
        let total: i64 = qb.build().fetch_one(&self.pool).await?.try_get(0)?;
        let scopes = scopes.to_vec();
        let terms = terms_where(self, today, |qb| {
            qb.push(latest).push(" AND ");
            push_scope_filter(qb, "t.region_code", &scopes);
            qb.push(" ORDER BY t.region_code LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
        })
        .await?;
        Ok((terms, total))
    }

    async fn village_postings(
        &self,
        village: &RegionCode,
        limit: i64,
    ) -> Result<Vec<VillagePosting>> {
        let rows = sqlx::query(
            "SELECT p.id, p.notice_id, n.kind, p.place, p.posted_on FROM notice_postings p \
             JOIN notices n ON n.id = p.notice_id WHERE n.region_code = $1 ORDER BY p.posted_on DESC, p.id DESC LIMIT $2",
        )
        .bind(village.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let posting_id: i64 = r.try_get(0)?;
            let signatures = sqlx::query(AssertSqlSafe(format!(
                "{SIGNATURE_SELECT} WHERE s.posting_id = $1 ORDER BY s.id"
            )))
            .bind(posting_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(signature_row)
            .collect::<Result<_>>()?;
            out.push(VillagePosting {
                posting_id,
                notice_id: r.try_get(1)?,
                notice_kind: r.try_get(2)?,
                place: r.try_get(3)?,
                posted_on: r.try_get(4)?,
                signatures,
            });
        }
        Ok(out)
    }

    async fn notice_signatures(&self, notice_id: i64) -> Result<Vec<CommitteeSignature>> {
        sqlx::query(AssertSqlSafe(format!(
            "{SIGNATURE_SELECT} WHERE p.notice_id = $1 ORDER BY s.id"
        )))
        .bind(notice_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(signature_row)
        .collect()
    }
}

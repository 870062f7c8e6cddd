//! The village affairs supervision committee: terms elected at a village meeting, the conflict
//! rule against the village committee and the cadre-relatives list (core `committee`), members
//! who leave, signatures on the posting evidence of the village's notices.

use super::*;
use sunledger_core::committee::{self as rules, Candidate, Tie};
use sunledger_core::ids::IdNumber;

mod write;
use write::*;

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

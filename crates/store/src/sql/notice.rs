//! Public notices: notices and their steps, objections from anyone, postings, and the events
//! that call for a notice.

use super::*;
use sunledger_core::log::fact::sha256_hex;
use sunledger_core::notice::{self as rules, Gate, NoticeAction, NoticeState};

mod write;
pub(crate) use write::post_in;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "notices",
        select: "SELECT id, county_code, region_code, kind, fields, corrects, source, drafted_by, drafted_at, revised_at, \
                 content_sha256 FROM notices",
        build: notice_facts,
        kinds: &[(
            "notice",
            "revised_at",
            &[
                "region=region_code",
                "kind",
                "fields",
                "corrects",
                "source",
                "drafted_by",
                "drafted_at",
                // The SHA-256 of the notice's text, as printed on the board copy.
                "content_sha256",
            ],
        )],
        key: Key::Id,
        // A draft is rewritten until it is published; each version is a fact.
        versioned: true,
    },
    FactTable {
        table: "notice_events",
        select: "SELECT id, county_code, notice_id, action, from_state, to_state, on_date, window_days, actor_id, at \
                 FROM notice_events",
        build: notice_event_facts,
        kinds: &[(
            "notice.event",
            "at",
            &[
                "notice_id",
                "action",
                "from_state",
                "to_state",
                "on_date",
                "window_days",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "public_objections",
        select: "SELECT id, county_code, receipt, subject_table, subject_id, content, name, phone, received_on, received_at, \
                 answer, answered_by, answered_at FROM public_objections",
        build: public_objection_facts,
        kinds: &[
            (
                "public_objection",
                "received_at",
                &[
                    "receipt",
                    "subject_table",
                    "subject_id",
                    "content",
                    "received_on",
                    // The objector's name and phone are private: the fact holds their hash.
                    "identity_sha256=name",
                    "identity_sha256=phone",
                ],
            ),
            (
                "public_objection.answer",
                "answered_at",
                &["answer", "answered_by"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "notice_postings",
        select: "SELECT id, county_code, notice_id, place, posted_on, posted_by, photo, photo_type, recorded_by, recorded_at, \
                 confirmed_by, confirmed_at FROM notice_postings",
        build: posting_facts,
        kinds: &[
            (
                "notice.posting",
                "recorded_at",
                &[
                    "notice_id",
                    "place",
                    "posted_on",
                    "posted_by",
                    "photo_sha256=photo",
                    "photo_type",
                    "recorded_by",
                ],
            ),
            ("notice.posting.confirm", "confirmed_at", &["confirmed_by"]),
        ],
        key: Key::Id,
        versioned: false,
    },
];

const BY_NOTICE: &str = "LEFT JOIN notices n ON n.id = t.notice_id";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "notices",
            "",
            "t.region_code",
            "the first six digits of the notice's region",
        ),
        Derived {
            table: "notices",
            columns: &["state", "published_on", "window_days"],
            rule: "the notice's steps: the last one's state (else draft); the day it was published and the window \
                   booked with that step",
            check: Check::Sql(
                "SELECT CAST(n.id AS TEXT), n.state, COALESCE((SELECT e.to_state FROM notice_events e WHERE e.notice_id = n.id \
                 ORDER BY e.id DESC LIMIT 1), 'draft'), n.published_on, (SELECT e.on_date FROM notice_events e \
                 WHERE e.notice_id = n.id AND e.action = 'publish' ORDER BY e.id LIMIT 1), CAST(n.window_days AS TEXT), \
                 (SELECT CAST(e.window_days AS TEXT) FROM notice_events e WHERE e.notice_id = n.id AND e.action = 'publish' \
                 ORDER BY e.id LIMIT 1) FROM notices n",
            ),
        },
        Derived {
            table: "notices",
            columns: &["content_sha256"],
            rule: "SHA-256 of the notice's content text: its kind, region, the notice it corrects and its fields \
                   (sunledger_core::notice::content_text)",
            check: Check::Code(content_hashes),
        },
        county(
            "notice_events",
            BY_NOTICE,
            "n.region_code",
            "the county of the notice",
        ),
        county(
            "public_objections",
            "LEFT JOIN notices n ON t.subject_table = 'notices' AND n.id = t.subject_id \
             LEFT JOIN projects p ON t.subject_table = 'projects' AND p.id = t.subject_id",
            "COALESCE(n.region_code, p.region_code)",
            "the county of the notice or project objected to",
        ),
        county(
            "notice_postings",
            BY_NOTICE,
            "n.region_code",
            "the county of the notice",
        ),
        Derived {
            table: "notice_postings",
            columns: &["photo_sha256"],
            rule: "SHA-256 of the photo's bytes",
            check: Check::Code(photo_hashes),
        },
    ],
    unbooked: &[],
};

pub(crate) const NOTICE_SELECT: &str = "SELECT n.id, n.region_code, r.name AS region_name, n.kind, n.fields, n.corrects, \
    (SELECT MIN(c.id) FROM notices c WHERE c.corrects = n.id AND c.state <> 'draft') AS corrected_by, n.source, n.state, \
    n.published_on, n.window_days, n.content_sha256, n.drafted_by, n.drafted_at FROM notices n \
    JOIN regions r ON r.code = n.region_code";

pub(crate) const OBJECTION_SELECT: &str = "SELECT o.id, o.receipt, o.subject_table, o.subject_id, \
    COALESCE(n.fields, '') AS notice_fields, COALESCE(p.name, '') AS project_name, \
    COALESCE(n.region_code, p.region_code) AS region_code, o.content, o.name, o.phone, o.received_on, o.received_at, \
    o.answer, o.answered_by, o.answered_at FROM public_objections o \
    LEFT JOIN notices n ON o.subject_table = 'notices' AND n.id = o.subject_id \
    LEFT JOIN projects p ON o.subject_table = 'projects' AND p.id = o.subject_id";

pub(crate) const POSTING_SELECT: &str = "SELECT s.id, s.notice_id, s.place, s.posted_on, s.posted_by, s.photo_type, \
    s.photo_sha256, s.recorded_by, s.recorded_at, s.confirmed_by, u.display_name AS confirmed_by_name, s.confirmed_at \
    FROM notice_postings s LEFT JOIN users u ON u.id = s.confirmed_by";

fn fields_of(json: &str) -> Result<BTreeMap<String, String>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("notice fields: {e}")))
}

pub(crate) fn notice_row(r: &DbRow) -> Result<Notice> {
    Ok(Notice {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        kind: r.try_get("kind")?,
        fields: fields_of(&r.try_get::<String, _>("fields")?)?,
        corrects: r.try_get("corrects")?,
        corrected_by: r.try_get("corrected_by")?,
        source: r.try_get("source")?,
        state: r.try_get("state")?,
        published_on: r.try_get("published_on")?,
        window_days: r.try_get("window_days")?,
        content_sha256: r.try_get("content_sha256")?,
        drafted_by: r.try_get("drafted_by")?,
        drafted_at: r.try_get("drafted_at")?,
    })
}

pub(crate) fn public_objection_row(r: &DbRow) -> Result<PublicObjection> {
    let subject_table: String = r.try_get("subject_table")?;
    let subject_title = if subject_table == "notices" {
        let f = fields_of(&r.try_get::<String, _>("notice_fields")?)?;
        f.get("title").cloned().unwrap_or_default()
    } else {
        r.try_get("project_name")?
    };
    Ok(PublicObjection {
        id: r.try_get("id")?,
        receipt: r.try_get("receipt")?,
        subject_table,
        subject_id: r.try_get("subject_id")?,
        subject_title,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        content: r.try_get("content")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        received_on: r.try_get("received_on")?,
        received_at: r.try_get("received_at")?,
        answer: r.try_get("answer")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
    })
}

pub(crate) fn posting_row(r: &DbRow) -> Result<Posting> {
    Ok(Posting {
        id: r.try_get("id")?,
        notice_id: r.try_get("notice_id")?,
        place: r.try_get("place")?,
        posted_on: r.try_get("posted_on")?,
        posted_by: r.try_get("posted_by")?,
        photo_type: r.try_get("photo_type")?,
        photo_sha256: r.try_get("photo_sha256")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        confirmed_by: r.try_get("confirmed_by")?,
        confirmed_by_name: r.try_get("confirmed_by_name")?,
        confirmed_at: r.try_get("confirmed_at")?,
    })
}

fn notice_event_row(r: &DbRow) -> Result<NoticeEvent> {
    Ok(NoticeEvent {
        id: r.try_get("id")?,
        notice_id: r.try_get("notice_id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        on_date: r.try_get("on_date")?,
        window_days: r.try_get("window_days")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

pub(crate) fn notice_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "notice",
            "notices",
            r.try_get("id")?,
            r.try_get("revised_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("kind", r.try_get::<String, _>("kind")?)
        .field("fields", r.try_get::<String, _>("fields")?)
        .field("corrects", r.try_get::<Option<i64>, _>("corrects")?)
        .field("source", r.try_get::<Option<String>, _>("source")?)
        .field("drafted_by", r.try_get::<Option<i64>, _>("drafted_by")?)
        .field("drafted_at", r.try_get::<i64, _>("drafted_at")?),
    ])
}

pub(crate) fn notice_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "notice.event",
            "notice_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("notice_id", r.try_get::<i64, _>("notice_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("window_days", r.try_get::<Option<i64>, _>("window_days")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

/// The hash of an objector's name and phone (either may be absent): the log keeps who objected
/// checkable without publishing it.
pub(crate) fn identity_hash(name: Option<&str>, phone: Option<&str>) -> Option<String> {
    if name.is_none() && phone.is_none() {
        return None;
    }
    let text = serde_json::json!([name, phone]).to_string();
    Some(sha256_hex(text.as_bytes()))
}

pub(crate) fn public_objection_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county: String = r.try_get("county_code")?;
    let name: Option<String> = r.try_get("name")?;
    let phone: Option<String> = r.try_get("phone")?;
    let mut out = vec![
        Fact::new(
            "public_objection",
            "public_objections",
            id,
            r.try_get("received_at")?,
        )
        .county(Some(county.clone()))
        .field("receipt", r.try_get::<String, _>("receipt")?)
        .field("subject_table", r.try_get::<String, _>("subject_table")?)
        .field("subject_id", r.try_get::<i64, _>("subject_id")?)
        .field("content", r.try_get::<String, _>("content")?)
        .field("received_on", r.try_get::<String, _>("received_on")?)
        .field(
            "identity_sha256",
            identity_hash(name.as_deref(), phone.as_deref()),
        ),
    ];
    let answer: Option<String> = r.try_get("answer")?;
    let answered_by: Option<i64> = r.try_get("answered_by")?;
    if let Some(at) = later(
        r.try_get("answered_at")?,
        &[answer.is_some(), answered_by.is_some()],
    ) {
        out.push(
            Fact::new("public_objection.answer", "public_objections", id, at)
                .county(Some(county))
                .field("answer", answer)
                .field("answered_by", answered_by),
        );
    }
    Ok(out)
}

pub(crate) fn posting_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county: String = r.try_get("county_code")?;
    let photo: Vec<u8> = r.try_get("photo")?;
    let mut out = vec![
        Fact::new(
            "notice.posting",
            "notice_postings",
            id,
            r.try_get("recorded_at")?,
        )
        .county(Some(county.clone()))
        .field("notice_id", r.try_get::<i64, _>("notice_id")?)
        .field("place", r.try_get::<String, _>("place")?)
        .field("posted_on", r.try_get::<String, _>("posted_on")?)
        .field("posted_by", r.try_get::<String, _>("posted_by")?)
        .field("photo_sha256", sha256_hex(&photo))
        .field("photo_type", r.try_get::<String, _>("photo_type")?)
        .field("recorded_by", r.try_get::<Option<i64>, _>("recorded_by")?),
    ];
    let by: Option<i64> = r.try_get("confirmed_by")?;
    if let Some(at) = later(r.try_get("confirmed_at")?, &[by.is_some()]) {
        out.push(
            Fact::new("notice.posting.confirm", "notice_postings", id, at)
                .county(Some(county))
                .field("confirmed_by", by),
        );
    }
    Ok(out)
}

fn content_hashes(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query(
            "SELECT id, kind, region_code, corrects, fields, content_sha256 FROM notices ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let stored: String = r.try_get("content_sha256")?;
            let derived = content_sha256(
                &r.try_get::<String, _>("kind")?,
                &r.try_get::<String, _>("region_code")?,
                r.try_get("corrects")?,
                &r.try_get::<String, _>("fields")?,
            );
            if stored != derived {
                out.push(Mismatch {
                    table: "notices",
                    key: id.to_string(),
                    column: "content_sha256",
                    stored: Some(stored),
                    derived: Some(derived),
                    rule: "SHA-256 of the notice's content text",
                    sources: format!("notices {id}"),
                });
            }
        }
        Ok(out)
    })
}

fn photo_hashes(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query("SELECT id, photo, photo_sha256 FROM notice_postings ORDER BY id")
            .fetch_all(pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let stored: String = r.try_get("photo_sha256")?;
            let derived = sha256_hex(&r.try_get::<Vec<u8>, _>("photo")?);
            if stored != derived {
                out.push(Mismatch {
                    table: "notice_postings",
                    key: id.to_string(),
                    column: "photo_sha256",
                    stored: Some(stored),
                    derived: Some(derived),
                    rule: "SHA-256 of the photo's bytes",
                    sources: format!("notice_postings {id}"),
                });
            }
        }
        Ok(out)
    })
}

/// The content hash of a notice's columns (a text that is not valid JSON hashes as itself, so a
/// damaged row still shows a mismatch).
pub(crate) fn content_sha256(
    kind: &str,
    region: &str,
    corrects: Option<i64>,
    fields_json: &str,
) -> String {
    let fields = rules::Fields::from_json(fields_json);
    match fields {
        Some(f) => sha256_hex(rules::content_text(kind, region, corrects, &f).as_bytes()),
        None => sha256_hex(fields_json.as_bytes()),
    }
}

/// The number of objections from the public to a project under notice not yet answered (they
/// block the county's approval like the ones the township records).
pub(crate) async fn unanswered_on_project(
    tx: &mut sqlx::Transaction<'static, DB>,
    project_id: i64,
) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM public_objections WHERE subject_table = 'projects' AND subject_id = $1 AND answered_at IS NULL",
    )
    .bind(project_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?)
}

/// What steps of a notice depend on, read inside the transaction.
pub(crate) async fn gate_of(
    tx: &mut sqlx::Transaction<'static, DB>,
    n: &Notice,
    today: i64,
) -> Result<Gate> {
    let rule = rules::kind(&n.kind).map_err(rule)?;
    let fields = rules::Fields(n.fields.clone());
    let unanswered: i64 = sqlx::query(
        "SELECT COUNT(*) FROM public_objections WHERE subject_table = 'notices' AND subject_id = $1 AND answered_at IS NULL",
    )
    .bind(n.id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok(Gate {
        today,
        missing: rule.missing(&fields),
        window: n.window(),
        unanswered: u32::try_from(unanswered).unwrap_or(u32::MAX),
    })
}

pub(crate) fn notice_state(n: &Notice) -> Result<NoticeState> {
    NoticeState::parse(&n.state)
        .map_err(|_| StoreError::Corrupt(format!("notice state {:?}", n.state)))
}

#[async_trait]
impl NoticeStore for StoreImpl {
    async fn draft_notice(&self, n: &NewNotice, actor: Option<i64>, now: i64) -> Result<Notice> {
        write::draft(self, n, actor, now).await
    }

    async fn edit_notice(
        &self,
        id: i64,
        fields: &BTreeMap<String, String>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Notice> {
        write::edit(self, id, fields, actor, now).await
    }

    async fn notice_action(
        &self,
        id: i64,
        action: NoticeAction,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Notice> {
        write::step(self, id, action, actor, now).await
    }

    async fn notice(&self, id: i64) -> Result<Option<NoticeRecord>> {
        let Some(notice) = self
            .one_by_id(format!("{NOTICE_SELECT} WHERE n.id = $1"), id, notice_row)
            .await?
        else {
            return Ok(None);
        };
        let events = sqlx::query(
            "SELECT id, notice_id, action, from_state, to_state, on_date, window_days, actor_id, at FROM notice_events \
             WHERE notice_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(notice_event_row)
        .collect::<Result<Vec<_>>>()?;
        let objections = sqlx::query(AssertSqlSafe(format!(
            "{OBJECTION_SELECT} WHERE o.subject_table = 'notices' AND o.subject_id = $1 ORDER BY o.id"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(public_objection_row)
        .collect::<Result<Vec<_>>>()?;
        let postings = sqlx::query(AssertSqlSafe(format!(
            "{POSTING_SELECT} WHERE s.notice_id = $1 ORDER BY s.id"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(posting_row)
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(NoticeRecord {
            notice,
            events,
            objections,
            postings,
        }))
    }

    async fn notices(
        &self,
        f: &NoticeFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Notice>, i64)> {
        fn filter(qb: &mut QueryBuilder<DB>, f: &NoticeFilter) {
            qb.push(" WHERE ");
            if f.everywhere {
                qb.push("1 = 1");
            } else {
                push_scope_filter(qb, "n.region_code", &f.scopes);
            }
            if let Some(k) = &f.kind {
                qb.push(" AND n.kind = ").push_bind(k.clone());
            }
            if let Some(s) = &f.state {
                qb.push(" AND n.state = ").push_bind(s.clone());
            }
            if f.public_only {
                qb.push(" AND n.state <> 'draft'");
            }
            if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let like = format!("%{}%", like_escape(q));
                qb.push(" AND n.fields LIKE ")
                    .push_bind(like)
                    .push(" ESCAPE '\\'");
            }
        }
        let mut count: QueryBuilder<DB> = QueryBuilder::new("SELECT COUNT(*) FROM notices n");
        filter(&mut count, f);
        let total: i64 = count.build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(NOTICE_SELECT);
        filter(&mut qb, f);
        qb.push(" ORDER BY COALESCE(n.published_on, '9999') DESC, n.id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok((rows.iter().map(notice_row).collect::<Result<_>>()?, total))
    }

    async fn object(&self, o: &NewObjection, now: i64) -> Result<PublicObjection> {
        write::object(self, o, now).await
    }

    async fn answer_public_objection(
        &self,
        id: i64,
        answer: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<PublicObjection> {
        write::answer(self, id, answer, actor, now).await
    }

    async fn objection_by_receipt(&self, receipt: &str) -> Result<Option<PublicObjection>> {
        sqlx::query(AssertSqlSafe(format!(
            "{OBJECTION_SELECT} WHERE o.receipt = $1"
        )))
        .bind(receipt)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(public_objection_row)
        .transpose()
    }

    async fn public_objection(&self, id: i64) -> Result<Option<PublicObjection>> {
        self.one_by_id(
            format!("{OBJECTION_SELECT} WHERE o.id = $1"),
            id,
            public_objection_row,
        )
        .await
    }

    async fn objections_awaiting(&self, scopes: &[RegionCode]) -> Result<Vec<PublicObjection>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(OBJECTION_SELECT);
        qb.push(" WHERE o.answered_at IS NULL AND ");
        push_scope_filter(&mut qb, "COALESCE(n.region_code, p.region_code)", scopes);
        qb.push(" ORDER BY o.id LIMIT 500");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(public_objection_row)
            .collect()
    }

    async fn record_posting(
        &self,
        p: &NewPosting,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Posting> {
        write::posting(self, p, actor, now).await
    }

    async fn confirm_posting(&self, id: i64, actor: Option<i64>, now: i64) -> Result<Posting> {
        write::confirm(self, id, actor, now).await
    }

    async fn posting_photo(&self, id: i64) -> Result<Option<(String, Vec<u8>)>> {
        sqlx::query("SELECT photo_type, photo FROM notice_postings WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
    }

    async fn notice_dues(&self, scopes: &[RegionCode]) -> Result<Vec<DueEvent>> {
        let mut out = Vec::new();
        for (kind, select, region) in DUE_SOURCES {
            let mut qb: QueryBuilder<DB> = QueryBuilder::new("");
            push_due_events(&mut qb, (kind, select, region), scopes);
            for r in qb.build().fetch_all(&self.pool).await? {
                out.push(due_event_row(&r, kind)?);
            }
        }
        // The notice answering each: the first published one, else the latest draft.
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT n.id, n.kind, n.source, n.state, n.published_on FROM notices n WHERE n.source IS NOT NULL AND ",
        );
        push_scope_filter(&mut qb, "n.region_code", scopes);
        qb.push(" ORDER BY n.id");
        let mut answers: HashMap<(String, String), (i64, String, Option<String>)> = HashMap::new();
        for r in qb.build().fetch_all(&self.pool).await? {
            let key = (r.try_get::<String, _>("kind")?, r.try_get("source")?);
            let state: String = r.try_get("state")?;
            let published: Option<String> = r.try_get("published_on")?;
            if answers.get(&key).is_none_or(|(_, s, _)| s == "draft") {
                answers.insert(key, (r.try_get("id")?, state, published));
            }
        }
        for d in &mut out {
            if let Some((id, state, published)) = answers.get(&(d.kind.clone(), d.source.clone())) {
                d.notice_id = Some(*id);
                d.notice_state = Some(state.clone());
                d.published_on = published.clone();
            }
        }
        out.sort_by(|a, b| a.event_on.cmp(&b.event_on).then(a.source.cmp(&b.source)));
        Ok(out)
    }

    async fn notice_due_tally(&self, scopes: &[RegionCode]) -> Result<Vec<DueTally>> {
        let mut out = Vec::new();
        for (kind, select, region) in DUE_SOURCES {
            let mut qb: QueryBuilder<DB> =
                QueryBuilder::new("SELECT d.event_on, d.published_on, COUNT(*) AS n FROM ");
            push_due_source(&mut qb, (kind, select, region), scopes);
            qb.push(" GROUP BY d.event_on, d.published_on");
            for r in qb.build().fetch_all(&self.pool).await? {
                out.push(DueTally {
                    kind: (*kind).to_string(),
                    event_on: r.try_get("event_on")?,
                    published_on: r.try_get("published_on")?,
                    count: r.try_get("n")?,
                });
            }
        }
        Ok(out)
    }

    async fn notice_dues_open(
        &self,
        scopes: &[RegionCode],
        kind: &str,
        until: &str,
        limit: i64,
    ) -> Result<Vec<DueEvent>> {
        let Some(source) = DUE_SOURCES.iter().find(|(k, _, _)| *k == kind) else {
            return Ok(Vec::new());
        };
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT d.source, d.region_code, d.region_name, d.event_on, d.label, d.amount_fen FROM ",
        );
        push_due_source(&mut qb, *source, scopes);
        qb.push(" WHERE d.published_on IS NULL AND d.event_on <= ")
            .push_bind(until.to_string())
            .push(" ORDER BY d.event_on, d.source LIMIT ")
            .push_bind(limit);
        let rows = qb.build().fetch_all(&self.pool).await?;
        let mut out = rows
            .iter()
            .map(|r| due_event_row(r, kind))
            .collect::<Result<Vec<_>>>()?;
        // The notice answering each, as `notice_dues` picks it: the first that is not a draft,
        // else the latest draft (the events are few).
        for d in &mut out {
            let row = sqlx::query(
                "SELECT id, state FROM notices WHERE source = $1 AND kind = $2 \
                 ORDER BY CASE WHEN state <> 'draft' THEN 0 ELSE 1 END, CASE WHEN state <> 'draft' THEN id ELSE -id END LIMIT 1",
            )
            .bind(d.source.as_str())
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(r) = row {
                d.notice_id = Some(r.try_get("id")?);
                d.notice_state = Some(r.try_get("state")?);
            }
        }
        Ok(out)
    }
}

/// The scopes' subtrees on `region` and on the `county_code` column of the same table, so that
/// the `(county_code, region_code)` indexes bound the scan (a condition on the region code alone
/// reads every row of the table).
fn push_county_scope(qb: &mut QueryBuilder<DB>, region: &str, scopes: &[RegionCode]) {
    let county = region.replace("region_code", "county_code");
    qb.push("(");
    if scopes.is_empty() {
        qb.push("1 = 0");
    }
    for (i, s) in scopes.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        let (clo, chi, lo, hi) = subtree_bounds(s);
        qb.push(format!("({county} >= "))
            .push_bind(clo)
            .push(format!(" AND {county} <= "))
            .push_bind(chi)
            .push(format!(" AND {region} >= "))
            .push_bind(lo)
            .push(format!(" AND {region} <= "))
            .push_bind(hi)
            .push(")");
    }
    qb.push(")");
}

/// The events of one source of `DUE_SOURCES` in the scopes, as a subquery `d` with `source`,
/// `region_code`, `region_name`, `event_on`, `label`, `amount_fen` and `published_on`: the day
/// the answering notice (the first that is not a draft, as `notice_dues` picks it) was published.
fn push_due_source(
    qb: &mut QueryBuilder<DB>,
    (kind, select, region): (&str, &str, &str),
    scopes: &[RegionCode],
) {
    qb.push("(SELECT e.*, (SELECT n.published_on FROM notices n WHERE n.source = e.source AND n.kind = ")
        .push_bind(kind.to_string())
        .push(" AND n.state <> 'draft' ORDER BY n.id LIMIT 1) AS published_on FROM (");
    push_due_events(qb, (kind, select, region), scopes);
    qb.push(") e) d");
}

/// The events of one source of `DUE_SOURCES` in the scopes (its query, bounded to them).
fn push_due_events(
    qb: &mut QueryBuilder<DB>,
    (kind, select, region): (&str, &str, &str),
    scopes: &[RegionCode],
) {
    qb.push(select).push(" AND ");
    push_county_scope(qb, region, scopes);
    if kind.starts_with("project") || kind == "acceptance" {
        qb.push(" GROUP BY p.id, p.region_code, r.name, p.name, p.budget_total");
    }
}

/// A due event of `kind` from a row of `push_due_events`' columns (its notice filled later).
fn due_event_row(r: &DbRow, kind: &str) -> Result<DueEvent> {
    Ok(DueEvent {
        kind: kind.to_string(),
        source: r.try_get("source")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        event_on: r.try_get("event_on")?,
        label: r.try_get("label")?,
        amount_fen: r.try_get("amount_fen")?,
        notice_id: None,
        notice_state: None,
        published_on: None,
    })
}

/// The events that call for a notice: its kind, the query (to which a scope filter on the
/// region column is added) and that column.
const DUE_SOURCES: &[(&str, &str, &str)] = &[
    (
        "fund_allocation",
        "SELECT 'transfer:' || CAST(t.id AS TEXT) AS source, a.region_code, r.name AS region_name, t.booked_on AS event_on, \
         f.name AS label, t.amount AS amount_fen FROM transfers t JOIN ledger_accounts a ON a.id = t.to_account \
         JOIN funds f ON f.id = t.fund_id JOIN regions r ON r.code = a.region_code \
         WHERE t.kind IN ('appropriate', 'arrange') AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.reverses = t.id)",
        "a.region_code",
    ),
    (
        "project_plan",
        "SELECT 'project:' || CAST(p.id AS TEXT) AS source, p.region_code, r.name AS region_name, MIN(e.on_date) AS event_on, \
         p.name AS label, p.budget_total AS amount_fen FROM project_events e JOIN projects p ON p.id = e.project_id \
         JOIN regions r ON r.code = p.region_code WHERE e.action = 'county_approve'",
        "p.region_code",
    ),
    (
        "acceptance",
        // Book 4: the team's signatures complete, the result is posted before the acceptance.
        "SELECT 'project:' || CAST(p.id AS TEXT) AS source, p.region_code, r.name AS region_name, MIN(e.on_date) AS event_on, \
         p.name AS label, p.budget_total AS amount_fen FROM acceptance_events e JOIN acceptances a ON a.id = e.acceptance_id \
         JOIN projects p ON p.id = a.project_id JOIN regions r ON r.code = p.region_code WHERE e.action = 'complete_signing'",
        "p.region_code",
    ),
];

/// `s` with LIKE's wildcards and escape character escaped (for `ESCAPE '\'`).
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

//! Complaints and reports from the masses: filing (routed by core `complaint::route`), the steps
//! of their handling, publication without the complainant, and how `verify` replays them.

use super::*;
use sunledger_core::complaint::{self as rules, ComplaintAction, ComplaintCategory, HandlerUnit};
use sunledger_core::log::fact::sha256_hex;

mod write;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "complaints",
        select: "SELECT id, county_code, code, pin_hash, channel, category, region_code, project_id, fund_text, \
                 accused_text, accused_region, title, body, anonymous, name, contact, consent, received_on, intake_by, \
                 received_at FROM complaints",
        build: complaint_facts,
        kinds: &[(
            "complaint.received",
            "received_at",
            &[
                "code",
                "pin_sha256=pin_hash",
                "channel",
                "category",
                "region_code",
                "project_id",
                "fund_text",
                "accused_text",
                "accused_region",
                "title",
                "body",
                "anonymous",
                "name",
                "contact",
                "consent",
                "received_on",
                "intake_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "complaint_events",
        select: "SELECT id, county_code, complaint_id, action, from_state, to_state, text, finding, handler_region, \
                 handler_unit, merged_into, problem_id, on_date, by_complainant, actor_id, at FROM complaint_events",
        build: event_facts,
        kinds: &[(
            "complaint.step",
            "at",
            &[
                "complaint_id",
                "action",
                "from_state",
                "to_state",
                "text",
                "finding",
                "handler_region",
                "handler_unit",
                "merged_into",
                "problem_id",
                "on_date",
                "by_complainant",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "complaint_files",
        select: "SELECT id, county_code, complaint_id, position, name, mime, size, content, at FROM complaint_files",
        build: file_facts,
        kinds: &[(
            "complaint.file",
            "at",
            &[
                "complaint_id",
                "position",
                "name",
                "mime",
                "size",
                "sha256=content",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "complaint_publications",
        select: "SELECT id, county_code, complaint_id, basis, reason, found, done, published_on, actor_id, at \
                 FROM complaint_publications",
        build: publication_facts,
        kinds: &[(
            "complaint.publication",
            "at",
            &[
                "complaint_id",
                "basis",
                "reason",
                "found",
                "done",
                "published_on",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

const BY_COMPLAINT: &str = "LEFT JOIN complaints c ON c.id = t.complaint_id";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "complaints",
            "",
            "t.region_code",
            "the county of the region complained about",
        ),
        Derived {
            table: "complaints",
            columns: &["state", "merged_into", "finding", "problem_id", "published"],
            rule: "the complaint's steps: the last one's state (else received), the complaint the last merge named, \
                   the latest answer's finding, the problem an answer opened (not an escalation's); published when it has a publication",
            check: Check::Sql(
                "SELECT CAST(c.id AS TEXT), c.state, COALESCE((SELECT x.to_state FROM complaint_events x \
                 WHERE x.complaint_id = c.id ORDER BY x.id DESC LIMIT 1), 'received'), \
                 CAST(c.merged_into AS TEXT), (SELECT CAST(x.merged_into AS TEXT) FROM complaint_events x \
                 WHERE x.complaint_id = c.id AND x.merged_into IS NOT NULL ORDER BY x.id DESC LIMIT 1), \
                 c.finding, (SELECT x.finding FROM complaint_events x WHERE x.complaint_id = c.id \
                 AND x.finding IS NOT NULL ORDER BY x.id DESC LIMIT 1), \
                 CAST(c.problem_id AS TEXT), (SELECT CAST(x.problem_id AS TEXT) FROM complaint_events x \
                 WHERE x.complaint_id = c.id AND x.problem_id IS NOT NULL AND x.action <> 'escalate' ORDER BY x.id LIMIT 1), \
                 CAST(c.published AS TEXT), CASE WHEN EXISTS (SELECT 1 FROM complaint_publications p \
                 WHERE p.complaint_id = c.id) THEN '1' ELSE '0' END FROM complaints c",
            ),
        },
        Derived {
            table: "complaints",
            columns: &["handler_region", "handler_unit"],
            rule: "the routing of its region, category and accused (sunledger_core::complaint::route), then each \
                   transfer, review and re-review",
            check: Check::Code(handlers),
        },
        county(
            "complaint_events",
            BY_COMPLAINT,
            "c.region_code",
            "the county of the complaint",
        ),
        county(
            "complaint_files",
            BY_COMPLAINT,
            "c.region_code",
            "the county of the complaint",
        ),
        Derived {
            table: "complaint_files",
            columns: &["sha256"],
            rule: "SHA-256 of the file's bytes",
            check: Check::Code(file_hashes),
        },
        county(
            "complaint_publications",
            BY_COMPLAINT,
            "c.region_code",
            "the county of the complaint",
        ),
    ],
    unbooked: &[],
};

/// The city the system holds (the region of level city), else the province.
pub(super) async fn city_code<'e, E>(ex: E) -> Result<RegionCode>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    let c: Option<String> = sqlx::query_scalar(
        "SELECT code FROM regions WHERE level <= 2 ORDER BY level DESC, code LIMIT 1",
    )
    .fetch_optional(ex)
    .await?;
    match c {
        Some(c) => code(&c),
        None => Err(invalid("region_code", "region_not_held", "")),
    }
}

/// Replays the handler of every complaint: the routing, then the handler each step named.
fn handlers(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let city = city_code(pool).await.ok();
        let rows = sqlx::query(
            "SELECT id, region_code, category, accused_region, handler_region, handler_unit FROM complaints ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let steps = sqlx::query(
            "SELECT complaint_id, handler_region, handler_unit FROM complaint_events \
             WHERE handler_region IS NOT NULL ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let mut last: HashMap<i64, (String, String)> = HashMap::new();
        for s in &steps {
            last.insert(
                s.try_get("complaint_id")?,
                (
                    s.try_get("handler_region")?,
                    s.try_get::<Option<String>, _>("handler_unit")?
                        .unwrap_or_default(),
                ),
            );
        }
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let stored = (
                r.try_get::<String, _>("handler_region")?,
                r.try_get::<String, _>("handler_unit")?,
            );
            let derived = match last.get(&id) {
                Some(h) => Some(h.clone()),
                None => {
                    let region = RegionCode::parse(&r.try_get::<String, _>("region_code")?).ok();
                    let cat = ComplaintCategory::parse(&r.try_get::<String, _>("category")?).ok();
                    let accused = r
                        .try_get::<Option<String>, _>("accused_region")?
                        .and_then(|a| RegionCode::parse(&a).ok());
                    match (region, cat, city) {
                        (Some(region), Some(cat), Some(city)) => {
                            rules::route(region, cat, accused, city)
                                .ok()
                                .map(|x| (x.handler.as_str().to_string(), x.unit.key().to_string()))
                        }
                        _ => None,
                    }
                }
            };
            let (dr, du) = derived.unwrap_or_default();
            for (column, s, d) in [
                ("handler_region", &stored.0, &dr),
                ("handler_unit", &stored.1, &du),
            ] {
                if s != d {
                    out.push(Mismatch {
                        table: "complaints",
                        key: id.to_string(),
                        column,
                        stored: Some(s.clone()),
                        derived: Some(d.clone()),
                        rule: "the routing (sunledger_core::complaint::route), then each transfer and review",
                        sources: format!("complaints {id}, complaint_events"),
                    });
                }
            }
        }
        Ok(out)
    })
}

fn file_hashes(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query("SELECT id, content, sha256 FROM complaint_files ORDER BY id")
            .fetch_all(pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let stored: String = r.try_get("sha256")?;
            let derived = sha256_hex(&r.try_get::<Vec<u8>, _>("content")?);
            if stored != derived {
                out.push(Mismatch {
                    table: "complaint_files",
                    key: id.to_string(),
                    column: "sha256",
                    stored: Some(stored),
                    derived: Some(derived),
                    rule: "SHA-256 of the file's bytes",
                    sources: format!("complaint_files {id}"),
                });
            }
        }
        Ok(out)
    })
}

fn complaint_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "complaint.received",
            "complaints",
            r.try_get("id")?,
            r.try_get("received_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("code", r.try_get::<String, _>("code")?)
        // The PIN as a digest of its argon2 hash (salted), so the log never helps guess it.
        .field(
            "pin_sha256",
            sha256_hex(r.try_get::<String, _>("pin_hash")?.as_bytes()),
        )
        .field("channel", r.try_get::<String, _>("channel")?)
        .field("category", r.try_get::<String, _>("category")?)
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("project_id", r.try_get::<Option<i64>, _>("project_id")?)
        .field("fund_text", r.try_get::<String, _>("fund_text")?)
        .field("accused_text", r.try_get::<String, _>("accused_text")?)
        .field(
            "accused_region",
            r.try_get::<Option<String>, _>("accused_region")?,
        )
        .field("title", r.try_get::<String, _>("title")?)
        .field("body", r.try_get::<String, _>("body")?)
        .field("anonymous", r.try_get::<i64, _>("anonymous")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("contact", r.try_get::<String, _>("contact")?)
        .field("consent", r.try_get::<i64, _>("consent")?)
        .field("received_on", r.try_get::<String, _>("received_on")?)
        .field("intake_by", r.try_get::<Option<i64>, _>("intake_by")?),
    ])
}

fn event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "complaint.step",
            "complaint_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("complaint_id", r.try_get::<i64, _>("complaint_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("text", r.try_get::<String, _>("text")?)
        .field("finding", r.try_get::<Option<String>, _>("finding")?)
        .field(
            "handler_region",
            r.try_get::<Option<String>, _>("handler_region")?,
        )
        .field(
            "handler_unit",
            r.try_get::<Option<String>, _>("handler_unit")?,
        )
        .field("merged_into", r.try_get::<Option<i64>, _>("merged_into")?)
        .field("problem_id", r.try_get::<Option<i64>, _>("problem_id")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("by_complainant", r.try_get::<i64, _>("by_complainant")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn file_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "complaint.file",
            "complaint_files",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("complaint_id", r.try_get::<i64, _>("complaint_id")?)
        .field("position", r.try_get::<i64, _>("position")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("mime", r.try_get::<String, _>("mime")?)
        .field("size", r.try_get::<i64, _>("size")?)
        .field("sha256", sha256_hex(&r.try_get::<Vec<u8>, _>("content")?)),
    ])
}

fn publication_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "complaint.publication",
            "complaint_publications",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("complaint_id", r.try_get::<i64, _>("complaint_id")?)
        .field("basis", r.try_get::<String, _>("basis")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("found", r.try_get::<String, _>("found")?)
        .field("done", r.try_get::<String, _>("done")?)
        .field("published_on", r.try_get::<String, _>("published_on")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

// --- Reading --------------------------------------------------------------------------------

pub(super) const COMPLAINT_SELECT: &str = "SELECT c.id, c.code, c.channel, c.category, c.region_code, r.name AS region_name, \
    c.project_id, p.name AS project_name, c.fund_text, c.accused_text, c.accused_region, c.title, c.body, c.anonymous, \
    c.name, c.contact, c.consent, c.received_on, c.intake_by, c.handler_region, h.name AS handler_name, c.handler_unit, \
    c.state, c.merged_into, c.finding, c.problem_id, c.published FROM complaints c \
    JOIN regions r ON r.code = c.region_code JOIN regions h ON h.code = c.handler_region \
    LEFT JOIN projects p ON p.id = c.project_id";

pub(super) fn complaint_row(r: &DbRow) -> Result<Complaint> {
    Ok(Complaint {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        channel: r.try_get("channel")?,
        category: r.try_get("category")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        project_id: r.try_get("project_id")?,
        project_name: r.try_get("project_name")?,
        fund_text: r.try_get("fund_text")?,
        accused_text: r.try_get("accused_text")?,
        accused_region: r.try_get("accused_region")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        anonymous: r.try_get::<i64, _>("anonymous")? != 0,
        name: r.try_get("name")?,
        contact: r.try_get("contact")?,
        consent: r.try_get::<i64, _>("consent")? != 0,
        received_on: r.try_get("received_on")?,
        intake_by: r.try_get("intake_by")?,
        handler_region: code(&r.try_get::<String, _>("handler_region")?)?,
        handler_name: r.try_get("handler_name")?,
        handler_unit: r.try_get("handler_unit")?,
        state: r.try_get("state")?,
        merged_into: r.try_get("merged_into")?,
        finding: r.try_get("finding")?,
        problem_id: r.try_get("problem_id")?,
        published: r.try_get::<i64, _>("published")? != 0,
        steps: Vec::new(),
    })
}

fn event_row(r: &DbRow) -> Result<ComplaintEvent> {
    Ok(ComplaintEvent {
        id: r.try_get("id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        text: r.try_get("text")?,
        finding: r.try_get("finding")?,
        handler_region: r.try_get("handler_region")?,
        handler_unit: r.try_get("handler_unit")?,
        merged_into: r.try_get("merged_into")?,
        problem_id: r.try_get("problem_id")?,
        on_date: r.try_get("on_date")?,
        by_complainant: r.try_get::<i64, _>("by_complainant")? != 0,
        actor_id: r.try_get("actor_id")?,
        actor_name: r.try_get("actor_name")?,
        at: r.try_get("at")?,
    })
}

/// Attaches each complaint's steps (one query for all of them).
async fn with_steps<'e, E>(ex: E, mut list: Vec<Complaint>) -> Result<Vec<Complaint>>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    if list.is_empty() {
        return Ok(list);
    }
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT complaint_id, action, on_date FROM complaint_events WHERE complaint_id IN (",
    );
    let mut sep = qb.separated(", ");
    for c in &list {
        sep.push_bind(c.id);
    }
    qb.push(") ORDER BY id");
    let mut by: HashMap<i64, Vec<StepDay>> = HashMap::new();
    for r in qb.build().fetch_all(ex).await? {
        by.entry(r.try_get("complaint_id")?)
            .or_default()
            .push(StepDay {
                action: r.try_get("action")?,
                on_date: r.try_get("on_date")?,
            });
    }
    for c in &mut list {
        c.steps = by.remove(&c.id).unwrap_or_default();
    }
    Ok(list)
}

pub(super) async fn complaint_record_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<ComplaintRecord> {
    let c = one_in(
        tx,
        format!("{COMPLAINT_SELECT} WHERE c.id = $1"),
        id,
        complaint_row,
    )
    .await?;
    let c = with_steps(&mut **tx, vec![c])
        .await?
        .pop()
        .ok_or(StoreError::NotFound("complaint"))?;
    let events = sqlx::query(
        "SELECT x.id, x.action, x.from_state, x.to_state, x.text, x.finding, x.handler_region, x.handler_unit, \
         x.merged_into, x.problem_id, x.on_date, x.by_complainant, x.actor_id, u.display_name AS actor_name, x.at \
         FROM complaint_events x LEFT JOIN users u ON u.id = x.actor_id WHERE x.complaint_id = $1 ORDER BY x.id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(event_row)
    .collect::<Result<Vec<_>>>()?;
    let files = sqlx::query(
        "SELECT position, name, mime, size, sha256 FROM complaint_files WHERE complaint_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| {
        Ok(ComplaintFileInfo {
            position: r.try_get("position")?,
            name: r.try_get("name")?,
            mime: r.try_get("mime")?,
            size: r.try_get("size")?,
            sha256: r.try_get("sha256")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let publication = sqlx::query(
        "SELECT basis, reason, found, done, published_on FROM complaint_publications WHERE complaint_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| {
        Ok::<_, StoreError>(ComplaintPublication {
            basis: r.try_get("basis")?,
            reason: r.try_get("reason")?,
            found: r.try_get("found")?,
            done: r.try_get("done")?,
            published_on: r.try_get("published_on")?,
        })
    })
    .transpose()?;
    let duplicates =
        sqlx::query_scalar("SELECT id FROM complaints WHERE merged_into = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(ComplaintRecord {
        complaint: c,
        events,
        files,
        publication,
        duplicates,
    })
}

#[async_trait]
impl ComplaintStore for StoreImpl {
    async fn file_complaint(&self, n: &NewComplaint, now: i64) -> Result<Complaint> {
        write::file(self, n, now).await
    }

    async fn complaint_step(
        &self,
        id: i64,
        step: &ComplaintStepInput,
        clock: (&rules::Rules, &sunledger_core::day::Calendar),
        actor: Option<i64>,
        now: i64,
    ) -> Result<ComplaintRecord> {
        write::step(self, id, step, clock, actor, now).await
    }

    async fn complaint(&self, id: i64) -> Result<Option<ComplaintRecord>> {
        let mut tx = self.pool.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM complaints WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let r = complaint_record_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some(r))
    }

    async fn complaint_pin(&self, code: &str) -> Result<Option<(i64, String)>> {
        let r = sqlx::query("SELECT id, pin_hash FROM complaints WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        r.map(|r| Ok((r.try_get("id")?, r.try_get("pin_hash")?)))
            .transpose()
    }

    async fn complaints(&self, f: &ComplaintFilter) -> Result<Vec<Complaint>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(COMPLAINT_SELECT);
        qb.push(" WHERE ");
        push_scope_filter(&mut qb, "c.handler_region", &f.scopes);
        if let Some(s) = &f.state {
            qb.push(" AND c.state = ").push_bind(s.clone());
        }
        if let Some(s) = &f.category {
            qb.push(" AND c.category = ").push_bind(s.clone());
        }
        if let Some(s) = &f.channel {
            qb.push(" AND c.channel = ").push_bind(s.clone());
        }
        if let Some(r) = &f.region {
            qb.push(" AND ");
            push_scope_filter(&mut qb, "c.region_code", std::slice::from_ref(r));
        }
        qb.push(" ORDER BY c.received_on, c.id");
        let list = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(complaint_row)
            .collect::<Result<Vec<_>>>()?;
        with_steps(&self.pool, list).await
    }

    async fn publish_complaint(
        &self,
        id: i64,
        p: &NewPublication,
        actor: Option<i64>,
        now: i64,
    ) -> Result<ComplaintRecord> {
        write::publish(self, id, p, actor, now).await
    }

    async fn published_complaints(
        &self,
        scope: Option<&RegionCode>,
        limit: i64,
    ) -> Result<Vec<PublishedComplaint>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT c.id, c.category, c.region_code, r.name AS region_name, c.finding, p.found, p.done, p.published_on \
             FROM complaint_publications p JOIN complaints c ON c.id = p.complaint_id \
             JOIN regions r ON r.code = c.region_code WHERE 1 = 1",
        );
        if let Some(s) = scope {
            qb.push(" AND ");
            push_scope_filter(&mut qb, "c.region_code", std::slice::from_ref(s));
        }
        qb.push(" ORDER BY p.published_on DESC, p.id DESC LIMIT ")
            .push_bind(limit);
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(PublishedComplaint {
                    id: r.try_get("id")?,
                    category: r.try_get("category")?,
                    region: code(&r.try_get::<String, _>("region_code")?)?,
                    region_name: r.try_get("region_name")?,
                    finding: r.try_get("finding")?,
                    found: r.try_get("found")?,
                    done: r.try_get("done")?,
                    published_on: r.try_get("published_on")?,
                })
            })
            .collect()
    }

    async fn complaint_file(
        &self,
        complaint_id: i64,
        position: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>> {
        let r = sqlx::query(
            "SELECT name, mime, content FROM complaint_files WHERE complaint_id = $1 AND position = $2",
        )
        .bind(complaint_id)
        .bind(position)
        .fetch_optional(&self.pool)
        .await?;
        r.map(|r| {
            Ok((
                r.try_get("name")?,
                r.try_get("mime")?,
                r.try_get("content")?,
            ))
        })
        .transpose()
    }

    async fn complaint_of_problem(&self, problem_id: i64) -> Result<Option<(i64, String)>> {
        let r = sqlx::query(
            "SELECT c.id, c.code FROM complaint_events x JOIN complaints c ON c.id = x.complaint_id \
             WHERE x.problem_id = $1 ORDER BY x.id LIMIT 1",
        )
        .bind(problem_id)
        .fetch_optional(&self.pool)
        .await?;
        r.map(|r| Ok((r.try_get("id")?, r.try_get("code")?)))
            .transpose()
    }
}

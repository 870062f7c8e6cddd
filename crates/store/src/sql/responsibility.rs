//! Book 2, the supervision responsibility ledger, and its responsibility letters.

use super::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "responsibilities",
        select: "SELECT id, county_code, project_id, person_id, role, start_on, assigned_by, assigned_at, end_on, end_reason, \
                 ended_by, ended_at FROM responsibilities",
        build: responsibility_facts,
        kinds: &[
            (
                "responsibility",
                "assigned_at",
                &["project_id", "person_id", "role", "start_on", "assigned_by"],
            ),
            (
                "responsibility.end",
                "ended_at",
                &["end_on", "end_reason", "ended_by"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "responsibility_letters",
        select: "SELECT id, county_code, region_code, fiscal_year, document_no, title, content, bureau_person_id, \
                 township_person_id, signed_on, filed_by, filed_at FROM responsibility_letters",
        build: letter_facts,
        kinds: &[(
            "responsibility_letter",
            "filed_at",
            &[
                "region=region_code",
                "fiscal_year",
                "document_no",
                "title",
                "content_sha256=content",
                "bureau_person_id",
                "township_person_id",
                "signed_on",
                "filed_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "responsibilities",
            "LEFT JOIN projects p ON p.id = t.project_id",
            "p.region_code",
            "the county of the project",
        ),
        county(
            "responsibility_letters",
            "",
            "t.region_code",
            "the first six digits of the township",
        ),
        Derived {
            table: "responsibility_letters",
            columns: &["content_sha256"],
            rule: "the SHA-256 of the letter's text",
            check: Check::Code(letter_digests),
        },
    ],
    unbooked: &[],
};

pub(crate) const RESPONSIBILITY_SELECT: &str = "SELECT r.id, r.project_id, pr.name AS project_name, \
    pr.region_code AS project_region, r.person_id, pe.name AS person_name, pe.position AS person_position, \
    d.name AS department_name, r.role, r.start_on, r.end_on, r.end_reason, r.assigned_by, r.assigned_at \
    FROM responsibilities r JOIN projects pr ON pr.id = r.project_id \
    JOIN people pe ON pe.id = r.person_id JOIN departments d ON d.id = pe.department_id";

/// The count over the same joins as [`RESPONSIBILITY_SELECT`] (the filters name their tables).
const RESPONSIBILITY_COUNT: &str = "SELECT COUNT(*) \
    FROM responsibilities r JOIN projects pr ON pr.id = r.project_id \
    JOIN people pe ON pe.id = r.person_id JOIN departments d ON d.id = pe.department_id";

const RESPONSIBILITY_ORDER: &str = " ORDER BY pr.region_code, r.project_id, r.start_on, r.id";

/// The `WHERE` conditions of a Book 2 filter (after `WHERE `).
fn push_responsibility_filter(qb: &mut QueryBuilder<DB>, f: &ResponsibilityFilter) -> Result<()> {
    push_scope_filter(qb, "pr.region_code", &f.scopes);
    if let Some(p) = f.project_id {
        qb.push(" AND r.project_id = ").push_bind(p);
    }
    if let Some(p) = f.person_id {
        qb.push(" AND r.person_id = ").push_bind(p);
    }
    if let Some(d) = &f.on_day {
        let d = sunledger_core::day::format(sunledger_core::day::parse("on", d).map_err(rule)?);
        qb.push(" AND r.start_on <= ")
            .push_bind(d.clone())
            .push(" AND (r.end_on IS NULL OR r.end_on >= ")
            .push_bind(d)
            .push(")");
    }
    if let Some(y) = f.fiscal_year {
        qb.push(" AND pr.fiscal_year = ").push_bind(y);
    }
    Ok(())
}

pub(crate) const LETTER_SELECT: &str = "SELECT l.id, l.region_code, l.fiscal_year, l.document_no, l.title, l.content, \
    l.content_sha256, l.bureau_person_id, b.name AS bureau_person_name, l.township_person_id, \
    t.name AS township_person_name, l.signed_on, l.filed_by, l.filed_at \
    FROM responsibility_letters l JOIN people b ON b.id = l.bureau_person_id \
    JOIN people t ON t.id = l.township_person_id";

pub(crate) fn responsibility_row(r: &DbRow) -> Result<Responsibility> {
    Ok(Responsibility {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        project_name: r.try_get("project_name")?,
        project_region: code(&r.try_get::<String, _>("project_region")?)?,
        person_id: r.try_get("person_id")?,
        person_name: r.try_get("person_name")?,
        person_position: r.try_get("person_position")?,
        department_name: r.try_get("department_name")?,
        role: r.try_get("role")?,
        start_on: r.try_get("start_on")?,
        end_on: r.try_get("end_on")?,
        end_reason: r.try_get("end_reason")?,
        assigned_by: r.try_get("assigned_by")?,
        assigned_at: r.try_get("assigned_at")?,
    })
}

pub(crate) fn letter_row(r: &DbRow) -> Result<ResponsibilityLetter> {
    Ok(ResponsibilityLetter {
        id: r.try_get("id")?,
        township: code(&r.try_get::<String, _>("region_code")?)?,
        fiscal_year: r.try_get("fiscal_year")?,
        document_no: r.try_get("document_no")?,
        title: r.try_get("title")?,
        content: r.try_get("content")?,
        content_sha256: r.try_get("content_sha256")?,
        bureau_person_id: r.try_get("bureau_person_id")?,
        bureau_person_name: r.try_get("bureau_person_name")?,
        township_person_id: r.try_get("township_person_id")?,
        township_person_name: r.try_get("township_person_name")?,
        signed_on: r.try_get("signed_on")?,
        filed_by: r.try_get("filed_by")?,
        filed_at: r.try_get("filed_at")?,
    })
}

pub(crate) fn responsibility_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new(
            "responsibility",
            "responsibilities",
            id,
            r.try_get("assigned_at")?,
        )
        .county(county.clone())
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("person_id", r.try_get::<i64, _>("person_id")?)
        .field("role", r.try_get::<String, _>("role")?)
        .field("start_on", r.try_get::<String, _>("start_on")?)
        .field("assigned_by", r.try_get::<Option<i64>, _>("assigned_by")?),
    ];
    let end_on = r.try_get::<Option<String>, _>("end_on")?;
    let end_reason = r.try_get::<Option<String>, _>("end_reason")?;
    let ended_by = r.try_get::<Option<i64>, _>("ended_by")?;
    if let Some(at) = later(
        r.try_get("ended_at")?,
        &[end_on.is_some(), end_reason.is_some(), ended_by.is_some()],
    ) {
        out.push(
            Fact::new("responsibility.end", "responsibilities", id, at)
                .county(county)
                .field("end_on", end_on)
                .field("end_reason", end_reason)
                .field("ended_by", ended_by),
        );
    }
    Ok(out)
}

/// A letter's fact carries the SHA-256 of its text, computed from the stored text itself, so an
/// edited letter no longer matches its leaf.
pub(crate) fn letter_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let content: String = r.try_get("content")?;
    Ok(vec![
        Fact::new(
            "responsibility_letter",
            "responsibility_letters",
            r.try_get("id")?,
            r.try_get("filed_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("fiscal_year", r.try_get::<i64, _>("fiscal_year")?)
        .field("document_no", r.try_get::<String, _>("document_no")?)
        .field("title", r.try_get::<String, _>("title")?)
        .field(
            "content_sha256",
            sunledger_core::log::fact::sha256_hex(content.as_bytes()),
        )
        .field("bureau_person_id", r.try_get::<i64, _>("bureau_person_id")?)
        .field(
            "township_person_id",
            r.try_get::<i64, _>("township_person_id")?,
        )
        .field("signed_on", r.try_get::<String, _>("signed_on")?)
        .field("filed_by", r.try_get::<Option<i64>, _>("filed_by")?),
    ])
}

/// The person's region, position and department kind.
pub(crate) async fn person_post(
    tx: &mut sqlx::Transaction<'static, DB>,
    person_id: i64,
    field: &'static str,
) -> Result<(RegionCode, String, String)> {
    let r = sqlx::query(
        "SELECT p.region_code, p.position, d.kind FROM people p JOIN departments d ON d.id = p.department_id WHERE p.id = $1",
    )
    .bind(person_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| invalid(field, "unknown_person", person_id.to_string()))?;
    Ok((
        code(&r.try_get::<String, _>("region_code")?)?,
        r.try_get("position")?,
        r.try_get("kind")?,
    ))
}

#[async_trait]
impl ResponsibilityStore for StoreImpl {
    async fn assign_responsibility(
        &self,
        project_id: i64,
        person_id: i64,
        role: ResponsibleRole,
        start_on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility> {
        let start = sunledger_core::day::parse("start_on", start_on).map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_project(&mut tx, project_id).await?;
        let (region, position, kind) = person_post(&mut tx, person_id, "person_id").await?;
        let kind = sunledger_core::DepartmentKind::parse(&kind).map_err(rule)?;
        let position = sunledger_core::org::Position::parse(&position).map_err(rule)?;
        if !role.fits(kind, region.level(), position) {
            return Err(invalid("person_id", "does_not_fit_role", role.key()));
        }
        // The person works at the project's county, township or village, as the role says.
        if region.level() != role.level() || !p.region.is_within(&region) {
            return Err(invalid(
                "person_id",
                "outside_project_region",
                region.as_str(),
            ));
        }
        let open: i64 = sqlx::query(
            "SELECT COUNT(*) FROM responsibilities WHERE project_id = $1 AND person_id = $2 AND role = $3 AND end_on IS NULL",
        )
        .bind(project_id)
        .bind(person_id)
        .bind(role.key())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if open > 0 {
            return Err(StoreError::Conflict {
                field: "person_id".into(),
            });
        }
        let row = sqlx::query(
            "INSERT INTO responsibilities (county_code, project_id, person_id, role, start_on, assigned_by, assigned_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(project_id)
        .bind(person_id)
        .bind(role.key())
        .bind(sunledger_core::day::format(start))
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "responsibilities", id).await?;
        let q = format!("{RESPONSIBILITY_SELECT} WHERE r.id = $1");
        let out = one_in(&mut tx, q, id, responsibility_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn end_responsibility(
        &self,
        id: i64,
        end_on: &str,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Responsibility> {
        let end = sunledger_core::day::parse("end_on", end_on).map_err(rule)?;
        let reason = nonempty("reason", reason, 1000)?;
        let mut tx = begin_write(&self.pool).await?;
        let q = format!("{RESPONSIBILITY_SELECT} WHERE r.id = $1");
        let cur = responsibility_row(
            &sqlx::query(AssertSqlSafe(q.clone()))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("responsibility"))?,
        )?;
        let start = sunledger_core::day::parse("start_on", &cur.start_on).map_err(rule)?;
        if end < start {
            return Err(invalid("end_on", "before_start", end_on));
        }
        let n = sqlx::query(
            "UPDATE responsibilities SET end_on = $1, end_reason = $2, ended_by = $3, ended_at = $4 WHERE id = $5 AND ended_at IS NULL",
        )
        .bind(sunledger_core::day::format(end))
        .bind(reason)
        .bind(actor)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                field: "end_on".into(),
            });
        }
        append_later_fact(&mut tx, "responsibilities", id, "responsibility.end").await?;
        let out = one_in(&mut tx, q, id, responsibility_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn responsibility(&self, id: i64) -> Result<Option<Responsibility>> {
        self.one_by_id(
            format!("{RESPONSIBILITY_SELECT} WHERE r.id = $1"),
            id,
            responsibility_row,
        )
        .await
    }

    async fn responsibilities(&self, f: &ResponsibilityFilter) -> Result<Vec<Responsibility>> {
        let mut qb = QueryBuilder::<DB>::new(format!("{RESPONSIBILITY_SELECT} WHERE "));
        push_responsibility_filter(&mut qb, f)?;
        qb.push(RESPONSIBILITY_ORDER);
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(responsibility_row)
            .collect()
    }

    async fn responsibilities_page(
        &self,
        f: &ResponsibilityFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Responsibility>, i64)> {
        let mut count = QueryBuilder::<DB>::new(format!("{RESPONSIBILITY_COUNT} WHERE "));
        push_responsibility_filter(&mut count, f)?;
        let total: i64 = count.build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut qb = QueryBuilder::<DB>::new(format!("{RESPONSIBILITY_SELECT} WHERE "));
        push_responsibility_filter(&mut qb, f)?;
        qb.push(RESPONSIBILITY_ORDER)
            .push(" LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(responsibility_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    async fn file_letter(
        &self,
        l: &NewLetter,
        actor: Option<i64>,
        now: i64,
    ) -> Result<ResponsibilityLetter> {
        use sunledger_core::DepartmentKind as K;
        let today = sunledger_core::day::today(now);
        if l.township.level() != Level::Township {
            return Err(invalid("township", "not_a_township", l.township.as_str()));
        }
        let document_no = nonempty(
            "document_no",
            &l.document_no,
            sunledger_core::text::DOCUMENT_NO,
        )?;
        let title = nonempty("title", &l.title, sunledger_core::text::NAME)?;
        let content = nonempty("content", &l.content, 100_000)?;
        let signed = past_day("signed_on", &l.signed_on, today)?;
        let mut tx = begin_write(&self.pool).await?;
        let (b_region, _, b_kind) =
            person_post(&mut tx, l.bureau_person_id, "bureau_person_id").await?;
        if b_kind != K::PovertyBureau.key()
            || b_region.level() != Level::County
            || !l.township.is_within(&b_region)
        {
            return Err(invalid(
                "bureau_person_id",
                "not_county_poverty_bureau",
                b_region.as_str(),
            ));
        }
        let (t_region, _, t_kind) =
            person_post(&mut tx, l.township_person_id, "township_person_id").await?;
        if !(t_kind == K::PartyCommittee.key() || t_kind == K::Government.key())
            || t_region != l.township
        {
            return Err(invalid(
                "township_person_id",
                "not_township_leadership",
                t_region.as_str(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO responsibility_letters (county_code, region_code, fiscal_year, document_no, title, content, \
             content_sha256, bureau_person_id, township_person_id, signed_on, filed_by, filed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(l.township.county_code())
        .bind(l.township.as_str())
        .bind(l.fiscal_year.get())
        .bind(document_no)
        .bind(title)
        .bind(content.as_str())
        .bind(sunledger_core::log::fact::sha256_hex(content.as_bytes()))
        .bind(l.bureau_person_id)
        .bind(l.township_person_id)
        .bind(sunledger_core::day::format(signed))
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "responsibility_letters", id).await?;
        let q = format!("{LETTER_SELECT} WHERE l.id = $1");
        let out = one_in(&mut tx, q, id, letter_row).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn letter(&self, id: i64) -> Result<Option<ResponsibilityLetter>> {
        self.one_by_id(format!("{LETTER_SELECT} WHERE l.id = $1"), id, letter_row)
            .await
    }

    async fn letters(&self, scopes: &[RegionCode]) -> Result<Vec<ResponsibilityLetter>> {
        let mut qb = QueryBuilder::<DB>::new(format!("{LETTER_SELECT} WHERE "));
        push_scope_filter(&mut qb, "l.region_code", scopes);
        qb.push(" ORDER BY l.region_code, l.fiscal_year DESC, l.id");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(letter_row)
            .collect()
    }
}

/// Every letter's stored digest against the SHA-256 of its text.
pub(crate) fn letter_digests(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query(
            "SELECT id, content, content_sha256 FROM responsibility_letters ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let content: String = r.try_get(1)?;
            let stored: String = r.try_get(2)?;
            let derived = sunledger_core::log::fact::sha256_hex(content.as_bytes());
            if stored != derived {
                out.push(mismatch(
                    (
                        "responsibility_letters",
                        "content_sha256",
                        "the SHA-256 of the letter's text",
                    ),
                    id,
                    Some(stored),
                    Some(derived),
                ));
            }
        }
        Ok(out)
    })
}

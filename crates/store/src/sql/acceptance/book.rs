//! Book 4 itself, the filing table: one row per acceptance in the caller's regions, with the
//! team, the signatures of the latest report, the grade, the assets on the register, the
//! beneficiary households, the performance targets of the approved version and each scheduled
//! evaluation (a score only once reviewed). Also the database of implemented projects (the
//! accepted and evaluated ones).

use super::*;

const LATEST_INSPECTION: &str =
    "(SELECT MAX(i.id) FROM acceptance_inspections i WHERE i.acceptance_id = a.id)";

const LATEST_GRADE: &str = "(SELECT i.grade FROM acceptance_inspections i WHERE i.acceptance_id = a.id \
    ORDER BY i.round DESC LIMIT 1)";

const LATEST_BAND: &str = "(SELECT e.band FROM evaluations e WHERE e.acceptance_id = a.id \
    AND e.state = 'reviewed' ORDER BY e.year DESC LIMIT 1)";

/// The members' latest sign-off of the latest report with `opinion`.
fn signed(opinion: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM acceptance_signoffs s WHERE s.inspection_id = {LATEST_INSPECTION} \
         AND s.opinion = '{opinion}' AND s.id = (SELECT MAX(s2.id) FROM acceptance_signoffs s2 \
         WHERE s2.inspection_id = s.inspection_id AND s2.member_id = s.member_id))"
    )
}

fn select() -> String {
    format!(
        "SELECT a.id, a.project_id, p.name AS project_name, p.category, p.region_code, r.name AS region_name, \
         p.fiscal_year, p.status, p.approved_version, p.budget_total, a.state, a.applied_on, a.application, \
         a.accepted_on, \
         (SELECT i.inspected_on FROM acceptance_inspections i WHERE i.acceptance_id = a.id ORDER BY i.round DESC LIMIT 1) \
         AS inspected_on, {LATEST_GRADE} AS grade, \
         (SELECT COUNT(*) FROM acceptance_members m WHERE m.acceptance_id = a.id) AS members, \
         {} AS agreed, {} AS disagreed, \
         (SELECT COUNT(*) FROM assets x WHERE x.project_id = a.project_id AND x.state <> 'disposed') AS assets, \
         (SELECT COALESCE(CAST(SUM(x.value_total) AS BIGINT), 0) FROM assets x WHERE x.project_id = a.project_id \
         AND x.state <> 'disposed') AS assets_fen, \
         (SELECT COUNT(*) FROM project_beneficiaries b WHERE b.project_id = a.project_id) AS households, \
         (SELECT COALESCE(CAST(SUM(b.household_size) AS BIGINT), 0) FROM project_beneficiaries b \
         WHERE b.project_id = a.project_id) AS people \
         FROM acceptances a JOIN projects p ON p.id = a.project_id JOIN regions r ON r.code = p.region_code",
        signed("agree"),
        signed("disagree")
    )
}

fn row(r: &DbRow) -> Result<(Book4Row, Option<i64>)> {
    Ok((
        Book4Row {
            acceptance_id: r.try_get("id")?,
            project_id: r.try_get("project_id")?,
            project_name: r.try_get("project_name")?,
            category: r.try_get("category")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            region_name: r.try_get("region_name")?,
            fiscal_year: r.try_get("fiscal_year")?,
            status: r.try_get("status")?,
            state: r.try_get("state")?,
            applied_on: r.try_get("applied_on")?,
            application: r.try_get("application")?,
            team: Vec::new(),
            members: r.try_get("members")?,
            agreed: r.try_get("agreed")?,
            disagreed: r.try_get("disagreed")?,
            inspected_on: r.try_get("inspected_on")?,
            grade: r.try_get("grade")?,
            accepted_on: r.try_get("accepted_on")?,
            budget_fen: r.try_get("budget_total")?,
            assets: r.try_get("assets")?,
            assets_fen: r.try_get("assets_fen")?,
            households: r.try_get("households")?,
            people: r.try_get("people")?,
            evaluations: Vec::new(),
            targets: Vec::new(),
        },
        r.try_get("approved_version")?,
    ))
}

fn push_filter(qb: &mut QueryBuilder<DB>, f: &Book4Filter) {
    qb.push(" WHERE ");
    push_scope_filter(qb, "p.region_code", &f.scopes);
    if let Some(y) = f.fiscal_year {
        qb.push(" AND p.fiscal_year = ").push_bind(y);
    }
    if let Some(c) = &f.category {
        qb.push(" AND p.category = ").push_bind(c.clone());
    }
    if let Some(s) = &f.state {
        qb.push(" AND a.state = ").push_bind(s.clone());
    }
    if let Some(g) = &f.grade {
        qb.push(format!(" AND {LATEST_GRADE} = "))
            .push_bind(g.clone());
    }
    if let Some(b) = &f.band {
        qb.push(format!(" AND {LATEST_BAND} = "))
            .push_bind(b.clone());
    }
    if f.implemented {
        qb.push(" AND p.status IN ('accepted', 'evaluated')");
    }
}

/// `col IN (ids)` (ids are at most a page, below the engines' limit on bound parameters).
fn push_in(qb: &mut QueryBuilder<DB>, col: &str, ids: &[i64]) {
    qb.push(format!("{col} IN ("));
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
}

pub(super) async fn book4(
    s: &StoreImpl,
    f: &Book4Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Book4Row>, i64)> {
    let limit = limit.clamp(0, BATCH_ROWS as i64);
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(select());
    push_filter(&mut qb, f);
    qb.push(" ORDER BY p.region_code, a.applied_on, a.id LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset.max(0));
    let found = qb
        .build()
        .fetch_all(&s.pool)
        .await?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()?;
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT COUNT(*) FROM acceptances a JOIN projects p ON p.id = a.project_id",
    );
    push_filter(&mut qb, f);
    let total: i64 = qb.build().fetch_one(&s.pool).await?.try_get(0)?;
    if found.is_empty() {
        return Ok((Vec::new(), total));
    }
    let ids: Vec<i64> = found.iter().map(|(r, _)| r.acceptance_id).collect();
    let projects: Vec<i64> = found.iter().map(|(r, _)| r.project_id).collect();

    let mut team: HashMap<i64, Vec<Book4Member>> = HashMap::new();
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT m.acceptance_id, pe.name, d.name AS unit_name, m.unit_kind FROM acceptance_members m \
         JOIN people pe ON pe.id = m.person_id JOIN departments d ON d.id = m.department_id WHERE ",
    );
    push_in(&mut qb, "m.acceptance_id", &ids);
    qb.push(" ORDER BY m.acceptance_id, m.id");
    for r in qb.build().fetch_all(&s.pool).await? {
        team.entry(r.try_get("acceptance_id")?)
            .or_default()
            .push(Book4Member {
                name: r.try_get("name")?,
                unit_name: r.try_get("unit_name")?,
                unit_kind: r.try_get("unit_kind")?,
            });
    }

    let mut evaluations: HashMap<i64, Vec<Book4Evaluation>> = HashMap::new();
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(
        "SELECT e.acceptance_id, e.year, e.due_on, e.state, e.total, e.band, e.reviewed_on FROM evaluations e WHERE ",
    );
    push_in(&mut qb, "e.acceptance_id", &ids);
    qb.push(" ORDER BY e.acceptance_id, e.year");
    for r in qb.build().fetch_all(&s.pool).await? {
        let state: String = r.try_get("state")?;
        let reviewed = state == "reviewed";
        evaluations
            .entry(r.try_get("acceptance_id")?)
            .or_default()
            .push(Book4Evaluation {
                year: r.try_get("year")?,
                due_on: r.try_get("due_on")?,
                total: if reviewed { r.try_get("total")? } else { None },
                band: if reviewed { r.try_get("band")? } else { None },
                reviewed_on: if reviewed {
                    r.try_get("reviewed_on")?
                } else {
                    None
                },
                state,
            });
    }

    let mut targets: HashMap<(i64, i64), Vec<ProjectIndicator>> = HashMap::new();
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!(
        "SELECT {INDICATOR_COLS} FROM project_indicators WHERE "
    ));
    push_in(&mut qb, "project_id", &projects);
    qb.push(" ORDER BY project_id, version, position");
    for r in qb.build().fetch_all(&s.pool).await? {
        let i = indicator_row(&r)?;
        targets
            .entry((i.project_id, i.version))
            .or_default()
            .push(i);
    }

    let rows = found
        .into_iter()
        .map(|(mut r, approved)| {
            r.team = team.remove(&r.acceptance_id).unwrap_or_default();
            r.evaluations = evaluations.remove(&r.acceptance_id).unwrap_or_default();
            r.targets = approved
                .and_then(|v| targets.remove(&(r.project_id, v)))
                .unwrap_or_default();
            r
        })
        .collect();
    Ok((rows, total))
}

//! A project version's performance targets as indicator rows (`project_indicators`, migration
//! 0013): reading them, writing them with a version, their facts, and how `verify` covers the
//! rows the migration made from the versions booked before indicators.

use super::*;

pub(crate) const INDICATOR_COLS: &str = "id, project_id, version, position, kind, name, operator, target, unit, \
    weight, core";

/// The rows booked as `project.indicator` facts: those of versions made since indicators. The
/// rows of a version made before (its four booked target fields filled, `households > 0`) were
/// made by the migration from those fields and are re-derived instead ([`legacy_indicators`]).
/// A row whose version is missing counts as booked (and, never booked, is reported).
pub(crate) const INDICATOR_SELECT: &str = "SELECT * FROM (SELECT i.id, i.county_code, i.project_id, i.version, \
    i.position, i.kind, i.name, i.operator, i.target, i.unit, i.weight, i.core, i.created_at FROM project_indicators i \
    LEFT JOIN project_versions v ON v.project_id = i.project_id AND v.version = i.version \
    WHERE COALESCE(v.households, 0) = 0) b";

pub(crate) fn indicator_row(r: &DbRow) -> Result<ProjectIndicator> {
    let kind: String = r.try_get("kind")?;
    let target: i64 = r.try_get("target")?;
    Ok(ProjectIndicator {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        version: r.try_get("version")?,
        position: r.try_get("position")?,
        class: sunledger_core::acceptance::IndicatorKind::parse(&kind)
            .map(|k| k.class().key().to_string())
            .unwrap_or_default(),
        kind,
        name: r.try_get("name")?,
        operator: r.try_get("operator")?,
        target,
        target_text: sunledger_core::project::hundredths(target),
        unit: r.try_get("unit")?,
        weight: r.try_get("weight")?,
        core: r.try_get::<i64, _>("core")? != 0,
    })
}

pub(crate) fn indicator_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "project.indicator",
            "project_indicators",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("version", r.try_get::<i64, _>("version")?)
        .field("position", r.try_get::<i64, _>("position")?)
        .field("kind", r.try_get::<String, _>("kind")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("operator", r.try_get::<String, _>("operator")?)
        .field("target", r.try_get::<i64, _>("target")?)
        .field("unit", r.try_get::<String, _>("unit")?)
        .field("weight", r.try_get::<i64, _>("weight")?)
        .field("core", r.try_get::<i64, _>("core")?),
    ])
}

/// The indicators of every version of project `project_id` (or of version `version` only),
/// in version and row order.
pub(crate) async fn indicators_of(
    conn: &mut <DB as sqlx::Database>::Connection,
    project_id: i64,
    version: Option<i64>,
) -> Result<Vec<ProjectIndicator>> {
    let mut qb = QueryBuilder::<DB>::new(format!(
        "SELECT {INDICATOR_COLS} FROM project_indicators WHERE project_id = "
    ));
    qb.push_bind(project_id);
    if let Some(v) = version {
        qb.push(" AND version = ").push_bind(v);
    }
    qb.push(" ORDER BY version, position");
    qb.build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(indicator_row)
        .collect()
}

/// Gives each version its indicator rows (read in one query per project).
pub(crate) async fn attach_targets(
    conn: &mut <DB as sqlx::Database>::Connection,
    versions: &mut [ProjectVersion],
) -> Result<()> {
    let mut projects: Vec<i64> = versions.iter().map(|v| v.project_id).collect();
    projects.sort_unstable();
    projects.dedup();
    for p in projects {
        let rows = indicators_of(&mut *conn, p, None).await?;
        for v in versions.iter_mut().filter(|v| v.project_id == p) {
            v.targets = rows
                .iter()
                .filter(|i| i.version == v.version)
                .cloned()
                .collect();
        }
    }
    Ok(())
}

/// Writes the indicator rows of a version just inserted and appends their facts.
pub(crate) async fn insert_indicators(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Project,
    version: i64,
    targets: &[sunledger_core::acceptance::Indicator],
    now: i64,
) -> Result<()> {
    for (position, i) in targets.iter().enumerate() {
        let row = sqlx::query(
            "INSERT INTO project_indicators (county_code, project_id, version, position, kind, name, operator, \
             target, unit, weight, core, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(p.id)
        .bind(version)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(i.kind.key())
        .bind(i.name.trim())
        .bind(i.operator.key())
        .bind(i.target)
        .bind(i.unit.trim())
        .bind(i64::from(i.weight))
        .bind(i64::from(i.core))
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(tx, "project_indicators", id).await?;
    }
    Ok(())
}

const LEGACY_RULE: &str = "a version made before indicators (its booked outputs, households, income effect and \
    satisfaction filled) has exactly the four rows migration 0013 made from them (core::project::legacy_targets)";

/// The rows of versions made before indicators, re-derived from the versions' booked target
/// fields: a row that differs, is missing or is extra is named.
pub(crate) fn legacy_indicators(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let versions = sqlx::query(
            "SELECT project_id, version, outputs, households, income_effect, satisfaction FROM project_versions \
             WHERE households > 0 ORDER BY project_id, version",
        )
        .fetch_all(pool)
        .await?;
        let mut want: BTreeMap<(i64, i64), Vec<sunledger_core::acceptance::Indicator>> =
            BTreeMap::new();
        for r in &versions {
            want.insert(
                (r.try_get("project_id")?, r.try_get("version")?),
                sunledger_core::project::legacy_targets(
                    &r.try_get::<String, _>("outputs")?,
                    r.try_get("households")?,
                    &r.try_get::<String, _>("income_effect")?,
                    r.try_get("satisfaction")?,
                ),
            );
        }
        let rows = sqlx::query(
            "SELECT i.id, i.project_id, i.version, i.position, i.kind, i.name, i.operator, i.target, i.unit, \
             i.weight, i.core, i.created_at, v.created_at AS version_at FROM project_indicators i \
             JOIN project_versions v ON v.project_id = i.project_id AND v.version = i.version \
             WHERE v.households > 0 ORDER BY i.project_id, i.version, i.position, i.id",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::new();
        let mut seen: BTreeMap<(i64, i64), Vec<i64>> = BTreeMap::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let key = (r.try_get("project_id")?, r.try_get("version")?);
            let position: i64 = r.try_get("position")?;
            seen.entry(key).or_default().push(position);
            let Some(w) = want
                .get(&key)
                .and_then(|w| usize::try_from(position).ok().and_then(|p| w.get(p)))
            else {
                out.push(mismatch(
                    ("project_indicators", "position", LEGACY_RULE),
                    id,
                    Some(position.to_string()),
                    None,
                ));
                continue;
            };
            let text = |c: &str| -> Result<Option<String>> {
                Ok(Some(match c {
                    "kind" | "name" | "operator" | "unit" => r.try_get::<String, _>(c)?,
                    other => r.try_get::<i64, _>(other)?.to_string(),
                }))
            };
            let derived: [(&'static str, String); 8] = [
                ("kind", w.kind.key().to_string()),
                ("name", w.name.clone()),
                ("operator", w.operator.key().to_string()),
                ("target", w.target.to_string()),
                ("unit", w.unit.clone()),
                ("weight", w.weight.to_string()),
                ("core", i64::from(w.core).to_string()),
                ("created_at", r.try_get::<i64, _>("version_at")?.to_string()),
            ];
            for (column, d) in derived {
                let stored = text(column)?;
                if stored.as_deref() != Some(d.as_str()) {
                    out.push(Mismatch {
                        sources: format!("version {} of project {}", key.1, key.0),
                        ..mismatch(
                            ("project_indicators", column, LEGACY_RULE),
                            id,
                            stored,
                            Some(d),
                        )
                    });
                }
            }
        }
        for (key, w) in &want {
            let have = seen.get(key).map(Vec::as_slice).unwrap_or(&[]);
            for p in 0..w.len() {
                let p = i64::try_from(p).unwrap_or(i64::MAX);
                if !have.contains(&p) {
                    out.push(mismatch(
                        ("project_indicators", "position", LEGACY_RULE),
                        format!("project {} version {} row {p}", key.0, key.1),
                        None,
                        Some(p.to_string()),
                    ));
                }
            }
        }
        Ok(out)
    })
}

pub(crate) const LEGACY_DERIVED: Derived = Derived {
    table: "project_indicators",
    columns: &[
        "kind",
        "name",
        "operator",
        "target",
        "unit",
        "weight",
        "core",
        "created_at",
        "position",
    ],
    rule: LEGACY_RULE,
    check: Check::Code(legacy_indicators),
};

//! Regions: the code tree, its import (upserts) and lookups.

use super::*;

/// The region tree is booked: a region's fact is booked when it is imported and again when an
/// import renames it (its id is its 12-digit code read as a number).
pub(super) const FACTS: &[FactTable] = &[FactTable {
    table: "regions",
    select: "SELECT CAST(code AS BIGINT) AS id, code, name, level, parent_code, county_code, updated_at FROM regions",
    build: region_facts,
    kinds: &[(
        "region",
        "updated_at",
        &["code", "name", "level", "parent=parent_code"],
    )],
    key: Key::Code,
    versioned: true,
}];

pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[county(
        "regions",
        "",
        "t.code",
        "the first six digits of the region's code",
    )],
    unbooked: &[],
};

pub(crate) fn region_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "region",
            "regions",
            r.try_get("id")?,
            r.try_get("updated_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("code", r.try_get::<String, _>("code")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("level", r.try_get::<i64, _>("level")?)
        .field("parent", r.try_get::<Option<String>, _>("parent_code")?),
    ])
}

pub(crate) fn region_row(r: &DbRow) -> Result<Region> {
    let level: i64 = r.try_get("level")?;
    Ok(Region {
        code: code(&r.try_get::<String, _>("code")?)?,
        name: r.try_get("name")?,
        level: Level::from_i64(level)
            .ok_or_else(|| StoreError::Corrupt(format!("region level {level}")))?,
        parent: opt_code(r.try_get("parent_code")?)?,
        children: r.try_get("children")?,
    })
}

pub(crate) const REGION_COLS: &str = "r.code, r.name, r.level, r.parent_code, \
    (SELECT COUNT(*) FROM regions c WHERE c.parent_code = r.code) AS children";

#[async_trait]
impl RegionStore for StoreImpl {
    async fn region_names(&self) -> Result<HashMap<RegionCode, String>> {
        let rows = sqlx::query("SELECT code, name FROM regions")
            .fetch_all(&self.pool)
            .await?;
        let mut m = HashMap::with_capacity(rows.len());
        for r in rows {
            m.insert(code(&r.try_get::<String, _>(0)?)?, r.try_get(1)?);
        }
        Ok(m)
    }

    async fn upsert_regions(&self, rows: &[NewRegion], now: i64) -> Result<UpsertCounts> {
        // A code named twice keeps its last name, as if the rows were applied in order.
        let mut last: HashMap<RegionCode, usize> = HashMap::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            last.insert(r.code, i);
        }
        let rows: Vec<&NewRegion> = rows
            .iter()
            .enumerate()
            .filter(|(i, r)| last.get(&r.code) == Some(i))
            .map(|(_, r)| r)
            .collect();
        let mut tx = begin_write(&self.pool).await?;
        let mut counts = UpsertCounts::default();
        for chunk in rows.chunks(BATCH_ROWS) {
            let mut existing: HashMap<String, String> = HashMap::new();
            let mut qb: QueryBuilder<DB> =
                QueryBuilder::new("SELECT code, name FROM regions WHERE code IN (");
            let mut sep = qb.separated(", ");
            for r in chunk {
                sep.push_bind(r.code.as_str().to_string());
            }
            qb.push(")");
            for row in qb.build().fetch_all(&mut *tx).await? {
                existing.insert(row.try_get(0)?, row.try_get(1)?);
            }
            let changed: Vec<&NewRegion> = chunk
                .iter()
                .copied()
                .filter(|r| existing.get(r.code.as_str()) != Some(&r.name))
                .collect();
            for r in &changed {
                if existing.contains_key(r.code.as_str()) {
                    counts.renamed += 1;
                } else {
                    counts.inserted += 1;
                }
            }
            if changed.is_empty() {
                continue;
            }
            let mut qb: QueryBuilder<DB> = QueryBuilder::new(
                "INSERT INTO regions (code, name, level, parent_code, county_code, updated_at) ",
            );
            qb.push_values(changed.iter(), |mut b, r| {
                b.push_bind(r.code.as_str().to_string())
                    .push_bind(r.name.clone())
                    .push_bind(r.code.level().as_i64())
                    .push_bind(r.code.parent().map(|p| p.as_str().to_string()))
                    .push_bind(r.code.county_code().to_string())
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at");
            qb.build().execute(&mut *tx).await?;
            // Each new or renamed region is booked (again): the tree every grant is scoped by.
            let booked: Vec<(&'static str, i64)> = changed
                .iter()
                .filter_map(|r| r.code.as_str().parse::<i64>().ok())
                .map(|id| ("regions", id))
                .collect();
            let facts = rows_facts(&mut tx, &booked).await?;
            append_facts(&mut tx, &facts).await?;
        }
        tx.commit().await?;
        Ok(counts)
    }

    async fn region(&self, c: &RegionCode) -> Result<Option<Region>> {
        let q = format!("SELECT {REGION_COLS} FROM regions r WHERE r.code = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(c.as_str())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(region_row)
            .transpose()
    }

    async fn region_children(&self, c: &RegionCode) -> Result<Vec<Region>> {
        let q =
            format!("SELECT {REGION_COLS} FROM regions r WHERE r.parent_code = $1 ORDER BY r.code");
        sqlx::query(AssertSqlSafe(q))
            .bind(c.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(region_row)
            .collect()
    }

    async fn region_roots(&self) -> Result<Vec<Region>> {
        // Imports never accept a region whose parent is missing, so the roots are the provinces.
        let q = format!(
            "SELECT {REGION_COLS} FROM regions r WHERE r.parent_code IS NULL ORDER BY r.code"
        );
        sqlx::query(AssertSqlSafe(q))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(region_row)
            .collect()
    }

    async fn region_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM regions")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}

//! The cross-check lists: importing one (all rows or none), reading them, and the hits for a
//! person (by ID number, else by name in the village).

use super::*;

const LIST_SELECT: &str = "SELECT l.id, l.region_code, g.name AS region_name, l.kind, l.imported_on, l.imported_by, \
    l.file_sha256, l.row_count, CAST(CASE WHEN l.id = (SELECT MAX(x.id) FROM crosscheck_lists x \
    WHERE x.region_code = l.region_code AND x.kind = l.kind) THEN 1 ELSE 0 END AS BIGINT) AS standing \
    FROM crosscheck_lists l JOIN regions g ON g.code = l.region_code";

fn list_row(r: &DbRow) -> Result<CrosscheckList> {
    Ok(CrosscheckList {
        id: int(r, "id")?,
        region: code(&text(r, "region_code")?)?,
        region_name: text(r, "region_name")?,
        kind: text(r, "kind")?,
        imported_on: text(r, "imported_on")?,
        imported_by: oint(r, "imported_by")?,
        file_sha256: text(r, "file_sha256")?,
        row_count: int(r, "row_count")?,
        standing: int(r, "standing")? != 0,
    })
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(super) async fn import(
    s: &StoreImpl,
    l: &NewCrosscheckList,
    actor: Option<i64>,
    now: i64,
) -> Result<CrosscheckList> {
    if l.region.level() == Level::Province || l.region.level() == Level::City {
        return Err(invalid("region", "not_county_or_below", l.region.as_str()));
    }
    if !is_sha256(&l.file_sha256) {
        return Err(invalid("file_sha256", "not_sha256", l.file_sha256.as_str()));
    }
    if l.entries.is_empty() {
        return Err(invalid("entries", "empty", ""));
    }
    let county = l.region.county_code().to_string();
    // Every row is checked before anything is written.
    let mut rows = Vec::with_capacity(l.entries.len());
    for (i, e) in l.entries.iter().enumerate() {
        let checked = (|| {
            let (relation, of_name) =
                appr::check_entry(l.kind, &e.name, &e.relation, &e.of_name).map_err(rule)?;
            if let Some(v) = &e.village
                && (v.level() != Level::Village || v.county_code() != county)
            {
                return Err(invalid(
                    "village",
                    "not_a_village_of_the_county",
                    v.as_str(),
                ));
            }
            let note = sunledger_core::text::bounded("note", &e.note, sunledger_core::text::REASON)
                .map_err(rule)?;
            Ok((e.name.trim().to_string(), relation, of_name, note))
        })();
        rows.push(checked.map_err(|error| StoreError::Batch {
            index: i,
            error: Box::new(error),
        })?);
    }
    let mut tx = begin_write(&s.pool).await?;
    let known = sqlx::query("SELECT code FROM regions WHERE code = $1")
        .bind(l.region.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(invalid("region", "unknown_region", l.region.as_str()));
    }
    let row = sqlx::query(
        "INSERT INTO crosscheck_lists (county_code, region_code, kind, imported_on, imported_by, file_sha256, row_count, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&county)
    .bind(l.region.as_str())
    .bind(l.kind.key())
    .bind(sunledger_core::day::today_text(now))
    .bind(actor)
    .bind(l.file_sha256.to_ascii_lowercase())
    .bind(i64::try_from(l.entries.len()).unwrap_or(i64::MAX))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let list_id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "crosscheck_lists", list_id).await?;
    for (i, (e, (name, relation, of_name, note))) in l.entries.iter().zip(rows).enumerate() {
        let r = async {
            if let Some(v) = &e.village {
                let known = sqlx::query("SELECT code FROM regions WHERE code = $1")
                    .bind(v.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if known.is_none() {
                    return Err(invalid("village", "unknown_region", v.as_str()));
                }
            }
            let row = sqlx::query(
                "INSERT INTO crosscheck_entries (county_code, list_id, row_no, name, id_number, relation, of_name, \
                 village_code, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&county)
            .bind(list_id)
            .bind(e.row_no)
            .bind(&name)
            .bind(e.id_number.as_ref().map(|n| n.as_str()).unwrap_or(""))
            .bind(&relation)
            .bind(&of_name)
            .bind(e.village.as_ref().map(|v| v.as_str()))
            .bind(&note)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = row.try_get(0)?;
            append_row_facts(&mut tx, "crosscheck_entries", id).await
        }
        .await;
        r.map_err(|error| StoreError::Batch {
            index: i,
            error: Box::new(error),
        })?;
    }
    let out = one_in(
        &mut tx,
        format!("{LIST_SELECT} WHERE l.id = $1"),
        list_id,
        list_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn lists(s: &StoreImpl, scopes: &[RegionCode]) -> Result<Vec<CrosscheckList>> {
    let mut qb: QueryBuilder<DB> = QueryBuilder::new(LIST_SELECT);
    qb.push(" WHERE ");
    push_scope_filter(&mut qb, "l.region_code", scopes);
    qb.push(" ORDER BY l.id DESC");
    qb.build()
        .fetch_all(&s.pool)
        .await?
        .iter()
        .map(list_row)
        .collect()
}

pub(super) async fn list(
    s: &StoreImpl,
    id: i64,
) -> Result<Option<(CrosscheckList, Vec<CrosscheckEntry>)>> {
    let mut conn = s.pool.acquire().await?;
    let Some(l) = sqlx::query(AssertSqlSafe(format!("{LIST_SELECT} WHERE l.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(list_row)
        .transpose()?
    else {
        return Ok(None);
    };
    let entries = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM crosscheck_entries e WHERE e.list_id = $1 ORDER BY e.row_no, e.id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(entry_row)
    .collect::<Result<Vec<_>>>()?;
    Ok(Some((l, entries)))
}

/// The standing lists' rows naming a person (see `AppraisalStore::crosscheck_hits`).
pub(crate) async fn hits(
    conn: &mut <DB as sqlx::Database>::Connection,
    county: &str,
    village: Option<&RegionCode>,
    name: &str,
    id_number: Option<&str>,
) -> Result<Vec<CrosscheckHit>> {
    let id = id_number
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty());
    let q = format!(
        "SELECT l.kind, {ENTRY_COLS}, l.region_code FROM crosscheck_entries e JOIN crosscheck_lists l ON l.id = e.list_id \
         WHERE e.county_code = $1 AND l.id = (SELECT MAX(x.id) FROM crosscheck_lists x \
         WHERE x.region_code = l.region_code AND x.kind = l.kind) \
         AND ((e.id_number <> '' AND e.id_number = $2) OR ((e.id_number = '' OR $2 = '') AND e.name = $3 \
         AND (e.village_code = $4 OR (e.village_code IS NULL AND l.region_code = $4)))) ORDER BY e.list_id, e.row_no, e.id"
    );
    let rows = sqlx::query(AssertSqlSafe(q))
        .bind(county)
        .bind(id.clone().unwrap_or_default())
        .bind(name.trim())
        .bind(village.map(|v| v.as_str().to_string()).unwrap_or_default())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let entry = entry_row(r)?;
            let by_id = id.as_deref().is_some_and(|n| n == entry.id_number);
            Ok(CrosscheckHit {
                kind: text(r, "kind")?,
                matched_by: if by_id { "id_number" } else { "name_village" }.to_string(),
                entry,
            })
        })
        .collect()
}

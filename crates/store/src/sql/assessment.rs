//! The assessment: the measures read from one county's books, schemes, the round of a city's
//! year with its published snapshots, and appeals; and how `verify` replays them.

use super::*;
use crate::assessment::*;
use sunledger_core::assessment::{
    self as core_a, AppealState, Card, MeasureRow, RoundAction, RoundState, Scheme, Upheld,
};
use sunledger_core::duty::Control;

mod facts;
mod measure;

pub(super) use facts::BOOKING;

type Conn = <DB as sqlx::Database>::Connection;

fn city_of(region: &RegionCode) -> Result<RegionCode> {
    match region.level() {
        Level::City => Ok(*region),
        _ => region
            .ancestor_at(Level::City)
            .ok_or_else(|| invalid("region_code", "city_only", region.as_str())),
    }
}

fn scheme_row(r: &DbRow) -> Result<SchemeVersion> {
    Ok(SchemeVersion {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or(0),
        version: r.try_get("version")?,
        body: r.try_get("body")?,
        note: r.try_get("note")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

const SCHEME_COLUMNS: &str = "id, region_code, year, version, body, note, actor_id, at";

/// The latest version of `city`'s scheme for `year` booked by `as_of`.
async fn scheme_in(
    conn: &mut Conn,
    city: &RegionCode,
    year: i32,
    as_of: i64,
) -> Result<Option<(SchemeVersion, Scheme)>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SCHEME_COLUMNS} FROM assessment_schemes WHERE region_code = $1 AND year = $2 AND at <= $3 \
         ORDER BY version DESC LIMIT 1"
    )))
    .bind(city.as_str())
    .bind(i64::from(year))
    .bind(as_of)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let v = scheme_row(&row)?;
    let s = Scheme::parse(&v.body)
        .map_err(|e| StoreError::Corrupt(format!("assessment scheme {}: {e:?}", v.id)))?;
    Ok(Some((v, s)))
}

/// The scores of every county of `city` as of `as_of`.
async fn scores_in(
    conn: &mut Conn,
    city: &RegionCode,
    year: i32,
    as_of: i64,
) -> Result<AssessmentScores> {
    let (scheme_id, scheme_version, scheme) = match scheme_in(conn, city, year, as_of).await? {
        Some((v, s)) => (Some(v.id), Some(v.version), s),
        None => (None, None, Scheme::default_for(year)),
    };
    let (lo, hi) = subtree_range(city);
    let counties = sqlx::query(
        "SELECT code, name FROM regions WHERE level = $1 AND code >= $2 AND code <= $3 ORDER BY code",
    )
    .bind(Level::County.as_i64())
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(counties.len());
    for c in counties {
        let county = code(&c.try_get::<String, _>("code")?)?;
        out.push(CountyScore {
            code: county.as_str().to_string(),
            name: c.try_get("name")?,
            card: card_in(conn, &county, &scheme, year, as_of).await?,
        });
    }
    Ok(AssessmentScores {
        year,
        as_of,
        scheme_id,
        scheme_version,
        scheme,
        counties: out,
    })
}

/// One county's card by `scheme` as of `as_of`.
async fn card_in(
    conn: &mut Conn,
    county: &RegionCode,
    scheme: &Scheme,
    year: i32,
    as_of: i64,
) -> Result<Card> {
    let rows = measure::read(conn, county, year, as_of).await?;
    let upheld = upheld_in(conn, county, year, as_of).await?;
    Ok(core_a::score(scheme, &rows, &upheld))
}

/// The rows set aside by appeals of `county` upheld by `as_of`.
async fn upheld_in(conn: &mut Conn, county: &RegionCode, year: i32, as_of: i64) -> Result<Upheld> {
    let rows = sqlx::query(
        "SELECT a.item_code, a.row_key FROM assessment_appeals a WHERE a.county_code = $1 AND a.year = $2 \
         AND EXISTS (SELECT 1 FROM assessment_appeal_events e WHERE e.appeal_id = a.id \
         AND e.action = 'upheld' AND e.at <= $3) ORDER BY a.id",
    )
    .bind(county.county_code())
    .bind(i64::from(year))
    .bind(as_of)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("item_code")?, r.try_get("row_key")?)))
        .collect()
}

fn step_row(r: &DbRow) -> Result<AssessmentStep> {
    Ok(AssessmentStep {
        id: r.try_get("id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        reason: r.try_get("reason")?,
        publication_id: r.try_get("publication_id")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

fn publication_row(r: &DbRow) -> Result<AssessmentPublication> {
    Ok(AssessmentPublication {
        id: r.try_get("id")?,
        scheme_id: r.try_get("scheme_id")?,
        as_of: r.try_get("as_of")?,
        log_size: r.try_get("log_size")?,
        table: r.try_get("score_table")?,
        hash: r.try_get("hash")?,
        cards: r.try_get("cards")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

async fn round_in(conn: &mut Conn, city: &RegionCode, year: i32) -> Result<AssessmentRound> {
    let row =
        sqlx::query("SELECT id, state FROM assessment_rounds WHERE region_code = $1 AND year = $2")
            .bind(city.as_str())
            .bind(i64::from(year))
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else {
        return Ok(AssessmentRound {
            id: None,
            region: *city,
            year,
            state: RoundState::Draft.key().to_string(),
            steps: Vec::new(),
            publications: Vec::new(),
        });
    };
    let id: i64 = row.try_get("id")?;
    let steps = sqlx::query(
        "SELECT id, action, from_state, to_state, reason, publication_id, actor_id, at \
         FROM assessment_round_events WHERE round_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(step_row)
    .collect::<Result<Vec<_>>>()?;
    let publications = sqlx::query(
        "SELECT id, scheme_id, as_of, log_size, score_table, hash, cards, actor_id, at \
         FROM assessment_publications WHERE round_id = $1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(publication_row)
    .collect::<Result<Vec<_>>>()?;
    Ok(AssessmentRound {
        id: Some(id),
        region: *city,
        year,
        state: row.try_get("state")?,
        steps,
        publications,
    })
}

const APPEAL_COLUMNS: &str = "a.id, a.region_code, (SELECT g.name FROM regions g WHERE g.code = a.region_code) AS region_name, \
     a.year, a.item_code, a.row_key, a.row_label, a.reason, a.evidence, a.state, a.actor_id, a.at";

async fn appeal_rows(conn: &mut Conn, rows: Vec<DbRow>) -> Result<Vec<AssessmentAppeal>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let decision = sqlx::query(
            "SELECT id, action, reason, actor_id, at FROM assessment_appeal_events WHERE appeal_id = $1 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|d| -> Result<AssessmentDecision> {
            Ok(AssessmentDecision {
                id: d.try_get("id")?,
                action: d.try_get("action")?,
                reason: d.try_get("reason")?,
                actor_id: d.try_get("actor_id")?,
                at: d.try_get("at")?,
            })
        })
        .transpose()?;
        out.push(AssessmentAppeal {
            id,
            county: code(&r.try_get::<String, _>("region_code")?)?,
            county_name: r
                .try_get::<Option<String>, _>("region_name")?
                .unwrap_or_default(),
            year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or(0),
            item: r.try_get("item_code")?,
            row_key: r.try_get("row_key")?,
            row_label: r.try_get("row_label")?,
            reason: r.try_get("reason")?,
            evidence: r.try_get("evidence")?,
            state: r.try_get("state")?,
            actor_id: r.try_get("actor_id")?,
            at: r.try_get("at")?,
            decision,
        });
    }
    Ok(out)
}

async fn appeal_in(conn: &mut Conn, id: i64) -> Result<AssessmentAppeal> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {APPEAL_COLUMNS} FROM assessment_appeals a WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    appeal_rows(conn, rows)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("assessment appeal"))
}

#[async_trait::async_trait]
impl AssessmentStore for StoreImpl {
    async fn assessment_rows(
        &self,
        county: &RegionCode,
        year: i32,
        as_of: i64,
    ) -> Result<Vec<MeasureRow>> {
        let mut tx = self.pool.begin().await?;
        let out = measure::read(&mut tx, county, year, as_of).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn set_assessment_scheme(
        &self,
        city: &RegionCode,
        body: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<SchemeVersion> {
        if city.level() != Level::City {
            return Err(invalid("region_code", "city_only", city.as_str()));
        }
        let scheme = Scheme::parse(body).map_err(|errs| match errs.into_iter().next() {
            Some(e) => invalid(
                "scheme",
                e.reason,
                format!("{} {}: {}", e.item, e.field, e.value),
            ),
            None => invalid("scheme", "bad_document", ""),
        })?;
        let note = sunledger_core::text::bounded("note", note.trim(), sunledger_core::text::NAME)
            .map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        let version: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM assessment_schemes WHERE region_code = $1 AND year = $2",
        )
        .bind(city.as_str())
        .bind(i64::from(scheme.year))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessment_schemes (county_code, region_code, year, version, body, note, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(city.county_code())
        .bind(city.as_str())
        .bind(i64::from(scheme.year))
        .bind(version)
        .bind(scheme.to_document())
        .bind(note)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        append_row_facts(&mut tx, "assessment_schemes", id).await?;
        let out = scheme_row(
            &sqlx::query(AssertSqlSafe(format!(
                "SELECT {SCHEME_COLUMNS} FROM assessment_schemes WHERE id = $1"
            )))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?,
        )?;
        tx.commit().await?;
        Ok(out)
    }

    async fn assessment_schemes(&self, city: &RegionCode, year: i32) -> Result<Vec<SchemeVersion>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {SCHEME_COLUMNS} FROM assessment_schemes WHERE region_code = $1 AND year = $2 ORDER BY version DESC"
        )))
        .bind(city_of(city)?.as_str())
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(scheme_row)
        .collect()
    }

    async fn assessment_scores(
        &self,
        city: &RegionCode,
        year: i32,
        as_of: i64,
    ) -> Result<AssessmentScores> {
        let city = city_of(city)?;
        let mut tx = self.pool.begin().await?;
        let out = scores_in(&mut tx, &city, year, as_of).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn assessment_card(
        &self,
        county: &RegionCode,
        year: i32,
        as_of: i64,
    ) -> Result<(Scheme, Card)> {
        let county = county
            .ancestor_at(Level::County)
            .ok_or_else(|| invalid("county", "county_only", county.as_str()))?;
        let city = city_of(&county)?;
        let mut tx = self.pool.begin().await?;
        let scheme = match scheme_in(&mut tx, &city, year, as_of).await? {
            Some((_, s)) => s,
            None => Scheme::default_for(year),
        };
        let card = card_in(&mut tx, &county, &scheme, year, as_of).await?;
        tx.commit().await?;
        Ok((scheme, card))
    }

    async fn assessment_round(&self, city: &RegionCode, year: i32) -> Result<AssessmentRound> {
        let city = city_of(city)?;
        let mut conn = self.pool.acquire().await?;
        round_in(&mut conn, &city, year).await
    }

    async fn assessment_round_step(
        &self,
        city: &RegionCode,
        year: i32,
        action: RoundAction,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<AssessmentRound> {
        let city = city_of(city)?;
        let reason =
            sunledger_core::text::bounded("reason", reason.trim(), sunledger_core::text::REPORT)
                .map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        let existing: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT id FROM assessment_rounds WHERE region_code = $1 AND year = $2{FOR_UPDATE}"
        )))
        .bind(city.as_str())
        .bind(i64::from(year))
        .fetch_optional(&mut *tx)
        .await?;
        let round_id = match existing {
            Some(id) => id,
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO assessment_rounds (county_code, region_code, year, at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(city.county_code())
                .bind(city.as_str())
                .bind(i64::from(year))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                append_row_facts(&mut tx, "assessment_rounds", id).await?;
                id
            }
        };
        let round = round_in(&mut tx, &city, year).await?;
        let state = RoundState::parse(&round.state)
            .map_err(|e| StoreError::Corrupt(format!("assessment round {round_id}: {e}")))?;
        let next = state.next(action, &reason).map_err(rule)?;
        let mut publication_id = None;
        if action == RoundAction::Publish {
            let reviewer = round
                .steps
                .iter()
                .rev()
                .find(|s| s.action == RoundAction::Review.key())
                .and_then(|s| s.actor_id);
            Control::PublishAssessment
                .check(reviewer, actor)
                .map_err(rule)?;
            // The scheme the scores use is booked: the built-in default becomes version 1.
            let scheme_id = match scheme_in(&mut tx, &city, year, now).await? {
                Some((v, _)) => v.id,
                None => {
                    let doc = Scheme::default_for(year).to_document();
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO assessment_schemes (county_code, region_code, year, version, body, note, actor_id, at) \
                         VALUES ($1, $2, $3, 1, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(city.county_code())
                    .bind(city.as_str())
                    .bind(i64::from(year))
                    .bind(doc)
                    .bind("默认评分表 (built-in default)")
                    .bind(actor)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    append_row_facts(&mut tx, "assessment_schemes", id).await?;
                    id
                }
            };
            let scores = scores_in(&mut tx, &city, year, now).await?;
            let table = core_a::table_text(&scores.cards());
            let hash = core_a::table_hash(&table);
            let cards = serde_json::to_string(&scores.counties)
                .map_err(|e| StoreError::Corrupt(format!("assessment cards: {e}")))?;
            let log_size: i64 = sqlx::query_scalar("SELECT size FROM log_head WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or(0);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO assessment_publications (county_code, round_id, scheme_id, as_of, log_size, score_table, hash, cards, actor_id, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(city.county_code())
            .bind(round_id)
            .bind(scheme_id)
            .bind(now)
            .bind(log_size)
            .bind(&table)
            .bind(&hash)
            .bind(cards)
            .bind(actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            append_row_facts(&mut tx, "assessment_publications", id).await?;
            publication_id = Some(id);
        }
        sqlx::query("UPDATE assessment_rounds SET state = $1 WHERE id = $2")
            .bind(next.key())
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
        let ev: i64 = sqlx::query_scalar(
            "INSERT INTO assessment_round_events (county_code, round_id, action, from_state, to_state, reason, publication_id, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(city.county_code())
        .bind(round_id)
        .bind(action.key())
        .bind(state.key())
        .bind(next.key())
        .bind(&reason)
        .bind(publication_id)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        append_row_facts(&mut tx, "assessment_round_events", ev).await?;
        let out = round_in(&mut tx, &city, year).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn file_assessment_appeal(
        &self,
        a: &NewAssessmentAppeal,
        now: i64,
    ) -> Result<AssessmentAppeal> {
        if a.county.level() != Level::County {
            return Err(invalid("county", "county_only", a.county.as_str()));
        }
        let city = city_of(&a.county)?;
        let reason = nonempty("reason", &a.reason, sunledger_core::text::REPORT)?;
        let evidence = sunledger_core::text::bounded(
            "evidence",
            a.evidence.trim(),
            sunledger_core::text::REPORT,
        )
        .map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        // The row must be one that the live scores show against the item.
        let scores = scores_in(&mut tx, &city, a.year, now).await?;
        let card = scores
            .counties
            .iter()
            .find(|c| c.code == a.county.as_str())
            .map(|c| &c.card)
            .ok_or_else(|| invalid("county", "unknown_county", a.county.as_str()))?;
        let item = card
            .item(a.item.trim())
            .ok_or_else(|| invalid("item", "unknown_item", a.item.as_str()))?;
        let row = item
            .rows
            .iter()
            .find(|r| r.row.key() == a.row_key.trim() && !r.appealed && (r.points.0 < 0 || !r.met))
            .ok_or_else(|| invalid("row_key", "not_a_loss_of_the_item", a.row_key.as_str()))?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM assessment_appeals WHERE county_code = $1 AND year = $2 AND item_code = $3 \
             AND row_key = $4 AND state = 'filed'",
        )
        .bind(a.county.county_code())
        .bind(i64::from(a.year))
        .bind(&item.code)
        .bind(row.row.key())
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(invalid("row_key", "appeal_pending", a.row_key.as_str()));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessment_appeals (county_code, region_code, year, item_code, row_key, row_label, reason, evidence, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(a.county.county_code())
        .bind(a.county.as_str())
        .bind(i64::from(a.year))
        .bind(&item.code)
        .bind(row.row.key())
        .bind(&row.row.label)
        .bind(reason)
        .bind(evidence)
        .bind(a.actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        append_row_facts(&mut tx, "assessment_appeals", id).await?;
        let out = appeal_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn decide_assessment_appeal(
        &self,
        id: i64,
        uphold: bool,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<AssessmentAppeal> {
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT state, actor_id, county_code FROM assessment_appeals WHERE id = $1{FOR_UPDATE}"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("assessment appeal"))?;
        let state = AppealState::parse(&row.try_get::<String, _>("state")?)
            .map_err(|e| StoreError::Corrupt(format!("assessment appeal {id}: {e}")))?;
        let next = state.decide(uphold, reason).map_err(rule)?;
        let filer: Option<i64> = row.try_get("actor_id")?;
        if filer.is_some() && filer == actor {
            return Err(invalid("actor", "appellant_may_not_decide", ""));
        }
        let reason = nonempty("reason", reason, sunledger_core::text::REPORT)?;
        sqlx::query("UPDATE assessment_appeals SET state = $1 WHERE id = $2")
            .bind(next.key())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let ev: i64 = sqlx::query_scalar(
            "INSERT INTO assessment_appeal_events (county_code, appeal_id, action, reason, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(row.try_get::<String, _>("county_code")?)
        .bind(id)
        .bind(next.key())
        .bind(reason)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        append_row_facts(&mut tx, "assessment_appeal_events", ev).await?;
        let out = appeal_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn assessment_appeals(
        &self,
        scope: &RegionCode,
        year: i32,
    ) -> Result<Vec<AssessmentAppeal>> {
        let (lo, hi) = subtree_range(scope);
        let mut conn = self.pool.acquire().await?;
        // A township's or village's scope sees its county's appeals.
        let (lo, hi) = if scope.level() > Level::County {
            subtree_range(&scope.ancestor_at(Level::County).unwrap_or(*scope))
        } else {
            (lo, hi)
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {APPEAL_COLUMNS} FROM assessment_appeals a WHERE a.region_code >= $1 AND a.region_code <= $2 \
             AND a.year = $3 ORDER BY a.id DESC"
        )))
        .bind(lo)
        .bind(hi)
        .bind(i64::from(year))
        .fetch_all(&mut *conn)
        .await?;
        appeal_rows(&mut conn, rows).await
    }
}

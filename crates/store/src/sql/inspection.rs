//! Households (the spot checks' population), spot-check draws and inspections.

use super::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "households",
        select: "SELECT id, county_code, region_code, head_name, id_number, registered_poor, size, created_at FROM households",
        build: household_facts,
        kinds: &[(
            "household",
            "created_at",
            &[
                "region=region_code",
                "head_name",
                "id_number",
                // As registered; the flag now is derived from the announcements' changes.
                "poor=registered_poor",
                "size",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "spot_draws",
        select: "SELECT id, county_code, region_code, round, seed, rules, sample, created_by, created_at, replaces, reason, \
                 population FROM spot_draws",
        build: draw_facts,
        kinds: &[(
            "spot_draw",
            "created_at",
            &[
                "region=region_code",
                "round",
                "seed",
                "rules",
                "sample",
                "created_by",
                "replaces",
                "reason",
                "population_sha256=population",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "inspections",
        select: "SELECT id, county_code, region_code, kind, title, team, lead_departments, targets, planned_on, draw_id, \
                 created_by, created_at, done_on, findings, done_by, done_at, done_reason FROM inspections",
        build: inspection_facts,
        kinds: &[
            (
                "inspection",
                "created_at",
                &[
                    "region=region_code",
                    "kind",
                    "title",
                    "team",
                    "lead_departments",
                    "targets",
                    "planned_on",
                    "draw_id",
                    "created_by",
                ],
            ),
            (
                "inspection.done",
                "done_at",
                &["done_on", "findings", "done_by", "done_reason"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
];

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "households",
            "",
            "t.region_code",
            "the first six digits of the household's village",
        ),
        county(
            "spot_draws",
            "",
            "t.region_code",
            "the first six digits of the drawing unit's region",
        ),
        county(
            "inspections",
            "",
            "t.region_code",
            "the first six digits of the inspected region",
        ),
    ],
    unbooked: &[],
};

pub(crate) const HOUSEHOLD_COLS: &str =
    "id, region_code, head_name, id_number, poor, registered_poor, size";

pub(crate) const INSPECTION_COLS: &str = "id, region_code, kind, title, team, lead_departments, targets, planned_on, \
    draw_id, created_by, created_at, done_on, findings, done_reason";

pub(crate) const DRAW_COLS: &str = "id, region_code, round, seed, rules, sample, created_by, created_at, replaces, reason, \
    (SELECT COUNT(*) FROM spot_draws n WHERE n.replaces = spot_draws.id) AS replaced";

pub(crate) fn household_row(r: &DbRow) -> Result<Household> {
    Ok(Household {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        head_name: r.try_get("head_name")?,
        id_number: r.try_get("id_number")?,
        poor: r.try_get::<i64, _>("poor")? != 0,
        registered_poor: r.try_get::<i64, _>("registered_poor")? != 0,
        size: r.try_get("size")?,
    })
}

pub(crate) fn inspection_row(r: &DbRow) -> Result<Inspection> {
    Ok(Inspection {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        team: r.try_get("team")?,
        lead_departments: r
            .try_get::<String, _>("lead_departments")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        targets: r.try_get("targets")?,
        planned_on: r.try_get("planned_on")?,
        draw_id: r.try_get("draw_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        done_on: r.try_get("done_on")?,
        findings: r.try_get("findings")?,
        done_reason: r.try_get("done_reason")?,
    })
}

/// The sample's canonical text: one line per village,
/// `county village poor,poor,... non_poor,non_poor,...` (ids are household ids).
pub(crate) fn encode_sample(s: &[SampledVillage]) -> String {
    s.iter()
        .map(|v| {
            format!(
                "{} {} {} {}",
                v.county,
                v.village,
                v.poor.join(","),
                v.non_poor.join(",")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn decode_sample(s: &str) -> Result<Vec<SampledVillage>> {
    s.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split(' ');
            let mut next = || parts.next().unwrap_or("").to_string();
            let (county, village, poor, non_poor) = (next(), next(), next(), next());
            if village.is_empty() {
                return Err(StoreError::Corrupt(format!("sample line {l:?}")));
            }
            let list = |x: String| -> Vec<String> {
                x.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            Ok(SampledVillage {
                county,
                village,
                poor: list(poor),
                non_poor: list(non_poor),
            })
        })
        .collect()
}

pub(crate) fn draw_row(r: &DbRow) -> Result<SpotDraw> {
    Ok(SpotDraw {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        round: r.try_get("round")?,
        seed: r.try_get("seed")?,
        rules: r.try_get("rules")?,
        sample: decode_sample(&r.try_get::<String, _>("sample")?)?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        replaces: r.try_get("replaces")?,
        reason: r.try_get("reason")?,
        replaced: r.try_get::<i64, _>("replaced")? > 0,
    })
}

// --- Facts ----------------------------------------------------------------------------------

pub(crate) fn household_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "household",
            "households",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("head_name", r.try_get::<String, _>("head_name")?)
        .field("id_number", r.try_get::<String, _>("id_number")?)
        .field("poor", r.try_get::<i64, _>("registered_poor")?)
        .field("size", r.try_get::<i64, _>("size")?),
    ])
}

pub(crate) fn draw_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let sample: String = r.try_get("sample")?;
    let mut f = Fact::new(
        "spot_draw",
        "spot_draws",
        r.try_get("id")?,
        r.try_get("created_at")?,
    )
    .county(Some(r.try_get::<String, _>("county_code")?))
    .field("region", r.try_get::<String, _>("region_code")?)
    .field("round", r.try_get::<String, _>("round")?)
    .field("seed", r.try_get::<String, _>("seed")?)
    .field("rules", r.try_get::<String, _>("rules")?)
    .field("sample", sample)
    .field("created_by", r.try_get::<Option<i64>, _>("created_by")?);
    // Draws made before one-draw-per-round hold none of these; later ones hold all that apply.
    let replaces = r.try_get::<Option<i64>, _>("replaces")?;
    let reason = r.try_get::<Option<String>, _>("reason")?;
    let population = r.try_get::<Option<String>, _>("population")?;
    if replaces.is_some() || reason.is_some() {
        f = f.field("replaces", replaces).field("reason", reason);
    }
    if let Some(p) = population {
        f = f.field(
            "population_sha256",
            sunledger_core::log::fact::sha256_hex(p.as_bytes()),
        );
    }
    Ok(vec![f])
}

pub(crate) fn inspection_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new("inspection", "inspections", id, r.try_get("created_at")?)
            .county(county.clone())
            .field("region", r.try_get::<String, _>("region_code")?)
            .field("kind", r.try_get::<String, _>("kind")?)
            .field("title", r.try_get::<String, _>("title")?)
            .field("team", r.try_get::<String, _>("team")?)
            .field(
                "lead_departments",
                r.try_get::<String, _>("lead_departments")?,
            )
            .field("targets", r.try_get::<String, _>("targets")?)
            .field("planned_on", r.try_get::<String, _>("planned_on")?)
            .field("draw_id", r.try_get::<Option<i64>, _>("draw_id")?)
            .field("created_by", r.try_get::<Option<i64>, _>("created_by")?),
    ];
    let done_on = r.try_get::<Option<String>, _>("done_on")?;
    let findings = r.try_get::<Option<String>, _>("findings")?;
    let done_by = r.try_get::<Option<i64>, _>("done_by")?;
    let done_reason = r.try_get::<Option<String>, _>("done_reason")?;
    if let Some(at) = later(
        r.try_get("done_at")?,
        &[
            done_on.is_some(),
            findings.is_some(),
            done_by.is_some(),
            done_reason.is_some(),
        ],
    ) {
        let mut f = Fact::new("inspection.done", "inspections", id, at)
            .county(county)
            .field("done_on", done_on)
            .field("findings", findings)
            .field("done_by", done_by);
        // Only early completions carry a reason; the facts booked before it existed are unchanged.
        if done_reason.is_some() {
            f = f.field("done_reason", done_reason);
        }
        out.push(f);
    }
    Ok(out)
}

#[async_trait]
impl InspectionStore for StoreImpl {
    async fn create_households(&self, hs: &[NewHousehold], now: i64) -> Result<u64> {
        let mut tx = begin_write(&self.pool).await?;
        for (i, h) in hs.iter().enumerate() {
            let r = async {
                if h.village.level() != Level::Village {
                    return Err(invalid("village", "not_a_village", h.village.as_str()));
                }
                let name = nonempty("head_name", &h.head_name, 100)?;
                sunledger_core::inspection::check_household_size("size", h.size)
                    .map_err(StoreError::Rule)?;
                let row = sqlx::query(
                    "INSERT INTO households (county_code, region_code, head_name, id_number, poor, registered_poor, size, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id",
                )
                .bind(h.village.county_code())
                .bind(h.village.as_str())
                .bind(name)
                .bind(h.id_number.as_str())
                .bind(i64::from(h.poor))
                .bind(h.size)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(classify)?;
                let id: i64 = row.try_get(0)?;
                append_row_facts(&mut tx, "households", id).await
            }
            .await;
            r.map_err(|e| StoreError::Batch {
                index: i,
                error: Box::new(e),
            })?;
        }
        tx.commit().await?;
        Ok(hs.len() as u64)
    }

    async fn households_in(&self, village: &RegionCode) -> Result<Vec<Household>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {HOUSEHOLD_COLS} FROM households WHERE region_code = $1 ORDER BY id"
        )))
        .bind(village.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(household_row)
        .collect()
    }

    async fn create_draw(
        &self,
        region: &RegionCode,
        round: &str,
        seed: &str,
        rules: &SampleRules,
        replace_reason: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<SpotDraw> {
        rules.check().map_err(rule)?;
        let round = nonempty("round", round, 20)?;
        let seed = nonempty("seed", seed, 200)?;
        if region.level() > Level::City {
            return Err(invalid("region", "not_a_city", region.as_str()));
        }
        let mut tx = begin_write(&self.pool).await?;
        // A round is drawn once: drawing again until a sample suits is what this stops. A
        // replacement names its reason, and the draw it replaces stays.
        let current: Option<i64> = sqlx::query(
            "SELECT d.id FROM spot_draws d WHERE d.region_code = $1 AND d.round = $2 \
             AND NOT EXISTS (SELECT 1 FROM spot_draws n WHERE n.replaces = d.id) ORDER BY d.id DESC LIMIT 1",
        )
        .bind(region.as_str())
        .bind(round.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let reason = replace_reason.map(str::trim).filter(|r| !r.is_empty());
        let (replaces, reason) = match (current, reason) {
            (Some(id), Some(r)) => (
                Some(id),
                Some(sunledger_core::text::nonempty("reason", r, 500).map_err(rule)?),
            ),
            (Some(id), None) => {
                return Err(invalid("round", "round_already_drawn", id.to_string()));
            }
            (None, _) => (None, None),
        };
        let excluded: Vec<String> = Vec::new();
        // The population: every village of every county below the region, with its households.
        let (lo, hi) = subtree_range(region);
        let mut counties: Vec<(String, Vec<sunledger_core::inspection::VillagePopulation>)> =
            Vec::new();
        let rows = sqlx::query(
            "SELECT code FROM regions WHERE code >= $1 AND code <= $2 AND level = $3 ORDER BY code",
        )
        .bind(lo.clone())
        .bind(hi.clone())
        .bind(Level::Village.as_i64())
        .fetch_all(&mut *tx)
        .await?;
        let mut by_village: HashMap<String, Vec<(String, bool)>> = HashMap::new();
        for r in sqlx::query(
            "SELECT id, region_code, poor FROM households WHERE region_code >= $1 AND region_code <= $2 ORDER BY id",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *tx)
        .await?
        {
            by_village
                .entry(r.try_get("region_code")?)
                .or_default()
                .push((r.try_get::<i64, _>("id")?.to_string(), r.try_get::<i64, _>("poor")? != 0));
        }
        for r in rows {
            let v: String = r.try_get(0)?;
            let county = code(&v)?.county_code().to_string();
            // The population is the household register: villages without registered
            // households are not sampled.
            let Some(households) = by_village.remove(&v) else {
                continue;
            };
            let pop = sunledger_core::inspection::VillagePopulation {
                households,
                village: v,
            };
            match counties.last_mut() {
                Some((c, vs)) if *c == county => vs.push(pop),
                _ => counties.push((county, vec![pop])),
            }
        }
        let sample = sunledger_core::inspection::draw(&seed, rules, &counties, &excluded);
        let population = sunledger_core::inspection::encode_population(&counties);
        let row = sqlx::query(
            "INSERT INTO spot_draws (county_code, region_code, round, seed, rules, sample, created_by, created_at, \
             replaces, reason, population) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(region.county_code())
        .bind(region.as_str())
        .bind(round)
        .bind(seed)
        .bind(rules.describe())
        .bind(encode_sample(&sample))
        .bind(actor)
        .bind(now)
        .bind(replaces)
        .bind(reason)
        .bind(population)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "spot_draws", id).await?;
        let out = one_in(
            &mut tx,
            format!("SELECT {DRAW_COLS} FROM spot_draws WHERE id = $1"),
            id,
            draw_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn draw(&self, id: i64) -> Result<Option<(SpotDraw, Option<String>)>> {
        let q = format!("SELECT {DRAW_COLS}, population FROM spot_draws WHERE id = $1");
        match sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        {
            Some(r) => Ok(Some((draw_row(&r)?, r.try_get("population")?))),
            None => Ok(None),
        }
    }

    async fn draws(&self, scopes: &[RegionCode]) -> Result<Vec<SpotDraw>> {
        let mut qb = QueryBuilder::<DB>::new(format!("SELECT {DRAW_COLS} FROM spot_draws WHERE "));
        push_scope_filter(&mut qb, "region_code", scopes);
        qb.push(" ORDER BY id DESC");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(draw_row)
            .collect()
    }

    async fn create_inspection(
        &self,
        i: &NewInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection> {
        if !matches!(i.kind.as_str(), "routine" | "spot_check") {
            return Err(invalid("kind", "unknown_inspection_kind", i.kind.as_str()));
        }
        let title = nonempty("title", &i.title, sunledger_core::text::NAME)?;
        let team = nonempty("team", &i.team, 1000)?;
        sunledger_core::text::bounded("targets", &i.targets, sunledger_core::text::REPORT)
            .map_err(rule)?;
        if i.lead_departments.is_empty() {
            return Err(invalid("lead_departments", "empty", ""));
        }
        let planned = sunledger_core::day::parse("planned_on", &i.planned_on).map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        if let Some(d) = i.draw_id {
            let found: Option<String> =
                sqlx::query("SELECT region_code FROM spot_draws WHERE id = $1")
                    .bind(d)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
            match found {
                Some(r) if i.region.is_within(&code(&r)?) => {}
                _ => return Err(invalid("draw_id", "unknown_draw", d.to_string())),
            }
        }
        let row = sqlx::query(
            "INSERT INTO inspections (county_code, region_code, kind, title, team, lead_departments, targets, planned_on, \
             draw_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(i.region.county_code())
        .bind(i.region.as_str())
        .bind(i.kind.as_str())
        .bind(title)
        .bind(team)
        .bind(
            i.lead_departments
                .iter()
                .map(|k| k.key())
                .collect::<Vec<_>>()
                .join(","),
        )
        .bind(i.targets.trim())
        .bind(sunledger_core::day::format(planned))
        .bind(i.draw_id)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "inspections", id).await?;
        let out = one_in(
            &mut tx,
            format!("SELECT {INSPECTION_COLS} FROM inspections WHERE id = $1"),
            id,
            inspection_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn complete_inspection(
        &self,
        id: i64,
        done_on: &str,
        findings: &str,
        reason: Option<&str>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection> {
        let mut tx = begin_write(&self.pool).await?;
        let r = sqlx::query(AssertSqlSafe(format!(
            "SELECT planned_on, done_at FROM inspections WHERE id = $1{FOR_UPDATE}"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("inspection"))?;
        if r.try_get::<Option<i64>, _>("done_at")?.is_some() {
            return Err(StoreError::Conflict {
                field: "done_on".into(),
            });
        }
        let planned =
            sunledger_core::day::parse("planned_on", &r.try_get::<String, _>(0)?).map_err(rule)?;
        let c = sunledger_core::inspection::Completion::new(
            done_on,
            findings,
            reason,
            planned,
            sunledger_core::day::today(now),
        )
        .map_err(rule)?;
        let n = sqlx::query(
            "UPDATE inspections SET done_on = $1, findings = $2, done_by = $3, done_at = $4, done_reason = $5 \
             WHERE id = $6 AND done_at IS NULL",
        )
        .bind(sunledger_core::day::format(c.done_on))
        .bind(c.findings)
        .bind(actor)
        .bind(now)
        .bind(c.reason)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                field: "done_on".into(),
            });
        }
        append_later_fact(&mut tx, "inspections", id, "inspection.done").await?;
        let out = one_in(
            &mut tx,
            format!("SELECT {INSPECTION_COLS} FROM inspections WHERE id = $1"),
            id,
            inspection_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn inspection(&self, id: i64) -> Result<Option<Inspection>> {
        self.one_by_id(
            format!("SELECT {INSPECTION_COLS} FROM inspections WHERE id = $1"),
            id,
            inspection_row,
        )
        .await
    }

    async fn inspections(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<Inspection>> {
        let mut qb =
            QueryBuilder::<DB>::new(format!("SELECT {INSPECTION_COLS} FROM inspections WHERE "));
        push_scope_filter(&mut qb, "region_code", scopes);
        qb.push(" ORDER BY COALESCE(done_on, planned_on) DESC, id DESC LIMIT ")
            .push_bind(limit);
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(inspection_row)
            .collect()
    }

    async fn inspections_page(
        &self,
        scopes: &[RegionCode],
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Inspection>, i64)> {
        let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM inspections WHERE ");
        push_scope_filter(&mut count, "region_code", scopes);
        let total: i64 = count.build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut qb =
            QueryBuilder::<DB>::new(format!("SELECT {INSPECTION_COLS} FROM inspections WHERE "));
        push_scope_filter(&mut qb, "region_code", scopes);
        qb.push(" ORDER BY COALESCE(done_on, planned_on) DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(inspection_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    /// (county code, day done) of every done inspection in `scopes`.
    async fn inspection_days(&self, scopes: &[RegionCode]) -> Result<Vec<(String, String)>> {
        let mut qb = QueryBuilder::<DB>::new(
            "SELECT county_code, done_on FROM inspections WHERE done_on IS NOT NULL AND ",
        );
        push_scope_filter(&mut qb, "region_code", scopes);
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    async fn household(&self, id: i64) -> Result<Option<Household>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {HOUSEHOLD_COLS} FROM households WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(household_row)
        .transpose()
    }
}

//! Project assets: the registration and its events (transfers, disposals).

use super::*;
use sunledger_core::asset::{
    self as rules_asset, AssetAction, AssetState, Distribution, OwnerLevel, ValueSplit,
};

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "assets",
        select: "SELECT id, county_code, number, project_id, name, class, quantity, unit, value_split, value_total, \
                 distribution, owner_level, owner_region, household_id, custodian, custodian_person, registered_on, \
                 registered_by, registered_at FROM assets",
        build: asset_facts,
        kinds: &[(
            "asset",
            "registered_at",
            &[
                "number",
                "project_id",
                "name",
                "class",
                "quantity",
                "unit",
                "value_split",
                "value_total_fen=value_total",
                "distribution",
                "owner_level",
                "owner_region",
                "household_id",
                "custodian",
                "custodian_person",
                "registered_on",
                "registered_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "asset_events",
        select: "SELECT id, county_code, asset_id, action, from_state, to_state, owner_level, owner_region, household_id, \
                 custodian, custodian_person, disposal_kind, proceeds, decision_kind, decision_on, decision_ref, reason, \
                 on_date, actor_id, at FROM asset_events",
        build: asset_event_facts,
        kinds: &[(
            "asset.event",
            "at",
            &[
                "asset_id",
                "action",
                "from_state",
                "to_state",
                "owner_level",
                "owner_region",
                "household_id",
                "custodian",
                "custodian_person",
                "disposal_kind",
                "proceeds_fen=proceeds",
                "decision_kind",
                "decision_on",
                "decision_ref",
                "reason",
                "on_date",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

/// The latest transfer's `col` of asset `a`, as a subquery.
macro_rules! last_transfer {
    ($col:literal) => {
        concat!(
            "(SELECT e.",
            $col,
            " FROM asset_events e WHERE e.asset_id = a.id AND e.action = 'transfer' ORDER BY e.id DESC LIMIT 1)"
        )
    };
}

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "assets",
            "",
            "t.owner_region",
            "the first six digits of the first owner's region (in the project's county)",
        ),
        Derived {
            table: "assets",
            columns: &[
                "state",
                "cur_owner_level",
                "cur_owner_region",
                "cur_household_id",
                "cur_custodian",
                "cur_custodian_person",
                "village_code",
            ],
            rule: "the asset's events: the last one's state (else registered); the last transfer's owner and custodian \
                   (else the registration's); the register's village is the owner's (a household's village) for \
                   village and household owners, else the project's",
            check: Check::Sql(concat!(
                "SELECT CAST(a.id AS TEXT), a.state, COALESCE((SELECT e.to_state FROM asset_events e WHERE e.asset_id = a.id \
                 ORDER BY e.id DESC LIMIT 1), 'registered'), a.cur_owner_level, COALESCE(",
                last_transfer!("owner_level"),
                ", a.owner_level), a.cur_owner_region, COALESCE(",
                last_transfer!("owner_region"),
                ", a.owner_region), CAST(a.cur_household_id AS TEXT), CAST(CASE WHEN EXISTS (SELECT 1 FROM asset_events e \
                 WHERE e.asset_id = a.id AND e.action = 'transfer') THEN ",
                last_transfer!("household_id"),
                " ELSE a.household_id END AS TEXT), a.cur_custodian, COALESCE(",
                last_transfer!("custodian"),
                ", a.custodian), a.cur_custodian_person, COALESCE(",
                last_transfer!("custodian_person"),
                ", a.custodian_person), a.village_code, CASE WHEN a.cur_owner_level IN ('village', 'household') \
                 THEN a.cur_owner_region ELSE p.region_code END FROM assets a JOIN projects p ON p.id = a.project_id",
            )),
        },
        county(
            "asset_events",
            "LEFT JOIN assets a ON a.id = t.asset_id",
            "a.owner_region",
            "the county of the asset",
        ),
    ],
    unbooked: &[],
};

pub(crate) const ASSET_SELECT: &str = "SELECT a.id, a.number, a.project_id, p.name AS project_name, a.name, a.class, \
    a.quantity, a.unit, a.value_split, a.value_total, a.distribution, a.owner_level, a.owner_region, a.state, \
    a.cur_owner_level, a.cur_owner_region, a.cur_household_id, h.head_name AS household_head, a.cur_custodian, \
    a.cur_custodian_person, a.village_code, a.registered_on, a.registered_by, a.registered_at \
    FROM assets a JOIN projects p ON p.id = a.project_id LEFT JOIN households h ON h.id = a.cur_household_id";

const ASSET_EVENT_COLS: &str = "id, asset_id, action, from_state, to_state, owner_level, owner_region, household_id, \
    custodian, custodian_person, disposal_kind, proceeds, decision_kind, decision_on, decision_ref, reason, on_date, \
    actor_id, at";

fn corrupt(what: &str, s: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {s:?}: {e}"))
}

pub(crate) fn asset_row(r: &DbRow) -> Result<Asset> {
    let split: String = r.try_get("value_split")?;
    let value = ValueSplit::parse_text(&split)
        .map_err(|e| corrupt("asset value", &split, e))?
        .lines()
        .iter()
        .map(|(s, m)| BudgetLine {
            source: s.key().to_string(),
            amount_fen: m.fen(),
        })
        .collect();
    let distribution = match r.try_get::<Option<String>, _>("distribution")? {
        Some(d) => Distribution::parse_text(&d)
            .map_err(|e| corrupt("asset distribution", &d, e))?
            .shares()
            .iter()
            .map(|(h, p)| Share {
                holder: h.key().to_string(),
                percent: *p,
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Asset {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        project_id: r.try_get("project_id")?,
        project_name: r.try_get("project_name")?,
        name: r.try_get("name")?,
        class: r.try_get("class")?,
        quantity: r.try_get("quantity")?,
        unit: r.try_get("unit")?,
        value,
        value_total_fen: r.try_get("value_total")?,
        distribution,
        first_owner_level: r.try_get("owner_level")?,
        first_owner_region: code(&r.try_get::<String, _>("owner_region")?)?,
        state: r.try_get("state")?,
        owner_level: r.try_get("cur_owner_level")?,
        owner_region: code(&r.try_get::<String, _>("cur_owner_region")?)?,
        household_id: r.try_get("cur_household_id")?,
        household_head: r.try_get("household_head")?,
        custodian: r.try_get("cur_custodian")?,
        custodian_person: r.try_get("cur_custodian_person")?,
        village: code(&r.try_get::<String, _>("village_code")?)?,
        registered_on: r.try_get("registered_on")?,
        registered_by: r.try_get("registered_by")?,
        registered_at: r.try_get("registered_at")?,
    })
}

pub(crate) fn asset_event_row(r: &DbRow) -> Result<AssetEvent> {
    Ok(AssetEvent {
        id: r.try_get("id")?,
        asset_id: r.try_get("asset_id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        owner_level: r.try_get("owner_level")?,
        owner_region: r.try_get("owner_region")?,
        household_id: r.try_get("household_id")?,
        custodian: r.try_get("custodian")?,
        custodian_person: r.try_get("custodian_person")?,
        disposal_kind: r.try_get("disposal_kind")?,
        proceeds_fen: r.try_get("proceeds")?,
        decision_kind: r.try_get("decision_kind")?,
        decision_on: r.try_get("decision_on")?,
        decision_ref: r.try_get("decision_ref")?,
        reason: r.try_get("reason")?,
        on_date: r.try_get("on_date")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

pub(crate) fn asset_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "asset",
            "assets",
            r.try_get("id")?,
            r.try_get("registered_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("number", r.try_get::<String, _>("number")?)
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("name", r.try_get::<String, _>("name")?)
        .field("class", r.try_get::<String, _>("class")?)
        .field("quantity", r.try_get::<String, _>("quantity")?)
        .field("unit", r.try_get::<String, _>("unit")?)
        .field("value_split", r.try_get::<String, _>("value_split")?)
        .field("value_total_fen", r.try_get::<i64, _>("value_total")?)
        .field(
            "distribution",
            r.try_get::<Option<String>, _>("distribution")?,
        )
        .field("owner_level", r.try_get::<String, _>("owner_level")?)
        .field("owner_region", r.try_get::<String, _>("owner_region")?)
        .field("household_id", r.try_get::<Option<i64>, _>("household_id")?)
        .field("custodian", r.try_get::<String, _>("custodian")?)
        .field(
            "custodian_person",
            r.try_get::<String, _>("custodian_person")?,
        )
        .field("registered_on", r.try_get::<String, _>("registered_on")?)
        .field(
            "registered_by",
            r.try_get::<Option<i64>, _>("registered_by")?,
        ),
    ])
}

pub(crate) fn asset_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let s = |c: &str| r.try_get::<Option<String>, _>(c);
    Ok(vec![
        Fact::new(
            "asset.event",
            "asset_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("asset_id", r.try_get::<i64, _>("asset_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("owner_level", s("owner_level")?)
        .field("owner_region", s("owner_region")?)
        .field("household_id", r.try_get::<Option<i64>, _>("household_id")?)
        .field("custodian", s("custodian")?)
        .field("custodian_person", s("custodian_person")?)
        .field("disposal_kind", s("disposal_kind")?)
        .field("proceeds_fen", r.try_get::<Option<i64>, _>("proceeds")?)
        .field("decision_kind", r.try_get::<String, _>("decision_kind")?)
        .field("decision_on", s("decision_on")?)
        .field("decision_ref", r.try_get::<String, _>("decision_ref")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

// --- Writes ---------------------------------------------------------------------------------

/// An owner resolved inside the transaction: the owning region (a household's village), the
/// household, and the village whose register lists the asset.
struct Resolved {
    level: OwnerLevel,
    region: RegionCode,
    household_id: Option<i64>,
    village: RegionCode,
    custodian: String,
    custodian_person: String,
}

async fn resolve_owner(
    tx: &mut sqlx::Transaction<'static, DB>,
    o: &AssetOwner,
    project_region: &RegionCode,
) -> Result<Resolved> {
    let county = project_region.county_code();
    let custodian = nonempty("custodian", &o.custodian, sunledger_core::text::NAME)?;
    let custodian_person = nonempty(
        "custodian_person",
        &o.custodian_person,
        sunledger_core::text::NAME,
    )?;
    let (region, household_id) = if o.level == OwnerLevel::Household {
        let hid = o
            .household_id
            .ok_or_else(|| invalid("household_id", "required", ""))?;
        let r: Option<String> = sqlx::query("SELECT region_code FROM households WHERE id = $1")
            .bind(hid)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let r =
            code(&r.ok_or_else(|| invalid("household_id", "unknown_household", hid.to_string()))?)?;
        if r.county_code() != county {
            return Err(invalid("household_id", "outside_county", hid.to_string()));
        }
        (r, Some(hid))
    } else {
        let r = o.region.ok_or_else(|| invalid("owner", "required", ""))?;
        o.level.check_owner(&r, county).map_err(rule)?;
        (r, None)
    };
    let village = match o.level {
        OwnerLevel::Village | OwnerLevel::Household => region,
        OwnerLevel::County | OwnerLevel::Township => {
            if project_region.level() != Level::Village {
                return Err(invalid(
                    "owner_level",
                    "project_not_in_village",
                    project_region.as_str(),
                ));
            }
            *project_region
        }
    };
    Ok(Resolved {
        level: o.level,
        region,
        household_id,
        village,
        custodian,
        custodian_person,
    })
}

async fn lock_asset(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<Asset> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM assets WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("asset"))?;
    one_in(tx, format!("{ASSET_SELECT} WHERE a.id = $1"), id, asset_row).await
}

#[async_trait]
impl AssetStore for StoreImpl {
    async fn register_asset(&self, a: &NewAsset, actor: Option<i64>, now: i64) -> Result<Asset> {
        let name = nonempty("name", &a.name, sunledger_core::text::NAME)?;
        let unit = nonempty("unit", &a.unit, 20)?;
        let quantity = rules_asset::quantity(&a.quantity).map_err(rule)?;
        rules_asset::check_class_owner(a.class, a.owner.level).map_err(rule)?;
        rules_asset::check_distribution(a.class, a.distribution.as_ref()).map_err(rule)?;
        let total = a.value.total().map_err(rule)?;
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query(AssertSqlSafe(format!(
            "SELECT id FROM projects WHERE id = $1{FOR_UPDATE}"
        )))
        .bind(a.project_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| invalid("project_id", "unknown_reference", a.project_id.to_string()))?;
        let project = project_in_tx(&mut tx, a.project_id).await?;
        let status = project.status.clone().unwrap_or_default();
        if !rules_asset::REGISTERABLE_STATUSES.contains(&status.as_str()) {
            return Err(invalid("project_id", "project_not_accepted", status));
        }
        // The split limit: the approved version's budget, less what the project's assets hold.
        let version = project.approved_version.unwrap_or(project.version);
        let budget: Option<String> = sqlx::query(
            "SELECT budget FROM project_versions WHERE project_id = $1 AND version = $2",
        )
        .bind(a.project_id)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let budget = match budget {
            Some(b) => sunledger_core::project::Budget::decode(&b)
                .map_err(|e| corrupt("budget", &b, e))?
                .lines()
                .to_vec(),
            None => Vec::new(),
        };
        let mut registered = Vec::new();
        for r in sqlx::query("SELECT value_split FROM assets WHERE project_id = $1")
            .bind(a.project_id)
            .fetch_all(&mut *tx)
            .await?
        {
            let s: String = r.try_get(0)?;
            registered.extend_from_slice(
                ValueSplit::parse_text(&s)
                    .map_err(|e| corrupt("asset value", &s, e))?
                    .lines(),
            );
        }
        rules_asset::check_split(&a.value, &budget, &registered).map_err(rule)?;
        let o = resolve_owner(&mut tx, &a.owner, &project.region).await?;
        let county = project.region.county_code();
        let today_text = sunledger_core::day::today_text(now);
        let year = today_text.get(..4).unwrap_or("0000");
        let seq: i64 =
            sqlx::query("SELECT COUNT(*) FROM assets WHERE county_code = $1 AND number LIKE $2")
                .bind(county)
                .bind(format!("{county}-{year}-%"))
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        let number = rules_asset::number(county, year.parse().unwrap_or(0), seq + 1);
        let row = sqlx::query(
            "INSERT INTO assets (county_code, number, project_id, name, class, quantity, unit, value_split, value_total, \
             distribution, owner_level, owner_region, household_id, custodian, custodian_person, registered_on, \
             registered_by, registered_at, state, cur_owner_level, cur_owner_region, cur_household_id, cur_custodian, \
             cur_custodian_person, village_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, 'registered', $11, $12, $13, $14, $15, $19) RETURNING id",
        )
        .bind(county)
        .bind(number)
        .bind(a.project_id)
        .bind(name)
        .bind(a.class.key())
        .bind(quantity)
        .bind(unit)
        .bind(a.value.to_text())
        .bind(total.fen())
        .bind(a.distribution.as_ref().map(Distribution::to_text))
        .bind(o.level.key())
        .bind(o.region.as_str())
        .bind(o.household_id)
        .bind(o.custodian)
        .bind(o.custodian_person)
        .bind(today_text)
        .bind(actor)
        .bind(now)
        .bind(o.village.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "assets", id).await?;
        let out = lock_asset(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn asset_step(
        &self,
        id: i64,
        step: &AssetStep,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Asset> {
        let mut tx = begin_write(&self.pool).await?;
        let asset = lock_asset(&mut tx, id).await?;
        let from = AssetState::parse(&asset.state)
            .map_err(|_| StoreError::Corrupt(format!("asset state {:?}", asset.state)))?;
        let to = from.next(step.action).map_err(rule)?;
        let mut owner: Option<Resolved> = None;
        let (mut kind, mut proceeds) = (None, None);
        match step.action {
            AssetAction::Transfer => {
                let o = step
                    .owner
                    .as_ref()
                    .ok_or_else(|| invalid("owner_level", "required", ""))?;
                let class = sunledger_core::asset::AssetClass::parse(&asset.class)
                    .map_err(|_| StoreError::Corrupt(format!("asset class {:?}", asset.class)))?;
                rules_asset::check_class_owner(class, o.level).map_err(rule)?;
                let project = project_in_tx(&mut tx, asset.project_id).await?;
                let r = resolve_owner(&mut tx, o, &project.region).await?;
                if r.level.key() == asset.owner_level
                    && r.region == asset.owner_region
                    && r.household_id == asset.household_id
                    && r.custodian == asset.custodian
                    && r.custodian_person == asset.custodian_person
                {
                    return Err(invalid("owner", "unchanged", ""));
                }
                owner = Some(r);
            }
            AssetAction::Dispose => {
                // Four eyes: the one who registered the asset does not approve its disposal.
                Control::DisposeAsset
                    .check(asset.registered_by, actor)
                    .map_err(rule)?;
                kind = Some(
                    step.disposal_kind
                        .ok_or_else(|| invalid("disposal_kind", "required", ""))?
                        .key(),
                );
                if let Some(p) = step.proceeds {
                    if p.fen() < 0 {
                        return Err(invalid("proceeds", "negative", p.to_string()));
                    }
                    proceeds = Some(p.fen());
                }
            }
        }
        let d = &step.decision;
        let row = sqlx::query(
            "INSERT INTO asset_events (county_code, asset_id, action, from_state, to_state, owner_level, owner_region, \
             household_id, custodian, custodian_person, disposal_kind, proceeds, decision_kind, decision_on, decision_ref, \
             reason, on_date, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19) RETURNING id",
        )
        .bind(asset.first_owner_region.county_code())
        .bind(id)
        .bind(step.action.key())
        .bind(from.key())
        .bind(to.key())
        .bind(owner.as_ref().map(|o| o.level.key()))
        .bind(owner.as_ref().map(|o| o.region.as_str().to_string()))
        .bind(owner.as_ref().and_then(|o| o.household_id))
        .bind(owner.as_ref().map(|o| o.custodian.clone()))
        .bind(owner.as_ref().map(|o| o.custodian_person.clone()))
        .bind(kind)
        .bind(proceeds)
        .bind(d.kind.key())
        .bind(d.on.map(sunledger_core::day::format))
        .bind(d.reference.as_str())
        .bind(d.reason.as_str())
        .bind(sunledger_core::day::today_text(now))
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let eid: i64 = row.try_get(0)?;
        if let Some(o) = &owner {
            sqlx::query(
                "UPDATE assets SET state = $1, cur_owner_level = $2, cur_owner_region = $3, cur_household_id = $4, \
                 cur_custodian = $5, cur_custodian_person = $6, village_code = $7 WHERE id = $8",
            )
            .bind(to.key())
            .bind(o.level.key())
            .bind(o.region.as_str())
            .bind(o.household_id)
            .bind(o.custodian.as_str())
            .bind(o.custodian_person.as_str())
            .bind(o.village.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("UPDATE assets SET state = $1 WHERE id = $2")
                .bind(to.key())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        append_row_facts(&mut tx, "asset_events", eid).await?;
        let out = lock_asset(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn asset(&self, id: i64) -> Result<Option<Asset>> {
        self.one_by_id(format!("{ASSET_SELECT} WHERE a.id = $1"), id, asset_row)
            .await
    }

    async fn asset_record(&self, id: i64) -> Result<Option<AssetRecord>> {
        let Some(asset) = self.asset(id).await? else {
            return Ok(None);
        };
        let events = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ASSET_EVENT_COLS} FROM asset_events WHERE asset_id = $1 ORDER BY id"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(asset_event_row)
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(AssetRecord { asset, events }))
    }

    async fn assets(&self, f: &AssetFilter, limit: i64, offset: i64) -> Result<(Vec<Asset>, i64)> {
        let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM assets a");
        push_asset_where(&mut count, f);
        let total: i64 = count.build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut qb = QueryBuilder::<DB>::new(ASSET_SELECT);
        push_asset_where(&mut qb, f);
        qb.push(" ORDER BY a.number, a.id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(asset_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    async fn asset_totals(&self, f: &AssetFilter) -> Result<Vec<AssetTotal>> {
        let mut qb = QueryBuilder::<DB>::new(
            "SELECT a.village_code, a.class, a.cur_owner_level, COUNT(*), CAST(SUM(a.value_total) AS BIGINT) FROM assets a",
        );
        push_asset_where(&mut qb, f);
        qb.push(
            " AND a.state <> 'disposed' GROUP BY a.village_code, a.class, a.cur_owner_level \
                 ORDER BY a.village_code, a.class, a.cur_owner_level",
        );
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AssetTotal {
                    village: code(&r.try_get::<String, _>(0)?)?,
                    class: r.try_get(1)?,
                    owner_level: r.try_get(2)?,
                    count: r.try_get(3)?,
                    value_fen: r.try_get(4)?,
                })
            })
            .collect()
    }

    async fn asset_county_total(&self, county: &RegionCode) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "SELECT COUNT(*), CAST(COALESCE(SUM(value_total), 0) AS BIGINT) FROM assets \
             WHERE county_code = $1 AND state <> 'disposed'",
        )
        .bind(county.county_code())
        .fetch_one(&self.pool)
        .await?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }
}

fn push_asset_where(qb: &mut QueryBuilder<DB>, f: &AssetFilter) {
    qb.push(" WHERE ");
    push_scope_filter(qb, "a.village_code", &f.scopes);
    if let Some(r) = &f.region {
        qb.push(" AND ");
        push_scope_filter(qb, "a.village_code", std::slice::from_ref(r));
    }
    if let Some(c) = &f.class {
        qb.push(" AND a.class = ").push_bind(c.clone());
    }
    if let Some(o) = &f.owner_level {
        qb.push(" AND a.cur_owner_level = ").push_bind(o.clone());
    }
    if let Some(s) = &f.state {
        qb.push(" AND a.state = ").push_bind(s.clone());
    }
    if let Some(p) = f.project_id {
        qb.push(" AND a.project_id = ").push_bind(p);
    }
    if f.in_service {
        qb.push(" AND a.state <> 'disposed'");
    }
}

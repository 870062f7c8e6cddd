//! Red flags: the scan (the county's books read into core `flag::Input`, the rules run, new
//! hits raised as flags), the steps of a flag, settings documents, and how `verify` replays them.

use super::*;
use sunledger_core::flag::{self as rules, Evidence, FlagAction, Rule};

mod input;
mod write;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "flag_settings",
        select: "SELECT id, county_code, region_code, body, note, actor_id, at FROM flag_settings",
        build: settings_facts,
        kinds: &[(
            "flag.settings",
            "at",
            &["region_code", "body", "note", "actor_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "flag_scans",
        select: "SELECT id, county_code, region_code, rules, on_date, log_size, hits, raised, actor_id, at FROM flag_scans",
        build: scan_facts,
        kinds: &[(
            "flag.scan",
            "at",
            &[
                "region_code",
                "rules",
                "on_date",
                "log_size",
                "hits",
                "raised",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "flags",
        select: "SELECT id, county_code, region_code, rule_id, evidence_key, severity, project_id, amount, evidence, \
                 params, scan_id, log_size, raised_on, at FROM flags",
        build: flag_facts,
        kinds: &[(
            "flag.raised",
            "at",
            &[
                "region_code",
                "rule_id",
                "evidence_key",
                "severity",
                "project_id",
                "amount",
                "evidence",
                "params",
                "scan_id",
                "log_size",
                "raised_on",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "flag_events",
        select: "SELECT id, county_code, flag_id, action, from_state, to_state, reason, problem_id, on_date, actor_id, at \
                 FROM flag_events",
        build: event_facts,
        kinds: &[(
            "flag.step",
            "at",
            &[
                "flag_id",
                "action",
                "from_state",
                "to_state",
                "reason",
                "problem_id",
                "on_date",
                "actor_id",
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
            "flag_settings",
            "",
            "t.region_code",
            "the county of the region whose settings they are (a city's padded code)",
        ),
        county("flag_scans", "", "t.region_code", "the county scanned"),
        county(
            "flags",
            "",
            "t.region_code",
            "the county of the region the flag belongs to",
        ),
        Derived {
            table: "flags",
            columns: &["state", "problem_id"],
            rule: "the flag's steps: the last one's state (else open), and the problem its case opened",
            check: Check::Sql(
                "SELECT CAST(f.id AS TEXT), f.state, COALESCE((SELECT x.to_state FROM flag_events x \
                 WHERE x.flag_id = f.id ORDER BY x.id DESC LIMIT 1), 'open'), \
                 CAST(f.problem_id AS TEXT), (SELECT CAST(x.problem_id AS TEXT) FROM flag_events x \
                 WHERE x.flag_id = f.id AND x.problem_id IS NOT NULL ORDER BY x.id LIMIT 1) FROM flags f",
            ),
        },
        county(
            "flag_events",
            "LEFT JOIN flags f ON f.id = t.flag_id",
            "f.region_code",
            "the county of the flag",
        ),
    ],
    unbooked: &[],
};

fn settings_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "flag.settings",
            "flag_settings",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("body", r.try_get::<String, _>("body")?)
        .field("note", r.try_get::<String, _>("note")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn scan_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "flag.scan",
            "flag_scans",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("rules", r.try_get::<String, _>("rules")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("log_size", r.try_get::<i64, _>("log_size")?)
        .field("hits", r.try_get::<i64, _>("hits")?)
        .field("raised", r.try_get::<i64, _>("raised")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn flag_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new("flag.raised", "flags", r.try_get("id")?, r.try_get("at")?)
            .county(Some(r.try_get::<String, _>("county_code")?))
            .field("region_code", r.try_get::<String, _>("region_code")?)
            .field("rule_id", r.try_get::<String, _>("rule_id")?)
            .field("evidence_key", r.try_get::<String, _>("evidence_key")?)
            .field("severity", r.try_get::<String, _>("severity")?)
            .field("project_id", r.try_get::<Option<i64>, _>("project_id")?)
            .field("amount", r.try_get::<i64, _>("amount")?)
            .field("evidence", r.try_get::<String, _>("evidence")?)
            .field("params", r.try_get::<String, _>("params")?)
            .field("scan_id", r.try_get::<i64, _>("scan_id")?)
            .field("log_size", r.try_get::<i64, _>("log_size")?)
            .field("raised_on", r.try_get::<String, _>("raised_on")?),
    ])
}

fn event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "flag.step",
            "flag_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("flag_id", r.try_get::<i64, _>("flag_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("problem_id", r.try_get::<Option<i64>, _>("problem_id")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

const FLAG_COLUMNS: &str = "id, region_code, (SELECT g.name FROM regions g WHERE g.code = flags.region_code) AS region_name, \
     rule_id, evidence_key, severity, project_id, amount, evidence, params, scan_id, log_size, raised_on, state, problem_id, at";

pub(crate) fn flag_row(r: &DbRow) -> Result<Flag> {
    let evidence: String = r.try_get("evidence")?;
    let evidence: Evidence = serde_json::from_str(&evidence)
        .map_err(|e| StoreError::Corrupt(format!("flag evidence: {e}")))?;
    Ok(Flag {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r
            .try_get::<Option<String>, _>("region_name")?
            .unwrap_or_default(),
        rule_id: r.try_get("rule_id")?,
        evidence_key: r.try_get("evidence_key")?,
        severity: r.try_get("severity")?,
        project_id: r.try_get("project_id")?,
        amount_fen: r.try_get("amount")?,
        evidence,
        params: r.try_get("params")?,
        scan_id: r.try_get("scan_id")?,
        log_size: r.try_get("log_size")?,
        raised_on: r.try_get("raised_on")?,
        state: r.try_get("state")?,
        problem_id: r.try_get("problem_id")?,
        at: r.try_get("at")?,
    })
}

fn event_row(r: &DbRow) -> Result<FlagEvent> {
    Ok(FlagEvent {
        id: r.try_get("id")?,
        flag_id: r.try_get("flag_id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        reason: r.try_get("reason")?,
        problem_id: r.try_get("problem_id")?,
        on_date: r.try_get("on_date")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

fn settings_row(r: &DbRow) -> Result<FlagSettings> {
    Ok(FlagSettings {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        body: r.try_get("body")?,
        note: r.try_get("note")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

fn scan_row(r: &DbRow) -> Result<FlagScan> {
    Ok(FlagScan {
        id: r.try_get("id")?,
        county: r.try_get("region_code")?,
        rules: r.try_get("rules")?,
        on_date: r.try_get("on_date")?,
        log_size: r.try_get("log_size")?,
        hits: r.try_get("hits")?,
        raised: r.try_get("raised")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

async fn flag_record_in(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<FlagRecord> {
    let flag = one_in(
        tx,
        format!("SELECT {FLAG_COLUMNS} FROM flags WHERE id = $1"),
        id,
        flag_row,
    )
    .await?;
    let events = sqlx::query(
        "SELECT id, flag_id, action, from_state, to_state, reason, problem_id, on_date, actor_id, at \
         FROM flag_events WHERE flag_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(event_row)
    .collect::<Result<Vec<_>>>()?;
    Ok(FlagRecord { flag, events })
}

/// The settings documents in force for `county`, oldest layer first: the city's latest, then
/// the county's latest.
async fn settings_in<'e, E>(ex: E, county: &RegionCode) -> Result<Vec<FlagSettings>>
where
    E: sqlx::Executor<'e, Database = DB>,
{
    let city = county
        .ancestor_at(Level::City)
        .map_or_else(String::new, |c| c.as_str().to_string());
    let rows = sqlx::query(
        "SELECT s.id, s.region_code, s.body, s.note, s.actor_id, s.at FROM flag_settings s \
         WHERE s.region_code IN ($1, $2) AND s.id = (SELECT MAX(x.id) FROM flag_settings x WHERE x.region_code = s.region_code) \
         ORDER BY s.id",
    )
    .bind(city)
    .bind(county.as_str())
    .fetch_all(ex)
    .await?;
    let mut out: Vec<FlagSettings> = rows.iter().map(settings_row).collect::<Result<_>>()?;
    // The city first, then the county.
    out.sort_by_key(|s| s.region.level());
    Ok(out)
}

#[async_trait]
impl FlagStore for StoreImpl {
    async fn scan_flags(
        &self,
        scope: &RegionCode,
        rules: &[&'static Rule],
        today: i64,
        actor: Option<i64>,
        now: i64,
        progress: &(dyn for<'r> Fn(&'r ScanReport) + Send + Sync),
    ) -> Result<Vec<ScanReport>> {
        write::scan(self, scope, rules, today, actor, now, progress).await
    }

    async fn flag_input(&self, county: &RegionCode, today: i64) -> Result<rules::Input> {
        let mut tx = self.pool.begin().await?;
        let out = input::read(&mut tx, county, today).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn flags(&self, f: &FlagFilter, limit: i64, offset: i64) -> Result<(Vec<Flag>, i64)> {
        let filter = |qb: &mut QueryBuilder<DB>| {
            push_scope_filter(qb, "region_code", &f.scopes);
            if let Some(s) = &f.state {
                qb.push(" AND state = ").push_bind(s.clone());
            }
            if let Some(r) = &f.rule {
                qb.push(" AND rule_id = ").push_bind(r.clone());
            }
            if let Some(s) = &f.severity {
                qb.push(" AND severity = ").push_bind(s.clone());
            }
            if f.open_only {
                qb.push(" AND state IN ('open', 'triaged')");
            }
        };
        let mut qb: QueryBuilder<DB> = QueryBuilder::new("SELECT COUNT(*) FROM flags WHERE ");
        filter(&mut qb);
        let total: i64 = qb.build_query_scalar().fetch_one(&self.pool).await?;
        let mut qb: QueryBuilder<DB> =
            QueryBuilder::new(format!("SELECT {FLAG_COLUMNS} FROM flags WHERE "));
        filter(&mut qb);
        qb.push(
            " ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'triaged' THEN 1 ELSE 2 END, \
             CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id DESC LIMIT ",
        )
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(flag_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    async fn flag(&self, id: i64) -> Result<Option<FlagRecord>> {
        let mut tx = self.pool.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM flags WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let r = flag_record_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some(r))
    }

    async fn flag_step(
        &self,
        id: i64,
        action: FlagAction,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<FlagRecord> {
        write::step(self, id, action, reason, actor, now).await
    }

    async fn flag_counts(&self, scopes: &[RegionCode]) -> Result<Vec<RuleCount>> {
        let mut qb: QueryBuilder<DB> =
            QueryBuilder::new("SELECT rule_id, state, COUNT(*) AS n FROM flags WHERE ");
        push_scope_filter(&mut qb, "region_code", scopes);
        qb.push(" GROUP BY rule_id, state");
        let mut by: BTreeMap<String, RuleCount> = BTreeMap::new();
        for r in qb.build().fetch_all(&self.pool).await? {
            let rule: String = r.try_get("rule_id")?;
            let state: String = r.try_get("state")?;
            let n: i64 = r.try_get("n")?;
            let c = by.entry(rule.clone()).or_insert_with(|| RuleCount {
                rule_id: rule,
                ..RuleCount::default()
            });
            match state.as_str() {
                "open" => c.open += n,
                "triaged" => c.triaged += n,
                "dismissed" => c.dismissed += n,
                _ => c.case_opened += n,
            }
        }
        Ok(rules::RULES
            .iter()
            .map(|r| {
                by.remove(r.id).unwrap_or_else(|| RuleCount {
                    rule_id: r.id.to_string(),
                    ..RuleCount::default()
                })
            })
            .collect())
    }

    async fn set_flag_settings(
        &self,
        region: &RegionCode,
        body: &str,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<FlagSettings> {
        write::settings(self, region, body, note, actor, now).await
    }

    async fn flag_settings(&self, county: &RegionCode) -> Result<Vec<FlagSettings>> {
        settings_in(&self.pool, county).await
    }

    async fn flag_scans(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<FlagScan>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT id, region_code, rules, on_date, log_size, hits, raised, actor_id, at FROM flag_scans WHERE (",
        );
        // A county's scans are seen from the county and above it.
        qb.push("1 = 0");
        for s in scopes {
            let (lo, hi) = subtree_range(s);
            qb.push(" OR (region_code >= ")
                .push_bind(lo)
                .push(" AND region_code <= ")
                .push_bind(hi)
                .push(")");
        }
        qb.push(") ORDER BY id DESC LIMIT ").push_bind(limit);
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(scan_row)
            .collect()
    }
}

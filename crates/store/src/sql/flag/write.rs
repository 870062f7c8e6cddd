//! The writes of red flags, each one transaction that books its facts: a scan of one shard, a
//! step of a flag (a case opens a Book 3 problem), a settings document.

use super::*;
use sunledger_core::flag::{FlagState, Settings, Severity};
use sunledger_core::text;

/// The counties a scan of `scope` covers, and the city's own rows when the scope holds the city.
async fn units(s: &StoreImpl, scope: &RegionCode) -> Result<Vec<RegionCode>> {
    if scope.level() >= Level::County {
        return Ok(scope
            .ancestor_at(Level::County)
            .into_iter()
            .collect::<Vec<_>>());
    }
    let (lo, hi) = subtree_range(scope);
    let mut out: Vec<RegionCode> = Vec::new();
    // Cities' own rows are a shard of their own (the city's padded code).
    for r in sqlx::query(
        "SELECT code FROM regions WHERE level IN ($1, $2) AND code >= $3 AND code <= $4 ORDER BY code",
    )
    .bind(Level::City.as_i64())
    .bind(Level::County.as_i64())
    .bind(lo)
    .bind(hi)
    .fetch_all(&s.pool)
    .await?
    {
        out.push(code(&r.try_get::<String, _>(0)?)?);
    }
    Ok(out)
}

pub(super) async fn scan(
    s: &StoreImpl,
    scope: &RegionCode,
    chosen: &[&'static Rule],
    today: i64,
    actor: Option<i64>,
    now: i64,
    progress: &(dyn for<'r> Fn(&'r ScanReport) + Send + Sync),
) -> Result<Vec<ScanReport>> {
    let all = chosen.is_empty() || chosen.len() == rules::RULES.len();
    let chosen: Vec<&'static Rule> = if chosen.is_empty() {
        rules::RULES.to_vec()
    } else {
        chosen.to_vec()
    };
    let rules_text = if all {
        String::new()
    } else {
        chosen.iter().map(|r| r.id).collect::<Vec<_>>().join(",")
    };
    let mut reports = Vec::new();
    for unit in units(s, scope).await? {
        // The books and the log size they were read at, from one snapshot.
        let (input, log_size, layers) = {
            let mut tx = s.pool.begin().await?;
            let log_size: i64 = sqlx::query_scalar("SELECT size FROM log_head WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or(0);
            let layers = settings_in(&mut *tx, &unit).await?;
            let input = input::read(&mut tx, &unit, today).await?;
            tx.commit().await?;
            (input, log_size, layers)
        };
        let mut docs = Vec::new();
        for l in &layers {
            docs.push(
                Settings::parse(&l.body)
                    .map_err(|e| StoreError::Corrupt(format!("flag settings {}: {e}", l.id)))?,
            );
        }
        let refs: Vec<&Settings> = docs.iter().collect();
        let mut hits = Vec::new();
        let mut per_rule: Vec<(String, i64, i64)> = Vec::new();
        for r in &chosen {
            let values = rules::values(r, &refs);
            let found: Vec<_> = r
                .run(&input, &values)
                .into_iter()
                .filter(|h| h.region.is_within(scope))
                .collect();
            per_rule.push((r.id.to_string(), found.len() as i64, 0));
            for h in found {
                hits.push((*r, values.text(), h));
            }
        }
        let mut tx = begin_write(&s.pool).await?;
        let mut known: HashSet<(String, String)> = HashSet::new();
        for r in sqlx::query("SELECT rule_id, evidence_key FROM flags WHERE county_code = $1")
            .bind(unit.county_code())
            .fetch_all(&mut *tx)
            .await?
        {
            known.insert((r.try_get(0)?, r.try_get(1)?));
        }
        let fresh: Vec<_> = hits
            .iter()
            .filter(|(r, _, h)| !known.contains(&(r.id.to_string(), h.key.clone())))
            .collect();
        for (r, _, _) in &fresh {
            if let Some(p) = per_rule.iter_mut().find(|p| p.0 == r.id) {
                p.2 += 1;
            }
        }
        let on_date = sunledger_core::day::format(today);
        let scan_id: i64 = sqlx::query_scalar(
            "INSERT INTO flag_scans (county_code, region_code, rules, on_date, log_size, hits, raised, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(unit.county_code())
        .bind(unit.as_str())
        .bind(&rules_text)
        .bind(&on_date)
        .bind(log_size)
        .bind(hits.len() as i64)
        .bind(fresh.len() as i64)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut facts = row_facts(&mut tx, "flag_scans", scan_id).await?;
        for (r, values, h) in &fresh {
            let evidence = serde_json::to_string(&h.evidence)
                .map_err(|e| StoreError::Corrupt(format!("flag evidence: {e}")))?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO flags (county_code, region_code, rule_id, evidence_key, severity, project_id, amount, evidence, \
                 params, scan_id, log_size, raised_on, at, state) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'open') \
                 ON CONFLICT (county_code, rule_id, evidence_key) DO NOTHING RETURNING id",
            )
            .bind(unit.county_code())
            .bind(h.region.as_str())
            .bind(r.id)
            .bind(&h.key)
            .bind(r.severity.key())
            .bind(h.project_id)
            .bind(h.amount.fen())
            .bind(evidence)
            .bind(values)
            .bind(scan_id)
            .bind(log_size)
            .bind(&on_date)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                facts.extend(row_facts(&mut tx, "flags", id).await?);
            }
        }
        append_facts(&mut tx, &facts).await?;
        tx.commit().await?;
        let report = ScanReport {
            scan_id,
            county: unit.as_str().to_string(),
            log_size,
            hits: hits.len() as i64,
            raised: fresh.len() as i64,
            rules: per_rule,
        };
        progress(&report);
        reports.push(report);
    }
    Ok(reports)
}

pub(super) async fn step(
    s: &StoreImpl,
    id: i64,
    action: FlagAction,
    reason: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<FlagRecord> {
    let mut tx = begin_write(&s.pool).await?;
    let flag = one_in(
        &mut tx,
        format!("SELECT {FLAG_COLUMNS} FROM flags WHERE id = $1{FOR_UPDATE}"),
        id,
        flag_row,
    )
    .await?;
    let state = FlagState::parse(&flag.state)
        .map_err(|e| StoreError::Corrupt(format!("flag {id} state: {e}")))?;
    let next = state.next(action, reason).map_err(rule)?;
    let reason = text::bounded("reason", reason.trim(), text::REPORT).map_err(rule)?;
    let problem_id = if action == FlagAction::OpenCase {
        Some(open_case(&mut tx, &flag, &reason, actor, now).await?)
    } else {
        None
    };
    sqlx::query("UPDATE flags SET state = $1, problem_id = COALESCE(problem_id, $2) WHERE id = $3")
        .bind(next.key())
        .bind(problem_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ev: i64 = sqlx::query_scalar(
        "INSERT INTO flag_events (county_code, flag_id, action, from_state, to_state, reason, problem_id, on_date, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(flag.region.county_code())
    .bind(id)
    .bind(action.key())
    .bind(state.key())
    .bind(next.key())
    .bind(&reason)
    .bind(problem_id)
    .bind(sunledger_core::day::today_text(now))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    append_row_facts(&mut tx, "flag_events", ev).await?;
    let out = flag_record_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Opens the Book 3 problem of a flag: in the rule's category, due in 30 days (practice: the
/// rectification period a finding sets), its description the evidence, the rule's citation and
/// the flag it came from. On a project it names the people Book 2 holds responsible
/// (`open_finding`); otherwise the region's own unit answers.
async fn open_case(
    tx: &mut sqlx::Transaction<'static, DB>,
    f: &Flag,
    note: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let r = rules::rule(&f.rule_id).map_err(rule)?;
    let severity = match r.severity {
        Severity::High => sunledger_core::problem::Severity::Serious,
        Severity::Medium => sunledger_core::problem::Severity::General,
        Severity::Low => sunledger_core::problem::Severity::Minor,
    };
    let today = sunledger_core::day::today(now);
    let deadline = sunledger_core::day::format(today + 30);
    let title: String = format!("红旗预警：{}", r.zh)
        .chars()
        .take(text::NAME)
        .collect();
    let mut description = f.evidence.zh.clone();
    for fig in &f.evidence.figures {
        description.push_str(&format!("\n{}：{}", fig.zh, fig.value));
    }
    description.push_str(&format!("\n依据：{}", r.citation_zh));
    if !note.is_empty() {
        description.push_str(&format!("\n{note}"));
    }
    description.push_str(&format!(
        "\n（来源：红旗预警 #{}，规则 {}，证据 {}，日志 {} 条时计算）",
        f.id, r.id, f.evidence_key, f.log_size
    ));
    let description: String = description.chars().take(text::REPORT).collect();
    if let Some(project_id) = f.project_id {
        let on_date = sunledger_core::day::format(today);
        return open_finding(
            tx,
            &Finding {
                project_id,
                on_date: &on_date,
                title,
                description,
                category: r.category,
                severity,
                deadline: &deadline,
            },
            actor,
            now,
        )
        .await;
    }
    let department_id = responsible_department(tx, &f.region).await?;
    let p = NewProblem {
        region: f.region,
        inspection_id: None,
        project_id: None,
        review_of: None,
        category: r.category,
        severity,
        title: String::new(),
        description: String::new(),
        department_id,
        person_id: None,
        amount: Money::from_fen(f.amount_fen),
        deadline: deadline.clone(),
        deadline_reason: None,
    };
    let d = sunledger_core::problem::Deadline {
        day: today + 30,
        reason: None,
    };
    insert_problem(tx, &p, (title, description), &d, actor, now).await
}

pub(super) async fn settings(
    s: &StoreImpl,
    region: &RegionCode,
    body: &str,
    note: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<FlagSettings> {
    if !matches!(region.level(), Level::City | Level::County) {
        return Err(invalid(
            "region_code",
            "city_or_county_only",
            region.as_str(),
        ));
    }
    let parsed = Settings::parse(body).map_err(rule)?;
    let note = text::bounded("note", note.trim(), text::NAME).map_err(rule)?;
    let mut tx = begin_write(&s.pool).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO flag_settings (county_code, region_code, body, note, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(region.county_code())
    .bind(region.as_str())
    .bind(parsed.text())
    .bind(note)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    append_row_facts(&mut tx, "flag_settings", id).await?;
    let out = one_in(
        &mut tx,
        "SELECT id, region_code, body, note, actor_id, at FROM flag_settings WHERE id = $1"
            .to_string(),
        id,
        settings_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

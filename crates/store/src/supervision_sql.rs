// Supervision's SQL, shared by both backends (`include!`d after `sql.rs`): households, spot-check
// draws, inspections, Book 3 and the escalation ladder. Every write appends its facts to the log
// in its own transaction.

use sunledger_core::supervision::{
    self as sv, ProblemAction, ProblemCategory, ProblemFacts, ProblemState, SampleRules,
    SampledVillage, Step,
};

const HOUSEHOLD_COLS: &str = "id, region_code, head_name, id_number, poor, size";
const INSPECTION_COLS: &str = "id, region_code, kind, title, team, lead_departments, targets, planned_on, \
    draw_id, created_by, created_at, done_on, findings";
const DRAW_COLS: &str = "id, region_code, round, seed, rules, sample, created_by, created_at";
const PROBLEM_SELECT: &str = "SELECT p.id, p.region_code, p.inspection_id, p.project_id, p.review_of, p.category, \
    p.severity, p.title, p.description, p.department_id, d.name AS department_name, p.person_id, \
    pe.name AS person_name, p.amount, p.first_deadline, p.deadline, p.state, p.rejections, p.created_by, \
    p.created_at FROM problems p JOIN departments d ON d.id = p.department_id \
    LEFT JOIN people pe ON pe.id = p.person_id";
const PROBLEM_EVENT_COLS: &str =
    "id, problem_id, action, from_state, to_state, text, on_date, actor_id, at";
const ESCALATION_COLS: &str = "id, problem_id, step, document_no, issuing_unit, on_date, content, attendees, \
    new_deadline, responsible_person, deduction_points, suspension_id, actor_id, at, outcome, outcome_at";
const PROPOSAL_COLS: &str = "id, problem_id, step, proposed_on, decision, reason, escalation_id";

fn household_row(r: &DbRow) -> Result<Household> {
    Ok(Household {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        head_name: r.try_get("head_name")?,
        id_number: r.try_get("id_number")?,
        poor: r.try_get::<i64, _>("poor")? != 0,
        size: r.try_get("size")?,
    })
}

fn inspection_row(r: &DbRow) -> Result<Inspection> {
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
    })
}

/// The sample's canonical text: one line per village,
/// `county village poor,poor,... non_poor,non_poor,...` (ids are household ids).
fn encode_sample(s: &[SampledVillage]) -> String {
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

fn decode_sample(s: &str) -> Result<Vec<SampledVillage>> {
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

fn draw_row(r: &DbRow) -> Result<SpotDraw> {
    Ok(SpotDraw {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        round: r.try_get("round")?,
        seed: r.try_get("seed")?,
        rules: r.try_get("rules")?,
        sample: decode_sample(&r.try_get::<String, _>("sample")?)?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn problem_row(r: &DbRow) -> Result<Problem> {
    Ok(Problem {
        id: r.try_get("id")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        inspection_id: r.try_get("inspection_id")?,
        project_id: r.try_get("project_id")?,
        review_of: r.try_get("review_of")?,
        category: r.try_get("category")?,
        severity: r.try_get("severity")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        person_id: r.try_get("person_id")?,
        person_name: r.try_get("person_name")?,
        amount_fen: r.try_get("amount")?,
        first_deadline: r.try_get("first_deadline")?,
        deadline: r.try_get("deadline")?,
        state: r.try_get("state")?,
        rejections: r.try_get("rejections")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn problem_event_row(r: &DbRow) -> Result<ProblemEvent> {
    Ok(ProblemEvent {
        id: r.try_get("id")?,
        problem_id: r.try_get("problem_id")?,
        action: r.try_get("action")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        text: r.try_get("text")?,
        on_date: r.try_get("on_date")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

fn escalation_row(r: &DbRow) -> Result<Escalation> {
    Ok(Escalation {
        id: r.try_get("id")?,
        problem_id: r.try_get("problem_id")?,
        step: r.try_get("step")?,
        document_no: r.try_get("document_no")?,
        issuing_unit: r.try_get("issuing_unit")?,
        on_date: r.try_get("on_date")?,
        content: r.try_get("content")?,
        attendees: r.try_get("attendees")?,
        new_deadline: r.try_get("new_deadline")?,
        responsible_person: r.try_get("responsible_person")?,
        deduction_points: r.try_get("deduction_points")?,
        suspension_id: r.try_get("suspension_id")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
        outcome: r.try_get("outcome")?,
        outcome_at: r.try_get("outcome_at")?,
    })
}

fn proposal_row(r: &DbRow) -> Result<Proposal> {
    Ok(Proposal {
        id: r.try_get("id")?,
        problem_id: r.try_get("problem_id")?,
        step: r.try_get("step")?,
        proposed_on: r.try_get("proposed_on")?,
        decision: r.try_get("decision")?,
        reason: r.try_get("reason")?,
        escalation_id: r.try_get("escalation_id")?,
    })
}

// --- Facts ----------------------------------------------------------------------------------

fn household_facts(r: &DbRow) -> Result<Vec<Fact>> {
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
        .field("poor", r.try_get::<i64, _>("poor")?)
        .field("size", r.try_get::<i64, _>("size")?),
    ])
}

fn draw_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let sample: String = r.try_get("sample")?;
    Ok(vec![
        Fact::new(
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
        .field("created_by", r.try_get::<Option<i64>, _>("created_by")?),
    ])
}

fn inspection_facts(r: &DbRow) -> Result<Vec<Fact>> {
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
    if let Some(at) = r.try_get::<Option<i64>, _>("done_at")? {
        out.push(
            Fact::new("inspection.done", "inspections", id, at)
                .county(county)
                .field("done_on", r.try_get::<Option<String>, _>("done_on")?)
                .field("findings", r.try_get::<Option<String>, _>("findings")?)
                .field("done_by", r.try_get::<Option<i64>, _>("done_by")?),
        );
    }
    Ok(out)
}

fn problem_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "problem",
            "problems",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region", r.try_get::<String, _>("region_code")?)
        .field(
            "inspection_id",
            r.try_get::<Option<i64>, _>("inspection_id")?,
        )
        .field("project_id", r.try_get::<Option<i64>, _>("project_id")?)
        .field("review_of", r.try_get::<Option<i64>, _>("review_of")?)
        .field("category", r.try_get::<String, _>("category")?)
        .field("severity", r.try_get::<String, _>("severity")?)
        .field("title", r.try_get::<String, _>("title")?)
        .field("description", r.try_get::<String, _>("description")?)
        .field("department_id", r.try_get::<i64, _>("department_id")?)
        .field("person_id", r.try_get::<Option<i64>, _>("person_id")?)
        .field("amount_fen", r.try_get::<i64, _>("amount")?)
        .field("deadline", r.try_get::<String, _>("first_deadline")?)
        .field("created_by", r.try_get::<Option<i64>, _>("created_by")?),
    ])
}

fn problem_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "problem.event",
            "problem_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("problem_id", r.try_get::<i64, _>("problem_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("text", r.try_get::<String, _>("text")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn escalation_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new("escalation", "escalations", id, r.try_get("at")?)
            .county(county.clone())
            .field("problem_id", r.try_get::<i64, _>("problem_id")?)
            .field("step", r.try_get::<String, _>("step")?)
            .field("document_no", r.try_get::<String, _>("document_no")?)
            .field("issuing_unit", r.try_get::<String, _>("issuing_unit")?)
            .field("on_date", r.try_get::<String, _>("on_date")?)
            .field("content", r.try_get::<String, _>("content")?)
            .field("attendees", r.try_get::<String, _>("attendees")?)
            .field(
                "new_deadline",
                r.try_get::<Option<String>, _>("new_deadline")?,
            )
            .field(
                "responsible_person",
                r.try_get::<String, _>("responsible_person")?,
            )
            .field(
                "deduction_points",
                r.try_get::<Option<i64>, _>("deduction_points")?,
            )
            .field(
                "suspension_id",
                r.try_get::<Option<i64>, _>("suspension_id")?,
            )
            .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ];
    if let Some(at) = r.try_get::<Option<i64>, _>("outcome_at")? {
        out.push(
            Fact::new("escalation.outcome", "escalations", id, at)
                .county(county)
                .field("outcome", r.try_get::<Option<String>, _>("outcome")?)
                .field("outcome_by", r.try_get::<Option<i64>, _>("outcome_by")?),
        );
    }
    Ok(out)
}

fn proposal_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new(
            "escalation.proposal",
            "escalation_proposals",
            id,
            r.try_get("at")?,
        )
        .county(county.clone())
        .field("problem_id", r.try_get::<i64, _>("problem_id")?)
        .field("step", r.try_get::<String, _>("step")?)
        .field("proposed_on", r.try_get::<String, _>("proposed_on")?),
    ];
    if let Some(at) = r.try_get::<Option<i64>, _>("decided_at")? {
        out.push(
            Fact::new("escalation.decision", "escalation_proposals", id, at)
                .county(county)
                .field("decision", r.try_get::<Option<String>, _>("decision")?)
                .field("reason", r.try_get::<Option<String>, _>("reason")?)
                .field(
                    "escalation_id",
                    r.try_get::<Option<i64>, _>("escalation_id")?,
                )
                .field("decided_by", r.try_get::<Option<i64>, _>("decided_by")?),
        );
    }
    Ok(out)
}

fn supervision_fact_source(table: &str) -> Option<(&'static str, FactBuilder)> {
    Some(match table {
        "households" => (
            "SELECT id, county_code, region_code, head_name, id_number, poor, size, created_at FROM households",
            household_facts,
        ),
        "spot_draws" => (
            "SELECT id, county_code, region_code, round, seed, rules, sample, created_by, created_at FROM spot_draws",
            draw_facts,
        ),
        "inspections" => (
            "SELECT id, county_code, region_code, kind, title, team, lead_departments, targets, planned_on, draw_id, \
             created_by, created_at, done_on, findings, done_by, done_at FROM inspections",
            inspection_facts,
        ),
        "problems" => (
            "SELECT id, county_code, region_code, inspection_id, project_id, review_of, category, severity, title, \
             description, department_id, person_id, amount, first_deadline, created_by, created_at FROM problems",
            problem_facts,
        ),
        "problem_events" => (
            "SELECT id, county_code, problem_id, action, from_state, to_state, text, on_date, actor_id, at FROM problem_events",
            problem_event_facts,
        ),
        "escalations" => (
            "SELECT id, county_code, problem_id, step, document_no, issuing_unit, on_date, content, attendees, new_deadline, \
             responsible_person, deduction_points, suspension_id, actor_id, at, outcome, outcome_by, outcome_at FROM escalations",
            escalation_facts,
        ),
        "escalation_proposals" => (
            "SELECT id, county_code, problem_id, step, proposed_on, at, decision, reason, escalation_id, decided_by, \
             decided_at FROM escalation_proposals",
            proposal_facts,
        ),
        _ => return None,
    })
}

// --- Writes ---------------------------------------------------------------------------------

async fn lock_problem(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<Problem> {
    // Lock the row first (PostgreSQL), then read it with its names.
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM problems WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("problem"))?;
    problem_row(
        &sqlx::query(AssertSqlSafe(format!("{PROBLEM_SELECT} WHERE p.id = $1")))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

fn problem_state(p: &Problem) -> Result<ProblemState> {
    ProblemState::parse(&p.state)
        .map_err(|_| StoreError::Corrupt(format!("problem state {:?}", p.state)))
}

async fn insert_problem_event(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Problem,
    action: &str,
    to: ProblemState,
    text: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<()> {
    let row = sqlx::query(
        "INSERT INTO problem_events (county_code, problem_id, action, from_state, to_state, text, on_date, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.region.county_code())
    .bind(p.id)
    .bind(action)
    .bind(p.state.as_str())
    .bind(to.key())
    .bind(text.trim())
    .bind(sunledger_core::day::format(sunledger_core::day::today(now)))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "problem_events", id).await
}

/// Books a suspension inside `tx` (the ledger's `suspend`, for the escalation ladder).
async fn suspend_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    (target_kind, target): (&str, &str),
    region: &RegionCode,
    reason: &str,
    document_no: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO suspensions (county_code, target_kind, target, region_code, reason, document_no, suspended_by, suspended_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(region.county_code())
    .bind(target_kind)
    .bind(target)
    .bind(region.as_str())
    .bind(reason)
    .bind(document_no)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(tx, "suspensions", id).await?;
    Ok(id)
}

/// What the escalation rules need of a problem, read inside `tx`.
async fn problem_facts_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    p: &Problem,
) -> Result<ProblemFacts> {
    let steps =
        sqlx::query("SELECT step, on_date FROM escalations WHERE problem_id = $1 ORDER BY id")
            .bind(p.id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| {
                let s: String = r.try_get("step")?;
                let d: String = r.try_get("on_date")?;
                Ok((
                    Step::parse(&s).map_err(rule)?,
                    sunledger_core::day::parse("on_date", &d).map_err(rule)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
    Ok(ProblemFacts {
        state: problem_state(p)?,
        category: ProblemCategory::parse(&p.category).map_err(rule)?,
        deadline: sunledger_core::day::parse("deadline", &p.deadline).map_err(rule)?,
        rejections: u32::try_from(p.rejections).unwrap_or(0),
        steps,
    })
}

impl StoreImpl {
    async fn s_households(&self, hs: &[NewHousehold], now: i64) -> Result<u64> {
        let mut tx = begin_write(&self.pool).await?;
        for (i, h) in hs.iter().enumerate() {
            let r = async {
                if h.village.level() != Level::Village {
                    return Err(invalid("village", "not_a_village", h.village.as_str()));
                }
                let name = nonempty("head_name", &h.head_name, 100)?;
                if !(1..=30).contains(&h.size) {
                    return Err(invalid("size", "out_of_range", h.size.to_string()));
                }
                let row = sqlx::query(
                    "INSERT INTO households (county_code, region_code, head_name, id_number, poor, size, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
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

    async fn s_draw(
        &self,
        region: &RegionCode,
        round: &str,
        seed: &str,
        rules: &SampleRules,
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
        // Households already drawn in this round are not drawn again.
        let mut excluded = Vec::new();
        for r in sqlx::query("SELECT sample FROM spot_draws WHERE region_code = $1 AND round = $2")
            .bind(region.as_str())
            .bind(round.as_str())
            .fetch_all(&mut *tx)
            .await?
        {
            for v in decode_sample(&r.try_get::<String, _>(0)?)? {
                excluded.extend(v.poor);
                excluded.extend(v.non_poor);
            }
        }
        // The population: every village of every county below the region, with its households.
        let (lo, hi) = subtree_range(region);
        let mut counties: Vec<(String, Vec<sv::VillagePopulation>)> = Vec::new();
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
            let pop = sv::VillagePopulation {
                households,
                village: v,
            };
            match counties.last_mut() {
                Some((c, vs)) if *c == county => vs.push(pop),
                _ => counties.push((county, vec![pop])),
            }
        }
        let sample = sv::draw(&seed, rules, &counties, &excluded);
        let row = sqlx::query(
            "INSERT INTO spot_draws (county_code, region_code, round, seed, rules, sample, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(region.county_code())
        .bind(region.as_str())
        .bind(round)
        .bind(seed)
        .bind(rules.describe())
        .bind(encode_sample(&sample))
        .bind(actor)
        .bind(now)
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

    async fn s_inspect(
        &self,
        i: &NewInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection> {
        if !matches!(i.kind.as_str(), "routine" | "spot_check") {
            return Err(invalid("kind", "unknown_inspection_kind", i.kind.as_str()));
        }
        let title = nonempty("title", &i.title, 200)?;
        let team = nonempty("team", &i.team, 1000)?;
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

    async fn s_inspection_done(
        &self,
        id: i64,
        done_on: &str,
        findings: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Inspection> {
        let done = past_day("done_on", done_on, sunledger_core::day::today(now))?;
        let findings = nonempty("findings", findings, 20_000)?;
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query(
            "UPDATE inspections SET done_on = $1, findings = $2, done_by = $3, done_at = $4 WHERE id = $5 AND done_at IS NULL",
        )
        .bind(sunledger_core::day::format(done))
        .bind(findings)
        .bind(actor)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            let exists: i64 = sqlx::query("SELECT COUNT(*) FROM inspections WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            return Err(if exists == 0 {
                StoreError::NotFound("inspection")
            } else {
                StoreError::Conflict {
                    field: "done_on".into(),
                }
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

    async fn s_problem(&self, p: &NewProblem, actor: Option<i64>, now: i64) -> Result<Problem> {
        let title = nonempty("title", &p.title, 200)?;
        let description = nonempty("description", &p.description, 20_000)?;
        let deadline = sunledger_core::day::parse("deadline", &p.deadline).map_err(rule)?;
        if p.amount.fen() < 0 {
            return Err(invalid("amount", "negative", p.amount.to_string()));
        }
        let mut tx = begin_write(&self.pool).await?;
        let dept = sqlx::query("SELECT region_code FROM departments WHERE id = $1")
            .bind(p.department_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                invalid(
                    "department_id",
                    "unknown_department",
                    p.department_id.to_string(),
                )
            })?;
        let dept_region = code(&dept.try_get::<String, _>(0)?)?;
        if dept_region.county_code() != p.region.county_code()
            || !p.region.is_within(&dept_region) && !dept_region.is_within(&p.region)
        {
            return Err(invalid(
                "department_id",
                "outside_region",
                dept_region.as_str(),
            ));
        }
        if let Some(person) = p.person_id {
            let d: Option<i64> = sqlx::query("SELECT department_id FROM people WHERE id = $1")
                .bind(person)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            if d != Some(p.department_id) {
                return Err(invalid(
                    "person_id",
                    "not_in_department",
                    person.to_string(),
                ));
            }
        }
        if let Some(pid) = p.project_id {
            let proj = project_in_tx(&mut tx, pid).await?;
            if proj.region.county_code() != p.region.county_code() {
                return Err(invalid("project_id", "outside_region", pid.to_string()));
            }
        }
        for (field, other) in [
            ("inspection_id", p.inspection_id.map(|i| ("inspections", i))),
            ("review_of", p.review_of.map(|i| ("problems", i))),
        ] {
            if let Some((table, id)) = other {
                let r: Option<String> = sqlx::query(AssertSqlSafe(format!(
                    "SELECT county_code FROM {table} WHERE id = $1"
                )))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
                if r.as_deref() != Some(p.region.county_code()) {
                    return Err(invalid(field, "outside_region", id.to_string()));
                }
            }
        }
        let deadline = sunledger_core::day::format(deadline);
        let row = sqlx::query(
            "INSERT INTO problems (county_code, region_code, inspection_id, project_id, review_of, category, severity, title, \
             description, department_id, person_id, amount, first_deadline, created_by, created_at, state, deadline) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', $13) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(p.region.as_str())
        .bind(p.inspection_id)
        .bind(p.project_id)
        .bind(p.review_of)
        .bind(p.category.key())
        .bind(p.severity.key())
        .bind(title)
        .bind(description)
        .bind(p.department_id)
        .bind(p.person_id)
        .bind(p.amount.fen())
        .bind(deadline)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "problems", id).await?;
        let out = lock_problem(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn s_problem_action(
        &self,
        id: i64,
        action: ProblemAction,
        text: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Problem> {
        if action.needs_text() && text.trim().is_empty() {
            return Err(invalid("text", "empty", ""));
        }
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_problem(&mut tx, id).await?;
        let next = problem_state(&p)?.next(action).map_err(rule)?;
        let rejections = p.rejections + i64::from(action == ProblemAction::Reject);
        sqlx::query("UPDATE problems SET state = $1, rejections = $2 WHERE id = $3")
            .bind(next.key())
            .bind(rejections)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_problem_event(&mut tx, &p, action.key(), next, text, actor, now).await?;
        if next == ProblemState::Closed {
            // Verified: payments suspended on this problem's ladder resume.
            let doc = format!("问题{id}整改核实");
            let ids: Vec<i64> = sqlx::query(
                "SELECT s.id FROM suspensions s JOIN escalations e ON e.suspension_id = s.id \
                 WHERE e.problem_id = $1 AND s.resumed_at IS NULL",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
            for sid in ids {
                sqlx::query("UPDATE suspensions SET resumed_at = $1, resumed_by = $2, resume_document = $3 WHERE id = $4")
                    .bind(now)
                    .bind(actor)
                    .bind(doc.as_str())
                    .bind(sid)
                    .execute(&mut *tx)
                    .await?;
                append_later_fact(&mut tx, "suspensions", sid, "suspension.resume").await?;
            }
        }
        let out = lock_problem(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn s_escalate(
        &self,
        e: &NewEscalation,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation> {
        let step = Step::parse(&e.step).map_err(rule)?;
        let document_no = nonempty("document_no", &e.document_no, 100)?;
        let issuing_unit = nonempty("issuing_unit", &e.issuing_unit, 200)?;
        let responsible = nonempty("responsible_person", &e.responsible_person, 200)?;
        let today = sunledger_core::day::today(now);
        let new_deadline = match e
            .new_deadline
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(d) => {
                let n = sunledger_core::day::parse("new_deadline", d).map_err(rule)?;
                if n <= today {
                    return Err(invalid("new_deadline", "not_in_future", d));
                }
                Some(sunledger_core::day::format(n))
            }
            None => None,
        };
        if step.is_interview() {
            nonempty("attendees", &e.attendees, 2000)?;
            if new_deadline.is_none() {
                return Err(invalid("new_deadline", "empty", ""));
            }
        }
        if step.is_letter() || step == Step::InformedCriticism {
            nonempty("content", &e.content, 20_000)?;
        }
        let points = match (step, e.deduction_points) {
            (Step::InformedCriticism, Some(p)) if (1..=100).contains(&p) => Some(p),
            (Step::InformedCriticism, p) => {
                return Err(invalid(
                    "deduction_points",
                    "out_of_range",
                    p.map(|x| x.to_string()).unwrap_or_default(),
                ));
            }
            _ => None,
        };
        let mut tx = begin_write(&self.pool).await?;
        let p = lock_problem(&mut tx, e.problem_id).await?;
        let facts = problem_facts_in(&mut tx, &p).await?;
        if !facts.state.is_open() {
            return Err(invalid("problem_id", "problem_closed", p.id.to_string()));
        }
        let taken: Vec<Step> = facts.steps.iter().map(|(s, _)| *s).collect();
        step.allowed_after(&taken, facts.category).map_err(rule)?;
        let suspension_id = if step == Step::SuspendPayment {
            let (kind, target) = match p.project_id {
                Some(pid) => ("project", pid.to_string()),
                None => ("region", p.region.as_str().to_string()),
            };
            let reason = format!("问题{}未按期整改：{}", p.id, p.title);
            Some(
                suspend_in(
                    &mut tx,
                    (kind, &target),
                    &p.region,
                    &reason,
                    &document_no,
                    actor,
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        let row = sqlx::query(
            "INSERT INTO escalations (county_code, problem_id, step, document_no, issuing_unit, on_date, content, attendees, \
             new_deadline, responsible_person, deduction_points, suspension_id, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(p.region.county_code())
        .bind(p.id)
        .bind(step.key())
        .bind(document_no)
        .bind(issuing_unit)
        .bind(sunledger_core::day::format(today))
        .bind(e.content.trim())
        .bind(e.attendees.trim())
        .bind(new_deadline.as_deref())
        .bind(responsible)
        .bind(points)
        .bind(suspension_id)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        let f = row_facts(&mut tx, "escalations", id).await?;
        append_facts(&mut tx, &f).await?;
        if let Some(d) = &new_deadline {
            sqlx::query("UPDATE problems SET deadline = $1 WHERE id = $2")
                .bind(d.as_str())
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(pid) = e.proposal_id {
            self.s_decide_in(
                &mut tx,
                pid,
                p.id,
                step,
                "confirmed",
                "",
                Some(id),
                actor,
                now,
            )
            .await?;
        }
        let out = one_in(
            &mut tx,
            format!("SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"),
            id,
            escalation_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn s_decide_in(
        &self,
        tx: &mut sqlx::Transaction<'static, DB>,
        proposal_id: i64,
        problem_id: i64,
        step: Step,
        decision: &str,
        reason: &str,
        escalation_id: Option<i64>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let n = sqlx::query(
            "UPDATE escalation_proposals SET decision = $1, reason = $2, escalation_id = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $6 AND problem_id = $7 AND step = $8 AND decided_at IS NULL",
        )
        .bind(decision)
        .bind(reason.trim())
        .bind(escalation_id)
        .bind(actor)
        .bind(now)
        .bind(proposal_id)
        .bind(problem_id)
        .bind(step.key())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(invalid(
                "proposal_id",
                "not_an_open_proposal",
                proposal_id.to_string(),
            ));
        }
        append_later_fact(
            tx,
            "escalation_proposals",
            proposal_id,
            "escalation.decision",
        )
        .await
    }

    async fn s_dismiss(
        &self,
        proposal_id: i64,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Proposal> {
        let reason = nonempty("reason", reason, 2000)?;
        let mut tx = begin_write(&self.pool).await?;
        let r = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"
        )))
        .bind(proposal_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("proposal"))?;
        let p = proposal_row(&r)?;
        let step = Step::parse(&p.step).map_err(rule)?;
        self.s_decide_in(
            &mut tx,
            proposal_id,
            p.problem_id,
            step,
            "dismissed",
            &reason,
            None,
            actor,
            now,
        )
        .await?;
        let out = one_in(
            &mut tx,
            format!("SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"),
            proposal_id,
            proposal_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn s_outcome(
        &self,
        id: i64,
        outcome: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Escalation> {
        let outcome = nonempty("outcome", outcome, 20_000)?;
        let mut tx = begin_write(&self.pool).await?;
        let e = escalation_row(
            &sqlx::query(AssertSqlSafe(format!(
                "SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("escalation"))?,
        )?;
        if !Step::parse(&e.step).map_err(rule)?.is_referral() {
            return Err(invalid("step", "not_a_referral", e.step));
        }
        let n = sqlx::query("UPDATE escalations SET outcome = $1, outcome_by = $2, outcome_at = $3 WHERE id = $4 AND outcome_at IS NULL")
            .bind(outcome)
            .bind(actor)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                field: "outcome".into(),
            });
        }
        append_later_fact(&mut tx, "escalations", id, "escalation.outcome").await?;
        let out = one_in(
            &mut tx,
            format!("SELECT {ESCALATION_COLS} FROM escalations WHERE id = $1"),
            id,
            escalation_row,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The steps due now on every open problem (in `scopes`), by the rules.
    async fn s_due(
        &self,
        scopes: &[RegionCode],
        rules: &[sv::EscalationRule],
        now: i64,
    ) -> Result<Vec<(Problem, Vec<Step>)>> {
        let today = sunledger_core::day::today(now);
        let mut qb =
            QueryBuilder::<DB>::new(format!("{PROBLEM_SELECT} WHERE p.state <> 'closed' AND "));
        push_scope_filter(&mut qb, "p.region_code", scopes);
        qb.push(" ORDER BY p.deadline, p.id");
        let problems = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(problem_row)
            .collect::<Result<Vec<_>>>()?;
        let mut out = Vec::new();
        let mut conn = self.pool.acquire().await?;
        for p in problems {
            let steps = sqlx::query(
                "SELECT step, on_date FROM escalations WHERE problem_id = $1 ORDER BY id",
            )
            .bind(p.id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let s: String = r.try_get("step")?;
                let d: String = r.try_get("on_date")?;
                Ok((
                    Step::parse(&s).map_err(rule)?,
                    sunledger_core::day::parse("on_date", &d).map_err(rule)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
            let facts = ProblemFacts {
                state: problem_state(&p)?,
                category: ProblemCategory::parse(&p.category).map_err(rule)?,
                deadline: sunledger_core::day::parse("deadline", &p.deadline).map_err(rule)?,
                rejections: u32::try_from(p.rejections).unwrap_or(0),
                steps,
            };
            let due = sv::due_steps(&facts, rules, today);
            if !due.is_empty() {
                out.push((p, due));
            }
        }
        Ok(out)
    }

    /// Records proposals for the due steps not yet proposed; returns the new ones.
    async fn s_propose(
        &self,
        scopes: &[RegionCode],
        rules: &[sv::EscalationRule],
        now: i64,
    ) -> Result<Vec<Proposal>> {
        let due = self.s_due(scopes, rules, now).await?;
        let today = sunledger_core::day::format(sunledger_core::day::today(now));
        let mut tx = begin_write(&self.pool).await?;
        let mut out = Vec::new();
        for (p, steps) in due {
            for s in steps {
                let exists: i64 = sqlx::query(
                    "SELECT COUNT(*) FROM escalation_proposals WHERE problem_id = $1 AND step = $2",
                )
                .bind(p.id)
                .bind(s.key())
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                if exists > 0 {
                    continue;
                }
                let row = sqlx::query(
                    "INSERT INTO escalation_proposals (county_code, problem_id, step, proposed_on, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(p.region.county_code())
                .bind(p.id)
                .bind(s.key())
                .bind(today.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let id: i64 = row.try_get(0)?;
                append_row_facts(&mut tx, "escalation_proposals", id).await?;
                out.push(
                    one_in(
                        &mut tx,
                        format!("SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE id = $1"),
                        id,
                        proposal_row,
                    )
                    .await?,
                );
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    // --- Reads ------------------------------------------------------------------------------

    async fn s_problems(
        &self,
        f: &ProblemFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Problem>, i64)> {
        let push_where = |qb: &mut QueryBuilder<DB>| -> Result<()> {
            qb.push(" WHERE ");
            push_scope_filter(qb, "p.region_code", &f.scopes);
            if let Some(s) = &f.state {
                qb.push(" AND p.state = ").push_bind(s.clone());
            }
            if f.open_only {
                qb.push(" AND p.state <> 'closed'");
            }
            if let Some(c) = &f.category {
                qb.push(" AND p.category = ").push_bind(c.clone());
            }
            if let Some(i) = f.inspection_id {
                qb.push(" AND p.inspection_id = ").push_bind(i);
            }
            if let Some(d) = f.department_id {
                qb.push(" AND p.department_id = ").push_bind(d);
            }
            if let Some(d) = &f.overdue_on {
                let d = sunledger_core::day::format(
                    sunledger_core::day::parse("overdue_on", d).map_err(rule)?,
                );
                qb.push(" AND p.state <> 'closed' AND p.deadline < ")
                    .push_bind(d);
            }
            Ok(())
        };
        let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM problems p");
        push_where(&mut count)?;
        let total: i64 = count.build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut qb = QueryBuilder::<DB>::new(PROBLEM_SELECT);
        push_where(&mut qb)?;
        qb.push(
            " ORDER BY CASE WHEN p.state = 'closed' THEN 1 ELSE 0 END, p.deadline, p.id LIMIT ",
        )
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(problem_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    async fn s_problem_record(&self, id: i64) -> Result<Option<ProblemRecord>> {
        let Some(r) = sqlx::query(AssertSqlSafe(format!("{PROBLEM_SELECT} WHERE p.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let problem = problem_row(&r)?;
        macro_rules! rows {
            ($q:expr, $f:expr) => {
                sqlx::query(AssertSqlSafe($q))
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map($f)
                    .collect::<Result<Vec<_>>>()?
            };
        }
        Ok(Some(ProblemRecord {
            problem,
            events: rows!(
                format!(
                    "SELECT {PROBLEM_EVENT_COLS} FROM problem_events WHERE problem_id = $1 ORDER BY id"
                ),
                problem_event_row
            ),
            escalations: rows!(
                format!(
                    "SELECT {ESCALATION_COLS} FROM escalations WHERE problem_id = $1 ORDER BY id"
                ),
                escalation_row
            ),
            proposals: rows!(
                format!(
                    "SELECT {PROPOSAL_COLS} FROM escalation_proposals WHERE problem_id = $1 ORDER BY id"
                ),
                proposal_row
            ),
        }))
    }

    async fn s_inspections(&self, scopes: &[RegionCode], limit: i64) -> Result<Vec<Inspection>> {
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

    /// (county code, day done) of every done inspection in `scopes`.
    async fn s_inspection_days(&self, scopes: &[RegionCode]) -> Result<Vec<(String, String)>> {
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

    async fn s_draws(&self, scopes: &[RegionCode]) -> Result<Vec<SpotDraw>> {
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

    async fn s_households_in(&self, village: &RegionCode) -> Result<Vec<Household>> {
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

    async fn s_household(&self, id: i64) -> Result<Option<Household>> {
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

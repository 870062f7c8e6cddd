//! The writes of complaints, each one transaction that books its facts: filing, a step, a
//! publication.

use super::*;
use sunledger_core::complaint::{ComplaintState, Finding, Stage};
use sunledger_core::text;

/// Free text that may be empty, bounded.
fn optional(field: &'static str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    let n = t.chars().count();
    if n > max {
        return Err(StoreError::Rule(text::too_long(field, n, max)));
    }
    Ok(t.to_string())
}

/// A contact: a telephone number or an address, at most 100 characters.
const CONTACT: usize = 100;
/// What a complainant writes: at most 5,000 characters (a letter of some pages).
const BODY: usize = 5_000;

pub(super) async fn file(s: &StoreImpl, n: &NewComplaint, now: i64) -> Result<Complaint> {
    let today = sunledger_core::day::today(now);
    let title = nonempty("title", &n.title, text::NAME)?;
    let body = nonempty("body", &n.body, BODY)?;
    let fund_text = optional("fund_text", &n.fund_text, text::NAME)?;
    let accused_text = optional("accused_text", &n.accused_text, text::NAME)?;
    let (name, contact) = if n.anonymous {
        (String::new(), String::new())
    } else {
        (
            nonempty("name", &n.name, text::NAME)?,
            nonempty("contact", &n.contact, CONTACT)?,
        )
    };
    past_day("received_on", &n.received_on, today)?;
    if n.files.len() > n.rules.max_files {
        return Err(invalid(
            "files",
            "too_many_files",
            format!("{}/{}", n.files.len(), n.rules.max_files),
        ));
    }
    let mut files = Vec::new();
    for (i, f) in n.files.iter().enumerate() {
        if f.content.len() > n.rules.max_file_bytes {
            return Err(invalid(
                "files",
                "file_too_large",
                format!(
                    "{} ({} / {})",
                    f.name,
                    f.content.len(),
                    n.rules.max_file_bytes
                ),
            ));
        }
        let mime = rules::file_type(&f.content)
            .ok_or_else(|| invalid("files", "file_type_not_allowed", f.name.clone()))?;
        let name = optional("files", &f.name, text::NAME)?;
        files.push((i as i64 + 1, name, mime, &f.content));
    }
    let mut tx = begin_write(&s.pool).await?;
    let known: Option<i64> = sqlx::query_scalar("SELECT level FROM regions WHERE code = $1")
        .bind(n.region.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(invalid("region", "region_not_held", n.region.as_str()));
    }
    let city = city_code(&mut *tx).await?;
    let accused = match n.accused_level {
        Some(l) if l >= n.region.level() => Some(n.region),
        Some(l) => n.region.ancestor_at(l),
        None => None,
    };
    if accused.is_some() && accused_text.is_empty() {
        return Err(invalid("accused_text", "empty", ""));
    }
    let routing = rules::route(n.region, n.category, accused, city).map_err(rule)?;
    if let Some(pid) = n.project_id {
        let p = project_in_tx(&mut tx, pid).await?;
        if !p.region.is_within(&n.region) && !n.region.is_within(&p.region) {
            return Err(invalid("project_id", "outside_region", pid.to_string()));
        }
    }
    let row = sqlx::query(
        "INSERT INTO complaints (county_code, code, pin_hash, channel, category, region_code, project_id, fund_text, \
         accused_text, accused_region, title, body, anonymous, name, contact, consent, received_on, intake_by, received_at, \
         handler_region, handler_unit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21) RETURNING id",
    )
    .bind(n.region.county_code())
    .bind(&n.code)
    .bind(&n.pin_hash)
    .bind(n.channel.key())
    .bind(n.category.key())
    .bind(n.region.as_str())
    .bind(n.project_id)
    .bind(fund_text)
    .bind(accused_text)
    .bind(accused.map(|a| a.as_str().to_string()))
    .bind(title)
    .bind(body)
    .bind(i64::from(n.anonymous))
    .bind(name)
    .bind(contact)
    .bind(i64::from(n.consent))
    .bind(&n.received_on)
    .bind(n.intake_by)
    .bind(now)
    .bind(routing.handler.as_str())
    .bind(routing.unit.key())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "complaints", id).await?;
    for (position, name, mime, content) in files {
        let r = sqlx::query(
            "INSERT INTO complaint_files (county_code, complaint_id, position, name, mime, size, sha256, content, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(n.region.county_code())
        .bind(id)
        .bind(position)
        .bind(name)
        .bind(mime)
        .bind(content.len() as i64)
        .bind(sha256_hex(content))
        .bind(content.as_slice())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        append_row_facts(&mut tx, "complaint_files", r.try_get(0)?).await?;
    }
    let out = one_in(
        &mut tx,
        format!("{COMPLAINT_SELECT} WHERE c.id = $1"),
        id,
        complaint_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn step(
    s: &StoreImpl,
    id: i64,
    st: &ComplaintStepInput,
    (rules_, cal): (&rules::Rules, &sunledger_core::day::Calendar),
    actor: Option<i64>,
    now: i64,
) -> Result<ComplaintRecord> {
    let today = sunledger_core::day::today(now);
    let a = st.action;
    let text = if a.needs_text() {
        nonempty("text", &st.text, text::REPORT)?
    } else {
        optional("text", &st.text, text::REPORT)?
    };
    let finding = if a.needs_finding() {
        Some(st.finding.ok_or_else(|| invalid("finding", "empty", ""))?)
    } else {
        None
    };
    if st.by_complainant && !(a.is_complainants() || a == ComplaintAction::Close) {
        return Err(invalid("action", "not_the_complainants", a.key()));
    }
    let mut tx = begin_write(&s.pool).await?;
    let q = format!("SELECT id FROM complaints WHERE id = $1{FOR_UPDATE}");
    sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("complaint"))?;
    let rec = complaint_record_in(&mut tx, id).await?;
    let c = &rec.complaint;
    let from = ComplaintState::parse(&c.state).map_err(rule)?;
    let to = from.next(a).map_err(rule)?;
    let received = sunledger_core::day::parse("received_on", &c.received_on).map_err(rule)?;
    let progress = rules::progress(rules_, cal, received, &c.clock_steps(), today).map_err(rule)?;
    let clock = progress.clock;
    let category = ComplaintCategory::parse(&c.category).map_err(rule)?;
    let mut handler: Option<(RegionCode, HandlerUnit)> = None;
    let mut merged_into = None;
    match a {
        ComplaintAction::Close if !st.by_complainant => {
            // The unit closes only once the complainant's window for a review has passed.
            if let Some(k) = clock
                && k.stage == Stage::Request
                && today <= k.due
            {
                return Err(invalid(
                    "action",
                    "review_window_open",
                    sunledger_core::day::format(k.due),
                ));
            }
        }
        ComplaintAction::RequestReview | ComplaintAction::RequestRereview => {
            if let Some(k) = clock
                && k.stage == Stage::Request
                && today > k.due
            {
                return Err(invalid(
                    "action",
                    "review_window_passed",
                    sunledger_core::day::format(k.due),
                ));
            }
            // A review is made by the level above the unit that answered.
            let up = c
                .handler_region
                .parent()
                .filter(|p| p.level() >= Level::City)
                .unwrap_or(c.handler_region);
            handler = Some((up, HandlerUnit::at(&up, category)));
        }
        ComplaintAction::Extend if c.steps.iter().any(|x| x.action == "extend") => {
            return Err(invalid("action", "already_extended", ""));
        }
        ComplaintAction::Transfer => {
            let to_region = st
                .transfer_to
                .ok_or_else(|| invalid("transfer_to", "empty", ""))?;
            let known: Option<i64> =
                sqlx::query_scalar("SELECT level FROM regions WHERE code = $1")
                    .bind(to_region.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() || to_region.level() > Level::Township {
                return Err(invalid(
                    "transfer_to",
                    "unknown_reference",
                    to_region.as_str(),
                ));
            }
            if to_region == c.handler_region {
                return Err(invalid("transfer_to", "same_handler", to_region.as_str()));
            }
            // Never to the accused, nor below them; always holding the region.
            if !c.region.is_within(&to_region) {
                return Err(invalid(
                    "transfer_to",
                    "does_not_hold_region",
                    to_region.as_str(),
                ));
            }
            if let Some(acc) = c
                .accused_region
                .as_deref()
                .and_then(|x| RegionCode::parse(x).ok())
                && !(acc.is_within(&to_region) && to_region.level() < acc.level())
            {
                return Err(invalid(
                    "transfer_to",
                    "not_above_the_accused",
                    to_region.as_str(),
                ));
            }
            handler = Some((to_region, HandlerUnit::at(&to_region, category)));
        }
        ComplaintAction::Merge => {
            let into = st
                .merge_into
                .ok_or_else(|| invalid("merge_into", "empty", ""))?;
            let target: Option<(String, Option<i64>)> =
                sqlx::query("SELECT state, merged_into FROM complaints WHERE id = $1")
                    .bind(into)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| Ok::<_, StoreError>((r.try_get(0)?, r.try_get(1)?)))
                    .transpose()?;
            match target {
                Some((state, None)) if into != id && state != "merged" => {}
                _ => return Err(invalid("merge_into", "unknown_reference", into.to_string())),
            }
            merged_into = Some(into);
        }
        ComplaintAction::Escalate => {
            let Some(k) = clock.filter(|k| k.is_units()) else {
                return Err(invalid("action", "not_overdue", ""));
            };
            if k.timing(rules_, cal, today) != rules::Timing::Overdue {
                return Err(invalid(
                    "action",
                    "not_overdue",
                    sunledger_core::day::format(k.due),
                ));
            }
            let since = sunledger_core::day::format(k.start);
            if c.steps
                .iter()
                .any(|x| x.action == "escalate" && x.on_date >= since)
            {
                return Err(invalid("action", "already_escalated", ""));
            }
        }
        _ => {}
    }
    // Four eyes: a review or re-review is not answered by the one who gave the answer reviewed.
    if matches!(
        a,
        ComplaintAction::AnswerReview | ComplaintAction::AnswerRereview
    ) {
        let earlier = rec
            .events
            .iter()
            .rev()
            .find(|e| e.action == "answer" || e.action == "answer_review")
            .and_then(|e| e.actor_id);
        Control::ReviewComplaint
            .check(earlier, actor)
            .map_err(rule)?;
    }
    let mut problem_id = None;
    if a == ComplaintAction::Escalate {
        problem_id = Some(escalate_problem(&mut tx, c, &text, actor, now).await?);
    }
    if let Some(f) = finding
        && f.opens_problem()
        && c.problem_id.is_none()
    {
        problem_id =
            Some(open_problem(&mut tx, c, category, f, st.department_id, &text, actor, now).await?);
    }
    let ev = sqlx::query(
        "INSERT INTO complaint_events (county_code, complaint_id, action, from_state, to_state, text, finding, \
         handler_region, handler_unit, merged_into, problem_id, on_date, by_complainant, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(c.region.county_code())
    .bind(id)
    .bind(a.key())
    .bind(from.key())
    .bind(to.key())
    .bind(&text)
    .bind(finding.map(|f| f.key()))
    .bind(handler.map(|h| h.0.as_str().to_string()))
    .bind(handler.map(|h| h.1.key()))
    .bind(merged_into)
    .bind(problem_id)
    .bind(sunledger_core::day::format(today))
    .bind(i64::from(st.by_complainant))
    .bind(if st.by_complainant { None } else { actor })
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    append_row_facts(&mut tx, "complaint_events", ev.try_get(0)?).await?;
    let mut qb: QueryBuilder<DB> = QueryBuilder::new("UPDATE complaints SET state = ");
    qb.push_bind(to.key());
    if let Some((r, u)) = handler {
        qb.push(", handler_region = ")
            .push_bind(r.as_str().to_string());
        qb.push(", handler_unit = ").push_bind(u.key());
    }
    if let Some(m) = merged_into {
        qb.push(", merged_into = ").push_bind(m);
    }
    if let Some(f) = finding {
        qb.push(", finding = ").push_bind(f.key());
    }
    if let Some(p) = problem_id {
        qb.push(", problem_id = ").push_bind(p);
    }
    qb.push(" WHERE id = ").push_bind(id);
    qb.build().execute(&mut *tx).await?;
    let out = complaint_record_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Opens the Book 3 problem of an answer that found the facts: against the accused's unit (else
/// the region's own), in the category the complaint's maps to, due in 30 days (practice: the
/// rectification period a finding sets), linked back by the answer's event.
#[allow(clippy::too_many_arguments)]
async fn open_problem(
    tx: &mut sqlx::Transaction<'static, DB>,
    c: &Complaint,
    category: ComplaintCategory,
    finding: Finding,
    department_id: Option<i64>,
    answer: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let at = c
        .accused_region
        .as_deref()
        .and_then(|a| RegionCode::parse(a).ok())
        .unwrap_or(c.region);
    let department_id = match department_id {
        Some(d) => {
            let r: Option<String> =
                sqlx::query_scalar("SELECT region_code FROM departments WHERE id = $1")
                    .bind(d)
                    .fetch_optional(&mut **tx)
                    .await?;
            let ok = r.and_then(|r| RegionCode::parse(&r).ok()).is_some_and(|r| {
                r.county_code() == c.region.county_code()
                    && (c.region.is_within(&r) || r.is_within(&c.region))
            });
            if !ok {
                return Err(invalid("department_id", "outside_region", d.to_string()));
            }
            d
        }
        None => responsible_department(tx, &at).await?,
    };
    let severity = if category.is_discipline() && finding == Finding::Substantiated {
        sunledger_core::problem::Severity::Serious
    } else {
        sunledger_core::problem::Severity::General
    };
    let today = sunledger_core::day::today(now);
    let deadline = sunledger_core::problem::Deadline {
        day: today + 30,
        reason: None,
    };
    let p = NewProblem {
        region: c.region,
        inspection_id: None,
        project_id: c.project_id,
        review_of: None,
        category: category.problem_category(),
        severity,
        title: String::new(),
        description: String::new(),
        department_id,
        person_id: None,
        amount: Money::from_fen(0),
        deadline: sunledger_core::day::format(deadline.day),
        deadline_reason: None,
    };
    let title: String = format!("群众投诉 {}：{}", c.code, c.title)
        .chars()
        .take(text::NAME)
        .collect();
    let description: String = format!("{answer}\n\n（来源：群众投诉 {}）", c.code)
        .chars()
        .take(text::REPORT)
        .collect();
    insert_problem(tx, &p, (title, description), &deadline, actor, now).await
}

/// The Book 3 problem an overdue complaint is proposed on the ladder with: against the handling
/// unit (its department of the unit's kind at the handler's region), category "problems the
/// masses reflect", due in 10 days (practice: a rectification notice's period).
async fn escalate_problem(
    tx: &mut sqlx::Transaction<'static, DB>,
    c: &Complaint,
    reason: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let kind = match c.handler_unit.as_str() {
        "discipline" => "discipline_commission",
        "township" => "government",
        _ => "poverty_bureau",
    };
    let dept: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM departments WHERE region_code = $1 ORDER BY CASE WHEN kind = $2 THEN 0 ELSE 1 END, id LIMIT 1",
    )
    .bind(c.handler_region.as_str())
    .bind(kind)
    .fetch_optional(&mut **tx)
    .await?;
    let department_id = dept.ok_or_else(|| invalid("department_id", "empty", ""))?;
    let today = sunledger_core::day::today(now);
    let deadline = sunledger_core::problem::Deadline {
        day: today + 10,
        reason: None,
    };
    let p = NewProblem {
        region: c.handler_region,
        inspection_id: None,
        project_id: None,
        review_of: None,
        category: ProblemCategory::PublicComplaints,
        severity: sunledger_core::problem::Severity::General,
        title: String::new(),
        description: String::new(),
        department_id,
        person_id: None,
        amount: Money::from_fen(0),
        deadline: sunledger_core::day::format(deadline.day),
        deadline_reason: None,
    };
    let title: String = format!("群众投诉 {} 逾期未办结", c.code)
        .chars()
        .take(text::NAME)
        .collect();
    let description: String = format!(
        "{reason}\n\n（来源：群众投诉 {}，{}）",
        c.code, c.handler_name
    )
    .chars()
    .take(text::REPORT)
    .collect();
    insert_problem(tx, &p, (title, description), &deadline, actor, now).await
}

pub(super) async fn publish(
    s: &StoreImpl,
    id: i64,
    p: &NewPublication,
    actor: Option<i64>,
    now: i64,
) -> Result<ComplaintRecord> {
    let found = nonempty("found", &p.found, text::REPORT)?;
    let done = nonempty("done", &p.done, text::REPORT)?;
    let reason = match p.basis.as_str() {
        "consent" => optional("reason", &p.reason, text::REASON)?,
        "unit_decision" => nonempty("reason", &p.reason, text::REASON)?,
        other => return Err(invalid("basis", "unknown_basis", other)),
    };
    let mut tx = begin_write(&s.pool).await?;
    let q = format!("SELECT state, consent, published FROM complaints WHERE id = $1{FOR_UPDATE}");
    let r = sqlx::query(AssertSqlSafe(q))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("complaint"))?;
    let state: String = r.try_get("state")?;
    if !matches!(
        state.as_str(),
        "answered" | "in_review" | "reviewed" | "in_rereview" | "closed"
    ) || r.try_get::<i64, _>("published")? != 0
    {
        return Err(invalid("action", "not_allowed_in_state", state));
    }
    if p.basis == "consent" && r.try_get::<i64, _>("consent")? == 0 {
        return Err(invalid("basis", "no_consent", ""));
    }
    let today = sunledger_core::day::format(sunledger_core::day::today(now));
    let row = sqlx::query(
        "INSERT INTO complaint_publications (county_code, complaint_id, basis, reason, found, done, published_on, actor_id, at) \
         SELECT county_code, id, $2, $3, $4, $5, $6, $7, $8 FROM complaints WHERE id = $1 RETURNING id",
    )
    .bind(id)
    .bind(&p.basis)
    .bind(reason)
    .bind(found)
    .bind(done)
    .bind(today)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    append_row_facts(&mut tx, "complaint_publications", row.try_get(0)?).await?;
    sqlx::query("UPDATE complaints SET published = 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let out = complaint_record_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

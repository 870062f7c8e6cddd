//! The writes of Book 4's acceptances, each one transaction that books its facts.

use super::*;
use sunledger_core::acceptance::{AcceptanceAction, AcceptanceState, Gate, Opinion};
use sunledger_core::org::DepartmentKind;

async fn lock(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<Acceptance> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM acceptances WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("acceptance"))?;
    one_in(
        tx,
        format!("{ACCEPTANCE_SELECT} WHERE a.id = $1"),
        id,
        acceptance_row,
    )
    .await
}

async fn done(mut tx: sqlx::Transaction<'static, DB>, id: i64) -> Result<Acceptance> {
    let out = one_in(
        &mut tx,
        format!("{ACCEPTANCE_SELECT} WHERE a.id = $1"),
        id,
        acceptance_row,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

fn state_of(a: &Acceptance) -> Result<AcceptanceState> {
    AcceptanceState::parse(&a.state)
        .map_err(|_| StoreError::Corrupt(format!("acceptance state {:?}", a.state)))
}

/// The team's members: (member id, user id, unit kind), in order.
async fn members_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Vec<(i64, i64, String)>> {
    sqlx::query(
        "SELECT id, user_id, unit_kind FROM acceptance_members WHERE acceptance_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect()
}

/// The latest inspection: (id, grade, report hash, checklist, recorder).
async fn latest_inspection(
    tx: &mut sqlx::Transaction<'static, DB>,
    id: i64,
) -> Result<Option<(i64, String, String, String, Option<i64>)>> {
    sqlx::query(
        "SELECT id, grade, report_sha256, checklist, actor_id FROM acceptance_inspections WHERE acceptance_id = $1 \
         ORDER BY round DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| {
        Ok((
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
        ))
    })
    .transpose()
}

async fn gate_of(
    tx: &mut sqlx::Transaction<'static, DB>,
    a: &Acceptance,
    today: i64,
) -> Result<Gate> {
    let members = members_in(tx, a.id).await?;
    let units: Vec<DepartmentKind> = members
        .iter()
        .filter_map(|(_, _, k)| DepartmentKind::parse(k).ok())
        .collect();
    let latest = latest_inspection(tx, a.id).await?;
    let mut all_signed = !members.is_empty();
    let mut disagreement = false;
    if let Some((iid, ..)) = &latest {
        for (mid, _, _) in &members {
            let last: Option<String> = sqlx::query(
                "SELECT opinion FROM acceptance_signoffs WHERE inspection_id = $1 AND member_id = $2 ORDER BY id DESC LIMIT 1",
            )
            .bind(iid)
            .bind(mid)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
            match last.as_deref() {
                Some("agree") => {}
                Some(_) => {
                    disagreement = true;
                    all_signed = false;
                }
                None => all_signed = false,
            }
        }
    } else {
        all_signed = false;
    }
    let (posted_until, unanswered) = match a.notice_id {
        Some(n) => {
            let r = sqlx::query(
                "SELECT published_on, window_days, (SELECT COUNT(*) FROM public_objections o WHERE o.subject_table = 'notices' \
                 AND o.subject_id = n.id AND o.answer IS NULL) AS open FROM notices n WHERE n.id = $1",
            )
            .bind(n)
            .fetch_one(&mut **tx)
            .await?;
            let from: Option<String> = r.try_get("published_on")?;
            let days: Option<i64> = r.try_get("window_days")?;
            let open: i64 = r.try_get("open")?;
            let until = from
                .as_deref()
                .and_then(sunledger_core::day::number)
                .zip(days)
                .map(|(f, d)| sunledger_core::notice::Window { from: f, days: d }.last_day());
            (until, u32::try_from(open).unwrap_or(u32::MAX))
        }
        None => (None, 0),
    };
    Ok(Gate {
        today,
        team_complete: rules::missing_unit(&units).is_none(),
        grade: latest.as_ref().map(|(_, g, ..)| grade_of(g)).transpose()?,
        all_signed,
        disagreement,
        deadline: None,
        posted_until,
        unanswered,
    })
}

/// One step: asks core's transition function, writes the event and the new state.
struct Step<'a> {
    action: AcceptanceAction,
    comment: &'a str,
    deadline: Option<&'a str>,
    notice_id: Option<i64>,
}

async fn take(
    tx: &mut sqlx::Transaction<'static, DB>,
    a: &Acceptance,
    mut gate: Gate,
    s: Step<'_>,
    actor: Option<i64>,
    now: i64,
) -> Result<AcceptanceState> {
    let state = state_of(a)?;
    gate.deadline = s.deadline.and_then(sunledger_core::day::number);
    let next = rules::next(state, s.action, &gate).map_err(rule)?;
    let on = sunledger_core::day::format(gate.today);
    let row = sqlx::query(
        "INSERT INTO acceptance_events (county_code, acceptance_id, action, from_state, to_state, comment, on_date, deadline, \
         notice_id, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(a.region.county_code())
    .bind(a.id)
    .bind(s.action.key())
    .bind(state.key())
    .bind(next.key())
    .bind(s.comment.trim())
    .bind(&on)
    .bind(s.deadline)
    .bind(s.notice_id)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let event: i64 = row.try_get(0)?;
    let accepted_on = (next == AcceptanceState::Accepted).then_some(on);
    sqlx::query(
        "UPDATE acceptances SET state = $1, deadline = $2, notice_id = COALESCE($3, notice_id), \
         accepted_on = COALESCE($4, accepted_on) WHERE id = $5",
    )
    .bind(next.key())
    .bind(s.deadline)
    .bind(s.notice_id)
    .bind(accepted_on)
    .bind(a.id)
    .execute(&mut **tx)
    .await?;
    append_row_facts(tx, "acceptance_events", event).await?;
    Ok(next)
}

fn comment(s: &str) -> Result<String> {
    sunledger_core::text::bounded("comment", s, sunledger_core::text::REPORT).map_err(rule)
}

pub(super) async fn apply(
    s: &StoreImpl,
    n: &NewApplication,
    actor: Option<i64>,
    now: i64,
) -> Result<Acceptance> {
    let application = nonempty("application", &n.application, sunledger_core::text::REPORT)?;
    let mut tx = begin_write(&s.pool).await?;
    let p = lock_project(&mut tx, n.project_id).await?;
    if status_of(&p)? != Some(Status::Completed) {
        return Err(invalid(
            "project_id",
            "project_not_completed",
            p.status.clone().unwrap_or_default(),
        ));
    }
    let existing = sqlx::query("SELECT id FROM acceptances WHERE project_id = $1")
        .bind(p.id)
        .fetch_optional(&mut *tx)
        .await?;
    if existing.is_some() {
        return Err(invalid("project_id", "already_applied", p.id.to_string()));
    }
    let on = sunledger_core::day::format(sunledger_core::day::today(now));
    let row = sqlx::query(
        "INSERT INTO acceptances (county_code, project_id, state, applied_on, application, applied_by, applied_at) \
         VALUES ($1, $2, 'applied', $3, $4, $5, $6) RETURNING id",
    )
    .bind(p.region.county_code())
    .bind(p.id)
    .bind(&on)
    .bind(application)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "acceptances", id).await?;
    done(tx, id).await
}

pub(super) async fn precheck(
    s: &StoreImpl,
    id: i64,
    text: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Acceptance> {
    let text = nonempty("comment", text, sunledger_core::text::REPORT)?;
    let mut tx = begin_write(&s.pool).await?;
    let a = lock(&mut tx, id).await?;
    Control::PrecheckAcceptance
        .check(a.applied_by, actor)
        .map_err(rule)?;
    let gate = gate_of(&mut tx, &a, sunledger_core::day::today(now)).await?;
    let step = Step {
        action: AcceptanceAction::Precheck,
        comment: &text,
        deadline: None,
        notice_id: None,
    };
    take(&mut tx, &a, gate, step, actor, now).await?;
    done(tx, id).await
}

pub(super) async fn form_team(
    s: &StoreImpl,
    id: i64,
    users: &[i64],
    actor: Option<i64>,
    now: i64,
) -> Result<Acceptance> {
    let mut tx = begin_write(&s.pool).await?;
    let a = lock(&mut tx, id).await?;
    if state_of(&a)? != AcceptanceState::Prechecked {
        return Err(invalid("action", "not_allowed_in_state", a.state.clone()));
    }
    if users.is_empty() {
        return Err(invalid("members", "empty", ""));
    }
    let mut seen = HashSet::new();
    for (i, u) in users.iter().enumerate() {
        if !seen.insert(*u) {
            return Err(invalid("members", "duplicate_member", format!("{}", i + 1)));
        }
        let r = sqlx::query(
            "SELECT u.person_id, pe.department_id, d.kind, d.county_code FROM users u LEFT JOIN people pe ON pe.id = u.person_id \
             LEFT JOIN departments d ON d.id = pe.department_id WHERE u.id = $1",
        )
        .bind(u)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| invalid("members", "unknown_reference", u.to_string()))?;
        let person: Option<i64> = r.try_get(0)?;
        let dept: Option<i64> = r.try_get(1)?;
        let kind: Option<String> = r.try_get(2)?;
        let county: Option<String> = r.try_get(3)?;
        let (Some(person), Some(dept), Some(kind)) = (person, dept, kind) else {
            return Err(invalid("members", "member_without_unit", u.to_string()));
        };
        if county.as_deref() != Some(a.region.county_code()) {
            return Err(invalid("members", "unknown_reference", u.to_string()));
        }
        // The village's supervision committee takes part in acceptance (seed §3B): one of the
        // mass supervision team sits on the team only while on the committee of the village.
        if kind == "mass_supervision_team"
            && !sits_on_committee(
                &mut tx,
                person,
                a.region.as_str(),
                sunledger_core::day::today(now),
            )
            .await?
        {
            return Err(invalid(
                "members",
                "not_a_sitting_supervisor",
                u.to_string(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO acceptance_members (county_code, acceptance_id, user_id, person_id, department_id, unit_kind, added_by, \
             added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(a.region.county_code())
        .bind(id)
        .bind(u)
        .bind(person)
        .bind(dept)
        .bind(kind)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mid: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "acceptance_members", mid).await?;
    }
    let gate = gate_of(&mut tx, &a, sunledger_core::day::today(now)).await?;
    let step = Step {
        action: AcceptanceAction::FormTeam,
        comment: "",
        deadline: None,
        notice_id: None,
    };
    take(&mut tx, &a, gate, step, actor, now).await?;
    done(tx, id).await
}

pub(super) async fn inspect(
    s: &StoreImpl,
    id: i64,
    i: &NewAcceptanceInspection,
    actor: Option<i64>,
    now: i64,
) -> Result<Acceptance> {
    let today = sunledger_core::day::today(now);
    let inspected_on = past_day("inspected_on", &i.inspected_on, today)?;
    rules::check_checklist(&i.passed, i.grade).map_err(rule)?;
    let findings = nonempty("findings", &i.findings, sunledger_core::text::REPORT)?;
    let deadline = match (i.grade, i.deadline.as_deref().map(str::trim)) {
        (Grade::Failed, Some(d)) if !d.is_empty() => {
            let day = sunledger_core::day::parse("deadline", d).map_err(rule)?;
            if day <= today {
                return Err(invalid("deadline", "not_in_future", d));
            }
            Some(sunledger_core::day::format(day))
        }
        (Grade::Failed, _) => return Err(invalid("deadline", "empty", "")),
        _ => None,
    };
    let mut tx = begin_write(&s.pool).await?;
    let a = lock(&mut tx, id).await?;
    let members = members_in(&mut tx, id).await?;
    if !members.iter().any(|(_, u, _)| Some(*u) == actor) {
        return Err(invalid("actor", "not_a_team_member", ""));
    }
    let mut gate = gate_of(&mut tx, &a, today).await?;
    gate.grade = Some(i.grade);
    // Core decides first; nothing is written when the step is not allowed.
    rules::next(state_of(&a)?, AcceptanceAction::Inspect, &gate).map_err(rule)?;
    let round: i64 =
        sqlx::query("SELECT COUNT(*) FROM acceptance_inspections WHERE acceptance_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
    let round = round + 1;
    let team: Vec<i64> = members.iter().map(|(_, u, _)| *u).collect();
    let on = sunledger_core::day::format(inspected_on);
    let report = rules::report_text(
        a.project_id,
        round,
        &on,
        &i.passed,
        i.grade,
        &findings,
        deadline.as_deref(),
        &team,
    );
    let row = sqlx::query(
        "INSERT INTO acceptance_inspections (county_code, acceptance_id, round, inspected_on, checklist, grade, findings, \
         deadline, team, report_sha256, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(a.region.county_code())
    .bind(id)
    .bind(round)
    .bind(&on)
    .bind(checklist_json(&i.passed))
    .bind(i.grade.key())
    .bind(&findings)
    .bind(deadline.as_deref())
    .bind(serde_json::json!(team).to_string())
    .bind(sha256_hex(report.as_bytes()))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let iid: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "acceptance_inspections", iid).await?;
    let step = Step {
        action: AcceptanceAction::Inspect,
        comment: &findings,
        deadline: None,
        notice_id: None,
    };
    take(&mut tx, &a, gate, step, actor, now).await?;
    if i.grade == Grade::Failed {
        let a = lock(&mut tx, id).await?;
        let gate = gate_of(&mut tx, &a, today).await?;
        let step = Step {
            action: AcceptanceAction::Fail,
            comment: &findings,
            deadline: deadline.as_deref(),
            notice_id: None,
        };
        take(&mut tx, &a, gate, step, actor, now).await?;
        let finding = Finding {
            project_id: a.project_id,
            on_date: &on,
            title: format!("{}：验收不合格（第 {round} 次验收）", a.project_name),
            description: findings.clone(),
            category: ProblemCategory::Objectives,
            severity: sunledger_core::problem::Severity::General,
            deadline: deadline.as_deref().unwrap_or_default(),
        };
        open_finding(&mut tx, &finding, actor, now).await?;
    }
    done(tx, id).await
}

pub(super) async fn sign(
    s: &StoreImpl,
    id: i64,
    opinion: Opinion,
    reason: &str,
    actor: i64,
    now: i64,
) -> Result<Acceptance> {
    let reason = comment(reason)?;
    if opinion == Opinion::Disagree && reason.is_empty() {
        return Err(invalid("reason", "empty", ""));
    }
    let today = sunledger_core::day::today(now);
    let mut tx = begin_write(&s.pool).await?;
    let a = lock(&mut tx, id).await?;
    let state = state_of(&a)?;
    if !matches!(
        state,
        AcceptanceState::Inspected | AcceptanceState::Rectifying
    ) {
        return Err(invalid("action", "not_allowed_in_state", a.state.clone()));
    }
    let members = members_in(&mut tx, id).await?;
    let Some((member, ..)) = members.iter().find(|(_, u, _)| *u == actor) else {
        return Err(invalid("actor", "not_a_team_member", ""));
    };
    let Some((iid, grade, hash, checklist, _)) = latest_inspection(&mut tx, id).await? else {
        return Err(invalid("action", "not_allowed_in_state", a.state.clone()));
    };
    let row = sqlx::query(
        "INSERT INTO acceptance_signoffs (county_code, inspection_id, member_id, report_sha256, checklist, grade, opinion, \
         reason, signed_on, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(a.region.county_code())
    .bind(iid)
    .bind(member)
    .bind(hash)
    .bind(checklist)
    .bind(grade)
    .bind(opinion.key())
    .bind(&reason)
    .bind(sunledger_core::day::format(today))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let sid: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "acceptance_signoffs", sid).await?;
    if state == AcceptanceState::Inspected {
        let gate = gate_of(&mut tx, &a, today).await?;
        if gate.all_signed && !gate.disagreement {
            let step = Step {
                action: AcceptanceAction::CompleteSigning,
                comment: "",
                deadline: None,
                notice_id: None,
            };
            take(&mut tx, &a, gate, step, Some(actor), now).await?;
        }
    }
    done(tx, id).await
}

pub(super) async fn post(
    s: &StoreImpl,
    id: i64,
    notice_id: i64,
    actor: Option<i64>,
    now: i64,
) -> Result<Acceptance> {
    let mut tx = begin_write(&s.pool).await?;
    let a = lock(&mut tx, id).await?;
    let n = sqlx::query("SELECT kind, state, source, county_code FROM notices WHERE id = $1")
        .bind(notice_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| invalid("notice_id", "unknown_reference", notice_id.to_string()))?;
    let (kind, state, source, county): (String, String, Option<String>, String) =
        (n.try_get(0)?, n.try_get(1)?, n.try_get(2)?, n.try_get(3)?);
    if county != a.region.county_code() {
        return Err(invalid(
            "notice_id",
            "unknown_reference",
            notice_id.to_string(),
        ));
    }
    if kind != "acceptance" || source.as_deref() != Some(&format!("project:{}", a.project_id)) {
        return Err(invalid(
            "notice_id",
            "not_this_projects_acceptance_notice",
            notice_id.to_string(),
        ));
    }
    if state == "draft" {
        return Err(invalid("notice_id", "not_published", notice_id.to_string()));
    }
    let gate = gate_of(&mut tx, &a, sunledger_core::day::today(now)).await?;
    let step = Step {
        action: AcceptanceAction::Post,
        comment: "",
        deadline: None,
        notice_id: Some(notice_id),
    };
    take(&mut tx, &a, gate, step, actor, now).await?;
    done(tx, id).await
}

pub(super) async fn accept(
    s: &StoreImpl,
    id: i64,
    text: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<Acceptance> {
    let text = comment(text)?;
    let today = sunledger_core::day::today(now);
    let mut tx = begin_write(&s.pool).await?;
    let a = lock(&mut tx, id).await?;
    let inspector = latest_inspection(&mut tx, id).await?.and_then(|l| l.4);
    Control::AcceptProject
        .check(inspector, actor)
        .map_err(rule)?;
    let gate = gate_of(&mut tx, &a, today).await?;
    let step = Step {
        action: AcceptanceAction::Accept,
        comment: &text,
        deadline: None,
        notice_id: None,
    };
    take(&mut tx, &a, gate, step, actor, now).await?;
    // The project's status follows: completed → accepted, with its event and fact.
    let p = lock_project(&mut tx, a.project_id).await?;
    let status = status_of(&p)?.unwrap_or(Status::Planned);
    let next = status
        .next(
            StatusAction::Accept,
            u8::try_from(p.progress.clamp(0, 100)).unwrap_or(0),
        )
        .map_err(rule)?;
    sqlx::query("UPDATE projects SET status = $1 WHERE id = $2")
        .bind(next.key())
        .bind(p.id)
        .execute(&mut *tx)
        .await?;
    let on = sunledger_core::day::format(today);
    let why = if text.is_empty() {
        format!("验收通过（验收 #{id}）")
    } else {
        text.clone()
    };
    insert_project_event(
        &mut tx,
        &p,
        &EventIn {
            action: StatusAction::Accept.key(),
            from_state: Some(status.key()),
            to_state: next.key(),
            comment: &why,
            on_date: &on,
        },
        actor,
        now,
    )
    .await?;
    // Its evaluations are scheduled: on acceptance and on the county's anniversaries.
    let years = rules_in(&mut tx, a.region.county_code())
        .await?
        .evaluation_years;
    super::super::evaluation::schedule(&mut tx, id, &p, today, &years, now).await?;
    done(tx, id).await
}

pub(super) async fn set_rules(
    s: &StoreImpl,
    county: &str,
    r: &Rules,
    basis: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<CountyRules> {
    let basis = nonempty("basis", basis, sunledger_core::text::REASON)?;
    let checks: [(&'static str, i64, std::ops::RangeInclusive<i64>); 3] = [
        ("inspection_days", r.inspection_days, 1..=365),
        ("retention_percent", i64::from(r.retention_percent), 0..=100),
        ("posting_days", r.posting_days, 1..=60),
    ];
    for (field, v, range) in checks {
        if !range.contains(&v) {
            return Err(invalid(field, "out_of_range", v.to_string()));
        }
    }
    if r.evaluation_years.is_empty() || r.evaluation_years.iter().any(|y| *y > 10) {
        return Err(invalid(
            "evaluation_years",
            "out_of_range",
            years_text(&r.evaluation_years),
        ));
    }
    let mut tx = begin_write(&s.pool).await?;
    let region = format!("{county}000000");
    let known = sqlx::query("SELECT level FROM regions WHERE code = $1")
        .bind(&region)
        .fetch_optional(&mut *tx)
        .await?;
    if county.len() != 6 || known.is_none() {
        return Err(invalid("county_code", "unknown_reference", county));
    }
    let row = sqlx::query(
        "INSERT INTO acceptance_rules (county_code, inspection_days, retention_percent, posting_days, evaluation_years, basis, \
         set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (county_code) DO UPDATE SET \
         inspection_days = excluded.inspection_days, retention_percent = excluded.retention_percent, \
         posting_days = excluded.posting_days, evaluation_years = excluded.evaluation_years, basis = excluded.basis, \
         set_by = excluded.set_by, set_at = excluded.set_at RETURNING id",
    )
    .bind(county)
    .bind(r.inspection_days)
    .bind(i64::from(r.retention_percent))
    .bind(r.posting_days)
    .bind(years_text(&r.evaluation_years))
    .bind(basis)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "acceptance_rules", id).await?;
    let out = rules_in(&mut tx, county).await?;
    tx.commit().await?;
    Ok(out)
}

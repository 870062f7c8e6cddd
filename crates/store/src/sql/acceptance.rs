//! Book 4, acceptance: applications, the township's precheck, the county team, its inspections
//! and each member's sign-off, the posting and the acceptance; the county's Book 4 numbers; and
//! the money retained until acceptance (asked by the ledger before a payment is approved).

use super::*;
use sunledger_core::acceptance::{self as rules, CHECKS, Grade, Rules};
use sunledger_core::log::fact::sha256_hex;

mod book;
mod write;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "acceptance_rules",
        select: "SELECT id, county_code, inspection_days, retention_percent, posting_days, evaluation_years, basis, set_by, \
                 set_at FROM acceptance_rules",
        build: rules_facts,
        kinds: &[(
            "acceptance.rules",
            "set_at",
            &[
                // Whose numbers they are: the county is the row's subject, not derived.
                "county=county_code",
                "inspection_days",
                "retention_percent",
                "posting_days",
                "evaluation_years",
                "basis",
                "set_by",
            ],
        )],
        key: Key::Id,
        // Each change of a county's numbers is a fact; the earlier ones are its history.
        versioned: true,
    },
    FactTable {
        table: "acceptances",
        select: "SELECT id, county_code, project_id, applied_on, application, applied_by, applied_at FROM acceptances",
        build: acceptance_facts,
        kinds: &[(
            "acceptance",
            "applied_at",
            &["project_id", "applied_on", "application", "applied_by"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "acceptance_events",
        select: "SELECT id, county_code, acceptance_id, action, from_state, to_state, comment, on_date, deadline, notice_id, \
                 actor_id, at FROM acceptance_events",
        build: event_facts,
        kinds: &[(
            "acceptance.event",
            "at",
            &[
                "acceptance_id",
                "action",
                "from_state",
                "to_state",
                "comment",
                "on_date",
                "deadline",
                "notice_id",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "acceptance_members",
        select: "SELECT id, county_code, acceptance_id, user_id, person_id, department_id, unit_kind, added_by, added_at \
                 FROM acceptance_members",
        build: member_facts,
        kinds: &[(
            "acceptance.member",
            "added_at",
            &[
                "acceptance_id",
                "user_id",
                "person_id",
                "department_id",
                "unit_kind",
                "added_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "acceptance_inspections",
        select: "SELECT id, county_code, acceptance_id, round, inspected_on, checklist, grade, findings, deadline, team, \
                 report_sha256, actor_id, at FROM acceptance_inspections",
        build: inspection_facts,
        kinds: &[(
            "acceptance.inspection",
            "at",
            &[
                "acceptance_id",
                "round",
                "inspected_on",
                "checklist",
                "grade",
                "findings",
                "deadline",
                "team",
                // The SHA-256 of the report the members sign (core `acceptance::report_text`).
                "report_sha256",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "acceptance_signoffs",
        select: "SELECT id, county_code, inspection_id, member_id, report_sha256, checklist, grade, opinion, reason, \
                 signed_on, at FROM acceptance_signoffs",
        build: signoff_facts,
        kinds: &[(
            "acceptance.signoff",
            "at",
            &[
                "inspection_id",
                "member_id",
                "report_sha256",
                "checklist",
                "grade",
                "opinion",
                "reason",
                "signed_on",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
];

const BY_ACCEPTANCE: &str =
    "LEFT JOIN acceptances a ON a.id = t.acceptance_id LEFT JOIN projects p ON p.id = a.project_id";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "acceptances",
            "LEFT JOIN projects p ON p.id = t.project_id",
            "p.region_code",
            "the county of the project",
        ),
        Derived {
            table: "acceptances",
            columns: &["state", "deadline", "notice_id", "accepted_on"],
            rule: "the acceptance's steps: the last one's state (else applied), the deadline of the latest step that \
                   set one while rectifying, the notice of the posting, the day of the acceptance",
            check: Check::Sql(
                "SELECT CAST(a.id AS TEXT), a.state, COALESCE((SELECT e.to_state FROM acceptance_events e \
                 WHERE e.acceptance_id = a.id ORDER BY e.id DESC LIMIT 1), 'applied'), \
                 a.deadline, (SELECT e.deadline FROM acceptance_events e WHERE e.acceptance_id = a.id ORDER BY e.id DESC LIMIT 1), \
                 CAST(a.notice_id AS TEXT), (SELECT CAST(e.notice_id AS TEXT) FROM acceptance_events e \
                 WHERE e.acceptance_id = a.id AND e.action = 'post' ORDER BY e.id DESC LIMIT 1), \
                 a.accepted_on, (SELECT e.on_date FROM acceptance_events e WHERE e.acceptance_id = a.id \
                 AND e.action = 'accept' ORDER BY e.id DESC LIMIT 1) FROM acceptances a",
            ),
        },
        county(
            "acceptance_events",
            BY_ACCEPTANCE,
            "p.region_code",
            "the county of the project",
        ),
        county(
            "acceptance_members",
            BY_ACCEPTANCE,
            "p.region_code",
            "the county of the project",
        ),
        county(
            "acceptance_inspections",
            BY_ACCEPTANCE,
            "p.region_code",
            "the county of the project",
        ),
        Derived {
            table: "acceptance_inspections",
            columns: &["report_sha256"],
            rule: "SHA-256 of the report's canonical text: project, round, day, checklist, grade, findings, deadline and \
                   team (sunledger_core::acceptance::report_text)",
            check: Check::Code(report_hashes),
        },
        county(
            "acceptance_signoffs",
            "LEFT JOIN acceptance_inspections i ON i.id = t.inspection_id LEFT JOIN acceptances a ON a.id = i.acceptance_id \
             LEFT JOIN projects p ON p.id = a.project_id",
            "p.region_code",
            "the county of the project",
        ),
        Derived {
            table: "acceptance_signoffs",
            columns: &["report_sha256", "checklist", "grade"],
            rule: "what the member signed is the inspection's report: its hash, checklist and grade",
            check: Check::Sql(
                "SELECT CAST(s.id AS TEXT), s.report_sha256, i.report_sha256, s.checklist, i.checklist, s.grade, i.grade \
                 FROM acceptance_signoffs s JOIN acceptance_inspections i ON i.id = s.inspection_id",
            ),
        },
    ],
    unbooked: &[],
};

pub(crate) fn rules_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "acceptance.rules",
            "acceptance_rules",
            r.try_get("id")?,
            r.try_get("set_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("county", r.try_get::<String, _>("county_code")?)
        .field("inspection_days", r.try_get::<i64, _>("inspection_days")?)
        .field(
            "retention_percent",
            r.try_get::<i64, _>("retention_percent")?,
        )
        .field("posting_days", r.try_get::<i64, _>("posting_days")?)
        .field(
            "evaluation_years",
            r.try_get::<String, _>("evaluation_years")?,
        )
        .field("basis", r.try_get::<String, _>("basis")?)
        .field("set_by", r.try_get::<Option<i64>, _>("set_by")?),
    ])
}

pub(crate) fn acceptance_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "acceptance",
            "acceptances",
            r.try_get("id")?,
            r.try_get("applied_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("project_id", r.try_get::<i64, _>("project_id")?)
        .field("applied_on", r.try_get::<String, _>("applied_on")?)
        .field("application", r.try_get::<String, _>("application")?)
        .field("applied_by", r.try_get::<Option<i64>, _>("applied_by")?),
    ])
}

pub(crate) fn event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "acceptance.event",
            "acceptance_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("acceptance_id", r.try_get::<i64, _>("acceptance_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("comment", r.try_get::<String, _>("comment")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("deadline", r.try_get::<Option<String>, _>("deadline")?)
        .field("notice_id", r.try_get::<Option<i64>, _>("notice_id")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

pub(crate) fn member_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "acceptance.member",
            "acceptance_members",
            r.try_get("id")?,
            r.try_get("added_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("acceptance_id", r.try_get::<i64, _>("acceptance_id")?)
        .field("user_id", r.try_get::<i64, _>("user_id")?)
        .field("person_id", r.try_get::<i64, _>("person_id")?)
        .field("department_id", r.try_get::<i64, _>("department_id")?)
        .field("unit_kind", r.try_get::<String, _>("unit_kind")?)
        .field("added_by", r.try_get::<Option<i64>, _>("added_by")?),
    ])
}

pub(crate) fn inspection_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "acceptance.inspection",
            "acceptance_inspections",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("acceptance_id", r.try_get::<i64, _>("acceptance_id")?)
        .field("round", r.try_get::<i64, _>("round")?)
        .field("inspected_on", r.try_get::<String, _>("inspected_on")?)
        .field("checklist", r.try_get::<String, _>("checklist")?)
        .field("grade", r.try_get::<String, _>("grade")?)
        .field("findings", r.try_get::<String, _>("findings")?)
        .field("deadline", r.try_get::<Option<String>, _>("deadline")?)
        .field("team", r.try_get::<String, _>("team")?)
        .field("report_sha256", r.try_get::<String, _>("report_sha256")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

pub(crate) fn signoff_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "acceptance.signoff",
            "acceptance_signoffs",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("inspection_id", r.try_get::<i64, _>("inspection_id")?)
        .field("member_id", r.try_get::<i64, _>("member_id")?)
        .field("report_sha256", r.try_get::<String, _>("report_sha256")?)
        .field("checklist", r.try_get::<String, _>("checklist")?)
        .field("grade", r.try_get::<String, _>("grade")?)
        .field("opinion", r.try_get::<String, _>("opinion")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("signed_on", r.try_get::<String, _>("signed_on")?),
    ])
}

/// The checklist as stored: a JSON array of booleans in the order of `CHECKS`.
fn checklist_json(passed: &[bool]) -> String {
    serde_json::json!(passed).to_string()
}

fn checklist_of(s: &str) -> Result<Vec<bool>> {
    serde_json::from_str(s)
        .map_err(|e| StoreError::Corrupt(format!("acceptance checklist {s:?}: {e}")))
}

fn team_of(s: &str) -> Result<Vec<i64>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("acceptance team {s:?}: {e}")))
}

fn grade_of(s: &str) -> Result<Grade> {
    Grade::parse(s).map_err(|_| StoreError::Corrupt(format!("acceptance grade {s:?}")))
}

/// The report hash of a stored inspection row (`project_id` joined in).
fn report_hash_of(r: &DbRow) -> Result<String> {
    let passed = checklist_of(&r.try_get::<String, _>("checklist")?)?;
    let team = team_of(&r.try_get::<String, _>("team")?)?;
    let deadline: Option<String> = r.try_get("deadline")?;
    Ok(sha256_hex(
        rules::report_text(
            r.try_get("project_id")?,
            r.try_get("round")?,
            &r.try_get::<String, _>("inspected_on")?,
            &passed,
            grade_of(&r.try_get::<String, _>("grade")?)?,
            &r.try_get::<String, _>("findings")?,
            deadline.as_deref(),
            &team,
        )
        .as_bytes(),
    ))
}

fn report_hashes(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query(
            "SELECT i.id, a.project_id, i.round, i.inspected_on, i.checklist, i.grade, i.findings, i.deadline, i.team, \
             i.report_sha256 FROM acceptance_inspections i JOIN acceptances a ON a.id = i.acceptance_id ORDER BY i.id",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let stored: String = r.try_get("report_sha256")?;
            let derived = report_hash_of(r).unwrap_or_else(|e| format!("unreadable: {e}"));
            if stored != derived {
                out.push(Mismatch {
                    table: "acceptance_inspections",
                    key: id.to_string(),
                    column: "report_sha256",
                    stored: Some(stored),
                    derived: Some(derived),
                    rule: "SHA-256 of the acceptance report's canonical text",
                    sources: format!("acceptance_inspections {id}"),
                });
            }
        }
        Ok(out)
    })
}

const RULES_COLS: &str =
    "county_code, inspection_days, retention_percent, posting_days, evaluation_years, basis";

fn years_text(years: &[u32]) -> String {
    years
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn county_rules_row(r: &DbRow) -> Result<CountyRules> {
    let years: String = r.try_get("evaluation_years")?;
    Ok(CountyRules {
        county_code: r.try_get("county_code")?,
        inspection_days: r.try_get("inspection_days")?,
        retention_percent: u32::try_from(r.try_get::<i64, _>("retention_percent")?).unwrap_or(0),
        posting_days: r.try_get("posting_days")?,
        evaluation_years: years
            .split(',')
            .filter_map(|y| y.trim().parse().ok())
            .collect(),
        basis: r.try_get("basis")?,
        default: false,
    })
}

/// The default numbers and their source.
pub(crate) fn default_rules(county_code: &str) -> CountyRules {
    let d = Rules::default();
    CountyRules {
        county_code: county_code.to_string(),
        inspection_days: d.inspection_days,
        retention_percent: d.retention_percent,
        posting_days: d.posting_days,
        evaluation_years: d.evaluation_years,
        // Stored data, shown as it is: in Chinese like the counties' own documents.
        basis: "县级通行做法默认值（市通知§3A、§3C.4；sunledger_core::acceptance::Rules）".into(),
        default: true,
    }
}

pub(crate) async fn rules_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    county_code: &str,
) -> Result<CountyRules> {
    let q = format!("SELECT {RULES_COLS} FROM acceptance_rules WHERE county_code = $1");
    match sqlx::query(AssertSqlSafe(q))
        .bind(county_code)
        .fetch_optional(&mut **tx)
        .await?
    {
        Some(r) => county_rules_row(&r),
        None => Ok(default_rules(county_code)),
    }
}

/// The inspection days of the counties that set their own rules (the others keep
/// `Rules::default()`).
pub(crate) async fn county_inspection_days(pool: &Pool<DB>) -> Result<Vec<(String, i64)>> {
    sqlx::query("SELECT county_code, inspection_days FROM acceptance_rules")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The condition "overdue on `day`" on acceptance `a` (issue 17): applied more than its
/// county's inspection days before `day` (`counties` from [`county_inspection_days`], else the
/// default), not yet inspected. The list's `overdue` filter, the dashboards and the ladder's
/// proposals all use it.
pub(crate) fn push_overdue_acceptance(
    qb: &mut QueryBuilder<DB>,
    day: i64,
    counties: &[(String, i64)],
) {
    qb.push(
        "(a.state IN ('applied', 'prechecked', 'team_formed') AND NOT EXISTS \
         (SELECT 1 FROM acceptance_inspections i WHERE i.acceptance_id = a.id) AND (",
    );
    for (county, days) in counties {
        qb.push("(a.county_code = ")
            .push_bind(county.clone())
            .push(" AND a.applied_on < ")
            .push_bind(sunledger_core::day::format(day - days))
            .push(") OR ");
    }
    qb.push("(a.county_code NOT IN (SELECT county_code FROM acceptance_rules) AND a.applied_on < ")
        .push_bind(sunledger_core::day::format(
            day - Rules::default().inspection_days,
        ))
        .push(")))");
}

/// The condition "overdue on `day`" on evaluation `e` (issue 17): not reviewed and its due day
/// passed.
pub(crate) fn push_overdue_evaluation(qb: &mut QueryBuilder<DB>, day: i64) {
    qb.push("(e.state <> 'reviewed' AND e.due_on < ")
        .push_bind(sunledger_core::day::format(day))
        .push(")");
}

pub(crate) const ACCEPTANCE_SELECT: &str = "SELECT a.id, a.project_id, p.name AS project_name, p.category, p.region_code, \
    r.name AS region_name, a.state, a.applied_on, a.application, a.applied_by, a.deadline, a.notice_id, a.accepted_on, \
    ar.inspection_days, ar.retention_percent, \
    (SELECT i.inspected_on FROM acceptance_inspections i WHERE i.acceptance_id = a.id ORDER BY i.round DESC LIMIT 1) AS inspected_on, \
    (SELECT i.grade FROM acceptance_inspections i WHERE i.acceptance_id = a.id ORDER BY i.round DESC LIMIT 1) AS grade, \
    (SELECT COUNT(*) FROM acceptance_inspections i WHERE i.acceptance_id = a.id) AS rounds, \
    (SELECT COUNT(*) FROM acceptance_members m WHERE m.acceptance_id = a.id) AS members, \
    (SELECT COUNT(*) FROM acceptance_signoffs s WHERE s.inspection_id = (SELECT MAX(i.id) FROM acceptance_inspections i \
     WHERE i.acceptance_id = a.id) AND s.opinion = 'agree' AND s.id = (SELECT MAX(s2.id) FROM acceptance_signoffs s2 \
     WHERE s2.inspection_id = s.inspection_id AND s2.member_id = s.member_id)) AS agreed, \
    (SELECT COUNT(*) FROM acceptance_signoffs s WHERE s.inspection_id = (SELECT MAX(i.id) FROM acceptance_inspections i \
     WHERE i.acceptance_id = a.id) AND s.opinion = 'disagree' AND s.id = (SELECT MAX(s2.id) FROM acceptance_signoffs s2 \
     WHERE s2.inspection_id = s.inspection_id AND s2.member_id = s.member_id)) AS disagreed, \
    (SELECT COALESCE(CAST(SUM(t.amount) AS BIGINT), 0) FROM transfers t JOIN ledger_accounts la ON la.id = t.to_account \
     WHERE la.project_id = a.project_id AND t.kind = 'arrange' AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.reverses = t.id)) \
     AS arranged_fen \
    FROM acceptances a JOIN projects p ON p.id = a.project_id JOIN regions r ON r.code = p.region_code \
    LEFT JOIN acceptance_rules ar ON ar.county_code = a.county_code";

pub(crate) fn acceptance_row(r: &DbRow) -> Result<Acceptance> {
    let d = Rules::default();
    let days: i64 = r
        .try_get::<Option<i64>, _>("inspection_days")?
        .unwrap_or(d.inspection_days);
    let percent = r
        .try_get::<Option<i64>, _>("retention_percent")?
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(d.retention_percent);
    let applied_on: String = r.try_get("applied_on")?;
    let inspect_by = sunledger_core::day::number(&applied_on)
        .map(|n| sunledger_core::day::format(n + days))
        .unwrap_or_default();
    let arranged: i64 = r.try_get("arranged_fen")?;
    Ok(Acceptance {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        project_name: r.try_get("project_name")?,
        category: r.try_get("category")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        region_name: r.try_get("region_name")?,
        state: r.try_get("state")?,
        applied_on,
        application: r.try_get("application")?,
        applied_by: r.try_get("applied_by")?,
        inspect_by,
        inspected_on: r.try_get("inspected_on")?,
        grade: r.try_get("grade")?,
        rounds: r.try_get("rounds")?,
        members: r.try_get("members")?,
        agreed: r.try_get("agreed")?,
        disagreed: r.try_get("disagreed")?,
        deadline: r.try_get("deadline")?,
        notice_id: r.try_get("notice_id")?,
        accepted_on: r.try_get("accepted_on")?,
        arranged_fen: arranged,
        retained_fen: rules::retained(Money::from_fen(arranged), percent).fen(),
    })
}

const EVENT_SELECT: &str = "SELECT e.id, e.action, e.from_state, e.to_state, e.comment, e.on_date, e.deadline, e.notice_id, \
    e.actor_id, u.display_name AS actor_name, e.at FROM acceptance_events e LEFT JOIN users u ON u.id = e.actor_id \
    WHERE e.acceptance_id = $1 ORDER BY e.id";

const MEMBER_SELECT: &str = "SELECT m.id, m.user_id, m.person_id, pe.name, pe.position, m.department_id, d.name AS unit_name, \
    m.unit_kind FROM acceptance_members m JOIN people pe ON pe.id = m.person_id JOIN departments d ON d.id = m.department_id \
    WHERE m.acceptance_id = $1 ORDER BY m.id";

const INSPECTION_SELECT: &str = "SELECT i.id, i.round, i.inspected_on, i.checklist, i.grade, i.findings, i.deadline, \
    i.report_sha256, i.actor_id FROM acceptance_inspections i WHERE i.acceptance_id = $1 ORDER BY i.round";

const SIGNOFF_SELECT: &str = "SELECT s.id, s.inspection_id, s.member_id, s.report_sha256, s.grade, s.opinion, s.reason, \
    s.signed_on, s.at, (SELECT MIN(l.idx) FROM log_leaves l WHERE l.record_table = 'acceptance_signoffs' \
    AND l.record_id = s.id) AS log_index FROM acceptance_signoffs s JOIN acceptance_inspections i ON i.id = s.inspection_id \
    WHERE i.acceptance_id = $1 ORDER BY s.id";

impl StoreImpl {
    async fn record(&self, a: Acceptance) -> Result<AcceptanceRecord> {
        let id = a.id;
        let events = sqlx::query(EVENT_SELECT)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AcceptanceEvent {
                    id: r.try_get("id")?,
                    action: r.try_get("action")?,
                    from_state: r.try_get("from_state")?,
                    to_state: r.try_get("to_state")?,
                    comment: r.try_get("comment")?,
                    on_date: r.try_get("on_date")?,
                    deadline: r.try_get("deadline")?,
                    notice_id: r.try_get("notice_id")?,
                    actor_id: r.try_get("actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    at: r.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let members = sqlx::query(MEMBER_SELECT)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(TeamMember {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    person_id: r.try_get("person_id")?,
                    name: r.try_get("name")?,
                    position: r.try_get("position")?,
                    department_id: r.try_get("department_id")?,
                    unit_name: r.try_get("unit_name")?,
                    unit_kind: r.try_get("unit_kind")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut signoffs: Vec<(i64, SignOff)> = sqlx::query(SIGNOFF_SELECT)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("inspection_id")?,
                    SignOff {
                        id: r.try_get("id")?,
                        member_id: r.try_get("member_id")?,
                        report_sha256: r.try_get("report_sha256")?,
                        grade: r.try_get("grade")?,
                        opinion: r.try_get("opinion")?,
                        reason: r.try_get("reason")?,
                        signed_on: r.try_get("signed_on")?,
                        at: r.try_get("at")?,
                        log_index: r.try_get("log_index")?,
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut inspections = Vec::new();
        for r in sqlx::query(INSPECTION_SELECT)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
        {
            let iid: i64 = r.try_get("id")?;
            let passed = checklist_of(&r.try_get::<String, _>("checklist")?)?;
            let (mine, rest): (Vec<_>, Vec<_>) = signoffs.into_iter().partition(|(i, _)| *i == iid);
            signoffs = rest;
            inspections.push(AcceptanceInspection {
                id: iid,
                round: r.try_get("round")?,
                inspected_on: r.try_get("inspected_on")?,
                checklist: CHECKS
                    .iter()
                    .zip(passed)
                    .map(|(k, p)| ((*k).to_string(), p))
                    .collect(),
                grade: r.try_get("grade")?,
                findings: r.try_get("findings")?,
                deadline: r.try_get("deadline")?,
                report_sha256: r.try_get("report_sha256")?,
                actor_id: r.try_get("actor_id")?,
                signoffs: mine.into_iter().map(|(_, s)| s).collect(),
            });
        }
        Ok(AcceptanceRecord {
            acceptance: a,
            events,
            members,
            inspections,
        })
    }
}

#[async_trait]
impl AcceptanceStore for StoreImpl {
    async fn apply_acceptance(
        &self,
        a: &NewApplication,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance> {
        write::apply(self, a, actor, now).await
    }

    async fn precheck_acceptance(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance> {
        write::precheck(self, id, comment, actor, now).await
    }

    async fn form_acceptance_team(
        &self,
        id: i64,
        members: &[i64],
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance> {
        write::form_team(self, id, members, actor, now).await
    }

    async fn inspect_acceptance(
        &self,
        id: i64,
        i: &NewAcceptanceInspection,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance> {
        write::inspect(self, id, i, actor, now).await
    }

    async fn sign_acceptance(
        &self,
        id: i64,
        opinion: rules::Opinion,
        reason: &str,
        actor: i64,
        now: i64,
    ) -> Result<Acceptance> {
        write::sign(self, id, opinion, reason, actor, now).await
    }

    async fn post_acceptance(
        &self,
        id: i64,
        notice_id: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance> {
        write::post(self, id, notice_id, actor, now).await
    }

    async fn accept_project(
        &self,
        id: i64,
        comment: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Acceptance> {
        write::accept(self, id, comment, actor, now).await
    }

    async fn acceptance(&self, id: i64) -> Result<Option<AcceptanceRecord>> {
        let a = self
            .one_by_id(
                format!("{ACCEPTANCE_SELECT} WHERE a.id = $1"),
                id,
                acceptance_row,
            )
            .await?;
        match a {
            Some(a) => Ok(Some(self.record(a).await?)),
            None => Ok(None),
        }
    }

    async fn acceptance_of_project(&self, project_id: i64) -> Result<Option<Acceptance>> {
        self.one_by_id(
            format!("{ACCEPTANCE_SELECT} WHERE a.project_id = $1"),
            project_id,
            acceptance_row,
        )
        .await
    }

    async fn acceptances(
        &self,
        f: &AcceptanceFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Acceptance>, i64)> {
        let overdue_day = f
            .overdue_on
            .as_deref()
            .and_then(sunledger_core::day::number);
        let counties: Vec<(String, i64)> = if overdue_day.is_some() {
            county_inspection_days(&self.pool).await?
        } else {
            Vec::new()
        };
        let filter = |qb: &mut QueryBuilder<DB>| {
            qb.push(" WHERE ");
            push_scope_filter(qb, "p.region_code", &f.scopes);
            if let Some(s) = &f.state {
                qb.push(" AND a.state = ").push_bind(s.clone());
            }
            if let Some(g) = &f.grade {
                qb.push(" AND (SELECT i.grade FROM acceptance_inspections i WHERE i.acceptance_id = a.id ORDER BY i.round DESC LIMIT 1) = ")
                    .push_bind(g.clone());
            }
            if let Some(day) = overdue_day {
                qb.push(" AND ");
                push_overdue_acceptance(qb, day, &counties);
            }
        };
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(ACCEPTANCE_SELECT);
        filter(&mut qb);
        qb.push(" ORDER BY a.applied_on, a.id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(acceptance_row)
            .collect::<Result<Vec<_>>>()?;
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT COUNT(*) FROM acceptances a JOIN projects p ON p.id = a.project_id",
        );
        filter(&mut qb);
        let total: i64 = qb.build().fetch_one(&self.pool).await?.try_get(0)?;
        Ok((rows, total))
    }

    async fn book4(
        &self,
        f: &Book4Filter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Book4Row>, i64)> {
        book::book4(self, f, limit, offset).await
    }

    async fn acceptance_rules(&self, county_code: &str) -> Result<CountyRules> {
        let q = format!("SELECT {RULES_COLS} FROM acceptance_rules WHERE county_code = $1");
        match sqlx::query(AssertSqlSafe(q))
            .bind(county_code)
            .fetch_optional(&self.pool)
            .await?
        {
            Some(r) => county_rules_row(&r),
            None => Ok(default_rules(county_code)),
        }
    }

    async fn set_acceptance_rules(
        &self,
        county_code: &str,
        r: &Rules,
        basis: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CountyRules> {
        write::set_rules(self, county_code, r, basis, actor, now).await
    }
}

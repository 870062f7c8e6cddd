//! Foreign references, route by route: signed in as a 云岭县 (529121) official with the role a
//! route needs, every write route of the JSON API is fed an id or region code of 石门县 (529122)
//! — in its body where it takes one (with the caller's own rows everywhere else), in its path
//! otherwise — and must refuse it (403, 404 or 422, never 2xx) without booking anything (the
//! log's size does not move). The write routes are read from the OpenAPI document: a route
//! without an entry here fails the test.
use crate::access_matrix::{Foreign, example_body, fill, foreign_ids};
use crate::support::{TestApp, TestDb};
use serde_json::{Value, json};
use sqlx::Row;

/// One integer read straight from the test database (`None` for no row or NULL).
pub(crate) async fn scalar(db: &TestDb, sql: &str) -> Option<i64> {
    use sqlx::Connection;
    if db.url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_optional(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .and_then(|r| r.try_get::<Option<i64>, _>(0).expect("an integer"))
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_optional(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .and_then(|r| r.try_get::<Option<i64>, _>(0).expect("an integer"))
    }
}

/// One text read straight from the test database.
async fn text(db: &TestDb, sql: &str) -> Option<String> {
    use sqlx::Connection;
    if db.url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_optional(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .and_then(|r| r.try_get::<Option<String>, _>(0).expect("a text"))
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_optional(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .and_then(|r| r.try_get::<Option<String>, _>(0).expect("a text"))
    }
}

async fn must(db: &TestDb, what: &str, sql: &str) -> i64 {
    scalar(db, sql)
        .await
        .unwrap_or_else(|| panic!("the demo has no {what} ({sql})"))
}

/// One attempt: who sends it, the path (filled), the body, and the field the refusal must name
/// (for references in the body).
struct Probe {
    who: &'static str,
    path: String,
    body: Option<Value>,
    field: Option<&'static str>,
}

/// The caller's own rows (云岭县), so that the one foreign reference is what gets refused.
struct Own {
    user: i64,
    fund: i64,
    project: i64,
    draft_project: i64,
    problem: i64,
    department: i64,
    /// An accepted project and an asset in service of 云岭县.
    accepted: i64,
    asset: i64,
    /// A held meeting of the demo village (issue 18).
    meeting: i64,
    /// The demo's appraisal round of 云岭县.
    appraisal: i64,
}

/// What else of 石门县 the probes name (besides `Foreign`).
struct More {
    household: i64,
    county_fund: i64,
    /// A session of 石门县's finance official (its public id).
    session: String,
    /// A sign-in limit row of 石门县 (failed sign-ins of its official).
    limit: i64,
    /// A held meeting of a village of 石门县.
    meeting: i64,
}

fn probe(who: &'static str, path: String, body: Value, field: &'static str) -> Probe {
    Probe {
        who,
        path,
        body: Some(body),
        field: Some(field),
    }
}

/// The probes of one write route, or `None` for a route missing here. An empty list marks a
/// route that names no region or row (signing in and out, signing a log checkpoint).
fn probes(method: &str, path: &str, f: &Foreign, own: &Own, more: &More) -> Option<Vec<Probe>> {
    let by_path = |who: &'static str| Probe {
        who,
        path: fill(path, f),
        body: example_body(method, path),
        field: None,
    };
    let p = path.to_string();
    let transfer = |extra: Value| {
        let mut b = json!({"client_id": format!("xc-{}", extra.to_string().len()), "fund_id": own.fund, "amount": "1.00",
            "booked_on": "2026-06-01", "document_no": "越权〔2026〕9号", "purpose": "越权"});
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    let problem = |extra: Value| {
        let mut b = json!({"region": "529121", "category": "fund_management", "severity": "general",
            "title": "越权问题", "description": "x", "department_id": own.department, "deadline": "2026-12-01"});
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    let inspection = |region: &str, targets: String| {
        json!({"region": region, "kind": "routine", "title": "越权检查", "team": "x",
            "lead_departments": ["discipline_commission"], "planned_on": "2026-05-01", "targets": targets})
    };
    let project = |village: &str| {
        json!({"village": village, "name": "越权申报", "category": "infrastructure", "fiscal_year": 2026,
            "budget": [{"source": "county_budget", "amount": "1.00"}], "targets": crate::support::targets_json(),
            "meeting_on": "2026-01-01", "meeting_ref": "x",
            "declare": false, "note": "x"})
    };
    let letter = |township: &str, bureau: i64, leader: i64| {
        json!({"township": township, "fiscal_year": 2026, "document_no": "越权〔2026〕1号", "title": "x",
            "content": "x", "bureau_person_id": bureau, "township_person_id": leader, "signed_on": "2026-05-01"})
    };
    let suspension = |kind: &str, target: String, region: Option<&str>| {
        json!({"target_kind": kind, "target": target, "reason": "越权", "document_no": "越权〔2026〕3号",
            "region": region})
    };
    Some(match (method, path) {
        // Signing in and out, and the caller's own second factor: no region, no other row.
        ("post", "/api/v1/session")
        | ("delete", "/api/v1/session")
        | ("post", "/api/v1/session/second-step")
        | ("post", "/api/v1/account/second-factor")
        | ("post", "/api/v1/account/second-factor/confirm")
        | ("post", "/api/v1/account/second-factor/remove") => vec![],
        ("delete", "/api/v1/account/sessions/{id}") => vec![Probe {
            who: "yunling.admin",
            path: format!("/api/v1/account/sessions/{}", more.session),
            body: None,
            field: None,
        }],
        ("delete", "/api/v1/sign-in-limits/{id}") => vec![Probe {
            who: "yunling.admin",
            path: format!("/api/v1/sign-in-limits/{}", more.limit),
            body: None,
            field: None,
        }],
        ("post", "/api/v1/users/{id}/disable") | ("post", "/api/v1/users/{id}/enable") => {
            vec![by_path("yunling.admin")]
        }
        ("post", "/api/v1/log/checkpoints") => vec![],
        ("post", "/api/v1/regions/{code}/departments") => vec![by_path("yunling.admin")],
        ("post", "/api/v1/departments/{id}/people") => vec![by_path("yunling.admin")],
        ("post", "/api/v1/users") => vec![Probe {
            field: None,
            ..probe("yunling.admin", p, example_body(method, path)?, "")
        }],
        ("post", "/api/v1/users/{id}/grants") => vec![
            by_path("yunling.admin"),
            Probe {
                field: None,
                ..probe(
                    "yunling.admin",
                    format!("/api/v1/users/{}/grants", own.user),
                    json!({"role": "finance", "region": "529122"}),
                    "",
                )
            },
        ],
        ("delete", "/api/v1/users/{id}/grants/{grant_id}") => vec![
            by_path("yunling.admin"),
            Probe {
                who: "yunling.admin",
                path: format!("/api/v1/users/{}/grants/{}", own.user, f.grant),
                body: None,
                field: None,
            },
        ],
        ("post", "/api/v1/funds") => vec![probe(
            "yunling.finance",
            p,
            json!({"client_id": "xc-fund", "region": "529122", "source": "county_budget", "fiscal_year": 2026,
                "document_no": "x", "name": "x", "amount": "1.00", "booked_on": "2026-05-01"}),
            "region",
        )],
        ("post", "/api/v1/transfers") => vec![
            probe(
                "yunling.finance",
                p.clone(),
                transfer(json!({"fund_id": more.county_fund, "kind": "appropriate",
                    "from": {"region": "529121"}, "to": {"region": "529121100"}})),
                "fund",
            ),
            probe(
                "yunling.finance",
                p.clone(),
                transfer(json!({"kind": "appropriate", "from": {"region": "529122"},
                    "to": {"region": "529122100"}})),
                "from",
            ),
            probe(
                "yunling.finance",
                p.clone(),
                transfer(json!({"kind": "arrange", "from": {"region": "529121"},
                    "to": {"project": f.project}})),
                "to",
            ),
            probe(
                "yunling.finance",
                p.clone(),
                transfer(
                    json!({"kind": "disburse", "from": {"project": f.project}, "payee": "越权收款人"}),
                ),
                "from",
            ),
            probe(
                "yunling.finance",
                p,
                transfer(json!({"kind": "reverse", "reverses": f.transfer})),
                "reverses",
            ),
        ],
        ("post", "/api/v1/transfers/{id}/receipt")
        | ("post", "/api/v1/transfers/{id}/payment")
        | ("post", "/api/v1/suspensions/{id}/resume") => vec![by_path("yunling.finance")],
        ("post", "/api/v1/suspensions") => vec![
            probe(
                "yunling.finance",
                p.clone(),
                suspension("project", f.project.to_string(), None),
                "target",
            ),
            probe(
                "yunling.finance",
                p.clone(),
                suspension("region", "529122".into(), None),
                "target",
            ),
            probe(
                "yunling.finance",
                p,
                suspension("payee", "越权收款人".into(), Some("529122")),
                "region",
            ),
        ],
        ("post", "/api/v1/projects") => vec![probe(
            "yunling.village",
            p,
            project("529122100201"),
            "village",
        )],
        ("post", "/api/v1/projects/{id}/versions") => vec![
            by_path("yunling.village"),
            probe(
                "yunling.village",
                format!("/api/v1/projects/{}/versions", own.draft_project),
                project("529122100201"),
                "village",
            ),
        ],
        ("post", "/api/v1/projects/{id}/steps") => vec![by_path("yunling.township")],
        ("post", "/api/v1/projects/{id}/objections")
        | ("post", "/api/v1/projects/{id}/milestones")
        | ("post", "/api/v1/milestones/{id}/updates")
        | ("post", "/api/v1/projects/{id}/beneficiaries") => vec![by_path("yunling.township")],
        ("post", "/api/v1/objections/{id}/answer") => vec![by_path("yunling.bureau")],
        ("post", "/api/v1/projects/{id}/responsibilities") => vec![
            by_path("yunling.bureau"),
            probe(
                "yunling.bureau",
                format!("/api/v1/projects/{}/responsibilities", own.project),
                json!({"person_id": f.person, "role": "county_leader", "start_on": "2026-05-01"}),
                "person_id",
            ),
        ],
        ("post", "/api/v1/responsibilities/{id}/end") => vec![by_path("yunling.bureau")],
        ("post", "/api/v1/responsibility-letters") => vec![
            probe(
                "yunling.bureau",
                p.clone(),
                letter("529122100", f.person, f.person),
                "township",
            ),
            probe(
                "yunling.bureau",
                p,
                letter("529121100", f.person, f.person),
                "bureau_person_id",
            ),
        ],
        ("post", "/api/v1/inspections") => vec![
            probe(
                "yunling.discipline",
                p.clone(),
                inspection("529122", String::new()),
                "region",
            ),
            probe(
                "yunling.discipline",
                p.clone(),
                inspection("529121", format!("project:{}", f.project)),
                "targets",
            ),
            probe(
                "yunling.discipline",
                p.clone(),
                inspection("529121", format!("household:{}", more.household)),
                "targets",
            ),
            probe(
                "yunling.discipline",
                p,
                inspection("529121", "region:529122000000".into()),
                "targets",
            ),
        ],
        ("post", "/api/v1/inspections/{id}/done") => vec![by_path("yunling.discipline")],
        ("post", "/api/v1/spot-draws") => vec![probe(
            "yunling.discipline",
            p,
            json!({"region": "529122", "round": "越权", "seed": "x"}),
            "region",
        )],
        ("post", "/api/v1/problems") => vec![
            probe(
                "yunling.discipline",
                p.clone(),
                problem(json!({"region": "529122"})),
                "region",
            ),
            probe(
                "yunling.discipline",
                p.clone(),
                problem(json!({"inspection_id": f.inspection})),
                "inspection_id",
            ),
            probe(
                "yunling.discipline",
                p.clone(),
                problem(json!({"project_id": f.project})),
                "project_id",
            ),
            probe(
                "yunling.discipline",
                p.clone(),
                problem(json!({"review_of": f.problem})),
                "review_of",
            ),
            probe(
                "yunling.discipline",
                p.clone(),
                problem(json!({"department_id": f.department})),
                "department_id",
            ),
            probe(
                "yunling.discipline",
                p,
                problem(json!({"person_id": f.person})),
                "person_id",
            ),
        ],
        ("post", "/api/v1/problems/{id}/actions") => vec![by_path("yunling.discipline")],
        ("post", "/api/v1/problems/{id}/escalations") => vec![
            by_path("yunling.discipline"),
            probe(
                "yunling.discipline",
                format!("/api/v1/problems/{}/escalations", own.problem),
                json!({"step": "reminder_letter", "document_no": "越权〔2026〕2号", "issuing_unit": "x",
                    "content": "x", "responsible_person": "x", "proposal_id": f.proposal}),
                "proposal_id",
            ),
        ],
        ("post", "/api/v1/notices") => vec![
            probe(
                "yunling.township",
                p.clone(),
                json!({"region": "529122", "kind": "policy", "fields": {"title": "越权公示"}}),
                "region",
            ),
            probe(
                "yunling.township",
                p,
                json!({"region": "529121100", "kind": "policy", "fields": {"title": "越权更正"},
                    "corrects": f.notice}),
                "corrects",
            ),
        ],
        ("post", "/api/v1/notices/{id}/fields")
        | ("post", "/api/v1/notices/{id}/actions")
        | ("post", "/api/v1/notices/{id}/postings")
        | ("post", "/api/v1/notices/{id}/postings/{posting}/confirm")
        | ("post", "/api/v1/public-objections/{id}/answer") => vec![by_path("yunling.township")],
        // Anyone may object to any published notice or project under notice: no region is theirs.
        ("post", "/api/v1/public/notices/{id}/objections")
        | ("post", "/api/v1/public/projects/{id}/objections") => vec![],
        ("post", "/api/v1/assets") => {
            let asset = |extra: Value| {
                let mut b = json!({"project_id": own.accepted, "name": "越权资产", "class": "public_welfare",
                    "quantity": "1", "unit": "座", "value": {"central_special": "1.00"}, "owner_level": "village",
                    "owner": "529121100201", "custodian": "x", "custodian_person": "x"});
                for (k, v) in extra.as_object().expect("object") {
                    b[k] = v.clone();
                }
                b
            };
            vec![
                probe(
                    "yunling.bureau",
                    p.clone(),
                    asset(json!({"project_id": f.asset_project})),
                    "project_id",
                ),
                probe(
                    "yunling.bureau",
                    p.clone(),
                    asset(json!({"owner": "529122100201"})),
                    "owner",
                ),
                probe(
                    "yunling.bureau",
                    p,
                    asset(
                        json!({"class": "household", "owner_level": "household", "owner": null,
                        "household_id": more.household}),
                    ),
                    "household_id",
                ),
            ]
        }
        ("post", "/api/v1/assets/{id}/actions") => vec![
            by_path("yunling.bureau"),
            probe(
                "yunling.bureau",
                format!("/api/v1/assets/{}/actions", own.asset),
                json!({"action": "transfer", "decision_kind": "document", "decision_ref": "越权〔2026〕4号",
                    "reason": "越权移交", "owner_level": "village", "owner": "529122100201",
                    "custodian": "x", "custodian_person": "x"}),
                "owner",
            ),
        ],
        ("post", "/api/v1/escalations/{id}/outcome")
        | ("post", "/api/v1/proposals/{id}/dismiss")
        | ("post", "/api/v1/overdue-proposals/{id}/decide") => {
            vec![by_path("yunling.discipline")]
        }
        ("post", "/api/v1/acceptances") => vec![probe(
            "yunling.township",
            p,
            json!({"project_id": f.project, "application": "越权申请验收"}),
            "project_id",
        )],
        ("post", "/api/v1/acceptances/{id}/precheck") => vec![by_path("yunling.township")],
        ("post", "/api/v1/acceptances/{id}/team")
        | ("post", "/api/v1/acceptances/{id}/post")
        | ("post", "/api/v1/acceptances/{id}/accept")
        | ("put", "/api/v1/acceptance-rules/{county}") => vec![by_path("yunling.bureau")],
        ("post", "/api/v1/acceptances/{id}/inspections")
        | ("post", "/api/v1/acceptances/{id}/signoffs") => vec![by_path("yunling.agri")],
        ("post", "/api/v1/evaluations/{id}/record") => vec![by_path("yunling.township")],
        ("post", "/api/v1/committees/{village}/terms") => vec![
            by_path("yunling.village"),
            probe(
                "yunling.village",
                "/api/v1/committees/529121100201/terms".into(),
                json!({"meeting_id": more.meeting, "members": [{"name": "越权一", "chair": true},
                    {"name": "越权二", "accounting": true, "skills": "x"}, {"name": "越权三"}]}),
                "meeting_id",
            ),
        ],
        ("post", "/api/v1/committee-terms/{id}/members")
        | ("post", "/api/v1/committee-members/{id}/end")
        | ("post", "/api/v1/committee-members/{id}/signatures") => vec![by_path("yunling.village")],
        ("post", "/api/v1/complaints") => vec![probe(
            "yunling.bureau",
            p,
            json!({"channel": "letter", "category": "detention", "region": "529122100201",
                "title": "越权登记", "body": "越权", "anonymous": true}),
            "region",
        )],
        ("post", "/api/v1/complaints/{id}/steps")
        | ("post", "/api/v1/complaints/{id}/publication") => {
            vec![by_path("yunling.discipline"), by_path("yunling.township")]
        }
        ("post", "/api/v1/flags/{id}/steps") => {
            vec![by_path("yunling.discipline"), by_path("yunling.township")]
        }
        ("post", "/api/v1/flags/scan") => vec![probe(
            "yunling.bureau",
            p,
            json!({"region": "529122"}),
            "region",
        )],
        // The assessment is the city's (both counties are in it): the county's people may not
        // book a scheme or step the round, nor appeal for 石门县 or decide its appeals.
        ("post", "/api/v1/assessment/schemes")
        | ("post", "/api/v1/assessment/{year}/steps")
        | ("post", "/api/v1/assessment/{year}/appeals/{id}/decision") => {
            vec![by_path("yunling.bureau"), by_path("yunling.discipline")]
        }
        ("post", "/api/v1/assessment/{year}/appeals") => vec![by_path("yunling.bureau")],
        ("post", "/api/v1/flag-settings") => vec![probe(
            "yunling.bureau",
            p,
            json!({"region": "529122", "body": "unconfirmed.days = 10"}),
            "region",
        )],
        ("post", "/api/v1/public/complaints")
        | ("post", "/api/v1/public/complaints/lookup")
        | ("post", "/api/v1/public/complaints/steps") => vec![],
        ("post", "/api/v1/meetings") => vec![probe(
            "yunling.township",
            p,
            json!({"village": "529122100201", "kind": "representatives", "title": "越权会议",
                "planned_on": "2026-01-01", "roster": ["越权"]}),
            "village",
        )],
        ("post", "/api/v1/meetings/{id}/attendance")
        | ("post", "/api/v1/meetings/{id}/minutes")
        | ("post", "/api/v1/meetings/{id}/confirmations") => {
            vec![by_path("yunling.township"), by_path("yunling.village")]
        }
        ("post", "/api/v1/meetings/{id}/items") => vec![
            by_path("yunling.village"),
            probe(
                "yunling.village",
                format!("/api/v1/meetings/{}/items", own.meeting),
                json!({"title": "越权表决", "decision": true, "votes_for": "1", "project_id": f.project}),
                "project_id",
            ),
        ],
        ("post", "/api/v1/appraisals") => vec![probe(
            "yunling.village",
            p,
            json!({"village": "529122100201", "year": "2027", "kind": "identify"}),
            "village",
        )],
        ("post", "/api/v1/appraisals/{id}/applicants") => vec![
            by_path("yunling.village"),
            probe(
                "yunling.village",
                format!("/api/v1/appraisals/{}/applicants", own.appraisal),
                json!({"household_id": more.household.to_string(), "reason": "越权", "income_evidence": "越权"}),
                "household_id",
            ),
        ],
        ("post", "/api/v1/appraisals/{id}/steps")
        | ("post", "/api/v1/appraisals/{id}/hits/{hit}/decision")
        | ("post", "/api/v1/appraisals/{id}/applicants/{applicant}/vote")
        | ("post", "/api/v1/appraisals/{id}/objections/{objection}/answer") => {
            vec![by_path("yunling.village")]
        }
        ("post", "/api/v1/appraisals/{id}/samples")
        | ("post", "/api/v1/appraisals/{id}/checks") => {
            vec![by_path("yunling.township")]
        }
        ("post", "/api/v1/evaluations/{id}/return")
        | ("post", "/api/v1/evaluations/{id}/review") => {
            vec![by_path("yunling.bureau")]
        }
        _ => return None,
    })
}

async fn foreign_references_are_refused_everywhere(app: TestApp) {
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let f = foreign_ids(&app).await;
    let db = &app.db;
    let own = Own {
        user: must(
            db,
            "云岭县 finance account",
            "SELECT id FROM users WHERE username = 'yunling.finance'",
        )
        .await,
        fund: must(
            db,
            "云岭县 county fund",
            "SELECT MIN(id) FROM funds WHERE region_code = '529121000000'",
        )
        .await,
        project: must(
            db,
            "云岭县 project",
            "SELECT MIN(id) FROM projects WHERE county_code = '529121'",
        )
        .await,
        draft_project: must(
            db,
            "draft in the demo village",
            "SELECT MIN(id) FROM projects WHERE region_code = '529121100201' AND stage = 'draft'",
        )
        .await,
        problem: must(
            db,
            "云岭县 problem",
            "SELECT MIN(id) FROM problems WHERE county_code = '529121' AND state <> 'closed'",
        )
        .await,
        department: must(
            db,
            "云岭县 department",
            "SELECT MIN(id) FROM departments WHERE region_code = '529121000000'",
        )
        .await,
        accepted: must(
            db,
            "accepted 云岭县 project",
            "SELECT MIN(id) FROM projects WHERE county_code = '529121' AND status = 'accepted' AND length(region_code) = 12 AND substr(region_code, 10, 3) <> '000'",
        )
        .await,
        asset: must(
            db,
            "云岭县 asset in service",
            "SELECT MIN(id) FROM assets WHERE county_code = '529121' AND state <> 'disposed'",
        )
        .await,
        meeting: must(
            db,
            "a held meeting of the demo village",
            "SELECT MIN(id) FROM meetings WHERE region_code = '529121100201' AND state = 'held'",
        )
        .await,
        appraisal: must(
            db,
            "云岭县 appraisal round",
            "SELECT MIN(id) FROM appraisal_rounds WHERE county_code = '529121'",
        )
        .await,
    };
    // 石门县's official signs in (a session) and someone fails to sign in as them (a limit).
    let _shimen = app.signed_in("shimen.finance").await;
    let r = app
        .client()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "shimen.finance", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let more = More {
        session: text(
            db,
            "SELECT MAX(s.public_id) FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE u.username = 'shimen.finance'",
        )
        .await
        .expect("a session of shimen.finance"),
        limit: must(
            db,
            "石门县 sign-in limit",
            "SELECT MIN(id) FROM sign_in_limits WHERE username = 'shimen.finance'",
        )
        .await,
        household: must(
            db,
            "石门县 household",
            "SELECT MIN(id) FROM households WHERE county_code = '529122'",
        )
        .await,
        county_fund: f.fund,
        meeting: must(
            db,
            "石门县 meeting",
            "SELECT MIN(id) FROM meetings WHERE county_code = '529122'",
        )
        .await,
    };
    let mut clients = std::collections::HashMap::new();
    for who in [
        "yunling.admin",
        "yunling.finance",
        "yunling.village",
        "yunling.township",
        "yunling.bureau",
        "yunling.discipline",
        "yunling.agri",
    ] {
        clients.insert(who, app.signed_in(who).await);
    }
    let log_before = app.db.store.log_size().await.unwrap();
    let mut missing = Vec::new();
    let mut checked = 0;
    let mut routes = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if !matches!(method.as_str(), "post" | "put" | "patch" | "delete") {
                continue;
            }
            routes += 1;
            let Some(list) = probes(method, path, &f, &own, &more) else {
                missing.push(format!("{method} {path}"));
                continue;
            };
            for pr in list {
                let client = &clients[pr.who];
                let url = app.url(&pr.path);
                let mut req = match method.as_str() {
                    "post" => client.post(&url),
                    "put" => client.put(&url),
                    "patch" => client.patch(&url),
                    _ => client.delete(&url),
                };
                if let Some(b) = &pr.body {
                    req = req.json(b);
                }
                let resp = req.send().await.unwrap();
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                let what = format!("{} {method} {} {:?}", pr.who, pr.path, pr.body);
                assert!(
                    matches!(status, 403 | 404 | 422),
                    "{what}: a reference into 石门县 answered {status}: {text}"
                );
                let err: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|_| panic!("{what}: not JSON: {text}"));
                if let Some(field) = pr.field {
                    assert_eq!(status, 422, "{what}: {text}");
                    assert_eq!(err["error"]["field"], field, "{what}: {text}");
                }
                // The refusal echoes at most what was sent: no name of what lies there.
                assert!(
                    !text.contains("石门"),
                    "{what}: the refusal tells about 石门县: {text}"
                );
                checked += 1;
            }
        }
    }
    assert!(
        missing.is_empty(),
        "write routes without a cross-county entry: {missing:?}"
    );
    assert!(routes >= 30, "only {routes} write routes in the document");
    assert!(checked >= 50, "only {checked} probes ran");
    assert_eq!(
        app.db.store.log_size().await.unwrap(),
        log_before,
        "a refused request booked something"
    );
}
crate::both_app!(
    foreign_references_are_refused_everywhere_on,
    foreign_references_are_refused_everywhere
);

/// The one helper refuses an unknown and a foreign reference with the same answer.
async fn unknown_and_foreign_look_alike(app: TestApp) {
    let discipline = app.signed_in("yunling.discipline").await;
    let f = foreign_ids(&app).await;
    let mut answers = Vec::new();
    for id in [f.project, 999_999_999] {
        let r = discipline
            .post(app.url("/api/v1/inspections"))
            .json(
                &json!({"region": "529121", "kind": "routine", "title": "检查", "team": "x",
                "lead_departments": ["discipline_commission"], "planned_on": "2026-05-01",
                "targets": format!("project:{id}")}),
            )
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        answers.push((
            status,
            body["error"]["code"].clone(),
            body["error"]["field"].clone(),
        ));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 422);
    // The caller's own project is a valid target.
    let own = must(
        &app.db,
        "云岭县 project",
        "SELECT MIN(id) FROM projects WHERE county_code = '529121'",
    )
    .await;
    let r = discipline
        .post(app.url("/api/v1/inspections"))
        .json(
            &json!({"region": "529121", "kind": "routine", "title": "检查", "team": "x",
            "lead_departments": ["discipline_commission"], "planned_on": "2026-05-01",
            "targets": format!("project:{own};region:529121100")}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}
crate::both_app!(
    unknown_and_foreign_look_alike_on,
    unknown_and_foreign_look_alike
);

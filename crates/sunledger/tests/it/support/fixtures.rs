//! Shared fixtures: region codes, second databases, JSON requests, the `sunledger` binary, the
//! project content and resident ID numbers tests book, and the page check for raw catalogue keys.
use super::{Kind, TestApp, TestDb, fresh_db, now};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::project::{Budget, Category, Content, parse_targets};
use sunledger_core::{IdNumber, RegionCode};

pub fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A second fresh database on the backend of `db`.
pub async fn fresh_like(db: &TestDb) -> TestDb {
    let kind = if db.url.starts_with("postgres") {
        Kind::Postgres
    } else {
        Kind::Sqlite
    };
    fresh_db(kind).await.expect("a second database")
}

pub async fn with_demo_regions(db: &TestDb) {
    db.store
        .upsert_regions(&sunledger::demo::regions().unwrap(), now())
        .await
        .unwrap();
}

/// The JSON body of `r`, after checking its status is `want` (`Null` when the body is not JSON).
pub async fn json_of(r: reqwest::Response, want: u16) -> Value {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// POSTs `body` as JSON to `path`: (status, JSON body or `Null`).
pub async fn post_json(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let r = c.post(app.url(path)).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub fn sunledger(db: &TestDb, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sunledger"));
    // Keys and default files go to a scratch directory, never into the source tree.
    let scratch = std::env::temp_dir().join(format!("sunledger-test-data-{}", std::process::id()));
    cmd.env("SUNLEDGER_DATA_DIR", &scratch)
        .arg("--database")
        .arg(&db.url)
        .args(args)
        .env("SUNLEDGER_LOG", "warn");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run sunledger");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `sunledger verify` over the test database with the test key; returns (exit, stdout).
pub fn run_verify(db: &TestDb, key_dir: &std::path::Path) -> (i32, String) {
    let (code, out, err) = sunledger(
        db,
        &["--data-dir", key_dir.to_str().unwrap(), "verify"],
        None,
    );
    assert!(err.is_empty() || !err.contains("error"), "{err}");
    (code, out)
}

/// The indicators of [`content`]: five rows, two of them core.
pub const TARGETS: &str = "quantity|硬化村组道路|ge|3.2|公里|30|core; timeliness|完工时限|le|180|天|10; \
    cost|项目总投资控制|le|50.8|万元|10|core; social|受益户数|ge|126|户|30; satisfied|受益群众满意度|ge|90|%|20";

pub fn targets() -> Vec<sunledger_core::project::Indicator> {
    parse_targets(TARGETS).unwrap()
}

/// [`TARGETS`] as the API's JSON rows.
pub fn targets_json() -> serde_json::Value {
    serde_json::Value::Array(
        targets()
            .iter()
            .map(|i| {
                serde_json::json!({"kind": i.kind.key(), "name": i.name, "operator": i.operator.key(),
                    "target": sunledger_core::project::hundredths(i.target), "unit": i.unit,
                    "weight": i.weight, "core": i.core})
            })
            .collect(),
    )
}

pub fn content(village: &str, name: &str) -> Content {
    Content {
        name: name.into(),
        category: Category::Infrastructure,
        village: rc(village),
        fiscal_year: FiscalYear::new(2026).unwrap(),
        budget: Budget::new(vec![
            (FundSource::CentralSpecial, Money::from_fen(50_000_000)),
            (FundSource::CountyBudget, Money::from_fen(800_000)),
        ])
        .unwrap(),
        targets: targets(),
        meeting_on: "2026-03-01".into(),
        meeting_ref: "村民代表大会纪要〔2026〕3号".into(),
        description: String::new(),
        meeting_item_id: None,
    }
}

/// A valid resident ID number from a serial.
pub fn id_number(n: u64) -> IdNumber {
    let first17 = format!("5329011980{:07}", n % 10_000_000);
    let c = IdNumber::check_char(&first17).unwrap();
    IdNumber::parse(&format!("{first17}{c}")).unwrap()
}

pub fn assert_no_catalogue_keys(html: &str) {
    for (key, _, _) in sunledger_web::i18n::entries() {
        assert!(
            !html.contains(&format!(">{key}<")),
            "untranslated key {key} on the page"
        );
    }
    for prefix in [
        "role.",
        "dept.kind.",
        "level.",
        "position.",
        "event.",
        "error.",
        "reason.",
        "field.",
        "project.",
        "resp.",
        "export.",
    ] {
        let raw = html
            .match_indices(prefix)
            .filter(|(i, _)| html[..*i].ends_with('>'))
            .count();
        assert_eq!(raw, 0, "a raw {prefix}* key is shown");
    }
}

/// The first part of [`accept_through_book4`]: a team of accounts made for the people of the
/// county's finance bureau, poverty bureau and business department; the project applied for at
/// `at`, prechecked a day later and the team formed two days later (not yet inspected). Returns
/// the acceptance and the team (finance, bureau, business department).
pub async fn book4_team(
    s: &dyn sunledger_store::Store,
    project_id: i64,
    at: i64,
) -> (sunledger_store::Acceptance, Vec<i64>) {
    use sunledger_core::org::DepartmentKind as K;
    const DAY: i64 = 86_400;
    let p = s.project(project_id).await.unwrap().unwrap();
    let county = rc(p.region.county_code());
    let mut team = Vec::new();
    for kind in [K::FinanceBureau, K::PovertyBureau, K::BusinessDepartment] {
        // The county's department of the kind and its first person (made when there is none).
        let found = s
            .departments_in(&county)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.kind == kind.key() && d.region == county);
        let d = match found {
            Some(d) => d.id,
            None => {
                s.create_department(
                    &sunledger_store::NewDepartment {
                        region: county,
                        kind,
                        name: format!("验收组{}", kind.key()),
                        credit_code: None,
                        stationed_by: None,
                    },
                    at,
                )
                .await
                .unwrap()
                .id
            }
        };
        let person = match s.people_in_department(d).await.unwrap().first() {
            Some(p) => p.id,
            None => {
                s.create_person(
                    &sunledger_store::NewPerson {
                        department_id: d,
                        name: "验收组成员".into(),
                        position: sunledger_core::org::Position::Staff,
                        phone: None,
                    },
                    at,
                )
                .await
                .unwrap()
                .id
            }
        };
        let name = format!(
            "b4-{}-{}-{}",
            p.region.county_code(),
            kind.key(),
            project_id
        );
        let u = s
            .create_user(
                &sunledger_store::NewUser {
                    username: name.clone(),
                    display_name: name.clone(),
                    password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                    region: county,
                    person_id: Some(person),
                },
                &sunledger_store::NewAuthEvent {
                    at,
                    kind: sunledger_store::AuthEventKind::UserAdded,
                    region: Some(county),
                    username: Some(name),
                    user_id: None,
                    actor_id: None,
                    ip: None,
                    detail: String::new(),
                },
            )
            .await
            .unwrap();
        team.push(u.id);
    }
    let (f, b, g) = (team[0], team[1], team[2]);
    let t = |d: i64| at + (16 - d) * DAY;
    let a = s
        .apply_acceptance(
            &sunledger_store::NewApplication {
                project_id,
                application: "已完工，申请验收".into(),
            },
            Some(g),
            t(16),
        )
        .await
        .unwrap();
    s.precheck_acceptance(a.id, "初验合格", Some(f), t(15))
        .await
        .unwrap();
    s.form_acceptance_team(a.id, &team, Some(b), t(14))
        .await
        .unwrap();
    (a, team)
}

/// Takes a completed project through Book 4 at the store, applied for at `at` and accepted 16
/// days later: a team of accounts made for the people of the county's finance bureau, poverty
/// bureau and business department, a qualified inspection they all sign, the result posted.
pub async fn accept_through_book4(s: &dyn sunledger_store::Store, project_id: i64, at: i64) {
    const DAY: i64 = 86_400;
    let p = s.project(project_id).await.unwrap().unwrap();
    let (a, team) = book4_team(s, project_id, at).await;
    let (f, b, g) = (team[0], team[1], team[2]);
    let t = |d: i64| at + (16 - d) * DAY;
    s.inspect_acceptance(
        a.id,
        &sunledger_store::NewAcceptanceInspection {
            inspected_on: sunledger_core::day::format(sunledger_core::day::today(t(12))),
            passed: vec![true; sunledger_core::acceptance::CHECKS.len()],
            grade: sunledger_core::acceptance::Grade::Qualified,
            findings: "合格".into(),
            deadline: None,
        },
        Some(g),
        t(12),
    )
    .await
    .unwrap();
    for u in &team {
        s.sign_acceptance(
            a.id,
            sunledger_core::acceptance::Opinion::Agree,
            "",
            *u,
            t(11),
        )
        .await
        .unwrap();
    }
    let fields = [
        ("title", "验收结果公示"),
        ("channels", "12317"),
        ("project_name", p.name.as_str()),
        ("team", "财政、扶贫、行业部门"),
        ("result", "合格"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([(
        "accepted_on".to_string(),
        sunledger_core::day::format(sunledger_core::day::today(t(12))),
    )])
    .collect();
    let n = s
        .draft_notice(
            &sunledger_store::NewNotice {
                region: p.region,
                kind: "acceptance".into(),
                fields,
                corrects: None,
                source: Some(format!("project:{project_id}")),
            },
            Some(b),
            t(10),
        )
        .await
        .unwrap();
    s.notice_action(
        n.id,
        sunledger_core::notice::NoticeAction::Publish,
        Some(f),
        t(10),
    )
    .await
    .unwrap();
    s.post_acceptance(a.id, n.id, Some(b), t(10)).await.unwrap();
    s.accept_project(a.id, "公示期满无异议", Some(b), t(0))
        .await
        .unwrap();
}

/// Records and reviews the first (on-acceptance) evaluation of an accepted project at `at`:
/// every value the system does not know meets its target, with evidence; the project becomes
/// evaluated.
pub async fn evaluate_through_book4(s: &dyn sunledger_store::Store, project_id: i64, at: i64) {
    let e = s
        .evaluations_of_project(project_id)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("an evaluation scheduled at acceptance");
    let r = s.evaluation(e.id, at).await.unwrap().unwrap();
    let values = r
        .indicators
        .iter()
        .map(|i| {
            let known = r.known_of(i.position).is_some();
            sunledger_store::NewValue {
                actual: (!known).then_some(i.target),
                evidence: if known {
                    String::new()
                } else {
                    "台账".into()
                },
                reason: "按实际情况".into(),
            }
        })
        .collect();
    s.record_evaluation(
        e.id,
        &sunledger_store::NewEvaluationRecord {
            values,
            summary: "运行正常".into(),
        },
        None,
        at,
    )
    .await
    .unwrap();
    s.review_evaluation(e.id, "属实", None, at).await.unwrap();
}

/// The decision of a representatives' meeting of `village` that approves a declaration (issue
/// 18), held at `at`: seven representatives, six present, five for and one abstaining. Answers
/// the decision item's id.
pub async fn approved_item(s: &dyn sunledger_store::Store, village: &str, at: i64) -> i64 {
    use sunledger_core::meeting::{MeetingKind, RosterBasis, Tally};
    let m = s
        .call_meeting(
            &sunledger_store::NewMeeting {
                village: rc(village),
                kind: MeetingKind::Representatives,
                basis: RosterBasis::Households,
                title: "村民代表会议：审议项目申报".into(),
                planned_on: sunledger_core::day::today_text(at),
                named_votes: false,
                members: (1..=7).map(|i| format!("村民代表{i}")).collect(),
            },
            None,
            at,
        )
        .await
        .expect("call the meeting");
    let r = s.meeting(m.id).await.unwrap().expect("the meeting");
    let lines: Vec<(i64, bool)> = r.roster.iter().take(6).map(|l| (l.id, true)).collect();
    s.mark_attendance_lines(m.id, &lines, None, at)
        .await
        .expect("attendance");
    s.record_item(
        m.id,
        &sunledger_store::NewItem {
            title: "表决：同意申报项目".into(),
            tally: Some(Tally {
                for_: 5,
                against: 0,
                abstain: 1,
            }),
            project_id: None,
            ballots: vec![],
        },
        None,
        at,
    )
    .await
    .expect("the vote")
    .id
}

/// [`content`] citing a passed decision of the village's representatives' meeting held at `at`,
/// ready to declare.
pub async fn declarable(
    s: &dyn sunledger_store::Store,
    village: &str,
    name: &str,
    at: i64,
) -> Content {
    let mut c = content(village, name);
    c.meeting_item_id = Some(approved_item(s, village, at).await);
    c
}

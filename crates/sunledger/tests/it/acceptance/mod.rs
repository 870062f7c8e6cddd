//! Issue 17 (Book 4) through the real server, on both backends: the county's finance, poverty
//! bureau and business department officials each sign with their own account; with two of three
//! signatures the retained payment is refused; the third signature, the posting and its window
//! accept the project and the payment books. A failed acceptance sets a deadline, opens a Book 3
//! problem naming Book 2's responsible person, and re-inspection passes. Every sign-off is in the
//! log and `verify` names an edited one.
mod book;

use crate::support::*;
use serde_json::{Value, json};
use sunledger_core::project::StatusAction;
use sunledger_store::{ProblemFilter, ProjectFilter};

pub(crate) async fn post(c: &reqwest::Client, url: String, body: &Value) -> (u16, Value) {
    let r = c.post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn get(c: &reqwest::Client, url: String) -> Value {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

pub(crate) async fn uid(app: &TestApp, name: &str) -> i64 {
    app.db
        .store
        .user_by_username(name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The demo ledger's cattle project in 云岭县 (800 000 yuan arranged, 420 000 committed),
/// completed for the test.
pub(crate) async fn completed_ledger_project(app: &TestApp) -> i64 {
    let store = &app.db.store;
    let (ps, _) = store
        .projects(
            &ProjectFilter {
                scopes: vec![rc("529121")],
                name: Some("肉牛养殖产业项目".into()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    let p = ps.first().expect("the demo ledger's project").clone();
    let record = store.project_record(p.id).await.unwrap().unwrap();
    let actor = Some(uid(app, "yunling.township").await);
    let t = sunledger_web::Clock::now(&*app.clock);
    let today = sunledger_core::day::today_text(t);
    for m in &record.milestones {
        store
            .report_progress(m.id, 100, &today, "已完成", actor, t)
            .await
            .unwrap();
    }
    if record.project.status.as_deref() == Some("planned") {
        store
            .project_status_step(p.id, StatusAction::Start, "", actor, t)
            .await
            .unwrap();
    }
    store
        .project_status_step(p.id, StatusAction::Complete, "完工", actor, t)
        .await
        .unwrap();
    p.id
}

pub(crate) fn pay(client_id: &str, fund: i64, project: i64, amount: &str) -> Value {
    json!({"client_id": client_id, "fund_id": fund, "kind": "disburse", "from": {"project": project},
        "payee": "云岭县宏达建筑工程有限公司", "amount": amount,
        "booked_on": sunledger_core::day::format(sunledger_core::day::today(crate::support::now())),
        "document_no": "云支〔2026〕88号", "purpose": "工程尾款"})
}

async fn the_team_signs_then_the_retention_is_paid(app: TestApp) {
    let pid = completed_ledger_project(&app).await;
    let bureau = app.signed_in("yunling.bureau").await;
    let township = app.signed_in("yunling.township").await;
    let finance = app.signed_in("yunling.finance").await;
    let agri = app.signed_in("yunling.agri").await;
    let party = app.signed_in("yunling.party").await;
    // The project's fund: the one its arrangement came from.
    let project = app.db.store.project(pid).await.unwrap().unwrap();
    let fund_id = app
        .db
        .store
        .accounts_in(&project.region)
        .await
        .unwrap()
        .iter()
        .find(|a| a.project_id == Some(pid))
        .map(|a| a.fund_id)
        .expect("the project's account");

    // A bare status step no longer accepts: Book 4 does.
    let (s, e) = post(
        &bureau,
        app.url(&format!("/api/v1/projects/{pid}/steps")),
        &json!({"action": "accept"}),
    )
    .await;
    assert!(s == 422 || s == 403, "{s} {e}");

    let (s, a) = post(
        &bureau,
        app.url("/api/v1/acceptances"),
        &json!({"project_id": pid, "application": "已按批复完工，申请验收。"}),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["state"], "applied");
    // Four eyes: the applicant may not precheck.
    let (s, e) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/precheck")),
        &json!({"comment": "x"}),
    )
    .await;
    assert_eq!(s, 403, "{e}");
    let (s, a) = post(
        &township,
        app.url(&format!("/api/v1/acceptances/{id}/precheck")),
        &json!({"comment": "初验合格"}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let (fin, bur, agr) = (
        uid(&app, "yunling.finance").await,
        uid(&app, "yunling.bureau").await,
        uid(&app, "yunling.agri").await,
    );
    // One of the mass supervision team sits on the team only while on the committee of the
    // project's village: the demo's chair of 529121100201, once she has left, may not.
    let sup = uid(&app, "yunling.supervisor").await;
    assert_eq!(project.region.as_str(), "529121100201");
    let terms = get(&bureau, app.url("/api/v1/committees/529121100201")).await;
    let chair = terms[0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "罗秀英")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // While she sits, she passes as a member (this team lacks the business department only).
    let (s, e) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/team")),
        &json!({"members": [fin, bur, sup]}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("team")),
        "{e}"
    );
    let village = app.signed_in("yunling.village").await;
    let today = sunledger_core::day::today_text(sunledger_web::Clock::now(&*app.clock));
    let (s, e) = post(
        &village,
        app.url(&format!("/api/v1/committee-members/{chair}/end")),
        &json!({"ended_on": today, "reason": "换届前辞职"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    {
        let (s, e) = post(
            &bureau,
            app.url(&format!("/api/v1/acceptances/{id}/team")),
            &json!({"members": [fin, bur, agr, sup]}),
        )
        .await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], "members", "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("村务监督委员会"),
            "{e}"
        );
    }
    // Without the business department the team is refused, naming the team.
    let (s, e) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/team")),
        &json!({"members": [fin, bur]}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "team", "{e}");
    let (s, a) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/team")),
        &json!({"members": [fin, bur, agr]}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["state"], "team_formed");
    // Someone outside the team may not record the inspection.
    let all = [
        "content_quantity",
        "quality",
        "funds_in_place",
        "funds_paid_by_rules",
        "beneficiaries_posted",
        "changes_approved",
    ];
    let today = sunledger_core::day::today_text(sunledger_web::Clock::now(&*app.clock));
    let inspection = json!({"inspected_on": today, "passed": all, "grade": "qualified",
        "findings": "建设内容与批复一致，质量合格。"});
    let (s, e) = post(
        &party,
        app.url(&format!("/api/v1/acceptances/{id}/inspections")),
        &inspection,
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "actor", "{e}");
    let (s, a) = post(
        &agri,
        app.url(&format!("/api/v1/acceptances/{id}/inspections")),
        &inspection,
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["state"], "inspected");

    // Two of three sign: the retained money (the last 10 % of 800 000) is refused.
    for c in [&finance, &bureau] {
        let (s, a) = post(
            c,
            app.url(&format!("/api/v1/acceptances/{id}/signoffs")),
            &json!({"opinion": "agree"}),
        )
        .await;
        assert_eq!(s, 200, "{a}");
        assert_eq!(a["state"], "inspected");
    }
    let (s, e) = post(
        &finance,
        app.url("/api/v1/transfers"),
        &pay("retention-1", fund_id, pid, "380000.00"),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "amount", "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("尾款"),
        "{e}"
    );
    // Up to the retention still pays.
    let (s, t) = post(
        &finance,
        app.url("/api/v1/transfers"),
        &pay("retention-2", fund_id, pid, "300000.00"),
    )
    .await;
    assert_eq!(s, 201, "{t}");

    // The third signature completes the signing.
    let (s, a) = post(
        &agri,
        app.url(&format!("/api/v1/acceptances/{id}/signoffs")),
        &json!({"opinion": "agree"}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["state"], "signed");

    // The result is posted through a published notice of kind acceptance.
    let region = a["region"].as_str().unwrap().to_string();
    let (s, n) = post(
        &bureau,
        app.url("/api/v1/notices"),
        &json!({"region": region, "kind": "acceptance", "source": format!("project:{pid}"),
            "fields": {"title": "验收结果公示", "channels": "拨打 12317", "project_name": "肉牛养殖产业项目",
            "accepted_on": today, "team": "县财政局、县扶贫移民局、县农业农村局", "result": "合格"}}),
    )
    .await;
    assert_eq!(s, 201, "{n}");
    let nid = n["id"].as_i64().unwrap();
    let (s, n) = post(
        &party,
        app.url(&format!("/api/v1/notices/{nid}/actions")),
        &json!({"action": "publish"}),
    )
    .await;
    assert_eq!(s, 200, "{n}");
    let (s, a) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/post")),
        &json!({"notice_id": nid}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["state"], "posted");
    let (s, e) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/accept")),
        &json!({}),
    )
    .await;
    assert_eq!(s, 422, "{e}");

    // After the window the bureau accepts (the inspector could not); the payment books.
    app.clock.advance_days(8);
    let bureau = app.signed_in("yunling.bureau").await;
    let agri = app.signed_in("yunling.agri").await;
    let finance = app.signed_in("yunling.finance").await;
    let (s, e) = post(
        &agri,
        app.url(&format!("/api/v1/acceptances/{id}/accept")),
        &json!({}),
    )
    .await;
    assert_eq!(s, 403, "{e}");
    let (s, a) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/accept")),
        &json!({"comment": "公示期满无异议"}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["state"], "accepted");
    let p = app.db.store.project(pid).await.unwrap().unwrap();
    assert_eq!(p.status.as_deref(), Some("accepted"));
    let (s, t) = post(
        &finance,
        app.url("/api/v1/transfers"),
        &pay("retention-3", fund_id, pid, "80000.00"),
    )
    .await;
    assert_eq!(s, 201, "{t}");

    // Every sign-off is a leaf of the log; the record names each leaf.
    let r = get(&bureau, app.url(&format!("/api/v1/acceptances/{id}"))).await;
    let signoffs = r["inspections"][0]["signoffs"].as_array().unwrap().clone();
    assert_eq!(signoffs.len(), 3);
    assert!(
        signoffs.iter().all(|s| s["log_index"].as_i64().is_some()),
        "{r}"
    );
    // The A4 report has every signature line, in Chinese and in English.
    for lang in ["zh-CN", "en"] {
        let html = bureau
            .get(app.url(&format!("/acceptances/{id}/print?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_no_catalogue_keys(&html);
        for s in &signoffs {
            assert!(html.contains(&format!("#{}", s["log_index"])), "{html}");
        }
    }

    // A sign-off edited behind the application is named by verify.
    let key = test_signer().verifier_key();
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_eq!(code, 0, "{out}{err}");
    let sid = signoffs[0]["id"].as_i64().unwrap();
    raw_sql(
        &app.db,
        &format!("UPDATE acceptance_signoffs SET opinion = 'disagree' WHERE id = {sid}"),
    )
    .await;
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        out.contains("acceptance_signoffs") && out.contains(&sid.to_string()),
        "{out}{err}"
    );
}
crate::both_app!(
    team_signs_retention_paid,
    the_team_signs_then_the_retention_is_paid
);

async fn a_failed_acceptance_is_rectified_and_inspected_again(app: TestApp) {
    let bureau = app.signed_in("yunling.bureau").await;
    let agri = app.signed_in("yunling.agri").await;
    // The demo's overdue application (applied long ago, never prechecked nor inspected).
    let l = get(&bureau, app.url("/api/v1/acceptances?overdue=1")).await;
    let a = l["acceptances"]
        .as_array()
        .unwrap()
        .first()
        .expect("an overdue acceptance")
        .clone();
    let id = a["id"].as_i64().unwrap();
    let pid = a["project_id"].as_i64().unwrap();
    let (fin, bur, agr) = (
        uid(&app, "yunling.finance").await,
        uid(&app, "yunling.bureau").await,
        uid(&app, "yunling.agri").await,
    );
    let township = app.signed_in("yunling.township").await;
    let (s, a) = post(
        &township,
        app.url(&format!("/api/v1/acceptances/{id}/precheck")),
        &json!({"comment": "初验合格"}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let (s, a) = post(
        &bureau,
        app.url(&format!("/api/v1/acceptances/{id}/team")),
        &json!({"members": [fin, bur, agr]}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let t = sunledger_web::Clock::now(&*app.clock);
    let today = sunledger_core::day::today(t);
    let on = sunledger_core::day::format(today);
    // A failed check with a passing grade is refused; a failure without a deadline too.
    let some = [
        "content_quantity",
        "funds_in_place",
        "funds_paid_by_rules",
        "beneficiaries_posted",
        "changes_approved",
    ];
    let (s, e) = post(&agri, app.url(&format!("/api/v1/acceptances/{id}/inspections")),
        &json!({"inspected_on": on, "passed": some, "grade": "qualified", "findings": "质量有缺陷"})).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "checklist", "{e}");
    let (s, e) = post(
        &agri,
        app.url(&format!("/api/v1/acceptances/{id}/inspections")),
        &json!({"inspected_on": on, "passed": some, "grade": "failed", "findings": "质量有缺陷"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "deadline", "{e}");
    let deadline = sunledger_core::day::format(today + 20);
    let (s, a) = post(&agri, app.url(&format!("/api/v1/acceptances/{id}/inspections")),
        &json!({"inspected_on": on, "passed": some, "grade": "failed", "findings": "路面开裂，质量不合格", "deadline": deadline})).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["state"], "rectifying");
    assert_eq!(a["deadline"], deadline.as_str());
    // Strict pursuit: a Book 3 problem on the project, with the rectification deadline.
    let (ps, _) = app
        .db
        .store
        .problems(
            &ProblemFilter {
                scopes: vec![rc("529121")],
                ..Default::default()
            },
            1000,
            0,
        )
        .await
        .unwrap();
    let p = ps
        .iter()
        .find(|p| p.project_id == Some(pid) && p.title.contains("验收不合格"))
        .expect("a problem opened");
    assert_eq!(p.deadline, deadline);
    // Re-inspection after rectification passes.
    let all = [
        "content_quantity",
        "quality",
        "funds_in_place",
        "funds_paid_by_rules",
        "beneficiaries_posted",
        "changes_approved",
    ];
    let (s, a) = post(&agri, app.url(&format!("/api/v1/acceptances/{id}/inspections")),
        &json!({"inspected_on": on, "passed": all, "grade": "qualified", "findings": "整改到位，复验合格"})).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["state"], "inspected");
    assert_eq!(a["rounds"], 2);
    // Pages, both languages.
    for lang in ["zh-CN", "en"] {
        for path in [
            format!("/acceptances/{id}?lang={lang}"),
            format!("/acceptances?lang={lang}"),
        ] {
            let html = agri
                .get(app.url(&path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_no_catalogue_keys(&html);
            assert!(
                html.contains("rectif")
                    || html.contains("整改")
                    || path.starts_with("/acceptances?"),
                "{html}"
            );
        }
    }
}
crate::both_app!(
    failed_then_reinspected,
    a_failed_acceptance_is_rectified_and_inspected_again
);

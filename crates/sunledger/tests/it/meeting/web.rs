//! Village meetings through the real server, on both backends (issue 18's done-means): a
//! representatives' meeting of 31 with 20 present is refused as a decision (void) and with 21
//! decides; 10 for of 21 fails, 11 passes — by the API and by the page's forms, which keep what
//! was typed and name the field on a refusal. Named ballots stay internal.
use crate::acceptance::{get, post};
use crate::support::*;
use serde_json::{Value, json};

const V: &str = "529121100201";

pub(crate) fn roster_ids(r: &Value) -> Vec<i64> {
    r["roster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect()
}

async fn page(c: &reqwest::Client, url: String) -> String {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert_no_catalogue_keys(&html);
    html
}

/// Calls a representatives' meeting of `n` in the demo village through the API, held today.
pub(crate) async fn call_representatives(
    app: &TestApp,
    c: &reqwest::Client,
    n: usize,
    named: bool,
) -> (i64, Vec<i64>) {
    let today = sunledger_core::day::today_text(sunledger_web::Clock::now(&*app.clock));
    let (s, m) = post(
        c,
        app.url("/api/v1/meetings"),
        &json!({"village": V, "kind": "representatives", "title": "村民代表会议：审议项目",
            "planned_on": today, "named_votes": named,
            "roster": (1..=n).map(|i| format!("代表{i:02}")).collect::<Vec<_>>()}),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let id = m["id"].as_i64().unwrap();
    let r = get(c, app.url(&format!("/api/v1/meetings/{id}"))).await;
    (id, roster_ids(&r))
}

pub(crate) async fn tick(app: &TestApp, c: &reqwest::Client, id: i64, lines: &[i64]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|l| json!({"roster_id": l, "present": true}))
        .collect();
    let (s, m) = post(
        c,
        app.url(&format!("/api/v1/meetings/{id}/attendance")),
        &json!({ "lines": lines }),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    m
}

async fn quorum_and_votes_through_the_api_and_the_page(app: TestApp) {
    let cadre = app.signed_in("yunling.village").await;
    let (id, roster) = call_representatives(&app, &cadre, 31, false).await;
    let m = tick(&app, &cadre, id, &roster[..20]).await;
    assert_eq!(
        (&m["present"], &m["quorum_needed"], &m["quorum_met"]),
        (&json!(20), &json!(21), &json!(false))
    );
    let items = app.url(&format!("/api/v1/meetings/{id}/items"));
    let vote = |f: &str, a: &str| json!({"title": "表决：村组道路硬化", "decision": true, "votes_for": f, "votes_against": a});
    // 20 of 31: below two thirds, the decision is void.
    let (s, i) = post(&cadre, items.clone(), &vote("20", "")).await;
    assert_eq!((s, &i["outcome"]), (200, &json!("void")), "{i}");
    let html = page(&cadre, app.url(&format!("/meetings/{id}"))).await;
    assert!(html.contains("实到 20 人 / 应到 31 人，法定人数 21 人：未达法定人数，表决无效。"));
    assert!(html.contains("无效（未达法定人数）"));
    // The 21st arrives: the meeting may decide; 10 for of 21 fails, 11 passes (blanks are none).
    let m = tick(&app, &cadre, id, &roster[20..21]).await;
    assert_eq!(
        (&m["present"], &m["quorum_met"]),
        (&json!(21), &json!(true))
    );
    let (s, i) = post(&cadre, items.clone(), &vote("10", "11")).await;
    assert_eq!((s, &i["outcome"]), (200, &json!("failed")), "{i}");
    let (s, i) = post(&cadre, items.clone(), &vote("11", "")).await;
    assert_eq!((s, &i["outcome"]), (200, &json!("passed")), "{i}");
    assert_eq!(
        (
            &i["votes_for"],
            &i["votes_against"],
            &i["present"],
            &i["roster_size"]
        ),
        (&json!(11), &json!(0), &json!(21), &json!(31))
    );
    // More votes than people present, and a count that is no number, name their field.
    let (s, e) = post(&cadre, items.clone(), &vote("12", "10")).await;
    assert_eq!((s, &e["error"]["field"]), (422, &json!("tally")), "{e}");
    let (s, e) = post(&cadre, items.clone(), &vote("十一", "")).await;
    assert_eq!((s, &e["error"]["field"]), (422, &json!("votes_for")), "{e}");

    // The page: the quorum in words, the outcomes by name.
    let html = page(&cadre, app.url(&format!("/meetings/{id}"))).await;
    assert!(html.contains("实到 21 人 / 应到 31 人，法定人数 21 人：已达法定人数，可以表决。"));
    assert!(html.contains("未通过") && html.contains(">通过<"));
    // The page's tally form: a refusal keeps what was typed and names the field.
    let steps = app.url(&format!("/meetings/{id}/steps"));
    let r = cadre
        .post(steps.clone())
        .form(&[
            ("step", "item"),
            ("title", "表决：保留输入"),
            ("decision", "1"),
            ("votes_for", "30"),
            ("votes_against", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("表决票数"), "the error names the field");
    assert!(html.contains("value=\"表决：保留输入\"") && html.contains("value=\"30\""));
    let r = cadre
        .post(steps.clone())
        .form(&[
            ("step", "item"),
            ("title", "表决：页面记录"),
            ("decision", "1"),
            ("votes_for", "11"),
            ("votes_against", "9"),
            ("votes_abstain", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = get(&cadre, app.url(&format!("/api/v1/meetings/{id}"))).await;
    let last = r["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["title"], &last["outcome"]),
        (&json!("表决：页面记录"), &json!("passed"))
    );

    // Attendance through the page: one form of tick boxes; unticking one drops below quorum.
    let mut form: Vec<(String, String)> = vec![("step".into(), "attend".into())];
    for (k, l) in roster.iter().enumerate() {
        form.push(("shown".into(), l.to_string()));
        if k < 20 {
            form.push(("present".into(), l.to_string()));
        }
    }
    let r = cadre.post(steps.clone()).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let m = get(&cadre, app.url(&format!("/api/v1/meetings/{id}"))).await;
    assert_eq!(
        (&m["meeting"]["present"], &m["meeting"]["quorum_met"]),
        (&json!(20), &json!(false))
    );
    tick(&app, &cadre, id, &roster[20..21]).await;

    // Minutes with their hash; an attendee confirms, someone absent may not.
    let text = "到会代表21人，表决通过村组道路硬化项目。";
    let (s, m) = post(
        &cadre,
        app.url(&format!("/api/v1/meetings/{id}/minutes")),
        &json!({ "minutes": text }),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let hash = sunledger_core::log::fact::sha256_hex(text.as_bytes());
    assert_eq!(m["minutes_sha256"], json!(hash));
    let confirm = app.url(&format!("/api/v1/meetings/{id}/confirmations"));
    let (s, _) = post(&cadre, confirm.clone(), &json!({"roster_id": roster[0]})).await;
    assert_eq!(s, 200);
    let (s, e) = post(&cadre, confirm.clone(), &json!({"roster_id": roster[30]})).await;
    assert_eq!((s, &e["error"]["field"]), (422, &json!("roster_id")), "{e}");
    let html = page(&cadre, app.url(&format!("/meetings/{id}"))).await;
    assert!(html.contains(&hash) && html.contains("1 名到会人员已确认本记录"));

    // Who may keep it: not the county's finance official (403); another county sees nothing.
    let finance = app.signed_in("yunling.finance").await;
    let (s, _) = post(&finance, items.clone(), &vote("11", "")).await;
    assert_eq!(s, 403);
    let shimen = app.signed_in("shimen.finance").await;
    let r = shimen
        .get(app.url(&format!("/api/v1/meetings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .client()
        .get(app.url(&format!("/meetings/{id}")))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);

    // The list and its export, in English too.
    let l = get(&cadre, app.url("/api/v1/meetings")).await;
    assert!(
        l["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == id)
    );
    let html = page(&cadre, app.url("/meetings?lang=en")).await;
    assert!(
        html.contains("Villagers&#39; representatives&#39; meeting")
            || html.contains("representatives")
    );
    let r = cadre
        .get(app.url("/api/v1/meetings.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("村民代表会议"));

    // The form that calls a meeting keeps what was typed and names the field.
    let r = cadre
        .post(app.url("/meetings"))
        .form(&[
            ("village", V),
            ("kind", "villagers"),
            ("basis", "adults"),
            ("title", "村民会议：保留输入"),
            ("planned_on", &sunledger_core::day::today_text(now())),
            ("roster", "张三\n李四"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("村民会议须提前十天召集") && html.contains("村民会议：保留输入"));
    assert!(html.contains("张三\n李四"));
}
crate::both_app!(
    quorum_and_votes_through_the_api_and_the_page_on,
    quorum_and_votes_through_the_api_and_the_page
);

async fn named_ballots_make_the_tally_and_stay_internal(app: TestApp) {
    let cadre = app.signed_in("yunling.village").await;
    let (id, roster) = call_representatives(&app, &cadre, 6, true).await;
    tick(&app, &cadre, id, &roster[..5]).await;
    let items = app.url(&format!("/api/v1/meetings/{id}/items"));
    // A tally alone is refused in named-vote mode.
    let (s, e) = post(
        &cadre,
        items.clone(),
        &json!({"title": "表决", "decision": true, "votes_for": "5"}),
    )
    .await;
    assert_eq!((s, &e["error"]["field"]), (422, &json!("ballots")), "{e}");
    // The absent member may not vote; one ballot each.
    let b = |rid: i64, v: &str| json!({"roster_id": rid, "ballot": v});
    let (s, e) = post(
        &cadre,
        items.clone(),
        &json!({"title": "表决", "decision": true, "ballots": [b(roster[5], "for")]}),
    )
    .await;
    assert_eq!((s, &e["error"]["field"]), (422, &json!("ballots")), "{e}");
    let (s, i) = post(
        &cadre,
        items.clone(),
        &json!({"title": "记名表决：实施方案", "decision": true, "ballots": [
            b(roster[0], "for"), b(roster[1], "for"), b(roster[2], "for"), b(roster[3], "against")]}),
    )
    .await;
    assert_eq!(s, 200, "{i}");
    assert_eq!(
        (
            &i["votes_for"],
            &i["votes_against"],
            &i["votes_abstain"],
            &i["outcome"],
            &i["named"]
        ),
        (
            &json!(3),
            &json!(1),
            &json!(0),
            &json!("passed"),
            &json!(true)
        )
    );
    // Internal: the keeper sees each ballot; nobody without an account sees the meeting.
    let r = get(&cadre, app.url(&format!("/api/v1/meetings/{id}"))).await;
    assert_eq!(r["ballots"].as_array().unwrap().len(), 4);
    let html = page(&cadre, app.url(&format!("/meetings/{id}"))).await;
    assert!(html.contains("代表04：反对"));
    let public = app.client();
    for url in [format!("/api/v1/meetings/{id}"), format!("/meetings/{id}")] {
        let r = public.get(app.url(&url)).send().await.unwrap();
        assert_ne!(r.status(), 200, "{url}");
    }
    // No public route of the API names meetings or ballots.
    let doc = get(&public, app.url("/api/v1/openapi.json")).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            let public = op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == "public"));
            assert!(
                !(public && (path.contains("meeting") || path.contains("ballot"))),
                "{path}"
            );
        }
    }
    // Verify re-derives a named tally from its ballots and names an edited one.
    let report = sunledger::verify::verify(app.db.store.as_ref(), &[])
        .await
        .unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    raw_sql(
        &app.db,
        &format!(
            "UPDATE meeting_items SET votes_for = 4 WHERE id = {}",
            i["id"]
        ),
    )
    .await;
    let report = sunledger::verify::verify(app.db.store.as_ref(), &[])
        .await
        .unwrap();
    let named: Vec<String> = report.findings.iter().map(|f| f.subject.clone()).collect();
    assert!(
        named.contains(&format!("meeting_items/{}", i["id"])),
        "{named:?}"
    );
}
crate::both_app!(
    named_ballots_make_the_tally_and_stay_internal_on,
    named_ballots_make_the_tally_and_stay_internal
);

/// A meeting of a village of 石门县, held.
pub(crate) async fn foreign_meeting(store: &dyn sunledger_store::Store) -> i64 {
    use sunledger_core::RegionCode;
    use sunledger_core::meeting::{MeetingKind, RosterBasis};
    let township = RegionCode::parse("529122100").unwrap();
    let village = store.region_children(&township).await.unwrap()[0].code;
    let m = store
        .call_meeting(
            &sunledger_store::NewMeeting {
                village,
                kind: MeetingKind::Representatives,
                basis: RosterBasis::Households,
                title: "石门县村民代表会议".into(),
                planned_on: sunledger_core::day::today_text(now()),
                named_votes: false,
                members: vec!["甲".into(), "乙".into(), "丙".into()],
            },
            None,
            now(),
        )
        .await
        .unwrap();
    let r = store.meeting(m.id).await.unwrap().unwrap();
    store
        .mark_attendance(m.id, r.roster[0].id, true, None, now())
        .await
        .unwrap();
    m.id
}

//! Complaints (issue 19) through the real server on both backends: a villager files without an
//! account and reads the answer with the code and PIN (a wrong PIN tells nothing); a complaint
//! naming the township head goes to the county and stays out of the township's reach on every
//! route that lists, exports or shows complaints; the answer deadline counted in working days
//! across National Day, moved by a pause; a substantiated answer opens a Book 3 problem that
//! links back; a flood from one address is limited without losing an accepted complaint;
//! `verify` names an edited complaint.
use crate::support::{TestApp, TestDb, json_of, post_json, raw_sql};
use serde_json::{Value, json};
use sunledger_store::Store;

/// A complaint about a village of 石门县 (529122), for the access checks.
pub(crate) async fn foreign_complaint(store: &dyn Store) -> i64 {
    let now = crate::support::now();
    let n = sunledger_store::NewComplaint {
        code: "SL-2026-F0RE1GN1".into(),
        pin_hash: sunledger_web::access::auth::hash_password("111111").unwrap(),
        channel: sunledger_core::complaint::Channel::Web,
        category: sunledger_core::complaint::ComplaintCategory::Detention,
        region: crate::support::rc("529122100201"),
        project_id: None,
        fund_text: String::new(),
        accused_text: String::new(),
        accused_level: None,
        title: "石门县的投诉".into(),
        body: "石门县某村的情况".into(),
        anonymous: true,
        name: String::new(),
        contact: String::new(),
        consent: false,
        received_on: sunledger_core::day::today_text(now),
        intake_by: None,
        files: Vec::new(),
        rules: sunledger_core::complaint::Rules::default(),
    };
    store.file_complaint(&n, now).await.unwrap().id
}

/// A `multipart/form-data` body of text fields and files: (content type, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----sunledger-test-boundary";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        b.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

async fn post_form(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    body: (String, Vec<u8>),
) -> reqwest::Response {
    c.post(app.url(path))
        .header("content-type", body.0)
        .body(body.1)
        .send()
        .await
        .unwrap()
}

async fn id_of(app: &TestApp, c: &reqwest::Client, code: &str) -> i64 {
    let list = json_of(
        c.get(app.url("/api/v1/complaints")).send().await.unwrap(),
        200,
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r["complaint"]["code"] == code)
        .unwrap_or_else(|| panic!("{code} not in the queue: {list}"))["complaint"]["id"]
        .as_i64()
        .unwrap()
}

async fn step(app: &TestApp, c: &reqwest::Client, id: i64, body: Value) -> Value {
    let (s, v) = post_json(
        c,
        app,
        &format!("/api/v1/complaints/{id}/steps"),
        body.clone(),
    )
    .await;
    assert_eq!(s, 200, "{body}: {v}");
    v
}

async fn lookup(app: &TestApp, code: &str, pin: &str) -> (u16, String) {
    let r = app
        .client()
        .post(app.url("/api/v1/public/complaints/lookup"))
        .json(&json!({"code": code, "pin": pin}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn a_villager_files_and_reads_the_answer(app: TestApp) {
    let public = app.client();
    let (s, filed) = post_json(
        &public,
        &app,
        "/api/v1/public/complaints",
        json!({"category": "detention", "region": "529121100201", "title": "奖补资金没有发到户",
            "body": "村里把产业奖补扣着不发。", "accused_level": "village", "accused_text": "村会计",
            "anonymous": false, "name": "李大姐", "contact": "139 0000 1111", "consent": true}),
    )
    .await;
    assert_eq!(s, 201, "{filed}");
    let code = filed["code"].as_str().unwrap().to_string();
    let pin = filed["pin"].as_str().unwrap().to_string();
    assert!(
        code.len() == 16 && code.starts_with("SL-20") && pin.len() == 6,
        "{filed}"
    );
    // Money held back is a matter of discipline: the county's commission.
    assert_eq!(
        (
            filed["handler_name"].as_str(),
            filed["handler_unit"].as_str()
        ),
        (Some("云岭县"), Some("discipline"))
    );

    // The complainant looks it up; a wrong PIN reads exactly as an unknown code.
    let (s, body) = lookup(&app, &code.to_lowercase(), &pin).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("\"state\":\"received\""), "{body}");
    let wrong_pin = if pin == "000000" { "000001" } else { "000000" };
    let (s1, b1) = lookup(&app, &code, wrong_pin).await;
    let (s2, b2) = lookup(&app, "SL-2026-ZZZZZZZZ", wrong_pin).await;
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(b1, b2, "a wrong PIN must tell nothing");
    assert!(!b1.contains("奖补") && !b1.contains("云岭"), "{b1}");

    // The county handles it: accept, investigate, answer substantiated.
    let disc = app.signed_in("yunling.discipline").await;
    let id = id_of(&app, &disc, &code).await;
    let r = json_of(
        disc.get(app.url(&format!("/api/v1/complaints/{id}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(r["complaint"]["name"], "李大姐");
    step(&app, &disc, id, json!({"action": "accept"})).await;
    step(&app, &disc, id, json!({"action": "investigate"})).await;
    // An answer needs its finding, named as the field.
    let (s, v) = post_json(
        &disc,
        &app,
        &format!("/api/v1/complaints/{id}/steps"),
        json!({"action": "answer", "text": "查实"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["field"], "finding", "{v}");
    let answer = "经查，村会计滞留奖补资金 2.4 万元，已责令当日兑付，并立案审查。";
    let r = step(
        &app,
        &disc,
        id,
        json!({"action": "answer", "text": answer, "finding": "substantiated"}),
    )
    .await;
    assert_eq!(r["complaint"]["state"], "answered");
    // The Book 3 problem it opened links back to it.
    let pid = r["complaint"]["problem_id"].as_i64().expect("a problem");
    let p = json_of(
        disc.get(app.url(&format!("/api/v1/problems/{pid}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let ptext = p.to_string();
    assert!(ptext.contains(&code), "{ptext}");
    assert_eq!(p["problem"]["category"], "fund_management", "{ptext}");
    let page = disc
        .get(app.url(&format!("/problems/{pid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("href=\"/complaints/{id}\"")) && page.contains(&code),
        "the problem page links the complaint"
    );
    crate::support::assert_no_catalogue_keys(&page);

    // The complainant reads the answer, then accepts it.
    let (s, body) = lookup(&app, &code, &pin).await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["state"], "answered");
    assert_eq!(v["answers"][0]["text"], answer);
    assert_eq!(v["answers"][0]["finding"], "substantiated");
    assert!(v.to_string().contains("request_review"), "{v}");
    assert!(!body.contains("李大姐") && !body.contains("139"), "{body}");
    let (s, v) = post_json(
        &public,
        &app,
        "/api/v1/public/complaints/steps",
        json!({"code": code, "pin": pin, "action": "close"}),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("closed")), "{v}");
    // The unit may not take the complainant's step for a closed one.
    let (s, _) = post_json(
        &disc,
        &app,
        &format!("/api/v1/complaints/{id}/steps"),
        json!({"action": "request_review", "text": "x"}),
    )
    .await;
    assert_eq!(s, 422);

    // Its pages: the lookup form on the public side, the unit's page and letters.
    let page = public
        .post(app.url("/public/complaints/lookup"))
        .form(&[("code", code.as_str()), ("pin", pin.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(answer) && html.contains("已办结"), "{html}");
    crate::support::assert_no_catalogue_keys(&html);
    let page = public
        .post(app.url("/public/complaints/lookup"))
        .form(&[("code", code.as_str()), ("pin", wrong_pin)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains("受理码或查询码不对") && !html.contains(answer));
    for (path, want) in [
        (format!("/complaints/{id}"), answer.to_string()),
        (format!("/complaints/{id}?lang=en"), "Substantiated".into()),
        (format!("/complaints/{id}/letter?kind=ack"), code.clone()),
        (
            format!("/complaints/{id}/letter?kind=answer"),
            answer.into(),
        ),
        ("/complaints".into(), code.clone()),
        ("/complaints?lang=en".into(), "Closed".into()),
    ] {
        let r = disc.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&want), "{path} lacks {want}");
        crate::support::assert_no_catalogue_keys(&html);
    }
    // The unit publishes it without the complainant; the portal shows no name, code or contact.
    let (s, v) = post_json(
        &disc,
        &app,
        &format!("/api/v1/complaints/{id}/publication"),
        json!({"basis": "consent", "found": "村会计滞留奖补资金。", "done": "已兑付到户，立案审查。"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let portal = public
        .get(app.url("/public/complaints"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(portal.contains("已兑付到户，立案审查。"));
    // Its statistics by county and category, counts only.
    let body = portal.split("<main").nth(1).unwrap_or_default();
    assert!(
        body.contains("<h2>按县和类别统计</h2>")
            && body.contains("<td>云岭县</td><td>截留扶贫资金</td>"),
        "{body}"
    );
    assert!(!portal.contains("李大姐") && !portal.contains(&code) && !portal.contains("139 0000"));
    crate::support::assert_no_catalogue_keys(&portal);
    // The CSV ledger carries it, without the complainant.
    let csv = disc
        .get(app.url("/api/v1/complaints.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains(&code) && !csv.contains("李大姐"));
    let xlsx = disc
        .get(app.url("/api/v1/complaints.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
}
crate::both_app!(
    a_villager_files_and_reads_the_answer_on,
    a_villager_files_and_reads_the_answer
);

async fn naming_the_township_head_goes_to_the_county(app: TestApp) {
    let public = app.client();
    let (s, filed) = post_json(
        &public,
        &app,
        "/api/v1/public/complaints",
        json!({"category": "targeting", "region": "529121100201", "title": "镇长把亲戚评成贫困户",
            "body": "金坪镇镇长的亲戚家里有车有房也评上了。", "accused_level": "township",
            "accused_text": "金坪镇镇长", "anonymous": false, "name": "王实名", "contact": "13700001111"}),
    )
    .await;
    assert_eq!(s, 201, "{filed}");
    let code = filed["code"].as_str().unwrap();
    // Not the township, which the head leads: the county above it.
    assert_eq!(filed["handler_name"], "云岭县");
    let bureau = app.signed_in("yunling.bureau").await;
    let id = id_of(&app, &bureau, code).await;
    let r = json_of(
        bureau
            .get(app.url(&format!("/api/v1/complaints/{id}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(r["complaint"]["handler_region"], "529121000000");
    assert_eq!(r["complaint"]["accused_region"], "529121100000");

    // The township: not listed, not exported, not counted, not shown, on every route.
    let town = app.signed_in("yunling.township").await;
    for path in [
        "/api/v1/complaints".to_string(),
        "/api/v1/complaints.csv".into(),
        "/api/v1/complaints/stats".into(),
        "/api/v1/complaints?state=received".into(),
        "/complaints".into(),
        "/complaints?region=529121100201".into(),
    ] {
        let r = town.get(app.url(&path)).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(
            status == 200 || status == 403 || status == 404,
            "{path}: {status}"
        );
        assert!(
            !body.contains(code) && !body.contains("王实名") && !body.contains("镇长把亲戚"),
            "{path} shows the complaint to the township"
        );
    }
    let xlsx = town
        .get(app.url("/api/v1/complaints.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&xlsx);
    assert!(!text.contains(code));
    for path in [
        format!("/api/v1/complaints/{id}"),
        format!("/complaints/{id}"),
        format!("/complaints/{id}/letter?kind=ack"),
        format!("/complaints/{id}/files/1"),
    ] {
        let r = town.get(app.url(&path)).send().await.unwrap();
        assert!(
            matches!(r.status().as_u16(), 403 | 404),
            "{path}: {}",
            r.status()
        );
    }
    let (s, _) = post_json(
        &town,
        &app,
        &format!("/api/v1/complaints/{id}/steps"),
        json!({"action": "accept"}),
    )
    .await;
    assert!(matches!(s, 403 | 404), "{s}");
    // Nor may the county hand it down to the township.
    let (s, v) = post_json(
        &bureau,
        &app,
        &format!("/api/v1/complaints/{id}/steps"),
        json!({"action": "transfer", "text": "转镇里办", "transfer_to": "529121100"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("transfer_to")),
        "{v}"
    );

    // A region the city does not hold is refused by name.
    let (s, v) = post_json(
        &public,
        &app,
        "/api/v1/public/complaints",
        json!({"category": "other", "region": "530102000000", "title": "外市", "body": "外市的事",
            "anonymous": true}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["field"], "region");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("不在本市"),
        "{v}"
    );
}
crate::both_app!(
    naming_the_township_head_goes_to_the_county_on,
    naming_the_township_head_goes_to_the_county
);

/// Noon in Beijing on `day` (`YYYY-MM-DD`).
fn noon(day: &str) -> i64 {
    sunledger_core::day::number(day).unwrap() * 86_400 + 4 * 3600
        - sunledger_core::day::number("1970-01-01").unwrap() * 86_400
}

/// On `day` (the clock set to its noon): the township signed in again (sessions time out as the
/// clock moves on) and its queue row of complaint `id`.
async fn township_on(app: &TestApp, day: &str, id: i64) -> (reqwest::Client, Value) {
    app.clock.set(noon(day));
    let town = app.signed_in("yunling.township").await;
    let list = json_of(
        town.get(app.url("/api/v1/complaints"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["complaint"]["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("complaint {id} not in the queue on {day}"));
    (town, row)
}

async fn the_answer_deadline_counts_working_days(db: TestDb) {
    let db = crate::support::with_demo(db).await;
    let config = sunledger_web::Config {
        complaint: sunledger_core::complaint::Rules {
            answer_days: 10,
            ..Default::default()
        },
        ..Default::default()
    };
    let app = TestApp::spawn_with(db, config).await;
    app.clock.set(noon("2026-09-24"));
    let public = app.client();
    let (s, filed) = post_json(
        &public,
        &app,
        "/api/v1/public/complaints",
        json!({"category": "project", "region": "529121100201", "title": "水渠漏水", "body": "新修的水渠漏水。",
            "anonymous": true}),
    )
    .await;
    assert_eq!(s, 201, "{filed}");
    let code = filed["code"].as_str().unwrap().to_string();
    let pin = filed["pin"].as_str().unwrap().to_string();
    // Accept or refer within 15 working days of Thursday 24 September: Mid-Autumn (25-27
    // September) and National Day (1-7 October) are off, Saturday 10 October is worked: 28, 29,
    // 30, 8, 9, 10, 12-16, 19-22 October.
    assert_eq!(filed["accept_by"], "2026-10-22");
    let town = app.signed_in("yunling.township").await;
    let id = id_of(&app, &town, &code).await;
    let (town, _) = township_on(&app, "2026-09-28", id).await;
    step(&app, &town, id, json!({"action": "accept"})).await;
    step(&app, &town, id, json!({"action": "investigate"})).await;
    // Ten working days from Monday 28 September: 29, 30 September, 8, 9, 10 (Saturday, worked),
    // 12, 13, 14, 15, 16 October.
    let (_, row) = township_on(&app, "2026-09-28", id).await;
    assert_eq!(
        (row["due_on"].as_str(), row["stage"].as_str()),
        (Some("2026-10-16"), Some("answer")),
        "{row}"
    );

    // Waiting for the complainant from Friday 9 October; they answer on Tuesday 13 October:
    // three working days paused (10, 12, 13), so the deadline moves three working days.
    let (town, _) = township_on(&app, "2026-10-09", id).await;
    step(
        &app,
        &town,
        id,
        json!({"action": "pause", "text": "请补充漏水的位置和照片。"}),
    )
    .await;
    let (_, row) = township_on(&app, "2026-10-12", id).await;
    assert_eq!(row["timing"], "paused");
    app.clock.set(noon("2026-10-13"));
    let (s, v) = post_json(
        &public,
        &app,
        "/api/v1/public/complaints/steps",
        json!({"code": code, "pin": pin, "action": "resume", "text": "在三组的渠首。"}),
    )
    .await;
    assert_eq!((s, v["due_on"].as_str()), (200, Some("2026-10-21")), "{v}");
    let (_, row) = township_on(&app, "2026-10-13", id).await;
    assert_eq!(
        (row["due_on"].as_str(), row["timing"].as_str()),
        (Some("2026-10-21"), Some("on_time"))
    );
    // Less than a quarter left (two of ten working days on the 19th): at risk; past it: overdue.
    let (_, row) = township_on(&app, "2026-10-19", id).await;
    assert_eq!(row["timing"], "at_risk");
    let (town, row) = township_on(&app, "2026-10-22", id).await;
    assert_eq!(row["timing"], "overdue");
    // The township may not escalate itself; the county above proposes it on the ladder.
    let (s, _) = post_json(
        &town,
        &app,
        &format!("/api/v1/complaints/{id}/steps"),
        json!({"action": "escalate", "text": "逾期"}),
    )
    .await;
    assert_eq!(s, 403);
    let disc = app.signed_in("yunling.discipline").await;
    let r = step(
        &app,
        &disc,
        id,
        json!({"action": "escalate", "text": "答复逾期，提请督办。"}),
    )
    .await;
    let escalated = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "escalate")
        .unwrap()["problem_id"]
        .as_i64()
        .unwrap();
    let p = json_of(
        disc.get(app.url(&format!("/api/v1/problems/{escalated}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(p["problem"]["category"], "public_complaints");
    assert_eq!(p["problem"]["region"], "529121100000");
    // Answered late: the measure the assessment will use.
    let r = step(
        &app,
        &town,
        id,
        json!({"action": "answer", "text": "已修复渠首。", "finding": "partly"}),
    )
    .await;
    assert_eq!(r["complaint"]["state"], "answered");
    let (_, row) = township_on(&app, "2026-10-22", id).await;
    assert_eq!(row["answered_on_time"], false);
}
crate::both!(
    the_answer_deadline_counts_working_days_on,
    the_answer_deadline_counts_working_days
);

async fn a_flood_from_one_address_is_limited(app: TestApp) {
    let public = app.client();
    let url = app.url("/api/v1/public/complaints");
    let mut accepted = Vec::new();
    let mut limited = 0;
    for chunk in 0..20 {
        let mut reqs = tokio::task::JoinSet::new();
        for i in 0..50 {
            let body = json!({"category": "other", "region": "529121100201",
                "title": format!("重复提交 {chunk}-{i}"), "body": "刷屏", "anonymous": true});
            let req = public.post(&url).json(&body);
            reqs.spawn(async move { req.send().await });
        }
        while let Some(r) = reqs.join_next().await {
            let r = r.unwrap().unwrap();
            match r.status().as_u16() {
                201 => accepted.push(r.json::<Value>().await.unwrap()),
                429 => {
                    assert!(r.headers().get("retry-after").is_some());
                    let v: Value = r.json().await.unwrap();
                    assert_eq!(v["error"]["code"], "too_many_attempts");
                    limited += 1;
                }
                s => panic!("unexpected {s}"),
            }
        }
    }
    let allowed = sunledger_core::complaint::Rules::default().submissions_per_address as usize;
    assert_eq!((accepted.len(), limited), (allowed, 1000 - allowed));
    // Every accepted one is booked and can be looked up.
    for f in &accepted {
        let (s, body) = lookup(
            &app,
            f["code"].as_str().unwrap(),
            f["pin"].as_str().unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{body}");
    }
    let n = crate::cross_county::scalar(
        &app.db,
        "SELECT COUNT(*) FROM complaints WHERE title LIKE '重复提交%'",
    )
    .await;
    assert_eq!(n, Some(allowed as i64));
    // The public form keeps what was typed and says why.
    let form = multipart(
        &[
            ("region", "529121100201"),
            ("category", "other"),
            ("title", "第六次"),
            ("body", "这次应被限流"),
            ("anonymous", "1"),
        ],
        &[],
    );
    let r = post_form(&app, &public, "/public/complaints/new", form).await;
    assert_eq!(r.status(), 429);
    let html = r.text().await.unwrap();
    assert!(html.contains("这次应被限流"), "the form keeps the text");
}
crate::both_app!(
    a_flood_from_one_address_is_limited_on,
    a_flood_from_one_address_is_limited
);

async fn files_are_checked_and_verify_names_an_edited_complaint(app: TestApp) {
    let public = app.client();
    // A photo (PNG) is kept with its hash; a file that is no photo is refused by name, with
    // nothing booked and the text kept.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let fields = [
        ("region", "529121100202"),
        ("category", "project"),
        ("title", "桥面开裂"),
        ("body", "新桥桥面开裂。"),
        ("anonymous", "1"),
    ];
    let form = multipart(&fields, &[("a.exe", b"MZ\x90\0not a photo")]);
    let r = post_form(&app, &public, "/public/complaints/new", form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("a.exe") && html.contains("新桥桥面开裂。"),
        "{html}"
    );
    let before = crate::cross_county::scalar(&app.db, "SELECT COUNT(*) FROM complaints").await;
    let form = multipart(&fields, &[("bridge.png", &png)]);
    let r = post_form(&app, &public, "/public/complaints/new", form).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("SL-20"), "{html}");
    let after = crate::cross_county::scalar(&app.db, "SELECT COUNT(*) FROM complaints").await;
    assert_eq!(after, before.map(|n| n + 1));
    let id = crate::cross_county::scalar(&app.db, "SELECT MAX(id) FROM complaints")
        .await
        .unwrap();
    let town = app.signed_in("yunling.township").await;
    let r = town
        .get(app.url(&format!("/complaints/{id}/files/1")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);

    // verify: clean, then names a rewritten state and a rewritten handler.
    let s = app.db.store.as_ref();
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    raw_sql(
        &app.db,
        &format!("UPDATE complaints SET state = 'closed', handler_region = '529121100000' WHERE id = {id}"),
    )
    .await;
    let other = crate::cross_county::scalar(
        &app.db,
        "SELECT MIN(id) FROM complaints WHERE handler_region = '529121000000'",
    )
    .await
    .unwrap();
    raw_sql(
        &app.db,
        &format!("UPDATE complaints SET handler_region = '529121100000' WHERE id = {other}"),
    )
    .await;
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    let named: Vec<String> = report.findings.iter().map(|f| f.subject.clone()).collect();
    assert!(
        named.contains(&format!("complaints/{id}"))
            && named.contains(&format!("complaints/{other}")),
        "{named:?}"
    );
}
crate::both_app!(
    files_are_checked_and_verify_names_an_edited_complaint_on,
    files_are_checked_and_verify_names_an_edited_complaint
);

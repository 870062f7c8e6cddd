//! Issue 16 through the real server, on both backends: an allocation booked today is a due fund
//! notice, overdue on the township's dashboard after 15 working days; publishing a policy notice
//! without its subsidy standard is refused naming the field, and the drafter may not publish it;
//! anyone objects without an account and looks the answer up by receipt; a downloaded proof of a
//! published notice passes `verify-proof` offline, and editing the notice in SQL makes `verify`
//! name it; public pages show neither the objector's name nor phone.
use crate::support::*;
use serde_json::{Value, json};

const K: &str = "529121";
const T: &str = "529121100";
const V: &str = "529121100201";

fn today(app: &TestApp) -> i64 {
    sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock))
}

async fn post(c: &reqwest::Client, url: String, body: &Value) -> (u16, Value) {
    let r = c.post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(c: &reqwest::Client, url: String) -> (u16, Value) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn an_allocation_is_due_then_overdue(app: TestApp) {
    let finance = app.signed_in("yunling.finance").await;
    let township = app.signed_in("yunling.township").await;
    let yesterday = sunledger_core::day::format(today(&app) - 1);
    let (s, f) = post(
        &finance,
        app.url("/api/v1/funds"),
        &json!({"client_id": "open-fund", "region": K,
        "source": "county_budget", "fiscal_year": 2026, "document_no": "云财〔2026〕91号",
        "name": "公示测试资金", "amount": "1000.00", "booked_on": yesterday}),
    )
    .await;
    assert_eq!(s, 201, "{f}");
    let fund_id = f["fund"]["id"].as_i64().or(f["id"].as_i64()).unwrap();
    let booked_on = sunledger_core::day::format(today(&app));
    let (s, t) = post(&finance, app.url("/api/v1/transfers"), &json!({"client_id": "open-t-1",
        "fund_id": fund_id, "kind": "appropriate", "from": {"region": K}, "to": {"region": T},
        "amount": "600.00", "booked_on": booked_on, "document_no": "云财〔2026〕92号", "purpose": "下拨"}))
    .await;
    assert_eq!(s, 201, "{t}");
    let source = format!("transfer:{}", t["id"].as_i64().unwrap());
    let (s, d) = get(
        &township,
        app.url(&format!("/api/v1/notice-dues?region={T}")),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    let due = d["dues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["source"] == source.as_str())
        .unwrap_or_else(|| panic!("no due for {source}: {d}"))
        .clone();
    assert_eq!(due["kind"], "fund_allocation");
    assert_eq!(due["overdue"], false);
    let cal = sunledger_core::day::Calendar::china();
    let due_on = sunledger_core::notice::due_on(
        &cal,
        &sunledger_core::notice::Due {
            working_days: 15,
            after: "allocation",
        },
        today(&app),
    );
    assert_eq!(due["due_on"], sunledger_core::day::format(due_on));
    // The township's dashboard before and after the day.
    let page = |c: reqwest::Client, url: String| async move {
        c.get(url).send().await.unwrap().text().await.unwrap()
    };
    let before = page(township.clone(), app.url(&format!("/regions/{T}/summary"))).await;
    assert!(!before.contains("公示测试资金"), "not overdue yet");
    app.clock.advance_days(due_on - today(&app) + 1);
    // Sessions end after idling; sign in again on the later day.
    let township = app.signed_in("yunling.township").await;
    let (_, d) = get(
        &township,
        app.url(&format!("/api/v1/notice-dues?region={T}")),
    )
    .await;
    let due = d["dues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["source"] == source.as_str())
        .unwrap()
        .clone();
    assert_eq!(due["overdue"], true, "{due}");
    let after = page(township.clone(), app.url(&format!("/regions/{T}/summary"))).await;
    assert!(
        after.contains("overdue-notice") && after.contains("公示测试资金"),
        "the township's dashboard lists the overdue notice"
    );
}
crate::both_app!(due_fund_notices, an_allocation_is_due_then_overdue);

async fn publish_object_answer_verify(app: TestApp) {
    let township = app.signed_in("yunling.township").await;
    let party = app.signed_in("yunling.party").await;
    let public = app.client();
    let fields = json!({"title": "产业奖补政策落实公示", "channels": "拨打 12317",
        "content": "发展产业奖补", "scale": "38户", "object": "脱贫户、监测户",
        "amount_per_household": "3000", "fund_source": "中央衔接资金",
        "beneficiaries": "王伟 云岭村\n李芳 云岭村"});
    let (s, n) = post(
        &township,
        app.url("/api/v1/notices"),
        &json!({"region": V, "kind": "policy", "fields": fields}),
    )
    .await;
    assert_eq!(s, 201, "{n}");
    let id = n["id"].as_i64().unwrap();
    assert_eq!(n["state"], "draft");
    // A draft is not public.
    let r = public
        .get(app.url(&format!("/public/notices/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Publishing without the subsidy standard is refused, naming the field.
    let (s, e) = post(
        &party,
        app.url(&format!("/api/v1/notices/{id}/actions")),
        &json!({"action": "publish"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "subsidy_standard", "{e}");
    let mut f2 = fields.clone();
    f2["subsidy_standard"] = json!("每户一次性奖补 3000 元");
    let (s, e) = post(
        &township,
        app.url(&format!("/api/v1/notices/{id}/fields")),
        &json!({"fields": f2}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    // Four eyes: the drafter does not publish.
    let (s, e) = post(
        &township,
        app.url(&format!("/api/v1/notices/{id}/actions")),
        &json!({"action": "publish"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("起草"),
        "{e}"
    );
    let (s, e) = post(
        &party,
        app.url(&format!("/api/v1/notices/{id}/actions")),
        &json!({"action": "publish"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["window_days"], 10);
    // A published notice is never edited.
    let (s, e) = post(
        &township,
        app.url(&format!("/api/v1/notices/{id}/fields")),
        &json!({"fields": f2}),
    )
    .await;
    assert_eq!(s, 422, "{e}");

    // Anyone objects on the public page, with a name and phone that stay private.
    let r = public
        .post(app.url(&format!("/public/notices/{id}")))
        .form(&[
            ("content", "名单漏了我家"),
            ("name", "赵刚"),
            ("phone", "13912345678"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let receipt = html
        .split("class=\"receipt\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no receipt on {html}"))
        .to_string();
    assert_eq!(receipt.len(), 11, "{receipt}");
    for private in ["赵刚", "13912345678"] {
        assert!(!html.contains(private), "{private} on the public page");
    }
    let (s, a) = get(
        &public,
        app.url(&format!(
            "/api/v1/public/receipts/{}",
            receipt.to_lowercase()
        )),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert!(a["answer"].is_null());
    assert!(a.get("name").is_none() && a.get("phone").is_none(), "{a}");
    // The official sees who objected and answers.
    let (_, list) = get(&township, app.url("/api/v1/public-objections")).await;
    let o = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["receipt"] == receipt.as_str())
        .unwrap()
        .clone();
    assert_eq!(o["name"], "赵刚");
    let (s, e) = post(
        &township,
        app.url(&format!("/api/v1/public-objections/{}/answer", o["id"])),
        &json!({"answer": "经核实，已补入名单。"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let r = public
        .get(app.url(&format!("/public/receipts?code={receipt}")))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("经核实，已补入名单。"), "{html}");
    let html = public
        .get(app.url(&format!("/public/notices/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("每户一次性奖补 3000 元") && html.contains("3,000.00"));
    assert!(html.contains("经核实，已补入名单。"));
    assert!(!html.contains("赵刚") && !html.contains("13912345678"));
    // The printable copy has the QR code of the public address.
    let html = public
        .get(app.url(&format!("/public/notices/{id}/print")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg") && html.contains(&format!("/public/notices/{id}")));

    // Anyone downloads the proof and checks it offline.
    let r = public
        .get(app.url(&format!("/api/v1/proofs/notices/{id}?download=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proof.json");
    std::fs::write(&file, &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "verify-proof",
            file.to_str().unwrap(),
            "--key",
            &test_signer().verifier_key(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A draft's proof is not public.
    let (s, d) = post(
        &township,
        app.url("/api/v1/notices"),
        &json!({"region": V, "kind": "policy", "fields": {"title": "草稿"}}),
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let r = public
        .get(app.url(&format!("/api/v1/proofs/notices/{}?download=1", d["id"])))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);

    // The log verifies (the checkpoint the proof asked for is signed by the test server's key,
    // given here: the scratch data directory may hold another test's key); a notice edited
    // behind the application is named.
    let key = test_signer().verifier_key();
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_eq!(code, 0, "{out}{err}");
    raw_sql(
        &app.db,
        &format!("UPDATE notices SET fields = replace(fields, '3000', '300') WHERE id = {id}"),
    )
    .await;
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        out.contains("notices") && out.contains(&id.to_string()),
        "{out}{err}"
    );
}
crate::both_app!(notice_lifecycle, publish_object_answer_verify);

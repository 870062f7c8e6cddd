//! A county finance official's day, through the real server: receive central funds, pass them
//! down, confirm, arrange them to a project, pay, suspend a payee, and see it all on the pages.
use crate::support::{TestApp, post_json};
use serde_json::{Value, json};
async fn a_finance_officials_day(app: TestApp) {
    let fin = app.signed_in("yunling.finance").await;
    let fund_id = step_receive(&app, &fin).await;
    step_pass_down(&app, &fin, fund_id).await;
    let pay_id = step_arrange_and_pay(&app, &fin, fund_id).await;
    step_suspend_the_payee(&app, &fin, pay_id).await;
    step_another_county(&app, fund_id, pay_id).await;
    step_pages(&app, &fin, fund_id).await;
    step_reverse(&app, &fin, fund_id).await;
    step_page_forms(&app, &fin, fund_id).await;
}

async fn step_receive(app: &TestApp, fin: &reqwest::Client) -> i64 {
    // 1. Receive a provincial fund at the county.
    let fund_body = json!({"client_id": "day-fund-1", "region": "529121", "source": "provincial", "fiscal_year": 2026,
        "document_no": "黔财农〔2026〕88号", "name": "2026年省级财政衔接资金", "amount": "2,000,000.00", "booked_on": "2026-06-01"});
    let (status, booked) = post_json(fin, app, "/api/v1/funds", fund_body.clone()).await;
    assert_eq!(status, 201, "{booked}");
    let fund_id = booked["fund"]["id"].as_i64().unwrap();
    assert_eq!(
        booked["receipt"]["amount"], 200_000_000,
        "amounts are integer fen"
    );
    // A retried request books once; the same id with other content is refused.
    let (status, again) = post_json(fin, app, "/api/v1/funds", fund_body).await;
    assert_eq!(status, 201);
    assert_eq!(again["fund"]["id"], fund_id);
    let mut other = json!({"client_id": "day-fund-1", "region": "529121", "source": "provincial", "fiscal_year": 2026,
        "document_no": "黔财农〔2026〕88号", "name": "2026年省级财政衔接资金", "amount": "2,000,000.01", "booked_on": "2026-06-01"});
    let (status, err) = post_json(fin, app, "/api/v1/funds", other.take()).await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["error"]["field"], "client_id");

    fund_id
}

async fn step_pass_down(app: &TestApp, fin: &reqwest::Client, fund_id: i64) {
    // 2. Pass it down to a township; the township has it only after confirming receipt.
    let (status, approp) = post_json(fin, app, "/api/v1/transfers", json!({"client_id": "day-approp-1", "fund_id": fund_id, "kind": "appropriate",
        "from": {"region": "529121"}, "to": {"region": "529121100"}, "amount": "500000", "booked_on": "2026-06-02",
        "document_no": "云财农〔2026〕90号", "purpose": "下达乡镇衔接资金"})).await;
    assert_eq!(status, 201, "{approp}");
    assert_eq!(approp["state"], "dispatched");
    let ledger: Value = fin
        .get(app.url("/api/v1/regions/529121/ledger"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = ledger["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region_code"] == "529121100000" && r["fund"]["id"] == fund_id)
        .unwrap();
    assert_eq!(
        (
            row["dispatched"].as_i64(),
            row["received"].as_i64(),
            row["difference"].as_i64()
        ),
        (Some(50_000_000), Some(0), Some(50_000_000))
    );
    let id = approp["id"].as_i64().unwrap();
    // Four eyes: the county that sent it cannot confirm its receipt, and its ledger page offers
    // no button for it; the township's finance confirms on the township's page.
    let (status, e) = post_json(
        fin,
        app,
        &format!("/api/v1/transfers/{id}/receipt"),
        json!({"on": "2026-06-03"}),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能确认自己拨出资金的到账"),
        "{e}"
    );
    let form = format!("/ledger/transfers/{id}/receipt");
    let county_page = fin
        .get(app.url("/regions/529121/ledger"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !county_page.contains(&form),
        "no receipt button for the sender"
    );
    let township = app.signed_in("jinping.finance").await;
    let township_page = township
        .get(app.url("/regions/529121100/ledger"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        township_page.contains(&form),
        "the township confirms on its page"
    );
    let (status, t) = post_json(
        &township,
        app,
        &format!("/api/v1/transfers/{id}/receipt"),
        json!({"on": "2026-06-03"}),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["state"], "received");
}

async fn step_arrange_and_pay(app: &TestApp, fin: &reqwest::Client, fund_id: i64) -> i64 {
    // 3. Arrange to a project in that township, then pay a contractor.
    let project = app
        .db
        .store
        .create_project(
            &sunledger_store::NewProject {
                region: sunledger_core::RegionCode::parse("529121101201").unwrap(),
                name: "产业路建设项目".into(),
                fiscal_year: sunledger_core::ledger::FiscalYear::new(2026).unwrap(),
            },
            crate::support::now(),
        )
        .await
        .unwrap();
    let (status, arr) = post_json(fin, app, "/api/v1/transfers", json!({"client_id": "day-arrange-1", "fund_id": fund_id, "kind": "arrange",
        "from": {"region": "529121"}, "to": {"project": project.id}, "amount": "300000", "booked_on": "2026-06-05",
        "document_no": "云扶〔2026〕12号", "purpose": "安排项目资金"})).await;
    assert_eq!(status, 201, "{arr}");
    let (status, pay) = post_json(fin, app, "/api/v1/transfers", json!({"client_id": "day-pay-1", "fund_id": fund_id, "kind": "disburse",
        "from": {"project": project.id}, "payee": "云岭县路桥公司", "amount": "120000", "booked_on": "2026-06-10",
        "document_no": "云支〔2026〕3号", "purpose": "工程进度款"})).await;
    assert_eq!(status, 201, "{pay}");
    assert_eq!(pay["state"], "approved");
    let pay_id = pay["id"].as_i64().unwrap();
    // Overdraft refused, naming the field.
    let (status, err) = post_json(fin, app, "/api/v1/transfers", json!({"client_id": "day-pay-2", "fund_id": fund_id, "kind": "disburse",
        "from": {"project": project.id}, "payee": "某公司", "amount": "200000", "booked_on": "2026-06-10",
        "document_no": "云支〔2026〕4号", "purpose": "超额"})).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "amount");

    pay_id
}

async fn step_suspend_the_payee(app: &TestApp, fin: &reqwest::Client, pay_id: i64) {
    // 4. Suspend the payee: paying is refused with the suspension named; resume, then pay.
    let (status, susp) = post_json(
        fin,
        app,
        "/api/v1/suspensions",
        json!({"target_kind": "payee", "target": "云岭县路桥公司",
        "reason": "资金使用违规待查", "document_no": "云财监〔2026〕2号"}),
    )
    .await;
    assert_eq!(status, 201, "{susp}");
    // A retried suspension request books once.
    let (_, again) = post_json(
        fin,
        app,
        "/api/v1/suspensions",
        json!({"target_kind": "payee", "target": "云岭县路桥公司",
        "reason": "资金使用违规待查", "document_no": "云财监〔2026〕2号"}),
    )
    .await;
    assert_eq!(again["id"], susp["id"]);
    let (status, err) = post_json(
        fin,
        app,
        &format!("/api/v1/transfers/{pay_id}/payment"),
        json!({"action": "pay", "on": "2026-06-12"}),
    )
    .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["error"]["code"], "suspended");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("云财监〔2026〕2号"),
        "{err}"
    );
    let sid = susp["id"].as_i64().unwrap();
    let (status, _) = post_json(
        fin,
        app,
        &format!("/api/v1/suspensions/{sid}/resume"),
        json!({"document_no": "云财监〔2026〕3号"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, paid) = post_json(
        fin,
        app,
        &format!("/api/v1/transfers/{pay_id}/payment"),
        json!({"action": "pay", "on": "2026-06-15"}),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["state"], "paid");
}

async fn step_another_county(app: &TestApp, fund_id: i64, pay_id: i64) {
    // 5. Another county's finance official sees none of it.
    let other = app.signed_in("shimen.finance").await;
    assert_eq!(
        other
            .get(app.url(&format!("/api/v1/transfers/{pay_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        other
            .get(app.url(&format!("/api/v1/funds/{fund_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        other
            .get(app.url("/api/v1/regions/529121/ledger"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

async fn step_pages(app: &TestApp, fin: &reqwest::Client, fund_id: i64) {
    // 6. The pages: the village ledger shows the project account, in Chinese and in English.
    let html = fin
        .get(app.url("/regions/529121101201/ledger"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("产业路建设项目") && html.contains("180,000.00") && html.contains("可用余额"),
        "{html}"
    );
    let en = fin
        .get(app.url("/regions/529121101201/ledger?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Available") && en.contains("Paid"));
    let flow = fin
        .get(app.url(&format!("/funds/{fund_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        flow.contains("云岭县路桥公司") && flow.contains("已支付"),
        "{flow}"
    );
    // A form post books through the same operation (and a bad amount is a clear error page).
    let r = fin
        .post(app.url("/ledger/transfers"))
        .form(&[
            ("client_id", "day-form-1"),
            ("back", "529121"),
            ("kind", "appropriate"),
            ("fund_id", &fund_id.to_string()),
            ("from", "529121"),
            ("to", "529121103"),
            ("payee", ""),
            ("amount", "10000.5"),
            ("booked_on", "2026-06-20"),
            ("document_no", "云财农〔2026〕91号"),
            ("purpose", "下达"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = fin
        .post(app.url("/ledger/transfers"))
        .form(&[
            ("client_id", "day-form-2"),
            ("back", "529121"),
            ("kind", "appropriate"),
            ("fund_id", &fund_id.to_string()),
            ("from", "529121"),
            ("to", "529121102"),
            ("payee", ""),
            ("amount", "12.345"),
            ("booked_on", "2026-06-20"),
            ("document_no", "x"),
            ("purpose", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("最多两位小数"));
}

async fn step_reverse(app: &TestApp, fin: &reqwest::Client, fund_id: i64) {
    // 7. A mistaken appropriation is corrected by a reversal; the page offers no more steps on it.
    let ledger: Value = fin
        .get(app.url("/api/v1/regions/529121/ledger"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wrong = ledger["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["client_id"] == "day-form-1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, rev) = post_json(fin, app, "/api/v1/transfers", json!({"client_id": "day-rev-1", "fund_id": fund_id, "kind": "reverse",
        "reverses": wrong, "amount": "10000.50", "booked_on": "2026-06-21", "document_no": "云财农〔2026〕92号", "purpose": "冲正误拨"})).await;
    assert_eq!(status, 201, "{rev}");
    let html = fin
        .get(app.url("/regions/529121/ledger"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("已冲正"),
        "the reversed appropriation is marked"
    );
    assert!(
        !html.contains(&format!("/ledger/transfers/{wrong}/receipt")),
        "no receipt button on a reversed appropriation"
    );
}

/// Posts a page form; returns the status, the `Location` and the body.
async fn post_form(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let r = c.post(app.url(path)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, r.text().await.unwrap_or_default())
}

async fn step_page_forms(app: &TestApp, fin: &reqwest::Client, fund_id: i64) {
    // 8. The page's forms: accounts named by name; a payment booked from the county page lands
    //    on the ledger that shows it, with a note; voiding needs its document; a reversal is
    //    booked from the page with its reason.
    let fund = fund_id.to_string();
    let (status, at, _) = post_form(
        fin,
        app,
        "/ledger/transfers",
        &[
            ("client_id", "day-names-1"),
            ("back", "529121"),
            ("kind", "appropriate"),
            ("fund_id", &fund),
            ("from", "云岭县（529121）"),
            ("to", "金坪镇"),
            ("amount", "2000"),
            ("booked_on", "2026-06-22"),
            ("document_no", "云财农〔2026〕93号"),
            ("purpose", "按名称下拨"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert!(
        at.starts_with("/regions/529121/ledger?done=booked&id="),
        "{at}"
    );
    let page = fin
        .get(app.url(&at))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("已记账") && page.contains("云岭县 → 金坪镇"),
        "{page}"
    );
    // A name that is nowhere here, or one of two places, is refused naming the field; what was
    // typed stays in the form, open again.
    let (status, _, html) = post_form(
        fin,
        app,
        "/ledger/transfers",
        &[
            ("client_id", "day-names-2"),
            ("back", "529121"),
            ("kind", "appropriate"),
            ("fund_id", &fund),
            ("from", "云岭县（529121）"),
            ("to", "不存在镇"),
            ("amount", "2000"),
            ("booked_on", "2026-06-22"),
            ("document_no", "云财农〔2026〕94号"),
            ("purpose", "按名称下拨"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("没有这个名称的区划或项目"), "{html}");
    assert!(html.contains(r#"value="不存在镇""#) && html.contains(r#"value="云财农〔2026〕94号""#));
    assert!(html.contains(r#"<details open><summary>"#));

    // A payment booked on the county page lands on the page of the project that pays it.
    let project = app
        .db
        .store
        .projects(
            &sunledger_store::ProjectFilter {
                scopes: vec![sunledger_core::RegionCode::parse("529121101201").unwrap()],
                name: Some("产业路建设项目".into()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap()
        .0
        .remove(0);
    let from = format!("{}（P{}）", project.name, project.id);
    let (status, at, html) = post_form(
        fin,
        app,
        "/ledger/transfers",
        &[
            ("client_id", "day-pay-form-1"),
            ("back", "529121"),
            ("kind", "disburse"),
            ("fund_id", &fund),
            ("from", &from),
            ("to", ""),
            ("payee", "云岭县建材公司"),
            ("amount", "5000"),
            ("booked_on", "2026-06-22"),
            ("document_no", "云支〔2026〕9号"),
            ("purpose", "材料款"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    assert!(
        at.starts_with("/regions/529121101201/ledger?done=booked&id="),
        "{at}"
    );
    let pay_id: i64 = at
        .rsplit("id=")
        .next()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = fin
        .get(app.url(&at))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("云岭县建材公司") && page.contains("确认作废"),
        "{page}"
    );
    // Voiding without its document is refused (page and API alike) and books nothing.
    let void = format!("/ledger/transfers/{pay_id}/payment");
    let (status, _, html) = post_form(
        fin,
        app,
        &void,
        &[
            ("back", "529121101201"),
            ("on", "2026-06-22"),
            ("action", "void"),
            ("document_no", " "),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("作废支付时必须填写"), "{html}");
    let (status, err) = post_json(
        fin,
        app,
        &format!("/api/v1/transfers/{pay_id}/payment"),
        json!({"action": "void", "on": "2026-06-22"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["field"], "document_no");
    let t = app.db.store.transfer(pay_id).await.unwrap().unwrap();
    assert_eq!(t.state.as_deref(), Some("approved"));
    let (status, _, _) = post_form(
        fin,
        app,
        &void,
        &[
            ("back", "529121101201"),
            ("on", "2026-06-22"),
            ("action", "void"),
            ("document_no", "云财〔2026〕作废1号"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let t = app.db.store.transfer(pay_id).await.unwrap().unwrap();
    assert_eq!(t.state.as_deref(), Some("voided"));

    // A reversal from the page: the appropriation to 金坪镇 above, with its reason.
    let named = app.db.store.transfers_of_fund(fund_id).await.unwrap();
    let named = named.iter().find(|t| t.client_id == "day-names-1").unwrap();
    let rev = format!("/ledger/transfers/{}/reversal", named.id);
    let (status, _, html) = post_form(
        fin,
        app,
        &rev,
        &[
            ("back", "529121"),
            ("client_id", "day-rev-page-1"),
            ("booked_on", "2026-06-23"),
            ("document_no", ""),
            ("purpose", "误拨"),
        ],
    )
    .await;
    assert_eq!(status, 422, "a reversal needs its document");
    assert!(html.contains(r#"value="误拨""#), "{html}");
    let (status, at, _) = post_form(
        fin,
        app,
        &rev,
        &[
            ("back", "529121"),
            ("client_id", "day-rev-page-1"),
            ("booked_on", "2026-06-23"),
            ("document_no", "云财农〔2026〕95号"),
            ("purpose", "误拨"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert!(at.contains("done=reversed"), "{at}");
    let after = app.db.store.transfers_of_fund(fund_id).await.unwrap();
    let r = after.iter().find(|t| t.reverses == Some(named.id)).unwrap();
    assert_eq!((r.purpose.as_str(), r.amount), ("误拨", named.amount));
}

crate::both_app!(a_finance_officials_day_on, a_finance_officials_day);

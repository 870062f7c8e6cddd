//! Pages and API of project assets through the real server on the demo city: registering,
//! transferring and disposing with every refusal the issue names, the pages in both languages,
//! the exports, and the public village register.
use super::*;
use crate::both_app;
use serde_json::{Value, json};

/// The first village project of 云岭县's township 100 (yunling.township's) with `status`
/// (`accepted` also takes an evaluated one: both have been accepted), with its region.
async fn demo_project(app: &TestApp, status: &str) -> (i64, String) {
    let (ps, _) = app
        .db
        .store
        .projects(
            &sunledger_store::ProjectFilter {
                scopes: vec![rc(T)],
                ..Default::default()
            },
            1000,
            0,
        )
        .await
        .unwrap();
    let p = ps
        .into_iter()
        .find(|p| {
            let s = p.status.as_deref().unwrap_or_default();
            p.region.level() == sunledger_core::Level::Village
                && (s == status || (status == "accepted" && s == "evaluated"))
        })
        .unwrap_or_else(|| panic!("the demo has a {status} village project"));
    (p.id, p.region.as_str().to_string())
}

fn error_of(v: &Value) -> (String, String) {
    (
        v["error"]["field"].as_str().unwrap_or_default().to_string(),
        v["error"]["code"].as_str().unwrap_or_default().to_string(),
    )
}

async fn register_transfer_dispose_through_the_api(app: TestApp) {
    let bureau = app.signed_in("yunling.bureau").await;
    let party = app.signed_in("yunling.party").await;
    let township = app.signed_in("yunling.township").await;
    let (accepted, village) = demo_project(&app, "accepted").await;
    let (in_progress, _) = demo_project(&app, "in_progress").await;
    let body = |project: i64| {
        json!({"project_id": project, "name": "村级产业大棚", "class": "productive", "quantity": "12",
            "unit": "栋", "value": {"central_special": "1000.00"},
            "distribution": {"village_collective": 60, "poor_households": 30, "maintenance_fund": 10},
            "owner_level": "village", "owner": village, "custodian": "村股份经济合作社", "custodian_person": "王主任"})
    };
    let size = app.db.store.log_size().await.unwrap();
    // Refusals, each naming its field; nothing booked.
    let refused = [
        (body(in_progress), "project_id"),
        (
            {
                let mut b = body(accepted);
                b["value"] = json!({"central_special": "99999999.00"});
                b
            },
            "value",
        ),
        (
            {
                let mut b = body(accepted);
                b["distribution"] = json!({"village_collective": 60, "poor_households": 30});
                b
            },
            "distribution",
        ),
        (
            {
                let mut b = body(accepted);
                b["owner"] = json!("529122100201");
                b
            },
            "owner",
        ),
    ];
    for (b, field) in refused {
        let (status, v) = post_json(&bureau, &app, "/api/v1/assets", b).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(error_of(&v).0, field, "{v}");
    }
    let (status, v) = post_json(&township, &app, "/api/v1/assets", body(accepted)).await;
    assert_eq!(status, 403, "only the county bureau registers: {v}");
    assert_eq!(
        app.db.store.log_size().await.unwrap(),
        size,
        "nothing booked"
    );

    let (status, a) = post_json(&bureau, &app, "/api/v1/assets", body(accepted)).await;
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_i64().unwrap();
    assert!(a["number"].as_str().unwrap().starts_with("529121-"), "{a}");
    let path = format!("/api/v1/assets/{id}/actions");

    // A transfer without its decision is refused; with a meeting's record it is booked.
    let transfer = json!({"action": "transfer", "owner_level": "village", "owner": village,
        "custodian": "蔬菜专业合作社", "custodian_person": "李理事长"});
    let (status, v) = post_json(&bureau, &app, &path, transfer.clone()).await;
    assert_eq!(
        (status, error_of(&v).0.as_str()),
        (422, "decision_kind"),
        "{v}"
    );
    let mut t = transfer.clone();
    t["decision_kind"] = json!("meeting");
    t["decision_ref"] = json!("村民代表大会纪要〔2026〕9号");
    t["reason"] = json!("合作社承接运营");
    let (status, v) = post_json(&bureau, &app, &path, t.clone()).await;
    assert_eq!(
        (status, error_of(&v).0.as_str()),
        (422, "decision_on"),
        "{v}"
    );
    t["decision_on"] = json!("2026-01-05");
    let (status, v) = post_json(&bureau, &app, &path, t).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["custodian"], "蔬菜专业合作社");

    // The registrar may not approve the disposal; the county government does.
    let dispose = json!({"action": "dispose", "disposal_kind": "auction", "proceeds": "300.00",
        "decision_kind": "document", "decision_ref": "云扶领〔2026〕20号", "reason": "大棚损毁，拍卖残值"});
    let (status, v) = post_json(&bureau, &app, &path, dispose.clone()).await;
    assert_eq!(
        (status, error_of(&v)),
        (422, ("actor".into(), "invalid".into())),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("登记人"),
        "{v}"
    );
    let (status, v) = post_json(&party, &app, &path, dispose.clone()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "disposed");
    let (status, _) = post_json(&party, &app, &path, dispose).await;
    assert_eq!(status, 422, "disposed once");

    // The record, and the registers: the county total is the sum of its townships'.
    let r: Value = json_of(
        bureau
            .get(app.url(&format!("/api/v1/assets/{id}")))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(r["events"].as_array().unwrap().len(), 2);
    let reg: Value = json_of(
        bureau
            .get(app.url("/api/v1/assets?region=529121"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let sum = |k: &str| {
        reg[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["value_fen"].as_i64().unwrap())
            .sum::<i64>()
    };
    let total = reg["in_service"]["value_fen"].as_i64().unwrap();
    assert!(total > 0, "{reg}");
    assert_eq!(sum("by_region"), total);
    assert_eq!(sum("by_class"), total);
    assert_eq!(sum("by_owner_level"), total);
    assert_eq!(
        (reg["in_service"]["count"].as_i64().unwrap(), total),
        app.db.store.asset_county_total(&rc(K)).await.unwrap()
    );

    // Exports in the filing columns.
    let csv = bureau
        .get(app.url("/api/v1/assets.csv?region=529121"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("资产编号") && text.contains("村级光伏电站"),
        "{text}"
    );
    let xlsx = bureau
        .get(app.url("/api/v1/assets.xlsx?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
}
both_app!(
    register_transfer_dispose_through_the_api,
    register_transfer_dispose_through_the_api
);

async fn pages_forms_and_the_public_register(app: TestApp) {
    let bureau = app.signed_in("yunling.bureau").await;
    let (accepted, village) = demo_project(&app, "accepted").await;
    let (list, _) = app
        .db
        .store
        .assets(
            &sunledger_store::AssetFilter {
                scopes: vec![rc(K)],
                ..Default::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
    assert!(list.len() >= 4, "the demo registers assets");
    for class in ["productive", "public_welfare", "household"] {
        assert!(list.iter().any(|a| a.class == class), "{class}");
    }
    assert!(list.iter().any(|a| a.state == "transferred"));
    assert!(list.iter().any(|a| a.state == "disposed"));
    let pv = list.iter().find(|a| a.class == "productive").unwrap();
    for lang in ["zh-CN", "en"] {
        for path in [
            "/assets".to_string(),
            "/assets?region=529121100".to_string(),
            format!("/assets?region={}&class=productive", pv.village.prefix()),
            format!("/assets/{}", pv.id),
            format!("/assets/new?project={accepted}"),
        ] {
            let r = bureau
                .get(app.url(&format!(
                    "{path}{}lang={lang}",
                    if path.contains('?') { "&" } else { "?" }
                )))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let html = r.text().await.unwrap();
            assert_no_catalogue_keys(&html);
            if lang == "en" {
                assert!(
                    html.contains("Project assets") || html.contains("Register an asset"),
                    "{path}"
                );
            } else {
                assert!(
                    html.contains("项目资产") || html.contains("登记资产"),
                    "{path}"
                );
            }
        }
    }
    let page = bureau
        .get(app.url(&format!("/assets/{}", pv.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("村民代表大会纪要") && page.contains("光伏发电专业合作社"),
        "the history"
    );

    // A refused registration form comes back as typed, with the reason naming the field.
    let r = bureau
        .post(app.url("/assets"))
        .form(&[
            ("project_id", accepted.to_string().as_str()),
            ("name", "输入保留的资产"),
            ("class", "productive"),
            ("quantity", "2"),
            ("unit", "座"),
            ("v.central_special", "100.00"),
            ("s.village_collective", "50"),
            ("s.poor_households", "40"),
            ("owner_level", "village"),
            ("owner", village.as_str()),
            ("custodian", "合作社"),
            ("custodian_person", "张三"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("输入保留的资产") && html.contains("value=\"40\""),
        "kept as typed"
    );
    assert!(
        html.contains("100%") || html.contains("100 %"),
        "the reason names the rule"
    );
    // The same, with shares summing to 100: registered, and shown.
    let r = bureau
        .post(app.url("/assets"))
        .form(&[
            ("project_id", accepted.to_string().as_str()),
            ("name", "表单登记的资产"),
            ("class", "productive"),
            ("quantity", "2"),
            ("unit", "座"),
            ("v.central_special", "100.00"),
            ("s.village_collective", "60"),
            ("s.poor_households", "40"),
            ("owner_level", "village"),
            ("owner", village.as_str()),
            ("custodian", "合作社"),
            ("custodian_person", "张三"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // A refused disposal form keeps its decision as typed.
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let party = app.signed_in("yunling.party").await;
    let r = party
        .post(app.url(&format!("{at}/actions")))
        .form(&[
            ("action", "dispose"),
            ("disposal_kind", "scrap"),
            ("decision_kind", "meeting"),
            ("decision_ref", "保留的纪要号"),
            ("reason", "保留的原因"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("保留的纪要号") && html.contains("保留的原因"),
        "kept as typed"
    );

    // The public register of the village, without an account, linked from its portal page.
    let anon = app.client();
    let region_page = anon
        .get(app.url(&format!("/public/regions/{}", pv.village.as_str())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = format!("/public/assets/{}", pv.village.as_str());
    assert!(region_page.contains(&link), "linked from the village page");
    for lang in ["zh-CN", "en"] {
        let r = anon
            .get(app.url(&format!("{link}?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert_no_catalogue_keys(&html);
        assert!(html.contains(&pv.number), "{html}");
        // No ID numbers: none of the village's households' numbers is on it.
        for h in app.db.store.households_in(&pv.village).await.unwrap() {
            assert!(!html.contains(&h.id_number), "shows an ID number");
        }
    }
    // Only villages have a public register.
    let r = anon
        .get(app.url("/public/assets/529121000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
both_app!(
    pages_forms_and_the_public_register,
    pages_forms_and_the_public_register
);

//! The project pages in both languages.
use super::*;
/// Every project page renders in Chinese and in English without a raw catalogue key, for the
/// village that declares, the township that reviews and the bureau that keeps Book 2.
async fn project_pages_in_both_languages(app: TestApp) {
    use serde_json::json;
    let village = app.signed_in("yunling.village").await;
    let item = approved_item(
        app.db.store.as_ref(),
        VILLAGE,
        sunledger_web::Clock::now(&*app.clock),
    )
    .await;
    let body = json!({
        "village": VILLAGE, "name": "页面检查项目", "category": "education", "fiscal_year": 2026,
        "budget": [{"source": "provincial", "amount": "80000.00"}], "targets": crate::support::targets_json(),
        "meeting_item_id": item, "declare": true});
    let p = json_of(
        village
            .post(app.url("/api/v1/projects"))
            .json(&body)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let township = app.signed_in("yunling.township").await;
    json_of(
        township
            .post(app.url(&format!("/api/v1/projects/{id}/steps")))
            .json(&json!({"action": "township_approve"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let bureau = app.signed_in("yunling.bureau").await;
    let letters = json_of(
        bureau
            .get(app.url("/api/v1/responsibility-letters"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let mut pages = vec![
        (&village, "/projects".to_string()),
        (&village, "/projects/new".to_string()),
        (&village, format!("/projects/{id}")),
        (&township, format!("/projects/{id}")),
        (&bureau, format!("/projects/{id}")),
        (&bureau, "/responsibility".to_string()),
        (&bureau, format!("/projects?region={}", K)),
    ];
    if let Some(l) = letters.as_array().and_then(|a| a.first()) {
        pages.push((&bureau, format!("/responsibility/letters/{}", l["id"])));
    }
    for (c, path) in pages {
        for lang in ["zh-CN", "en"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let r = c
                .get(app.url(&format!("{path}{sep}lang={lang}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path} in {lang}");
            let html = r.text().await.unwrap();
            crate::support::assert_no_catalogue_keys(&html);
            if lang == "en" {
                assert!(html.contains("lang=\"en\""), "{path} in English");
            }
        }
    }
    // The project's page shows its indicator table, classes and kinds by name in both
    // languages; so does its public page (the notice under declaration).
    for (c, path) in [
        (&village, format!("/projects/{id}")),
        (&app.client(), format!("/public/projects/{id}")),
    ] {
        for (lang, words) in [
            (
                "zh-CN",
                ["产出指标", "时效指标", "满意度指标", "≥ 3.2 公里", "核心"],
            ),
            (
                "en",
                [
                    "Output",
                    "Timeliness",
                    "Satisfaction",
                    "≤ 50.8 万元",
                    "core",
                ],
            ),
        ] {
            let html = c
                .get(app.url(&format!("{path}?lang={lang}")))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            for w in words {
                assert!(html.contains(w), "{path} in {lang}: {w}");
            }
            assert!(html.contains("硬化村组道路"), "{path}");
        }
    }
}
crate::both_app!(
    project_pages_render_in_both_languages,
    project_pages_in_both_languages
);

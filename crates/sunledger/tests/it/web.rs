//! The API document, the pages and the language switch, through the real server.
use crate::support::{TestApp, assert_no_catalogue_keys};
use serde_json::Value;

/// Every route the API serves. Adding a route means adding it here, and the OpenAPI document must
/// then list it too.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("post", "/api/v1/session"),
    ("delete", "/api/v1/session"),
    ("get", "/api/v1/session"),
    ("get", "/api/v1/regions"),
    ("get", "/api/v1/regions/{code}"),
    ("get", "/api/v1/regions/{code}/departments"),
    ("post", "/api/v1/regions/{code}/departments"),
    ("get", "/api/v1/departments/{id}"),
    ("get", "/api/v1/departments/{id}/people"),
    ("post", "/api/v1/departments/{id}/people"),
    ("get", "/api/v1/people/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/grants"),
    ("delete", "/api/v1/users/{id}/grants/{grant_id}"),
    ("get", "/api/v1/auth-events"),
    ("get", "/api/v1/log"),
    ("get", "/api/v1/log/checkpoints"),
    ("post", "/api/v1/log/checkpoints"),
    ("get", "/api/v1/log/inclusion"),
    ("get", "/api/v1/log/consistency"),
    ("get", "/api/v1/proofs/{table}/{id}"),
    ("post", "/api/v1/funds"),
    ("get", "/api/v1/funds/{id}"),
    ("post", "/api/v1/transfers"),
    ("get", "/api/v1/transfers/{id}"),
    ("post", "/api/v1/transfers/{id}/receipt"),
    ("post", "/api/v1/transfers/{id}/payment"),
    ("post", "/api/v1/suspensions"),
    ("post", "/api/v1/suspensions/{id}/resume"),
    ("get", "/api/v1/regions/{code}/ledger"),
    ("get", "/api/v1/regions/{code}/summary"),
    ("get", "/api/v1/regions/{code}/ledger.csv"),
    ("get", "/api/v1/regions/{code}/ledger.xlsx"),
    ("get", "/api/v1/projects"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects.csv"),
    ("get", "/api/v1/projects.xlsx"),
    ("get", "/api/v1/projects/{id}"),
    ("post", "/api/v1/projects/{id}/versions"),
    ("post", "/api/v1/projects/{id}/steps"),
    ("post", "/api/v1/projects/{id}/objections"),
    ("post", "/api/v1/objections/{id}/answer"),
    // Project assets (issue 17).
    ("get", "/api/v1/assets"),
    ("post", "/api/v1/assets"),
    ("get", "/api/v1/assets.csv"),
    ("get", "/api/v1/assets.xlsx"),
    ("get", "/api/v1/assets/{id}"),
    ("post", "/api/v1/assets/{id}/actions"),
    // Public notices (issue 16).
    ("get", "/api/v1/notices"),
    ("post", "/api/v1/notices"),
    ("get", "/api/v1/notices/{id}"),
    ("post", "/api/v1/notices/{id}/fields"),
    ("post", "/api/v1/notices/{id}/actions"),
    ("post", "/api/v1/notices/{id}/postings"),
    ("post", "/api/v1/notices/{id}/postings/{posting}/confirm"),
    ("get", "/api/v1/notice-dues"),
    ("get", "/api/v1/public-objections"),
    ("post", "/api/v1/public-objections/{id}/answer"),
    ("get", "/api/v1/public/notices/{id}"),
    ("post", "/api/v1/public/notices/{id}/objections"),
    ("post", "/api/v1/public/projects/{id}/objections"),
    ("get", "/api/v1/public/receipts/{code}"),
    ("post", "/api/v1/projects/{id}/milestones"),
    ("post", "/api/v1/milestones/{id}/updates"),
    ("post", "/api/v1/projects/{id}/beneficiaries"),
    ("post", "/api/v1/projects/{id}/responsibilities"),
    ("post", "/api/v1/responsibilities/{id}/end"),
    ("get", "/api/v1/responsibilities"),
    ("get", "/api/v1/responsibilities.csv"),
    ("get", "/api/v1/responsibilities.xlsx"),
    ("get", "/api/v1/responsibility-letters"),
    ("post", "/api/v1/responsibility-letters"),
    ("get", "/api/v1/responsibility-letters/{id}"),
    ("get", "/api/v1/inspections"),
    ("post", "/api/v1/inspections"),
    ("get", "/api/v1/inspections.csv"),
    ("get", "/api/v1/inspections.xlsx"),
    ("get", "/api/v1/inspections/{id}"),
    ("post", "/api/v1/inspections/{id}/done"),
    ("get", "/api/v1/coverage"),
    ("get", "/api/v1/spot-draws"),
    ("post", "/api/v1/spot-draws"),
    ("get", "/api/v1/problems"),
    ("post", "/api/v1/problems"),
    ("get", "/api/v1/problems.csv"),
    ("get", "/api/v1/problems.xlsx"),
    ("get", "/api/v1/problems/{id}"),
    ("post", "/api/v1/problems/{id}/actions"),
    ("post", "/api/v1/problems/{id}/escalations"),
    ("post", "/api/v1/escalations/{id}/outcome"),
    ("get", "/api/v1/proposals"),
    ("post", "/api/v1/proposals/{id}/dismiss"),
    ("get", "/api/v1/overdue-proposals"),
    ("post", "/api/v1/overdue-proposals/{id}/decide"),
    ("post", "/api/v1/session/second-step"),
    ("get", "/api/v1/account/sessions"),
    ("delete", "/api/v1/account/sessions/{id}"),
    ("get", "/api/v1/acceptance-rules/{county}"),
    ("put", "/api/v1/acceptance-rules/{county}"),
    ("get", "/api/v1/acceptances"),
    ("post", "/api/v1/acceptances"),
    ("get", "/api/v1/acceptances.csv"),
    ("get", "/api/v1/acceptances.xlsx"),
    ("get", "/api/v1/acceptances/book"),
    ("get", "/api/v1/acceptances/book.csv"),
    ("get", "/api/v1/acceptances/book.xlsx"),
    ("get", "/api/v1/acceptances/implemented"),
    ("get", "/api/v1/acceptances/implemented.csv"),
    ("get", "/api/v1/acceptances/implemented.xlsx"),
    ("get", "/api/v1/acceptances/{id}"),
    ("post", "/api/v1/acceptances/{id}/accept"),
    ("post", "/api/v1/acceptances/{id}/inspections"),
    ("post", "/api/v1/acceptances/{id}/post"),
    ("post", "/api/v1/acceptances/{id}/precheck"),
    ("post", "/api/v1/acceptances/{id}/signoffs"),
    ("post", "/api/v1/acceptances/{id}/team"),
    ("get", "/api/v1/evaluations"),
    ("get", "/api/v1/evaluations.csv"),
    ("get", "/api/v1/evaluations.xlsx"),
    ("get", "/api/v1/evaluations/{id}"),
    ("post", "/api/v1/evaluations/{id}/record"),
    ("post", "/api/v1/evaluations/{id}/return"),
    ("post", "/api/v1/evaluations/{id}/review"),
    ("get", "/api/v1/committees"),
    ("get", "/api/v1/committees/{village}"),
    ("post", "/api/v1/committees/{village}/terms"),
    ("post", "/api/v1/committee-terms/{id}/members"),
    ("post", "/api/v1/committee-members/{id}/end"),
    ("post", "/api/v1/committee-members/{id}/signatures"),
    ("get", "/api/v1/complaints"),
    ("post", "/api/v1/complaints"),
    ("get", "/api/v1/complaints.csv"),
    ("get", "/api/v1/complaints.xlsx"),
    ("get", "/api/v1/complaints/stats"),
    ("get", "/api/v1/complaints/{id}"),
    ("post", "/api/v1/complaints/{id}/steps"),
    ("post", "/api/v1/complaints/{id}/publication"),
    ("get", "/api/v1/public/complaints"),
    ("post", "/api/v1/public/complaints"),
    ("post", "/api/v1/public/complaints/lookup"),
    ("post", "/api/v1/public/complaints/steps"),
    ("get", "/api/v1/flags"),
    ("get", "/api/v1/flags.csv"),
    ("get", "/api/v1/flags.xlsx"),
    ("get", "/api/v1/flags/{id}"),
    ("post", "/api/v1/flags/{id}/steps"),
    ("post", "/api/v1/flags/scan"),
    ("get", "/api/v1/flag-rules"),
    ("post", "/api/v1/flag-settings"),
    ("get", "/api/v1/assessment/{year}"),
    ("get", "/api/v1/assessment/{year}/counties/{code}"),
    ("get", "/api/v1/assessment/{year}/scheme"),
    ("post", "/api/v1/assessment/schemes"),
    ("post", "/api/v1/assessment/{year}/steps"),
    ("post", "/api/v1/assessment/{year}/appeals"),
    ("post", "/api/v1/assessment/{year}/appeals/{id}/decision"),
    ("get", "/api/v1/public/assessment/{year}"),
    ("get", "/api/v1/assessment/{year}/scores.csv"),
    ("get", "/api/v1/assessment/{year}/scores.xlsx"),
    ("get", "/api/v1/meetings"),
    ("post", "/api/v1/meetings"),
    ("get", "/api/v1/meetings.csv"),
    ("get", "/api/v1/meetings.xlsx"),
    ("get", "/api/v1/meetings/{id}"),
    ("post", "/api/v1/meetings/{id}/attendance"),
    ("post", "/api/v1/meetings/{id}/items"),
    ("post", "/api/v1/meetings/{id}/minutes"),
    ("post", "/api/v1/meetings/{id}/confirmations"),
    ("get", "/api/v1/appraisals"),
    ("post", "/api/v1/appraisals"),
    ("get", "/api/v1/appraisals/{id}"),
    ("get", "/api/v1/appraisals/{id}/table.csv"),
    ("get", "/api/v1/appraisals/{id}/table.xlsx"),
    ("post", "/api/v1/appraisals/{id}/applicants"),
    ("post", "/api/v1/appraisals/{id}/steps"),
    ("post", "/api/v1/appraisals/{id}/hits/{hit}/decision"),
    (
        "post",
        "/api/v1/appraisals/{id}/applicants/{applicant}/vote",
    ),
    ("post", "/api/v1/appraisals/{id}/samples"),
    ("post", "/api/v1/appraisals/{id}/checks"),
    (
        "post",
        "/api/v1/appraisals/{id}/objections/{objection}/answer",
    ),
    ("get", "/api/v1/crosscheck-lists"),
    ("get", "/api/v1/account/second-factor"),
    ("post", "/api/v1/account/second-factor"),
    ("post", "/api/v1/account/second-factor/confirm"),
    ("post", "/api/v1/account/second-factor/remove"),
    ("post", "/api/v1/users/{id}/disable"),
    ("post", "/api/v1/users/{id}/enable"),
    ("get", "/api/v1/sign-in-limits"),
    ("delete", "/api/v1/sign-in-limits/{id}"),
];

async fn openapi_lists_every_route(app: TestApp) {
    let c = app.client();
    let doc: Value = c
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(
        documented, expected,
        "the OpenAPI document and the route list differ"
    );
    // Every documented route is really served (our fallback answers `no_route` for the rest).
    for (method, path) in &documented {
        let url = app.url(
            &path
                .replace("{code}", "5291")
                .replace("{id}", "1")
                .replace("{grant_id}", "1")
                .replace("{table}", "departments")
                .replace("{county}", "529121"),
        );
        let req = match method.as_str() {
            "get" => c.get(&url),
            "post" => c.post(&url).json(&serde_json::json!({})),
            "put" => c.put(&url).json(&serde_json::json!({})),
            "delete" => c.delete(&url),
            _ => unreachable!(),
        };
        let text = req.send().await.unwrap().text().await.unwrap();
        assert!(
            !text.contains("\"no_route\""),
            "{method} {path} is documented but not served"
        );
    }
    let r = c
        .get(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "no_route"
    );
    // The browsable API page is served from the binary.
    let r = c.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("swagger"));
}
crate::both_app!(openapi_lists_every_route_on, openapi_lists_every_route);

#[test]
fn api_routes_are_only_registered_with_their_documentation() {
    // A route added with a bare `.route(` would be served but missing from the document: each
    // feature's JSON routes live in its `api.rs` (or `<part>_api.rs`) and go through `routes!()`.
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut api_files = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let is_api = name == "api.rs" || name.ends_with("_api.rs");
        if is_api {
            api_files += 1;
            assert!(
                !text.contains(".route("),
                "{} must register routes through routes!() only",
                f.display()
            );
        } else if name == "lib.rs" {
            assert!(
                text.matches("\"/api/v1/").count() <= 1,
                "API routes belong in the features' api.rs"
            );
        } else {
            assert!(
                !text.contains("\"/api/v1/"),
                "{}: API routes belong in the feature's api.rs",
                f.display()
            );
        }
    }
    assert!(api_files >= 10, "found only {api_files} api.rs files");
}

async fn pages_speak_chinese_by_default_and_english_on_request(app: TestApp) {
    let c = app.client();
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("<html lang=\"zh-CN\">")
            && home.contains("阳光账本")
            && home.contains("资金拨付台账")
    );
    assert_no_catalogue_keys(&home);
    let en = c
        .get(app.url("/?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Fund appropriation ledger"));
    // The switch link sets a cookie that sticks.
    let r = c
        .get(app.url("/lang/en?next=/regions"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/regions");
    let regions = c
        .get(app.url("/regions/529121"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        regions.contains("Subdivisions") && regions.contains("云岭县"),
        "{regions}"
    );
    assert_no_catalogue_keys(&regions);
    // An off-site `next` is not followed.
    let r = c
        .get(app.url("/lang/zh-CN?next=//evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    // Signed-in language preference follows the account.
    let finance = app.signed_in("yunling.finance").await;
    finance.get(app.url("/lang/en")).send().await.unwrap();
    let u = app
        .db
        .store
        .user_by_username("yunling.finance")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.locale.as_deref(), Some("en"));
}
crate::both_app!(
    pages_speak_chinese_by_default_and_english_on_request_on,
    pages_speak_chinese_by_default_and_english_on_request
);

async fn pages_sign_in_and_respect_scope(app: TestApp) {
    let c = app.client();
    // Private pages send the public to sign-in.
    let r = c.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=/admin/users")
    );
    // A wrong password re-renders the form with the reason, in Chinese.
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "yunling.admin"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "yunling.admin"),
            ("password", sunledger::demo::DEMO_PASSWORD),
            ("next", "/regions/529121"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/regions/529121");
    let county = c
        .get(app.url("/regions/529121"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(county.contains("云岭县财政局") && county.contains("部门与组织"));
    assert_no_catalogue_keys(&county);
    // Another county: names are public, departments are not shown.
    let other = c
        .get(app.url("/regions/529122"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(other.contains("石门县") && !other.contains("部门与组织"));
    let users = c
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(users.contains("yunling.finance") && !users.contains("shimen.finance"));
    // A department of another county is hidden as not found.
    let admin = app.signed_in("admin").await;
    let depts: Value = admin
        .get(app.url("/api/v1/regions/529122/departments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = depts[0]["id"].as_i64().unwrap();
    let r = c
        .get(app.url(&format!("/departments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("未找到该内容"));
    // Add a department through the form.
    let r = c
        .post(app.url("/regions/529121100/departments"))
        .form(&[
            ("kind", "business_department"),
            ("name", "测试镇水利站"),
            ("credit_code", ""),
            ("stationed_by", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = c
        .get(app.url(r.headers()["location"].to_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("测试镇水利站"));
    // Sign out through the form.
    let r = c.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        c.get(app.url("/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
}
crate::both_app!(
    pages_sign_in_and_respect_scope_on,
    pages_sign_in_and_respect_scope
);

//! The assessment's pages through the real server: the printed notice of the published ranking
//! (public, every county and the criticism that cost points, the hash to check; gone when the
//! round is withdrawn), a refused appeal form that comes back as typed under 422, and the ranking
//! page sending a township's official to the published ranking.
use crate::support::{TestApp, assert_no_catalogue_keys, rc};
use sunledger_core::Role;
use sunledger_core::assessment::RoundAction;

const COUNTY: &str = "529121000000";
const YEAR: i32 = 2026;

async fn page(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn the_notice_prints_the_published_ranking(app: TestApp) {
    let store = app.db.store.clone();
    let round = store.assessment_round(&rc("5291"), YEAR).await.unwrap();
    assert_eq!(round.state, "published", "the demo publishes its ranking");
    let publication = round.publications.first().unwrap().clone();
    let cards: Vec<sunledger_store::CountyScore> =
        serde_json::from_str(&publication.cards).unwrap();
    let path = format!("/public/assessment/notice?year={YEAR}&city=529100000000");
    // Anyone may print it: no account.
    let (status, html) = page(&app, &app.client(), &path).await;
    assert_eq!(status, 200, "{html}");
    assert_no_catalogue_keys(&html);
    assert!(html.contains(&format!("关于{YEAR}年度县（市、区）监督工作考核结果的通报")));
    assert!(html.contains(&publication.hash), "the hash to check it by");
    assert!(html.contains(&publication.log_size.to_string()));
    assert!(html.contains("<svg"), "the QR code of the public ranking");
    for c in &cards {
        let line = format!(
            "<td>{}</td><td><strong>{}</strong></td>",
            c.name,
            c.card.total.text()
        );
        assert!(html.contains(&line), "{} with its total: {html}", c.name);
    }
    // 石门县 was criticised by name with 3 points off; 云岭县's two appeals were decided.
    let criticism = html
        .split("<tr>")
        .find(|row| row.contains("青扶通"))
        .unwrap_or_else(|| panic!("the informed criticism: {html}"));
    assert!(
        criticism.contains("石门县") && criticism.contains("<td>-3</td>"),
        "{criticism}"
    );
    assert!(html.contains("共提出申诉2件，经审核成立1件"), "{html}");
    // The public ranking links to it.
    let (_, public) = page(
        &app,
        &app.client(),
        &format!("/public/assessment?year={YEAR}&city=5291"),
    )
    .await;
    assert!(
        public.contains("/public/assessment/notice?year="),
        "{public}"
    );

    // In English too.
    let en = app.client();
    en.get(app.url("/lang/en?next=/")).send().await.unwrap();
    let (status, html) = page(&app, &en, &path).await;
    assert_eq!(status, 200);
    assert_no_catalogue_keys(&html);
    assert!(html.contains(&format!(
        "Notice of the county assessment results for {YEAR}"
    )));

    // Withdrawn, there is nothing to print.
    let reviewer = crate::duty::person(
        &*store,
        "assessment.notice.withdrawer",
        &[(Role::MunicipalBureau, "5291")],
    )
    .await;
    let now = sunledger_web::Clock::now(&*app.clock);
    store
        .assessment_round_step(
            &rc("5291"),
            YEAR,
            RoundAction::Unpublish,
            "重新核算",
            Some(reviewer),
            now,
        )
        .await
        .unwrap();
    let (status, _) = page(&app, &app.client(), &path).await;
    assert_eq!(status, 404);
}
crate::both_app!(
    the_notice_prints_the_published_ranking_on,
    the_notice_prints_the_published_ranking
);

/// An appeal without its reasons comes back on the county's card as typed, under 422, naming
/// the field; nothing is filed. A township's official asking for the ranking is sent to the
/// published one.
async fn a_refused_appeal_keeps_what_was_typed(app: TestApp) {
    let party = app.signed_in("yunling.party").await;
    let before = app
        .db
        .store
        .assessment_appeals(&rc(COUNTY), YEAR)
        .await
        .unwrap()
        .len();
    // A row that costs 云岭县 points: an overdue problem.
    let now = sunledger_web::Clock::now(&*app.clock);
    let (_, card) = app
        .db
        .store
        .assessment_card(&rc(COUNTY), YEAR, now)
        .await
        .unwrap();
    let row_key = card
        .item("1.3")
        .and_then(|i| i.rows.iter().find(|r| r.points.0 < 0 && !r.appealed))
        .map(|r| r.row.key())
        .expect("an overdue problem of 云岭县");
    let r = party
        .post(app.url("/assessment/appeals"))
        .form(&[
            ("year", YEAR.to_string().as_str()),
            ("county", COUNTY),
            ("item", "1.3"),
            ("row_key", row_key.as_str()),
            ("reason", "   "),
            ("evidence", "乡镇整改验收记录（保留）"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert_no_catalogue_keys(&html);
    assert!(
        html.contains("乡镇整改验收记录（保留）"),
        "kept as typed: {html}"
    );
    assert!(html.contains("role=\"alert\""), "the reason shown: {html}");
    let after = app
        .db
        .store
        .assessment_appeals(&rc(COUNTY), YEAR)
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing filed");

    let township = app.signed_in("yunling.township").await;
    let r = township
        .get(app.url(&format!("/assessment?year={YEAR}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/public/assessment?year={YEAR}"));
    // A county's official is sent to the county's card.
    let r = party
        .get(app.url(&format!("/assessment?year={YEAR}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(&format!("/assessment/counties/{COUNTY}")),
        "{:?}",
        r.headers()["location"]
    );
}
crate::both_app!(
    a_refused_appeal_keeps_what_was_typed_on,
    a_refused_appeal_keeps_what_was_typed
);

//! The annual assessment (issue 21) on a phone: the published ranking for everyone, its printed
//! notice, and a county official's own card.
use super::*;

/// On a phone, with no account, a reader opens the city's published ranking: every county with
/// its rank and total fits the screen (the total is not cut off), the hash wraps, and the link
/// prints the notice with the ranking and the criticism that cost 石门县 its points. Then 云岭县's
/// Party secretary signs in, asks for the assessment and lands on the county's own card, with the
/// upheld appeal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_reader_reads_the_published_ranking_and_its_notice() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let city = crate::support::rc("5291");
    let round = app
        .db
        .store
        .assessment_round(&city, 2026)
        .await
        .expect("the round");
    let cards: Vec<sunledger_store::CountyScore> = serde_json::from_str(
        &round
            .publications
            .first()
            .expect("the demo publishes its ranking")
            .cards,
    )
    .expect("the published cards");
    let yunling = cards
        .iter()
        .find(|c| c.code == "529121000000")
        .map(|c| c.card.total.text())
        .expect("云岭县 in the publication");
    let base = app.url("");
    drive(started, move |c, shots| async move {
        c.goto(&format!("{base}/public/assessment?year=2026&city=5291"))
            .await
            .expect("open the published ranking");
        wait_path(&c, "/public/assessment").await;
        assert_fits_phone(&c, "the published ranking").await;
        assert_chinese_glyphs(&c).await;
        // 云岭县's row shows its total: the third column is not hidden on a phone.
        let row = c
            .find(Locator::XPath(
                "//main//tr[td[2][normalize-space()='云岭县']]",
            ))
            .await
            .expect("云岭县's row");
        let total = row
            .find(Locator::Css("td:nth-child(3)"))
            .await
            .expect("its total");
        assert!(
            total.is_displayed().await.expect("shown?"),
            "the total is hidden"
        );
        assert_eq!(total.text().await.expect("total").trim(), yunling);
        shots.take(&c, "70-assessment-public").await;

        click(&c, "main", "打印通报").await;
        c.wait()
            .at_most(STEP)
            .for_element(Locator::Css("h1"))
            .await
            .expect("the notice");
        assert_eq!(
            c.current_url().await.expect("url").path(),
            "/public/assessment/notice"
        );
        let notice = text(&c, "body").await;
        assert!(
            notice.contains("关于2026年度县（市、区）监督工作考核结果的通报"),
            "{notice}"
        );
        assert!(
            notice.contains("青扶通") && notice.contains("石门县"),
            "{notice}"
        );
        assert!(!notice.contains("assessment."), "a raw key: {notice}");
        shots.take(&c, "71-assessment-notice").await;

        // 云岭县's Party secretary asks for the assessment and gets the county's own card.
        super::acceptance::sign_in(&c, &base, "yunling.party", "/").await;
        c.goto(&format!("{base}/assessment?year=2026"))
            .await
            .expect("open the assessment");
        wait_path(&c, "/assessment/counties/529121000000").await;
        assert_fits_phone(&c, "the county's card").await;
        let card = text_once(&c, "main", &["云岭县", "已支持"]).await;
        assert!(
            card.contains(&yunling),
            "the published total {yunling}: {card}"
        );
        assert!(!card.contains("assessment."), "a raw key: {card}");
        shots.take(&c, "72-assessment-card").await;
    })
    .await;
    eprintln!("done after {:.1} s", started.elapsed().as_secs_f64());
}

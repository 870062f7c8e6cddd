//! A township official rectifies a problem of Book 3.
use super::*;

/// A township official works on a problem of Book 3 on a phone: signs in, sees its deadlines
/// first with the summary, starts rectifying, submits the evidence, and opens the reminder letter
/// the discipline commission sent, printable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_township_rectifies_a_problem() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let township = sunledger_core::RegionCode::parse("529121100").expect("township");
    let gov = app
        .db
        .store
        .departments_in(&township)
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.kind == "government")
        .expect("the township government");
    // The discipline commission records a problem due in three days and sends a reminder.
    let inspector = app.signed_in("yunling.discipline").await;
    let today = sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let r = inspector
        .post(app.url("/api/v1/problems"))
        .json(&serde_json::json!({
            "region": "529121100", "category": "fund_management", "severity": "serious",
            "title": "项目资金滞留未拨付", "description": "村组道路硬化项目资金在乡财政所滞留",
            "department_id": gov.id, "amount": "120000.00",
            "deadline": sunledger_core::day::format(today + 3)}))
        .send()
        .await
        .expect("record a problem");
    assert_eq!(r.status(), 201);
    let problem: serde_json::Value = r.json().await.expect("problem JSON");
    let pid = problem["id"].as_i64().expect("problem id");
    let r = inspector
        .post(app.url(&format!("/api/v1/problems/{pid}/escalations")))
        .json(&serde_json::json!({
            "step": "reminder_letter", "document_no": "云纪督〔2026〕3号",
            "issuing_unit": "云岭县纪委监委", "responsible_person": "镇长",
            "content": "请立即整改"}))
        .send()
        .await
        .expect("send a reminder");
    assert_eq!(r.status(), 201);
    let letter: serde_json::Value = r.json().await.expect("escalation JSON");
    let letter = letter["id"].as_i64().expect("escalation id");
    // More problems, due later, so that the list has a second page.
    for n in 0..55 {
        let r = inspector
            .post(app.url("/api/v1/problems"))
            .json(&serde_json::json!({
                "region": "529121100", "category": "cadre_style", "severity": "general",
                "title": format!("作风问题 {n:02}"), "description": "x",
                "department_id": gov.id, "deadline": sunledger_core::day::format(today + 60)}))
            .send()
            .await
            .expect("record a problem");
        assert_eq!(r.status(), 201);
    }
    let base = app.url("");
    drive(started, move |c, shots| async move {
        rectify(&c, &base, pid, letter, &shots).await
    })
    .await;
}

async fn rectify(c: &Client, base: &str, pid: i64, letter: i64, shots: &Shots) {
    let go = |path: &str| format!("{base}{path}");
    c.goto(&go("/login?next=/problems"))
        .await
        .expect("open /login");
    fill(c, "username", "yunling.township").await;
    fill(c, "password", sunledger::demo::DEMO_PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, "/problems").await;
    assert!(text(c, "main h1").await.starts_with("问题整改台账"));
    let summary = text(c, "main ul.summary").await;
    assert!(summary.contains("7 天内到期"), "{summary}");
    let card = c
        .find(Locator::XPath(
            "//ul[contains(@class,'problems')]/li[.//strong[text()='项目资金滞留未拨付']]",
        ))
        .await
        .expect("the problem's card")
        .text()
        .await
        .expect("card text");
    assert!(card.contains("还剩 3 天"), "{card}");
    assert_fits_phone(c, "/problems").await;
    shots.take(c, "20-problems").await;

    // The second page, through the pager.
    let showing = text(c, "main nav.pager .showing").await;
    assert!(showing.starts_with("第 1–50 条，共 "), "{showing}");
    c.find(Locator::Css("main nav.pager a[rel=next]"))
        .await
        .expect("the next-page link")
        .click()
        .await
        .expect("next page");
    let deadline = Instant::now() + STEP;
    let showing = loop {
        let u = c.current_url().await.expect("current URL");
        if u.query() == Some("page=2") {
            wait_path(c, "/problems").await;
            break text(c, "main nav.pager .showing").await;
        }
        assert!(
            Instant::now() < deadline,
            "still at {u} after clicking next"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(showing.starts_with("第 51–"), "{showing}");
    assert_fits_phone(c, "/problems?page=2").await;
    shots.take(c, "20b-problems-page-2").await;
    c.goto(&go("/problems")).await.expect("back to page 1");
    wait_path(c, "/problems").await;

    click(c, "main ul.cards.problems", "项目资金滞留未拨付").await;
    let page = format!("/problems/{pid}");
    wait_path(c, &page).await;
    c.find(Locator::Css("button.action-start"))
        .await
        .expect("the start button")
        .click()
        .await
        .expect("start");
    wait_path(c, &page).await;
    c.wait()
        .at_most(STEP)
        .for_element(Locator::Css("button.action-submit"))
        .await
        .expect("the submit button after starting");
    assert_eq!(text(c, "main .tag.state-rectifying").await, "整改中");
    fill(c, "text", "资金已全部拨付到位，附银行回单").await;
    c.find(Locator::Css("button.action-submit"))
        .await
        .expect("the submit button")
        .click()
        .await
        .expect("submit");
    wait_path(c, &page).await;
    assert_eq!(text(c, "main .tag.state-submitted").await, "已报送整改");
    let main = text(c, "main").await;
    assert!(
        main.contains("资金已全部拨付到位") && main.contains("云纪督〔2026〕3号"),
        "{main}"
    );
    assert_fits_phone(c, "problem page").await;
    shots.take(c, "21-problem").await;

    // The problem's proof: long hashes wrap inside the phone's width.
    click(c, "main", "记账证明").await;
    wait_path(c, &format!("/proofs/problems/{pid}")).await;
    assert_fits_phone(c, "proof page").await;
    shots.take(c, "21b-proof").await;
    c.back().await.expect("back to the problem");
    wait_path(c, &page).await;

    click(c, &format!("li#step-{letter}"), "打印文书").await;
    wait_path(c, &format!("/escalations/{letter}/print")).await;
    assert_eq!(text(c, "main h1.doc-title").await, "书面提醒函");
    assert!(
        text(c, "main article.document")
            .await
            .contains("云纪督〔2026〕3号")
    );
    assert_fits_phone(c, "letter").await;
    shots.take(c, "22-letter").await;
}

//! A village cadre declares a project.
use super::*;

/// A village cadre declares a project on a phone, in Chinese: from the library through the form
/// (a forgotten target is pointed out and nothing typed is lost) to the project's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_declares_a_project() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let base = app.url("");
    drive(started, move |c, shots| async move {
        declare(&c, &base, &shots).await
    })
    .await;
}

async fn declare(c: &Client, base: &str, shots: &Shots) {
    let go = |path: &str| format!("{base}{path}");
    c.goto(&go("/login?next=/projects"))
        .await
        .expect("open /login");
    fill(c, "username", "yunling.village").await;
    fill(c, "password", sunledger::demo::DEMO_PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, "/projects").await;
    assert!(text(c, "main h1").await.starts_with("项目库"));
    assert_fits_phone(c, "/projects").await;
    shots.take(c, "10-library").await;

    click(c, "main", "申报项目").await;
    wait_path(c, "/projects/new").await;
    assert_eq!(text(c, "main h1").await, "申报项目");
    fill(c, "name", "村级光伏电站").await;
    fill(c, "budget_central_special", "300000").await;
    // The form starts with the satisfaction indicator; its weight and an output row are typed.
    fill(c, "t0_weight", "20").await;
    fill(c, "t1_name", "建设村级光伏电站").await;
    fill(c, "t1_target", "200").await;
    fill(c, "t1_unit", "千瓦").await;
    // The declaration cites the village meeting's passed decision (issue 18): pick the newest.
    c.execute(
        "document.querySelector('[name=meeting_item_id]').selectedIndex = 1;",
        vec![],
    )
    .await
    .expect("pick the meeting's decision");
    assert_fits_phone(c, "/projects/new").await;
    shots.take(c, "11-declare-form").await;
    fill(c, "t1_weight", "80").await;
    c.find(Locator::Css("button[name=declare][value='1']"))
        .await
        .expect("declare button")
        .click()
        .await
        .expect("submit");
    let deadline = Instant::now() + STEP;
    while !c
        .current_url()
        .await
        .expect("url")
        .path()
        .starts_with("/projects/")
        || c.current_url().await.expect("url").path() == "/projects/new"
    {
        assert!(
            Instant::now() < deadline,
            "no project page after declaring: {}",
            url(c).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.wait()
        .at_most(STEP)
        .for_element(Locator::Css("footer"))
        .await
        .expect("page loaded");
    assert_eq!(text(c, "main h1").await, "村级光伏电站");
    let page = text(c, "main").await;
    for s in [
        "村级已申报",
        "建设村级光伏电站",
        "≥ 200 千瓦",
        "受益群众满意度",
        "300,000.00",
        "全过程记录",
        "申报",
    ] {
        assert!(
            page.contains(s),
            "{s} missing from the project page:\n{page}"
        );
    }
    assert_fits_phone(c, "project page").await;
    shots.take(c, "12-declared").await;
}

//! A villager without an account finds their village from the county page and objects to a
//! public notice (issue 16's done-means).
use super::*;

/// On a phone, a villager with no account opens the open policy notice of the demo village,
/// reads the subsidy standard and the amount per household, objects and gets a receipt code;
/// an official of the township answers through the API; the villager looks the code up and
/// reads the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_villager_objects_to_a_notice_and_reads_the_answer() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    // The demo village's policy notice whose window is open today.
    let today = sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let village = sunledger_core::RegionCode::parse("529121100201").expect("village");
    let (notices, _) = app
        .db
        .store
        .notices(
            &sunledger_store::NoticeFilter {
                scopes: vec![village],
                kind: Some("policy".into()),
                state: Some("published".into()),
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .expect("notices");
    let notice = notices
        .into_iter()
        .find(|n| n.window().is_some_and(|w| w.is_open(today)))
        .expect("an open policy notice in the demo village");
    let standard = notice
        .fields
        .get("subsidy_standard")
        .cloned()
        .expect("a subsidy standard");
    let amount = notice
        .fields
        .get("amount_per_household")
        .and_then(|f| f.parse::<i64>().ok())
        .expect("an amount per household");
    // ¥3,000.00 as the page writes it.
    let yuan = amount / 100;
    let amount_shown = format!("{},{:03}.{:02}", yuan / 1000, yuan % 1000, amount % 100);
    assert!(yuan >= 1000, "the demo's amount is in thousands: {amount}");
    let official = app.signed_in("yunling.township").await;
    let base = app.url("");
    let id = notice.id;
    let title = notice.title().to_string();
    drive(started, move |c, shots| async move {
        find_the_notice(&c, &base, &title, id).await;
        object_and_read(&c, &base, &shots, &standard, &amount_shown, &official).await
    })
    .await;
}

/// From the county's public page, down to the township and the village, to the notice.
async fn find_the_notice(c: &Client, base: &str, title: &str, id: i64) {
    let page_of = |code: &str| {
        format!(
            "/public/regions/{}",
            sunledger_core::RegionCode::parse(code)
                .expect("code")
                .as_str()
        )
    };
    c.goto(&format!("{base}{}", page_of("529121")))
        .await
        .expect("open the county page");
    wait_path(c, &page_of("529121")).await;
    click(c, "ul.places", "金坪镇").await;
    wait_path(c, &page_of("529121100")).await;
    click(c, "ul.places", "青坪村").await;
    wait_path(c, &page_of("529121100201")).await;
    assert_fits_phone(c, "the village page").await;
    click(c, "ul.notices", title).await;
    wait_path(c, &format!("/public/notices/{id}")).await;
}

async fn object_and_read(
    c: &Client,
    base: &str,
    shots: &Shots,
    standard: &str,
    amount: &str,
    official: &reqwest::Client,
) {
    let go = |path: &str| format!("{base}{path}");
    // The notice, as anyone sees it (reached from the county page).
    let page = text(c, "main").await;
    assert!(page.contains(standard), "no subsidy standard on:\n{page}");
    assert!(
        page.contains(&format!("¥{amount}")),
        "no amount ¥{amount} on:\n{page}"
    );
    assert_fits_phone(c, "the public notice").await;
    assert_chinese_glyphs(c).await;
    shots.take(c, "60-notice-public").await;

    // The objection, with a name and a phone that stay internal.
    fill(
        c,
        "content",
        "我家也养了两头牛，申请过奖补，名单上没有我家，请核实。",
    )
    .await;
    fill(c, "name", "龙桂英").await;
    fill(c, "phone", "0871-5550199").await;
    shots.take(c, "61-notice-objection").await;
    c.find(Locator::Css(
        "form[action*='/public/notices/'] button[type=submit]",
    ))
    .await
    .expect("the objection's button")
    .click()
    .await
    .expect("submit the objection");
    let code = text(c, "strong.receipt").await;
    let ok = code.len() == 11
        && code.chars().enumerate().all(|(i, ch)| {
            if i == 5 {
                ch == '-'
            } else {
                "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(ch)
            }
        });
    assert!(ok, "the receipt code {code:?} is not XXXXX-XXXXX");
    let page = text(c, "main").await;
    assert!(
        !page.contains("0871-5550199") && !page.contains("龙桂英"),
        "the objector's name or phone is shown:\n{page}"
    );
    assert_fits_phone(c, "the receipt").await;
    shots.take(c, "62-notice-receipt").await;

    // The township answers it, through the API.
    let awaiting: serde_json::Value = official
        .get(go("/api/v1/public-objections"))
        .send()
        .await
        .expect("objections awaiting")
        .json()
        .await
        .expect("objections JSON");
    let objection = awaiting
        .as_array()
        .expect("a list")
        .iter()
        .find(|o| o["receipt"] == code.as_str())
        .unwrap_or_else(|| panic!("objection {code} not awaiting an answer: {awaiting}"));
    let oid = objection["id"].as_i64().expect("objection id");
    let answer =
        "经村务监督委员会入户核实，你户申请时尚未购牛，已补录下一批奖补名单，请留意下批公示。";
    let r = official
        .post(go(&format!("/api/v1/public-objections/{oid}/answer")))
        .json(&serde_json::json!({ "answer": answer }))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        r.status(),
        200,
        "answer: {}",
        r.text().await.unwrap_or_default()
    );

    // The villager looks the code up.
    c.goto(&go("/public/receipts"))
        .await
        .expect("open the lookup");
    wait_path(c, "/public/receipts").await;
    fill(c, "code", &code.to_lowercase()).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("the lookup's button")
        .click()
        .await
        .expect("look the code up");
    let found = text(c, "p.answer").await;
    assert_eq!(found, answer);
    let page = text(c, "main").await;
    assert!(page.contains(&code), "{page}");
    assert_fits_phone(c, "the answer").await;
    shots.take(c, "63-notice-answer").await;
}

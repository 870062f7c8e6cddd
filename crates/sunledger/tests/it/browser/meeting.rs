//! A village meeting (issue 18) kept on a phone: the village cadre ticks the roster, watches the
//! quorum reached in words, and records a vote's counts; the page fits the phone and shows no
//! raw catalogue key.
use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_cadre_ticks_the_roster_and_records_a_vote() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let now = sunledger_web::Clock::now(&*app.clock);
    // A representatives' meeting of seven, called today.
    let m = app
        .db
        .store
        .call_meeting(
            &sunledger_store::NewMeeting {
                village: crate::support::rc("529121100201"),
                kind: sunledger_core::meeting::MeetingKind::Representatives,
                basis: sunledger_core::meeting::RosterBasis::Households,
                title: "村民代表会议：审议村级光伏电站".into(),
                planned_on: sunledger_core::day::today_text(now),
                named_votes: false,
                members: (1..=7).map(|i| format!("代表{i}")).collect(),
            },
            None,
            now,
        )
        .await
        .expect("call the meeting");
    let base = app.url("");
    let id = m.id;
    drive(started, move |c, shots| async move {
        keep(&c, &base, id, &shots).await;
    })
    .await;
    let r = app
        .db
        .store
        .meeting(id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!((r.meeting.present, r.meeting.quorum_met), (5, true));
    let item = r.items.first().expect("the vote");
    assert_eq!(
        (item.votes_for, item.outcome.as_deref()),
        (Some(4), Some("passed"))
    );
    eprintln!("done after {:.1} s", started.elapsed().as_secs_f64());
}

async fn assert_no_raw_keys(c: &Client, page: &str) {
    let body = text(c, "body").await;
    for key in ["meeting.", "field.", "reason.", "nav.", "book."] {
        assert!(
            !body.contains(key),
            "{page} shows a raw catalogue key {key}…:\n{body}"
        );
    }
}

async fn tick(c: &Client, names: &[&str]) {
    for n in names {
        let xpath = format!("//ul[@class='roster']//label[span[text()='{n}']]");
        c.find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no roster line {n}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("ticking {n}: {e}"));
    }
    c.find(Locator::Css("#roster button[type=submit]"))
        .await
        .expect("save attendance")
        .click()
        .await
        .expect("submit attendance");
}

async fn keep(c: &Client, base: &str, id: i64, shots: &Shots) {
    let page = format!("/meetings/{id}");
    c.goto(&format!("{base}/login?next={page}"))
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
    wait_path(c, &page).await;
    assert_eq!(attr(c, "html", "lang").await, "zh-CN");
    assert!(text(c, "#quorum").await.contains("实到 0 人 / 应到 7 人"));
    assert_fits_phone(c, &page).await;
    assert_no_raw_keys(c, &page).await;
    assert_chinese_glyphs(c).await;
    shots.take(c, "90-meeting-roster").await;

    // Four arrive: below two thirds of seven (five needed).
    tick(c, &["代表1", "代表2", "代表3", "代表4"]).await;
    wait_path(c, &page).await;
    text_once(c, "#quorum", &["实到 4 人", "未达法定人数"]).await;
    // The fifth: the meeting may decide.
    tick(c, &["代表5"]).await;
    wait_path(c, &page).await;
    text_once(c, "#quorum", &["实到 5 人", "已达法定人数"]).await;
    assert_fits_phone(c, &page).await;
    shots.take(c, "91-meeting-quorum").await;

    // The vote: four for, one against, none abstaining (left blank).
    fill(c, "title", "表决：申报村级光伏电站").await;
    fill(c, "votes_for", "4").await;
    fill(c, "votes_against", "1").await;
    c.find(Locator::Css("#items button[type=submit]"))
        .await
        .expect("record the item")
        .click()
        .await
        .expect("submit the vote");
    wait_path(c, &page).await;
    text_once(c, "#items ol.items", &["通过", "赞成 4，反对 1，弃权 0"]).await;
    assert_fits_phone(c, &page).await;
    assert_no_raw_keys(c, &page).await;
    shots.take(c, "92-meeting-vote").await;

    // In English too.
    c.goto(&format!("{base}{page}?lang=en"))
        .await
        .expect("open in English");
    wait_path(c, &page).await;
    let items = text(c, "#items ol.items").await;
    assert!(
        items.contains("Passed") && items.contains("4 for"),
        "{items}"
    );
    assert_fits_phone(c, &page).await;
    assert_no_raw_keys(c, &page).await;
}

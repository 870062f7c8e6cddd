//! A complaint from a villager's phone (issue 19): the public form without an account, the
//! receipt with its code and PIN, then — once the township has answered — the lookup that reads
//! the answer; a wrong PIN tells nothing. Every page fits the phone and shows no raw key.
use super::*;
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_villager_files_and_reads_the_answer() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let base = app.url("");
    let store = app.db.store.clone();
    let clock = app.clock.clone();
    let filed: Arc<Mutex<Option<(String, String)>>> = Arc::default();
    let out = filed.clone();
    drive(started, move |c, shots| async move {
        let (code, pin) = file(&c, &base, &shots).await;
        *out.lock().unwrap() = Some((code.clone(), pin.clone()));
        // The township accepts, investigates and answers it.
        let now = sunledger_web::Clock::now(&*clock);
        let (id, _) = store.complaint_pin(&code).await.unwrap().unwrap();
        let rules = sunledger_core::complaint::Rules::default();
        let cal = sunledger_core::day::Calendar::china();
        use sunledger_core::complaint::{ComplaintAction as A, Finding};
        for (action, text, finding) in [
            (A::Accept, "", None),
            (A::Investigate, "", None),
            (
                A::Answer,
                "经现场查看，路灯已于本周修复，今后由村里每月巡查一次。",
                Some(Finding::Substantiated),
            ),
        ] {
            let s = sunledger_store::ComplaintStepInput {
                action,
                text: text.into(),
                finding,
                transfer_to: None,
                merge_into: None,
                department_id: None,
                by_complainant: false,
            };
            store
                .complaint_step(id, &s, (&rules, &cal), None, now)
                .await
                .unwrap();
        }
        read(&c, &base, &code, &pin, &shots).await;
    })
    .await;
    assert!(filed.lock().unwrap().is_some());
    eprintln!("done after {:.1} s", started.elapsed().as_secs_f64());
}

async fn assert_no_raw_keys(c: &Client, page: &str) {
    let body = text(c, "body").await;
    for key in ["complaint.", "field.", "reason.", "nav.", "book."] {
        assert!(
            !body.contains(key),
            "{page} shows a raw catalogue key {key}…:\n{body}"
        );
    }
}

async fn choose(c: &Client, select: &str, value: &str) {
    c.find(Locator::Css(&format!(
        "select[name={select}] option[value='{value}']"
    )))
    .await
    .unwrap_or_else(|e| panic!("no option {value} in {select}: {e}"))
    .click()
    .await
    .unwrap_or_else(|e| panic!("choosing {value}: {e}"));
}

async fn file(c: &Client, base: &str, shots: &Shots) -> (String, String) {
    let page = "/public/complaints/new";
    c.goto(&format!("{base}/public/complaints"))
        .await
        .expect("open the complaints portal");
    click(c, "main", "我要投诉").await;
    wait_path(c, page).await;
    assert_eq!(attr(c, "html", "lang").await, "zh-CN");
    assert_fits_phone(c, page).await;
    assert_no_raw_keys(c, page).await;
    assert_chinese_glyphs(c).await;
    shots.take(c, "95-complaint-form").await;
    choose(c, "region", "529121100201").await;
    choose(c, "category", "project").await;
    fill(c, "title", "村口路灯坏了三个月").await;
    fill(
        c,
        "body",
        "村口到小学的路灯坏了三个月，晚上孩子放学看不见路。",
    )
    .await;
    c.find(Locator::Css("input[name=anonymous]"))
        .await
        .expect("the anonymous box")
        .click()
        .await
        .expect("tick anonymous");
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("submit the complaint");
    let code = text_once(c, "#code", &["SL-20"]).await;
    let pin = text(c, "#pin").await;
    assert!(
        code.len() == 16 && pin.len() == 6 && pin.chars().all(|ch| ch.is_ascii_digit()),
        "{code} {pin}"
    );
    assert!(
        text(c, "main").await.contains("金坪镇"),
        "routed to the township"
    );
    assert_fits_phone(c, page).await;
    assert_no_raw_keys(c, page).await;
    shots.take(c, "96-complaint-receipt").await;
    (code, pin)
}

async fn look_up(c: &Client, base: &str, code: &str, pin: &str) {
    c.goto(&format!("{base}/public/complaints/lookup"))
        .await
        .expect("open the lookup");
    wait_path(c, "/public/complaints/lookup").await;
    fill(c, "code", code).await;
    fill(c, "pin", pin).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("look up")
        .click()
        .await
        .expect("submit the lookup");
}

async fn read(c: &Client, base: &str, code: &str, pin: &str, shots: &Shots) {
    let page = "/public/complaints/lookup";
    // A wrong PIN: nothing about the complaint.
    let wrong = if pin == "000000" { "000001" } else { "000000" };
    look_up(c, base, code, wrong).await;
    let main = text_once(c, "main", &["受理码或查询码不对"]).await;
    assert!(!main.contains("路灯"), "{main}");
    assert_fits_phone(c, page).await;
    // The right one: the answer, its finding, the state.
    look_up(c, base, code, pin).await;
    let status = text_once(c, "#status", &["已答复", "属实"]).await;
    assert!(
        status.contains("路灯已于本周修复") && status.contains("村口路灯坏了三个月"),
        "{status}"
    );
    assert_fits_phone(c, page).await;
    assert_no_raw_keys(c, page).await;
    shots.take(c, "97-complaint-answer").await;
    // Satisfied: the complainant closes it.
    c.find(Locator::XPath(
        "//form[input[@name='action' and @value='close']]//button",
    ))
    .await
    .expect("the close button")
    .click()
    .await
    .expect("close it");
    text_once(c, "#state", &["已办结"]).await;
    // In English too.
    c.goto(&format!("{base}{page}?lang=en"))
        .await
        .expect("open in English");
    wait_path(c, page).await;
    assert_fits_phone(c, page).await;
    assert_no_raw_keys(c, page).await;
    assert!(text(c, "main").await.contains("PIN"));
}

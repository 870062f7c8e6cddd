//! A county finance official books on Book 1 from a phone.
use super::*;

/// On a phone, each ledger form refused for a bad amount (or an unknown name) comes back open,
/// with everything typed still in it and the message beside the field; fixed, it books, and the
/// page says so and shows the booking with names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_ledger_forms_keep_what_was_typed() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let base = app.url("");
    drive(started, move |c, shots| async move {
        ledger_forms(&c, &base, &shots).await
    })
    .await;
}

/// Types `value` into field `name` of the form `form` (opening its section first).
async fn type_in(c: &Client, form: &str, name: &str, value: &str) {
    let e = c
        .find(Locator::Css(&format!("#{form} [name={name}]")))
        .await
        .unwrap_or_else(|e| panic!("no field {name} in #{form}: {e}"));
    e.clear().await.ok();
    e.send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("typing into {name} of #{form}: {e}"));
}

async fn value_of(c: &Client, form: &str, name: &str) -> String {
    c.execute(
        &format!("return document.querySelector('#{form} [name={name}]').value;"),
        vec![],
    )
    .await
    .expect("read a field")
    .as_str()
    .unwrap_or_default()
    .to_string()
}

async fn open_form(c: &Client, form: &str) {
    c.execute(
        &format!("document.querySelector('#{form}').closest('details').open = true;"),
        vec![],
    )
    .await
    .expect("open the form's section");
}

async fn submit(c: &Client, form: &str) {
    c.find(Locator::Css(&format!("#{form} button[type=submit]")))
        .await
        .unwrap_or_else(|e| panic!("no button in #{form}: {e}"))
        .click()
        .await
        .expect("submit");
}

/// Waits for the refused form to come back and returns the message beside `field`.
async fn refusal(c: &Client, form: &str, field: &str) -> String {
    let css = format!("#{form} [name={field}] ~ .field-error");
    match c.wait().at_most(STEP).for_element(Locator::Css(&css)).await {
        Ok(e) => e.text().await.expect("message"),
        Err(e) => panic!(
            "no message beside {field} of #{form} on {}: {e}\n{}",
            url(c).await,
            text(c, "main").await
        ),
    }
}

async fn ledger_forms(c: &Client, base: &str, shots: &Shots) {
    let go = |path: &str| format!("{base}{path}");
    c.goto(&go("/login?next=/regions/529121/ledger"))
        .await
        .expect("open /login");
    fill(c, "username", "yunling.finance").await;
    fill(c, "password", sunledger::demo::DEMO_PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, "/regions/529121/ledger").await;

    // Receive a fund: a bad amount.
    open_form(c, "fund-form").await;
    type_in(c, "fund-form", "name", "2027年衔接资金（测试）").await;
    type_in(c, "fund-form", "document_no", "云财农〔2026〕200号").await;
    type_in(c, "fund-form", "amount", "12.345").await;
    submit(c, "fund-form").await;
    let msg = refusal(c, "fund-form", "amount").await;
    assert!(msg.contains("金额"), "{msg}");
    assert_eq!(
        value_of(c, "fund-form", "name").await,
        "2027年衔接资金（测试）"
    );
    assert_eq!(
        value_of(c, "fund-form", "document_no").await,
        "云财农〔2026〕200号"
    );
    assert_eq!(value_of(c, "fund-form", "amount").await, "12.345");
    assert_fits_phone(c, "a refused fund form").await;
    shots.take(c, "30-fund-refused").await;

    // Move money, naming the township by its name: a bad amount first.
    open_form(c, "transfer-form").await;
    type_in(c, "transfer-form", "to", "金坪镇").await;
    type_in(c, "transfer-form", "amount", "100.001").await;
    type_in(c, "transfer-form", "document_no", "云财农〔2026〕201号").await;
    type_in(c, "transfer-form", "purpose", "下达乡镇").await;
    submit(c, "transfer-form").await;
    refusal(c, "transfer-form", "amount").await;
    assert_eq!(value_of(c, "transfer-form", "to").await, "金坪镇");
    assert_eq!(
        value_of(c, "transfer-form", "document_no").await,
        "云财农〔2026〕201号"
    );
    assert_eq!(value_of(c, "transfer-form", "purpose").await, "下达乡镇");
    assert!(
        value_of(c, "transfer-form", "from")
            .await
            .contains("云岭县")
    );
    shots.take(c, "31-transfer-refused").await;
    // Fixed, it books: the page says so and names the township.
    type_in(c, "transfer-form", "amount", "1000").await;
    submit(c, "transfer-form").await;
    let note = text(c, "main p.notice").await;
    assert!(note.contains("已记账"), "{note}");
    let page = text(c, "main").await;
    assert!(page.contains("云岭县 → 金坪镇"), "{page}");

    // Suspend: a name that is nowhere here.
    open_form(c, "suspend-form").await;
    type_in(c, "suspend-form", "target", "不存在的项目").await;
    type_in(c, "suspend-form", "reason", "审计发现问题").await;
    type_in(c, "suspend-form", "document_no", "云财监〔2026〕9号").await;
    submit(c, "suspend-form").await;
    let msg = refusal(c, "suspend-form", "target").await;
    assert!(msg.contains("列表"), "{msg}");
    assert_eq!(value_of(c, "suspend-form", "reason").await, "审计发现问题");
    assert_eq!(
        value_of(c, "suspend-form", "document_no").await,
        "云财监〔2026〕9号"
    );
    assert_fits_phone(c, "a refused suspension").await;
    shots.take(c, "32-suspend-refused").await;
}

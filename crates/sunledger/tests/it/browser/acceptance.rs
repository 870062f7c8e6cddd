//! Book 4 (the acceptance ledger, issue 17) on a phone, in Chinese and in English.
use super::*;
use crate::support::rc;

/// On a phone, a member of an acceptance team reads the ledger of acceptances in Chinese; the
/// finance bureau's member, the last of the three to sign, signs the report in agreement, and the
/// acceptance shows as signed by the team, with three signature dates, in Chinese and in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_team_member_signs_an_acceptance() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    // The demo's acceptance waiting for its third signature: inspected, two of three signed.
    let (waiting, _) = app
        .db
        .store
        .acceptances(
            &sunledger_store::AcceptanceFilter {
                scopes: vec![rc("529121")],
                state: Some("inspected".into()),
                ..Default::default()
            },
            50,
            0,
        )
        .await
        .expect("acceptances");
    let a = waiting
        .into_iter()
        .find(|a| a.members == 3 && a.agreed == 2 && a.disagreed == 0)
        .expect("an inspected acceptance in 云岭县 waiting for its third signature");
    let base = app.url("");
    let (id, project) = (a.id, a.project_name.clone());
    drive(started, move |c, shots| async move {
        read_the_ledger(&c, &base, &project, &shots).await;
        sign(&c, &base, id, &project, &shots).await;
    })
    .await;
    let signed = app
        .db
        .store
        .acceptance(id)
        .await
        .expect("the acceptance")
        .expect("still there")
        .acceptance;
    assert_eq!(signed.state, "signed");
    assert_eq!((signed.members, signed.agreed), (3, 3));
    eprintln!("done after {:.1} s", started.elapsed().as_secs_f64());
}

pub(super) async fn sign_in(c: &Client, base: &str, username: &str, next: &str) {
    c.goto(&format!("{base}/login?next={next}"))
        .await
        .expect("open /login");
    fill(c, "username", username).await;
    fill(c, "password", sunledger::demo::DEMO_PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, next).await;
}

/// No catalogue key shows through untranslated.
async fn assert_no_raw_keys(c: &Client, page: &str) {
    let body = text(c, "body").await;
    for key in [
        "acceptance.",
        "project.category.",
        "dept.kind.",
        "book.",
        "problem.",
    ] {
        assert!(
            !body.contains(key),
            "{page} shows a raw catalogue key {key}…:\n{body}"
        );
    }
}

async fn read_the_ledger(c: &Client, base: &str, project: &str, shots: &Shots) {
    sign_in(c, base, "yunling.agri", "/acceptances").await;
    assert_eq!(attr(c, "html", "lang").await, "zh-CN");
    let cards = text(c, "main ul.cards").await;
    assert!(
        cards.contains(project),
        "no {project} in the ledger:\n{cards}"
    );
    for state in ["验收通过", "已验收检查"] {
        assert!(
            cards.contains(state),
            "no state {state} in the ledger:\n{cards}"
        );
    }
    assert_no_raw_keys(c, "/acceptances").await;
    assert_fits_phone(c, "/acceptances").await;
    assert_chinese_glyphs(c).await;
    shots.take(c, "70-acceptances").await;
    c.find(Locator::Css("header form[action='/logout'] button"))
        .await
        .expect("sign-out button")
        .click()
        .await
        .expect("click sign out");
    wait_path(c, "/").await;
}

/// The signature table's dates, one per row that has one.
async fn signature_dates(c: &Client) -> Vec<String> {
    let mut dates = Vec::new();
    for row in c
        .find_all(Locator::Css("main table.grid tbody tr"))
        .await
        .expect("signature rows")
    {
        let cells = row.find_all(Locator::Css("td")).await.expect("cells");
        let date = match cells.get(3) {
            Some(td) => td.text().await.expect("date text"),
            None => String::new(),
        };
        let d = date.trim();
        if d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-' {
            dates.push(d.to_string());
        }
    }
    dates
}

async fn sign(c: &Client, base: &str, id: i64, project: &str, shots: &Shots) {
    let page = format!("/acceptances/{id}");
    sign_in(c, base, "yunling.finance", &page).await;
    assert_eq!(text(c, "main h1").await, project);
    assert_eq!(text(c, "main .tag.state-inspected").await, "已验收检查");
    assert_eq!(
        signature_dates(c).await.len(),
        2,
        "two of three signed before"
    );
    let form = "main form:has(input[name=step][value=sign])";
    c.find(Locator::Css(&format!(
        "{form} input[name=opinion][value=agree]"
    )))
    .await
    .expect("the agree radio")
    .click()
    .await
    .expect("choose agree");
    let button = c
        .find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .expect("the sign button");
    assert_eq!(button.text().await.expect("button text"), "签署验收报告");
    assert_fits_phone(c, "the acceptance before signing").await;
    shots.take(c, "71-acceptance-sign").await;
    button.click().await.expect("sign");
    wait_path(c, &page).await;
    assert_eq!(text(c, "main .tag.state-signed").await, "验收组已签字");
    let dates = signature_dates(c).await;
    assert_eq!(dates.len(), 3, "three signature dates: {dates:?}");
    assert_no_raw_keys(c, &page).await;
    assert_fits_phone(c, "the signed acceptance").await;
    shots.take(c, "72-acceptance-signed").await;

    // The same page in English.
    c.goto(&format!("{base}{page}?lang=en"))
        .await
        .expect("open in English");
    wait_path(c, &page).await;
    assert_eq!(attr(c, "html", "lang").await, "en");
    assert_eq!(
        text(c, "main .tag.state-signed").await,
        "Signed by the team"
    );
    let main = text(c, "main").await;
    assert!(main.contains("Agree"), "no opinion in English:\n{main}");
    assert_eq!(signature_dates(c).await.len(), 3);
    assert_no_raw_keys(c, &format!("{page}?lang=en")).await;
    assert_fits_phone(c, "the signed acceptance in English").await;
    shots.take(c, "73-acceptance-signed-en").await;
}

//! Book 4's performance evaluations (issue 17) on a phone, in Chinese and in English.
use super::*;
use crate::support::rc;

/// On a phone, the county bureau's officer opens the overdue evaluations, records the demo's
/// overdue one (the system's own values shown, the others typed with their evidence), and the
/// evaluation waits for its review, in Chinese and in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_officer_records_an_overdue_evaluation() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let today = sunledger_core::day::today_text(sunledger_web::Clock::now(&*app.clock));
    let (overdue, _) = app
        .db
        .store
        .evaluations(
            &sunledger_store::EvaluationFilter {
                scopes: vec![rc("529121")],
                state: Some("due".into()),
                overdue_on: Some(today),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .expect("evaluations");
    let e = overdue
        .first()
        .expect("the demo's overdue evaluation")
        .clone();
    let now = sunledger_web::Clock::now(&*app.clock);
    let r = app
        .db
        .store
        .evaluation(e.id, now)
        .await
        .expect("the evaluation")
        .expect("there");
    // What the officer types: each target the system does not know, met.
    let typed: Vec<(usize, String)> = r
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| r.known_of(i.position).is_none())
        .map(|(n, i)| (n, i.target_text.clone()))
        .collect();
    assert!(!r.known.is_empty(), "the system knows some values");
    let base = app.url("");
    let (id, project) = (e.id, e.project_name.clone());
    drive(started, move |c, shots| async move {
        record(&c, &base, id, &project, &typed, &shots).await;
    })
    .await;
    let after = app
        .db
        .store
        .evaluation(id, now)
        .await
        .expect("the evaluation")
        .expect("there");
    assert_eq!(after.evaluation.state, "recorded");
    let latest = after.latest().expect("a recording");
    assert!(latest.values.iter().any(|v| v.source == "system"));
    eprintln!("done after {:.1} s", started.elapsed().as_secs_f64());
}

/// No catalogue key shows through untranslated.
async fn assert_no_raw_keys(c: &Client, page: &str) {
    let body = text(c, "body").await;
    for key in [
        "evaluation.",
        "acceptance.",
        "indicator.",
        "project.category.",
        "book.",
    ] {
        assert!(
            !body.contains(key),
            "{page} shows a raw catalogue key {key}…:\n{body}"
        );
    }
}

async fn record(
    c: &Client,
    base: &str,
    id: i64,
    project: &str,
    typed: &[(usize, String)],
    shots: &Shots,
) {
    c.goto(&format!("{base}/login?next=/evaluations?overdue=1"))
        .await
        .expect("open /login");
    fill(c, "username", "yunling.bureau").await;
    fill(c, "password", sunledger::demo::DEMO_PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, "/evaluations").await;
    assert_eq!(attr(c, "html", "lang").await, "zh-CN");
    let cards = text(c, "main ul.cards").await;
    assert!(cards.contains(project), "no {project}:\n{cards}");
    assert!(cards.contains("已逾期"), "not shown overdue:\n{cards}");
    assert_no_raw_keys(c, "/evaluations").await;
    assert_fits_phone(c, "/evaluations").await;
    assert_chinese_glyphs(c).await;
    shots.take(c, "80-evaluations-overdue").await;

    let page = format!("/evaluations/{id}");
    c.goto(&format!("{base}{page}")).await.expect("open it");
    wait_path(c, &page).await;
    assert_eq!(text(c, "main .tag.state-due").await, "待评价");
    let form = text(c, "main form:has(input[name=step][value=record])").await;
    assert!(form.contains("系统已知"), "no system value:\n{form}");
    for (n, value) in typed {
        fill(c, &format!("actual_{n}"), value).await;
        fill(c, &format!("evidence_{n}"), "村级台账、入户问卷").await;
    }
    fill(c, "summary", "项目运行正常，受益户稳定增收。").await;
    assert_fits_phone(c, "the evaluation form").await;
    shots.take(c, "81-evaluation-form").await;
    c.find(Locator::Css(
        "main form:has(input[name=step][value=record]) button[type=submit]",
    ))
    .await
    .expect("the record button")
    .click()
    .await
    .expect("record");
    wait_path(c, &page).await;
    assert_eq!(text(c, "main .tag.state-recorded").await, "待审核");
    let main = text(c, "main").await;
    assert!(main.contains("系统计算"), "no system source:\n{main}");
    assert_no_raw_keys(c, &page).await;
    assert_fits_phone(c, "the recorded evaluation").await;
    shots.take(c, "82-evaluation-recorded").await;

    c.goto(&format!("{base}{page}?lang=en"))
        .await
        .expect("open in English");
    wait_path(c, &page).await;
    assert_eq!(attr(c, "html", "lang").await, "en");
    assert_eq!(
        text(c, "main .tag.state-recorded").await,
        "Recorded, to review"
    );
    let main = text(c, "main").await;
    assert!(
        main.contains("Computed by the system"),
        "no source in English:\n{main}"
    );
    assert_no_raw_keys(c, &format!("{page}?lang=en")).await;
    assert_fits_phone(c, "the recorded evaluation in English").await;
    shots.take(c, "83-evaluation-recorded-en").await;
}

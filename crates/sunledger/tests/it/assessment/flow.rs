//! The assessment's workflow through the real server.
use crate::cross_county::scalar;
use crate::support::{Kind, TestApp, fresh_db, json_of, post_json, rc};
use serde_json::{Value, json};
use sunledger_core::Role;
use sunledger_core::assessment::{RoundAction, table_text};

const COUNTY: &str = "529121000000";
const YEAR: i32 = 2026;

async fn get(app: &TestApp, c: &reqwest::Client, path: &str) -> Value {
    json_of(c.get(app.url(path)).send().await.unwrap(), 200).await
}

fn county<'a>(scores: &'a Value, code: &str) -> &'a Value {
    scores["scores"]["counties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no county {code}"))
}

fn item<'a>(card: &'a Value, code: &str) -> &'a Value {
    card["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no item {code}"))
}

fn points(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("points: {v}"))
}

async fn criticism_publication_and_appeal(app: TestApp) {
    let bureau = app.signed_in("city.bureau").await;
    let path = format!("/api/v1/assessment/{YEAR}");
    let scores = get(&app, &bureau, &path).await;
    let card = &county(&scores, COUNTY)["card"];
    let before = points(&card["total"]);
    assert!(
        points(&item(card, "2.4")["points"]) >= 300,
        "云岭县 has room for 3 more points of criticism: {}",
        item(card, "2.4")
    );

    // An informed criticism with 3 points, on an open problem of 云岭县.
    let problem = scalar(
        &app.db,
        "SELECT MIN(id) FROM problems WHERE county_code = '529121' AND state <> 'closed'",
    )
    .await
    .expect("an open problem in 云岭县");
    let (status, esc) = post_json(
        &bureau,
        &app,
        &format!("/api/v1/problems/{problem}/escalations"),
        json!({"step": "informed_criticism", "document_no": "云市督通〔2026〕31号",
            "issuing_unit": "市扶贫移民局", "content": "屡督不改，通报批评", "responsible_person": "县扶贫局",
            "deduction_points": 3}),
    )
    .await;
    assert_eq!(status, 201, "{esc}");
    let esc_id = esc["id"].as_i64().unwrap();
    let scores = get(&app, &bureau, &path).await;
    let card = &county(&scores, COUNTY)["card"];
    assert_eq!(before - points(&card["total"]), 300, "exactly 3 points");
    // The drill-down: the county's card names the escalation and its document number.
    let view = get(&app, &bureau, &format!("{path}/counties/{COUNTY}")).await;
    let rows = item(&view["live"]["card"], "2.4")["rows"]
        .as_array()
        .unwrap()
        .clone();
    let row = rows
        .iter()
        .find(|r| r["row"]["source"] == "escalation" && r["row"]["source_id"] == esc_id)
        .unwrap_or_else(|| panic!("the criticism among {rows:?}"));
    assert!(
        row["row"]["label"]
            .as_str()
            .unwrap()
            .contains("云市督通〔2026〕31号"),
        "{row}"
    );
    assert_eq!(points(&row["points"]), -300);
    // The county's own people see their card, not the city's table; another county's is hidden.
    let party = app.signed_in("yunling.party").await;
    let r = party.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    get(&app, &party, &format!("{path}/counties/{COUNTY}")).await;
    let r = party
        .get(app.url(&format!("{path}/counties/529122000000")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Reviewed by a second assessor, published by the bureau: a snapshot in the log.
    let store = app.db.store.clone();
    let reviewer = crate::duty::person(
        &*store,
        "assessment.reviewer",
        &[(Role::MunicipalBureau, "5291")],
    )
    .await;
    let now = sunledger_web::Clock::now(&*app.clock);
    // The demo's round is published: withdrawn with a reason, reviewed again.
    for (action, reason) in [
        (RoundAction::Unpublish, "重新核算"),
        (RoundAction::Review, ""),
    ] {
        store
            .assessment_round_step(&rc("5291"), YEAR, action, reason, Some(reviewer), now)
            .await
            .unwrap();
    }
    let (status, round) = post_json(
        &bureau,
        &app,
        &format!("{path}/steps"),
        json!({"action": "publish"}),
    )
    .await;
    assert_eq!(status, 200, "{round}");
    assert_eq!(round["state"], "published");
    let publication = &round["publications"][0];
    assert_eq!(publication["hash"].as_str().unwrap().len(), 64);
    // The published table as filed: CSV with the county's name and its total.
    let csv = bureau
        .get(app.url(&format!("{path}/scores.csv?published=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    let total = before - 300;
    let line = csv
        .lines()
        .find(|l| l.contains(COUNTY))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(line.contains("云岭县"), "{line}");
    assert!(
        line.contains(&format!(",{}.{:02},", total / 100, total % 100)),
        "{line}"
    );
    assert!(!csv.contains("export.assessment."), "{csv}");
    // The public sees the published totals, without an account.
    let public = get(
        &app,
        &app.client(),
        &format!("/api/v1/public/assessment/{YEAR}?city=5291"),
    )
    .await;
    let ranked = public["publication"]["ranking"].as_array().unwrap();
    assert!(
        ranked
            .iter()
            .any(|r| r["county"] == COUNTY && points(&r["total"]) == before - 300)
    );

    // An appeal by the county, upheld by the bureau: the points come back, as two events.
    let (status, appeal) = post_json(
        &party,
        &app,
        &format!("{path}/appeals"),
        json!({"county": COUNTY, "item": "2.4", "row_key": format!("escalation:{esc_id}"),
            "reason": "通报所涉问题已于通报前整改到位", "evidence": "县扶贫局整改报告"}),
    )
    .await;
    assert_eq!(status, 200, "{appeal}");
    assert_eq!(appeal["state"], "filed");
    // The county may not decide its own appeal.
    let (status, _) = post_json(
        &party,
        &app,
        &format!("{path}/appeals/{}/decision", appeal["id"]),
        json!({"uphold": true, "reason": "自己批准"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, decided) = post_json(
        &bureau,
        &app,
        &format!("{path}/appeals/{}/decision", appeal["id"]),
        json!({"uphold": true, "reason": "经核实，申诉成立"}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["state"], "upheld");
    let scores = get(&app, &bureau, &path).await;
    assert_eq!(points(&county(&scores, COUNTY)["card"]["total"]), before);
    for kind in [
        "assessment.appeal",
        "assessment.decision",
        "assessment.published",
    ] {
        let n = scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM log_leaves WHERE kind = '{kind}'"),
        )
        .await
        .unwrap_or(0);
        assert!(n >= 1, "{kind} in the log");
    }
    // The publication holds: the published total is unchanged, and the live difference shows.
    let view = get(&app, &bureau, &format!("{path}/counties/{COUNTY}")).await;
    assert_eq!(points(&view["published"]["card"]["total"]), before - 300);
    assert!(
        scores["changed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["county"] == COUNTY
                && c["item"] == "*"
                && points(&c["published"]) == before - 300
                && points(&c["live"]) == before),
        "{}",
        scores["changed"]
    );

    // Unpublishing needs a reason.
    let (status, _) = post_json(
        &bureau,
        &app,
        &format!("{path}/steps"),
        json!({"action": "unpublish"}),
    )
    .await;
    assert_eq!(status, 422);
    let report = sunledger::verify::verify(&*store, &[]).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}
crate::both_app!(
    criticism_publication_and_appeal_on,
    criticism_publication_and_appeal
);

/// A late rectification after publication: the published table stays, the live one moves.
async fn a_late_rectification_changes_the_live_scores_only(app: TestApp) {
    let store = app.db.store.clone();
    let city = rc("5291");
    // The last day of the year, 12:00 in Beijing: the demo's open problems are past due.
    let now = 1_798_689_600;
    let live = store.assessment_scores(&city, YEAR, now).await.unwrap();
    // 云岭县's overdue problems cost it points (the item is at its floor in the demo).
    let code = "529121000000";
    let overdue: Vec<i64> = live
        .counties
        .iter()
        .find(|c| c.code == code)
        .and_then(|c| c.card.item("1.3"))
        .map(|it| it.rows.iter().map(|r| r.row.source_id).collect())
        .unwrap_or_default();
    assert!(
        overdue.len() > 5,
        "the demo's overdue problems: {overdue:?}"
    );
    let a = crate::duty::person(
        &*store,
        "late.rectifier",
        &[(Role::PovertyBureau, "529121")],
    )
    .await;
    let b = crate::duty::person(&*store, "late.verifier", &[(Role::Discipline, "529121")]).await;
    let reviewer =
        crate::duty::person(&*store, "late.reviewer", &[(Role::MunicipalBureau, "5291")]).await;
    let publisher = crate::duty::person(
        &*store,
        "late.publisher",
        &[(Role::MunicipalBureau, "5291")],
    )
    .await;
    for (action, reason) in [
        (RoundAction::Unpublish, "重新核算"),
        (RoundAction::Review, ""),
    ] {
        store
            .assessment_round_step(&city, YEAR, action, reason, Some(reviewer), now)
            .await
            .unwrap();
    }
    let round = store
        .assessment_round_step(&city, YEAR, RoundAction::Publish, "", Some(publisher), now)
        .await
        .unwrap();
    let published = round.publications[0].table.clone();
    assert_eq!(
        published,
        table_text(&live.cards()),
        "the snapshot is the live table of its moment"
    );
    // Late rectifications of all but four: the item comes off its floor.
    use sunledger_core::problem::ProblemAction as PA;
    let mut t = now;
    for problem in &overdue[4..] {
        let state = store.problem(*problem).await.unwrap().unwrap().state;
        t += 60;
        if state == "open" {
            store
                .problem_action(*problem, PA::Start, "开始整改", Some(a), t)
                .await
                .unwrap();
        }
        if state != "submitted" {
            store
                .problem_action(*problem, PA::Submit, "已整改", Some(a), t)
                .await
                .unwrap();
        }
        store
            .problem_action(*problem, PA::Verify, "核实", Some(b), t)
            .await
            .unwrap();
    }
    let later = store.assessment_scores(&city, YEAR, t).await.unwrap();
    assert_eq!(
        later
            .counties
            .iter()
            .find(|c| c.code == code)
            .and_then(|c| c.card.item("1.3"))
            .map(|i| i.points.0),
        Some(200),
        "four overdue problems left, 2 points each off 10"
    );
    let round = store.assessment_round(&city, YEAR).await.unwrap();
    assert_eq!(
        round.publications[0].table, published,
        "the publication is unchanged"
    );
    let changed = sunledger_core::assessment::diff(&published, &table_text(&later.cards()));
    assert!(
        changed.iter().any(|c| c.county == code && c.item == "1.3"),
        "{changed:?}"
    );
    // As of the publication's moment, the live scores are still the published ones.
    let again = store.assessment_scores(&city, YEAR, now).await.unwrap();
    assert_eq!(table_text(&again.cards()), published);
}
crate::both_app!(
    a_late_rectification_changes_the_live_scores_only_on,
    a_late_rectification_changes_the_live_scores_only
);

/// A scheme with an unknown measure or an item over its parent's maximum is refused, naming the
/// item; a good one is booked as version 1, then 2.
async fn a_broken_scheme_is_refused_naming_the_item(app: TestApp) {
    let bureau = app.signed_in("city.bureau").await;
    let doc = get(&app, &bureau, &format!("/api/v1/assessment/{YEAR}/scheme")).await;
    let versions = doc["versions"].as_array().unwrap().len();
    let good = doc["document"].as_str().unwrap().to_string();
    let broken = good.replacen("\"reminders\"", "\"lunches\"", 1);
    let (status, err) = post_json(
        &bureau,
        &app,
        "/api/v1/assessment/schemes",
        json!({"body": broken}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(err.to_string().contains("2.1"), "the item is named: {err}");
    let mut v: Value = serde_json::from_str(&good).unwrap();
    v["items"][2]["max"] = json!("40");
    let (status, err) = post_json(
        &bureau,
        &app,
        "/api/v1/assessment/schemes",
        json!({"body": v.to_string()}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(err.to_string().contains("1.2"), "the item is named: {err}");
    let (status, booked) = post_json(
        &bureau,
        &app,
        "/api/v1/assessment/schemes",
        json!({"body": good, "note": "2026年版"}),
    )
    .await;
    assert_eq!(status, 200, "{booked}");
    assert_eq!(booked["version"], versions + 1);
    // The county's people may not book one.
    let party = app.signed_in("yunling.party").await;
    let (status, _) = post_json(
        &party,
        &app,
        "/api/v1/assessment/schemes",
        json!({"body": good}),
    )
    .await;
    assert_eq!(status, 403);
}
crate::both_app!(
    a_broken_scheme_is_refused_naming_the_item_on,
    a_broken_scheme_is_refused_naming_the_item
);

/// The same scheme and moment give the same score table, bit for bit, on SQLite and PostgreSQL:
/// the demo city loaded at the same moment on both, scored as of a week later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_books_score_the_same_on_both_backends() {
    let Some(pg) = fresh_db(Kind::Postgres).await else {
        eprintln!("skipped: set SUNLEDGER_TEST_PG to run the PostgreSQL half");
        return;
    };
    let lite = fresh_db(Kind::Sqlite).await.expect("sqlite");
    // 2026-11-20 12:00 in Beijing.
    let at = 1_795_147_200;
    for db in [&lite, &pg] {
        sunledger::demo::load(db.store.as_ref(), at)
            .await
            .expect("demo");
    }
    let as_of = at + 7 * 86_400;
    let a = lite
        .store
        .assessment_scores(&rc("5291"), YEAR, as_of)
        .await
        .unwrap();
    let b = pg
        .store
        .assessment_scores(&rc("5291"), YEAR, as_of)
        .await
        .unwrap();
    assert!(a.counties.len() >= 2);
    assert!(
        a.counties
            .iter()
            .any(|c| c.card.items.iter().any(|i| !i.rows.is_empty()))
    );
    assert_eq!(table_text(&a.cards()), table_text(&b.cards()));
    assert_eq!(a, b, "the cards and every row behind them");
}

/// A problem's page previews what its proposed step would cost the county this year, by the
/// scheme and the county's live card.
async fn the_problem_page_previews_a_proposed_step(app: TestApp) {
    let Some(problem) = scalar(
        &app.db,
        "SELECT MIN(problem_id) FROM escalation_proposals WHERE county_code = '529121' AND decision IS NULL",
    )
    .await
    else {
        panic!("the demo has an undecided proposal in 云岭县");
    };
    let step = crate::cross_county::scalar(
        &app.db,
        &format!(
            "SELECT MIN(id) FROM escalation_proposals WHERE problem_id = {problem} AND decision IS NULL"
        ),
    )
    .await
    .unwrap();
    let store = app.db.store.clone();
    let rec = store.problem_record(problem).await.unwrap().unwrap();
    let proposal = rec.proposals.iter().find(|p| p.id == step).unwrap();
    let now = sunledger_web::Clock::now(&*app.clock);
    let (scheme, card) = store.assessment_card(&rc(COUNTY), YEAR, now).await.unwrap();
    let expected = sunledger_core::assessment::Measure::of_step(&proposal.step)
        .and_then(|m| sunledger_core::assessment::preview(&scheme, &card, m, 1))
        .filter(|p| p.0 < 0);
    let c = app.signed_in("yunling.discipline").await;
    let html = c
        .get(app.url(&format!("/problems/{problem}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    match expected {
        Some(p) => assert!(
            html.contains(&format!(
                "考核总分减少 {} 分",
                sunledger_core::assessment::Points(-p.0).text()
            )),
            "{} costs {p:?}: {html}",
            proposal.step
        ),
        None => assert!(!html.contains("考核总分减少"), "{html}"),
    }
    assert!(
        expected.is_some(),
        "the demo's proposal ({}) costs points",
        proposal.step
    );
}
crate::both_app!(
    the_problem_page_previews_a_proposed_step_on,
    the_problem_page_previews_a_proposed_step
);

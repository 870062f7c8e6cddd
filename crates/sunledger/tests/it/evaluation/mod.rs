//! Issue 17 (Book 4), evaluations 1-3 years on, through the real server on both backends: the
//! evaluations are scheduled at acceptance; at year 1 the system counts the days from the
//! project's own start and completion and its paid money from the ledger, and a payment booked
//! in the test changes the computed value; a shortfall needs its reason; the recorder may not
//! review; 差 opens a Book 3 problem; every recording is in the log and `verify` names an edited
//! one; the pages read in Chinese and English.
use crate::acceptance::{completed_ledger_project, get, pay, post};
use crate::support::*;
use serde_json::{Value, json};
use sunledger_store::ProblemFilter;

const DAY: i64 = 86_400;

/// The record of evaluation `id` as the bureau reads it.
async fn record(app: &TestApp, c: &reqwest::Client, id: i64) -> Value {
    get(c, app.url(&format!("/api/v1/evaluations/{id}"))).await
}

/// What the system knows of the indicator of `kind`: (actual, basis).
fn known(r: &Value, kind: &str) -> Option<(i64, String)> {
    let pos = r["indicators"]
        .as_array()?
        .iter()
        .find(|i| i["kind"] == kind)?["position"]
        .as_i64()?;
    let k = r["known"]
        .as_array()?
        .iter()
        .find(|k| k["position"].as_i64() == Some(pos))?;
    Some((k["actual"].as_i64()?, k["basis"].as_str()?.to_string()))
}

/// Values meeting every target the system does not know (with evidence), or, `short`, a third of
/// each (with the reason when `reason`).
fn values(r: &Value, short: bool, reason: bool) -> Vec<Value> {
    r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let pos = i["position"].as_i64();
            let is_known = r["known"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["position"].as_i64() == pos);
            let why = if reason { "未达预期" } else { "" };
            if is_known {
                json!({"reason": "工期与资金按实际"})
            } else if short {
                let le = i["operator"] == "le";
                let target = i["target"].as_i64().unwrap();
                let v = if le { target * 3 + 100 } else { target / 3 };
                json!({"actual": sunledger_core::project::hundredths(v), "evidence": "入户问卷", "reason": why})
            } else {
                json!({"actual": i["target_text"], "evidence": "村级台账、入户问卷"})
            }
        })
        .collect()
}

async fn year_one_counts_the_projects_own_days_and_payments(app: TestApp) {
    let store = app.db.store.clone();
    let pid = completed_ledger_project(&app).await;
    let now = sunledger_web::Clock::now(&*app.clock);
    accept_through_book4(&*store, pid, now - 20 * DAY).await;
    let evals = store.evaluations_of_project(pid).await.unwrap();
    let years: Vec<i64> = evals.iter().map(|e| e.year).collect();
    assert_eq!(years, vec![0, 1, 2, 3]);
    let (y0, y1) = (evals[0].id, evals[1].id);
    assert!(evals.iter().all(|e| e.state == "due"));

    // A year and a week on: both are overdue.
    app.clock.advance_days(372);
    let bureau = app.signed_in("yunling.bureau").await;
    let township = app.signed_in("yunling.township").await;
    let finance = app.signed_in("yunling.finance").await;
    let l = get(&bureau, app.url("/api/v1/evaluations?overdue=1")).await;
    let overdue: Vec<i64> = l["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_i64())
        .collect();
    assert!(overdue.contains(&y0) && overdue.contains(&y1), "{l}");

    // Timeliness: the days from the project's own start to its completion.
    let r = record(&app, &bureau, y1).await;
    let p = store.project_record(pid).await.unwrap().unwrap();
    let on = |a: &str| {
        p.events
            .iter()
            .rev()
            .find(|e| e.action == a)
            .map(|e| e.on_date.clone())
            .unwrap()
    };
    let (start, done) = (on("start"), on("complete"));
    let days =
        sunledger_core::day::number(&done).unwrap() - sunledger_core::day::number(&start).unwrap();
    assert_eq!(
        known(&r, "timeliness"),
        Some((days * 100, format!("days:{start}:{done}"))),
        "{r}"
    );
    // Cost: the paid money, in hundredths of 万元.
    let (cost, basis) = known(&r, "cost").expect("the cost is known");
    let paid: i64 = basis.strip_prefix("paid:").unwrap().parse().unwrap();
    assert_eq!(cost, (paid + 5_000) / 10_000);

    // A payment of 50 000.00 booked and paid: the computed cost follows.
    let project = store.project(pid).await.unwrap().unwrap();
    let fund_id = store
        .accounts_in(&project.region)
        .await
        .unwrap()
        .iter()
        .find(|a| a.project_id == Some(pid))
        .map(|a| a.fund_id)
        .unwrap();
    let mut body = pay("evaluation-pay-1", fund_id, pid, "50000.00");
    let today = sunledger_core::day::today_text(sunledger_web::Clock::now(&*app.clock));
    body["booked_on"] = json!(today);
    let (s, t) = post(&finance, app.url("/api/v1/transfers"), &body).await;
    assert_eq!(s, 201, "{t}");
    let tid = t["id"].as_i64().unwrap();
    let (s, t) = post(
        &finance,
        app.url(&format!("/api/v1/transfers/{tid}/payment")),
        &json!({"action": "pay", "on": today}),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let r = record(&app, &bureau, y1).await;
    let (cost2, basis2) = known(&r, "cost").unwrap();
    assert_eq!(basis2, format!("paid:{}", paid + 5_000_000));
    assert_eq!(cost2, (paid + 5_000_000 + 5_000) / 10_000);
    assert_ne!(cost2, cost);

    // A shortfall needs its reason, named by row and field.
    let url = app.url(&format!("/api/v1/evaluations/{y1}/record"));
    let short = values(&r, true, false);
    let (s, e) = post(
        &township,
        url.clone(),
        &json!({"values": short, "summary": "x"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["error"]["field"]
            .as_str()
            .unwrap_or("")
            .ends_with("].reason"),
        "{e}"
    );
    // Recorded by the bureau, it may not review its own recording; it may send it back.
    let good = values(&r, false, false);
    let (s, ev) = post(
        &bureau,
        url.clone(),
        &json!({"values": good, "summary": "运行良好"}),
    )
    .await;
    assert_eq!(s, 200, "{ev}");
    assert_eq!(ev["state"], "recorded");
    let (s, e) = post(
        &bureau,
        app.url(&format!("/api/v1/evaluations/{y1}/review")),
        &json!({}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "actor", "{e}");
    let (s, ev) = post(
        &bureau,
        app.url(&format!("/api/v1/evaluations/{y1}/return")),
        &json!({"comment": "请由乡镇填报"}),
    )
    .await;
    assert_eq!(s, 200, "{ev}");
    assert_eq!(ev["state"], "due");
    // The township records it (the system's values are its own), the bureau reviews it.
    let (s, ev) = post(
        &township,
        url,
        &json!({"values": good, "summary": "运行良好，受益户增收"}),
    )
    .await;
    assert_eq!(s, 200, "{ev}");
    let (s, e) = post(
        &township,
        app.url(&format!("/api/v1/evaluations/{y1}/review")),
        &json!({}),
    )
    .await;
    assert_eq!(s, 403, "{e}");
    let (s, ev) = post(
        &bureau,
        app.url(&format!("/api/v1/evaluations/{y1}/review")),
        &json!({"comment": "属实"}),
    )
    .await;
    assert_eq!(s, 200, "{ev}");
    assert_eq!(ev["state"], "reviewed");
    let r = record(&app, &bureau, y1).await;
    let latest = r["rounds"].as_array().unwrap().last().unwrap().clone();
    // Every point traced to an indicator: the points add up to the total.
    let sum: i64 = latest["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["points"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, latest["total"].as_i64().unwrap(), "{latest}");
    assert!(latest["log_index"].as_i64().is_some(), "{latest}");
    let sys = latest["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["basis"].as_str().unwrap_or("").starts_with("paid:"))
        .unwrap()
        .clone();
    assert_eq!(sys["source"], "system");
    assert_eq!(sys["actual"].as_i64(), Some(cost2));
    let p = store.project(pid).await.unwrap().unwrap();
    assert_eq!(p.status.as_deref(), Some("evaluated"));

    // Year 0, far short with reasons: rated 差 on review, a Book 3 problem opens.
    let r0 = record(&app, &bureau, y0).await;
    let (s, ev) = post(
        &township,
        app.url(&format!("/api/v1/evaluations/{y0}/record")),
        &json!({"values": values(&r0, true, true), "summary": "效益未达预期"}),
    )
    .await;
    assert_eq!(s, 200, "{ev}");
    let (s, ev) = post(
        &bureau,
        app.url(&format!("/api/v1/evaluations/{y0}/review")),
        &json!({"comment": "移交整改"}),
    )
    .await;
    assert_eq!(s, 200, "{ev}");
    assert_eq!(ev["band"], "poor", "{ev}");
    let r0 = record(&app, &bureau, y0).await;
    let opened = r0["events"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["problem_id"].as_i64())
        .expect("the review opened a problem");
    let (ps, _) = store
        .problems(
            &ProblemFilter {
                scopes: vec![rc("529121")],
                ..Default::default()
            },
            1000,
            0,
        )
        .await
        .unwrap();
    let problem = ps.iter().find(|p| p.id == opened).expect("the problem");
    assert_eq!(problem.project_id, Some(pid));
    assert!(problem.title.contains("差"), "{}", problem.title);

    // The pages, in both languages.
    for lang in ["zh-CN", "en"] {
        for path in [
            "/evaluations".to_string(),
            "/evaluations?overdue=1".to_string(),
            format!("/evaluations/{y1}"),
            format!("/evaluations/{}", evals[2].id),
        ] {
            let r = bureau
                .get(app.url(&format!(
                    "{path}{}lang={lang}",
                    if path.contains('?') { "&" } else { "?" }
                )))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert_no_catalogue_keys(&r.text().await.unwrap());
        }
    }
    // The export in the filing columns.
    let csv = bureau
        .get(app.url("/api/v1/evaluations.csv?band=poor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("差") && csv.contains("评价编号"), "{csv}");

    // A recording edited behind the application is named by verify.
    let key = test_signer().verifier_key();
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_eq!(code, 0, "{out}{err}");
    let rid = latest["id"].as_i64().unwrap();
    raw_sql(
        &app.db,
        &format!("UPDATE evaluation_values SET actual = actual + 100 WHERE record_id = {rid} AND source = 'reported'"),
    )
    .await;
    raw_sql(
        &app.db,
        &format!("UPDATE evaluation_records SET total = 10000 WHERE id = {rid}"),
    )
    .await;
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        out.contains("evaluation_records") && out.contains("evaluation_values"),
        "{out}{err}"
    );
}
crate::both_app!(
    year_one_days_and_payments,
    year_one_counts_the_projects_own_days_and_payments
);

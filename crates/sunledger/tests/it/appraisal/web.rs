//! The household appraisal through the real server, on both backends: an applicant on the
//! cadre-relatives list is flagged at the cross-check and cannot be voted on until the hit has a
//! recorded decision; a villager without an account objects to the first notice, and the round
//! cannot go to the township until the objection is answered (upheld, it removes the applicant);
//! the township's sample is drawn from a seed and re-derives from it.
use crate::support::*;
use serde_json::{Value, json};
use sunledger_core::appraisal::CheckList;
use sunledger_store::{NewCrosscheckEntry, NewCrosscheckList};

const V: &str = "529121100201";

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> Value {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn round_on_the_web(app: TestApp) {
    let s = app.db.store.as_ref();
    let village = app.signed_in("yunling.village").await;
    let township = app.signed_in("yunling.township").await;
    // Households of the demo village not registered poor (after the demo's announcement).
    let free: Vec<_> = s
        .households_in(&rc(V))
        .await
        .unwrap()
        .into_iter()
        .filter(|h| !h.poor)
        .collect();
    assert!(free.len() >= 2, "{free:?}");
    let (a, b) = (&free[0], &free[1]);
    // The county's cadre list names the second household's head as a cadre's child.
    s.import_crosscheck_list(
        &NewCrosscheckList {
            region: rc("529121"),
            kind: CheckList::CadreRelatives,
            file_sha256: "ab".repeat(32),
            entries: vec![NewCrosscheckEntry {
                row_no: 2,
                name: b.head_name.clone(),
                id_number: Some(sunledger_core::IdNumber::parse(&b.id_number).unwrap()),
                relation: "子女".into(),
                of_name: "赵建国".into(),
                village: Some(rc(V)),
                note: String::new(),
            }],
        },
        None,
        now(),
    )
    .await
    .unwrap();
    let (st, r) = post_json(
        &village,
        &app,
        "/api/v1/appraisals",
        json!({"village": V, "year": "2027", "kind": "identify"}),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let id = r["id"].as_i64().unwrap();
    let base = format!("/api/v1/appraisals/{id}");
    for h in [a, b] {
        let (st, r) = post_json(
            &village,
            &app,
            &format!("{base}/applicants"),
            json!({"household_id": h.id.to_string(), "reason": "因病致贫", "income_evidence": "入户核算表"}),
        )
        .await;
        assert_eq!(st, 200, "{r}");
    }
    let step = |action: &str| json!({"action": action, "document": format!("{action}-文件")});
    let (st, r) = post_json(
        &village,
        &app,
        &format!("{base}/steps"),
        step("close_applications"),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let rec = get(&village, &app, &base).await;
    let hits = rec["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{rec}");
    assert_eq!(hits[0]["entry"]["relation"], "子女");
    let flagged = hits[0]["applicant_id"].as_i64().unwrap();
    let hit = hits[0]["id"].as_i64().unwrap();
    // The page names the hit, masks the ID number, and says what blocks the vote.
    let page = village
        .get(app.url(&format!("/appraisals/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("村干部及其近亲属") && page.contains("赵建国"),
        "{page}"
    );
    assert!(!page.contains(b.id_number.as_str()));
    assert!(page.contains("条比对发现尚未作出处理决定"), "{page}");
    // The decision item of the demo's representatives' meeting held again (passed).
    let (meetings, _) = s.meetings(&[rc(V)], 20, 0).await.unwrap();
    let mut passed = None;
    for m in &meetings {
        for i in s.meeting(m.id).await.unwrap().unwrap().items {
            if i.outcome.as_deref() == Some("passed") {
                passed = Some(i.id);
            }
        }
    }
    let item = passed.expect("a passed item").to_string();
    let vote = |applicant: i64| format!("{base}/applicants/{applicant}/vote");
    let (st, e) = post_json(&village, &app, &vote(flagged), json!({"item_id": item})).await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("hits")),
        "{e}"
    );
    // A decision without its reason is refused; with it, the vote is taken.
    let decide = format!("{base}/hits/{hit}/decision");
    let (st, e) = post_json(
        &village,
        &app,
        &decide,
        json!({"decision": "cleared", "reason": " "}),
    )
    .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("decision_reason")),
        "{e}"
    );
    let (st, r) = post_json(
        &village,
        &app,
        &decide,
        json!({"decision": "cleared", "reason": "已分户多年，收入分别核算"}),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    for applicant in rec["applicants"].as_array().unwrap() {
        let (st, r) = post_json(
            &village,
            &app,
            &vote(applicant["id"].as_i64().unwrap()),
            json!({"item_id": item}),
        )
        .await;
        assert_eq!(st, 200, "{r}");
    }
    for action in ["vote", "village_check", "post_first_notice"] {
        let (st, r) = post_json(&village, &app, &format!("{base}/steps"), step(action)).await;
        assert_eq!(st, 200, "{action}: {r}");
    }
    let rec = get(&village, &app, &base).await;
    let notice = rec["gate"]["notice_id"].as_i64().unwrap();
    // A villager without an account objects on the public notice.
    let public = app.client();
    let (st, r) = post_json(
        &public,
        &app,
        &format!("/api/v1/public/notices/{notice}/objections"),
        json!({"content": format!("{}家有营运货车，不符合条件", a.head_name)}),
    )
    .await;
    assert_eq!(st, 201, "{r}");
    let review = step("township_review");
    let (st, e) = post_json(&township, &app, &format!("{base}/steps"), review.clone()).await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("notice")),
        "{e}"
    );
    app.clock.advance_days(8);
    // Sessions last hours, not days: sign in again.
    let village = app.signed_in("yunling.village").await;
    let township = app.signed_in("yunling.township").await;
    let (st, e) = post_json(&township, &app, &format!("{base}/steps"), review.clone()).await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("objections")),
        "{e}"
    );
    let rec = get(&village, &app, &base).await;
    let objection = rec["objections"][0]["id"].as_i64().unwrap();
    assert!(rec["objections"][0].get("name").is_none());
    let remove = rec["applicants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["household_id"].as_i64() == Some(a.id))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (st, r) = post_json(
        &village,
        &app,
        &format!("{base}/objections/{objection}/answer"),
        json!({"answer": "经核实该户确有营运货车，取消评议资格", "remove_applicant": remove.to_string()}),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let (st, e) = post_json(&township, &app, &format!("{base}/steps"), review.clone()).await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("sample")),
        "{e}"
    );
    let (st, r) = post_json(
        &township,
        &app,
        &format!("{base}/samples"),
        json!({"level": "township", "seed": "云岭镇-2027-抽审"}),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let rec = get(&township, &app, &base).await;
    let sample = &rec["samples"][0];
    let population: Vec<String> = sample["population"]
        .as_str()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    assert_eq!(population, vec![flagged.to_string()]);
    let refs: Vec<&str> = population.iter().map(String::as_str).collect();
    let again = sunledger_core::appraisal::sample("云岭镇-2027-抽审", id, "township", &refs, 20);
    assert_eq!(sample["sample"].as_str().unwrap(), again.join(","));
    let (st, r) = post_json(
        &township,
        &app,
        &format!("{base}/checks"),
        json!({"applicant_id": flagged.to_string(), "passed": true, "note": "入户核实属实"}),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let (st, r) = post_json(&township, &app, &format!("{base}/steps"), review).await;
    assert_eq!(
        (st, r["state"].as_str()),
        (200, Some("township_reviewed")),
        "{r}"
    );
    // The filing table, with the ID numbers masked.
    let csv = village
        .get(app.url(&format!("{base}/table.csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(&b.head_name) && !csv.contains(b.id_number.as_str()),
        "{csv}"
    );
}
crate::both_app!(round_on_the_web_on, round_on_the_web);

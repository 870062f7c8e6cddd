//! The household appraisal's first notice on a phone (issue 18's done-means): a villager without
//! an account reads it (names and villages, no ID number) and objects; the round cannot go to the
//! township until the objection is answered.
use super::*;
use sunledger_core::appraisal::{RoundAction, RoundKind, Rules};
use sunledger_store::{NewApplicant, NewRound, StepInput};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_villager_reads_the_first_notice_and_objects() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let s = app.db.store.as_ref();
    let now = sunledger_web::Clock::now(&*app.clock);
    let village = sunledger_core::RegionCode::parse("529121100201").expect("village");
    let household = s
        .households_in(&village)
        .await
        .expect("households")
        .into_iter()
        .find(|h| !h.poor)
        .expect("a household not registered poor");
    let round = s
        .open_round(
            &NewRound {
                village,
                year: 2027,
                kind: RoundKind::Identify,
                rules: Rules::default(),
            },
            None,
            now,
        )
        .await
        .expect("round");
    let a = s
        .apply(
            &NewApplicant {
                round_id: round.id,
                household_id: household.id,
                reason: "因病致贫".into(),
                income_evidence: "入户核算表".into(),
            },
            None,
            now,
        )
        .await
        .expect("apply");
    let step = |d: &str| StepInput {
        document: d.into(),
        comment: String::new(),
    };
    s.round_step(
        round.id,
        RoundAction::CloseApplications,
        &step("汇总表"),
        None,
        now,
    )
    .await
    .expect("close");
    let (meetings, _) = s.meetings(&[village], 20, 0).await.expect("meetings");
    let mut item = None;
    for m in &meetings {
        for i in s
            .meeting(m.id)
            .await
            .expect("meeting")
            .expect("meeting")
            .items
        {
            if i.outcome.as_deref() == Some("passed") {
                item = Some(i.id);
            }
        }
    }
    s.record_vote(a.id, item.expect("a passed item"), None, now)
        .await
        .expect("vote");
    for (action, d) in [
        (RoundAction::Vote, "会议记录"),
        (RoundAction::VillageCheck, "核实意见"),
        (RoundAction::PostFirstNotice, "第一次公示"),
    ] {
        s.round_step(round.id, action, &step(d), None, now)
            .await
            .expect("step");
    }
    let notice = s
        .round(round.id, now)
        .await
        .expect("round")
        .expect("round")
        .gate
        .notice_id
        .expect("the first notice");
    let base = app.url("");
    let head = household.head_name.clone();
    let id_number = household.id_number.clone();
    let rid = round.id;
    let clock = app.clock.clone();
    drive(started, move |c, shots| async move {
        c.goto(&format!("{base}/public/notices/{notice}"))
            .await
            .expect("open the notice");
        wait_path(&c, &format!("/public/notices/{notice}")).await;
        let page = text(&c, "main").await;
        assert!(page.contains(&head) && page.contains("青坪村"), "{page}");
        assert!(
            !page.contains(&id_number),
            "an ID number on the public notice:\n{page}"
        );
        assert_fits_phone(&c, "the first notice").await;
        assert_chinese_glyphs(&c).await;
        shots.take(&c, "80-appraisal-notice").await;
        fill(&c, "content", &format!("{head}家在县城有商品房，请核实。")).await;
        c.find(Locator::Css(
            "form[action*='/public/notices/'] button[type=submit]",
        ))
        .await
        .expect("the objection's button")
        .click()
        .await
        .expect("submit the objection");
        let code = text(&c, "strong.receipt").await;
        assert_eq!(code.len(), 11, "{code}");
        assert_fits_phone(&c, "the receipt").await;
        shots.take(&c, "81-appraisal-objection").await;
        // After the window, the township still cannot review: the objection is unanswered.
        clock.advance_days(8);
        let township = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let r = township
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({"username": "yunling.township", "password": sunledger::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), 200);
        let r = township
            .post(format!("{base}/api/v1/appraisals/{rid}/steps"))
            .json(&serde_json::json!({"action": "township_review", "document": "乡镇审核意见"}))
            .send()
            .await
            .expect("review");
        assert_eq!(r.status(), 422);
        let e: serde_json::Value = r.json().await.expect("json");
        assert_eq!(e["error"]["field"], "objections", "{e}");
    })
    .await;
}

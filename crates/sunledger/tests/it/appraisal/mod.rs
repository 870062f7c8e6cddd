//! The household appraisal (issue 18) through the store, on both backends: a cross-check list
//! imported from a file (a bad row named by line and column books nothing); an applicant on the
//! cadre-relatives list is flagged and needs a recorded decision before the vote; a void vote does
//! not count; the first notice's objection blocks the township until it is answered (upheld, it
//! removes the applicant); the samples re-derive from their seeds; the announcement alone changes
//! the `poor` flag, and `verify` names an edit of it.
mod web;

use crate::support::*;
use sunledger::io::appraisal::import_file;
use sunledger_core::appraisal::{CheckList, HitDecision, RoundAction, RoundKind, Rules};
use sunledger_core::meeting::{MeetingKind, RosterBasis, Tally};
use sunledger_store::prelude::*;
use sunledger_store::{
    NewApplicant, NewHousehold, NewItem, NewMeeting, NewObjection, NewRound, StepInput, StoreError,
};

const V: &str = "529121100201";
const DAY: i64 = 86_400;

fn reason_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::Rule(sunledger_core::DomainError::Invalid { reason, .. }) => reason,
        other => panic!("expected a rule error, got {other:?}"),
    }
}

fn step(doc: &str) -> StepInput {
    StepInput {
        document: doc.into(),
        comment: String::new(),
    }
}

async fn setup(db: &TestDb) -> Vec<i64> {
    let s = db.store.as_ref();
    let want: std::collections::HashSet<_> = rc(V).lineage().into_iter().collect();
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    s.upsert_regions(&rows, now()).await.unwrap();
    let hs: Vec<NewHousehold> = (1..=12)
        .map(|i| NewHousehold {
            village: rc(V),
            head_name: format!("户主{i:02}"),
            id_number: id_number(9000 + i),
            poor: i > 10,
            size: 3,
        })
        .collect();
    s.create_households(&hs, now()).await.unwrap();
    s.households_in(&rc(V))
        .await
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect()
}

async fn appraisal(db: TestDb) {
    let s = db.store.as_ref();
    let households = setup(&db).await;
    let t = now();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("村干部及近亲属.csv");
    let relative = id_number(9003);
    // Line 3: a relation that is not a close one; line 4: a relative without the cadre's name.
    std::fs::write(
        &file,
        format!(
            "姓名,身份证号,关系,村干部姓名,村代码\n王支书,{},本人,,{V}\n户主03,{},表亲,王支书,{V}\n户主05,,配偶,,{V}\n",
            id_number(8001).as_str(),
            relative.as_str()
        ),
    )
    .unwrap();
    let r = import_file(s, &file, CheckList::CadreRelatives, &rc("529121"), None, t)
        .await
        .unwrap();
    assert_eq!(r.list_id, None);
    assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
    assert!(
        r.errors[0].starts_with("line 3: relation:"),
        "{:?}",
        r.errors
    );
    assert!(
        r.errors[1].starts_with("line 4: of_name:"),
        "{:?}",
        r.errors
    );
    assert!(
        s.crosscheck_lists(&[rc("529121")])
            .await
            .unwrap()
            .is_empty()
    );
    // Fixed: 户主03 by ID number, 户主05 by name in the village.
    std::fs::write(
        &file,
        format!(
            "姓名,身份证号,关系,村干部姓名,村代码\n王支书,{},本人,,{V}\n户主03,{},配偶,王支书,{V}\n户主05,,兄弟姐妹,王支书,{V}\n",
            id_number(8001).as_str(),
            relative.as_str()
        ),
    )
    .unwrap();
    let r = import_file(s, &file, CheckList::CadreRelatives, &rc("529121"), None, t)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let hits = s
        .crosscheck_hits("529121", Some(&rc(V)), "户主03", Some(relative.as_str()))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (
            hits[0].entry.relation.as_str(),
            hits[0].entry.of_name.as_str(),
            hits[0].matched_by.as_str()
        ),
        ("配偶", "王支书", "id_number")
    );
    let hits = s
        .crosscheck_hits(
            "529121",
            Some(&rc(V)),
            "户主05",
            Some(id_number(9005).as_str()),
        )
        .await
        .unwrap();
    assert_eq!(hits[0].matched_by, "name_village");

    // A round: ten households apply; a registered poor one cannot.
    let round = s
        .open_round(
            &NewRound {
                village: rc(V),
                year: 2026,
                kind: RoundKind::Identify,
                rules: Rules::default(),
            },
            None,
            t,
        )
        .await
        .unwrap();
    let mut applicants = Vec::new();
    for h in households.iter().take(10) {
        let a = s
            .apply(
                &NewApplicant {
                    round_id: round.id,
                    household_id: *h,
                    reason: "因病致贫".into(),
                    income_evidence: "2025年人均纯收入2800元，村委会核实".into(),
                },
                None,
                t,
            )
            .await
            .unwrap();
        applicants.push(a.id);
    }
    let e = s
        .apply(
            &NewApplicant {
                round_id: round.id,
                household_id: households[10],
                reason: "x".into(),
                income_evidence: "x".into(),
            },
            None,
            t,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "already_poor");
    s.round_step(
        round.id,
        RoundAction::CloseApplications,
        &step("申请汇总表"),
        None,
        t,
    )
    .await
    .unwrap();
    let rec = s.round(round.id, t).await.unwrap().unwrap();
    assert_eq!(rec.hits.len(), 2, "{:?}", rec.hits);
    let flagged = rec
        .hits
        .iter()
        .find(|h| h.entry.relation == "配偶")
        .unwrap();
    assert_eq!(flagged.applicant_id, applicants[2]);

    // The representatives' meeting: one vote void without a quorum, then a valid one.
    let members: Vec<String> = (1..=31).map(|i| format!("代表{i:02}")).collect();
    let call = |title: &str| NewMeeting {
        village: rc(V),
        kind: MeetingKind::Representatives,
        basis: RosterBasis::Adults,
        title: title.into(),
        planned_on: sunledger_core::day::today_text(t),
        named_votes: false,
        members: members.clone(),
    };
    let vote_at = |m: i64, present: usize, for_: u32| async move {
        let r = s.meeting(m).await.unwrap().unwrap();
        for line in r.roster.iter().take(present) {
            s.mark_attendance(m, line.id, true, None, t + 60)
                .await
                .unwrap();
        }
        let item = |title: &str, f: u32| NewItem {
            title: title.into(),
            tally: Some(Tally {
                for_: f,
                against: present as u32 - f,
                abstain: 0,
            }),
            project_id: None,
            ballots: Vec::new(),
        };
        let passed = s
            .record_item(m, &item("评议贫困户申请", for_), None, t + 120)
            .await
            .unwrap();
        let failed = s
            .record_item(m, &item("评议户主10的申请", 3), None, t + 130)
            .await
            .unwrap();
        (passed.id, failed.id)
    };
    let void = s
        .call_meeting(&call("村民代表会议（未达法定人数）"), None, t)
        .await
        .unwrap();
    let (void_item, _) = vote_at(void.id, 20, 15).await;
    let held = s
        .call_meeting(&call("村民代表会议"), None, t)
        .await
        .unwrap();
    let (passed, failed) = vote_at(held.id, 25, 20).await;
    // The flagged applicant cannot be voted on before the hit is decided; nor can the round.
    let e = s
        .record_vote(applicants[2], passed, None, t + 200)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "hits_undecided");
    for h in &rec.hits {
        s.decide_hit(
            h.id,
            HitDecision::Cleared,
            "经核实，该户与村干部已分户，收入另计",
            None,
            t + 200,
        )
        .await
        .unwrap();
    }
    let e = s
        .record_vote(applicants[0], void_item, None, t + 200)
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "vote_void");
    let e = s
        .round_step(
            round.id,
            RoundAction::Vote,
            &step("会议记录"),
            None,
            t + 200,
        )
        .await
        .unwrap_err();
    assert_eq!(reason_of(&e), "applicants_unvoted");
    for (i, a) in applicants.iter().enumerate() {
        let item = if i == 9 { failed } else { passed };
        s.record_vote(*a, item, None, t + 210).await.unwrap();
    }
    for (a, doc) in [
        (RoundAction::Vote, "村民代表会议记录"),
        (RoundAction::VillageCheck, "村委会核实意见"),
        (RoundAction::PostFirstNotice, "第一次公示"),
    ] {
        s.round_step(round.id, a, &step(doc), None, t + 300)
            .await
            .unwrap();
    }
    let rec = s.round(round.id, t + 300).await.unwrap().unwrap();
    let notice = rec.gate.notice_id.unwrap();
    let n = s.notice(notice).await.unwrap().unwrap().notice;
    assert_eq!((n.state.as_str(), n.window_days), ("published", Some(7)));
    let listed = n.fields.get("beneficiaries").unwrap();
    assert!(
        listed.contains("户主01") && !listed.contains("户主10"),
        "{listed}"
    );
    assert!(!listed.contains(id_number(9001).as_str()));

    // A villager objects to 户主04; the township cannot review until the objection is answered.
    let o = s
        .object(
            &NewObjection {
                subject_table: "notices".into(),
                subject_id: notice,
                content: "户主04家有小轿车一辆，不符合条件".into(),
                name: None,
                phone: None,
                receipt: sunledger_core::notice::receipt::from_random(4242),
            },
            t + DAY,
        )
        .await
        .unwrap();
    let later = t + 8 * DAY;
    let review_doc = step("乡镇审核意见");
    let review =
        |at: i64| s.round_step(round.id, RoundAction::TownshipReview, &review_doc, None, at);
    let e = review(t + 2 * DAY).await.unwrap_err();
    assert_eq!(reason_of(&e), "notice_window_open");
    let e = review(later).await.unwrap_err();
    assert_eq!(reason_of(&e), "objections_unanswered");
    s.answer_round_objection(
        o.id,
        "经入户核实，该户确有车辆，取消其评议资格",
        Some(applicants[3]),
        None,
        later,
    )
    .await
    .unwrap();
    let e = review(later).await.unwrap_err();
    assert_eq!(reason_of(&e), "sample_not_drawn");
    // The township's sample: 20 % of the eight approved (two), re-derived from the seed.
    let rec = s.round(round.id, later).await.unwrap().unwrap();
    assert_eq!(rec.applicants.iter().filter(|a| a.approved()).count(), 8);
    s.draw_round_sample(round.id, "township", "乡镇抽样-2026-阳光", None, later)
        .await
        .unwrap();
    let rec = s.round(round.id, later).await.unwrap().unwrap();
    let sample = rec.samples.last().unwrap();
    let population: Vec<&str> = sample.population.split(',').collect();
    let again =
        sunledger_core::appraisal::sample(&sample.seed, round.id, "township", &population, 20);
    assert_eq!(again.join(","), sample.sample);
    assert_eq!(again.len(), 2);
    let e = review(later).await.unwrap_err();
    assert_eq!(reason_of(&e), "sample_unchecked");
    for id in sample.sample.split(',') {
        s.check_sampled(
            round.id,
            id.parse().unwrap(),
            true,
            "入户核实属实",
            None,
            later,
        )
        .await
        .unwrap();
    }
    review(later).await.unwrap();
    s.round_step(
        round.id,
        RoundAction::PostSecondNotice,
        &step("第二次公示"),
        None,
        later,
    )
    .await
    .unwrap();
    let last = later + 8 * DAY;
    s.draw_round_sample(round.id, "county", "县级抽查-2026", None, last)
        .await
        .unwrap();
    let rec = s.round(round.id, last).await.unwrap().unwrap();
    let sample = rec.samples.last().unwrap();
    assert_eq!(sample.sample.split(',').count(), 1);
    let population: Vec<&str> = sample.population.split(',').collect();
    assert_eq!(
        sunledger_core::appraisal::sample(&sample.seed, round.id, "county", &population, 10)
            .join(","),
        sample.sample
    );
    s.check_sampled(
        round.id,
        sample.sample.parse().unwrap(),
        true,
        "县级抽查属实",
        None,
        last,
    )
    .await
    .unwrap();
    // Nothing has changed the flag before the announcement.
    assert!(!s.household(households[0]).await.unwrap().unwrap().poor);
    s.round_step(
        round.id,
        RoundAction::CountyCheck,
        &step("县级核查意见"),
        None,
        last,
    )
    .await
    .unwrap();
    assert!(!s.household(households[0]).await.unwrap().unwrap().poor);
    let r = s
        .round_step(
            round.id,
            RoundAction::Announce,
            &step("县扶贫办公告〔2026〕3号"),
            None,
            last,
        )
        .await
        .unwrap();
    assert_eq!(r.state, "announced");
    let poor: Vec<bool> = futures_poor(s, &households).await;
    // Approved: 1-3, 5-9; removed by the objection: 4; failed the vote: 10.
    assert_eq!(
        poor,
        vec![
            true, true, true, false, true, true, true, true, true, false, true, true
        ]
    );
    let changes = s.household_changes(households[0]).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].round_id, round.id);

    // verify: clean, then names an edited flag and an edited sample.
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    raw_sql(
        &db,
        &format!(
            "UPDATE households SET poor = 1 WHERE id = {}",
            households[3]
        ),
    )
    .await;
    raw_sql(
        &db,
        &format!(
            "UPDATE appraisal_samples SET sample = '{}' WHERE id = {}",
            applicants[0], sample.id
        ),
    )
    .await;
    let report = sunledger::verify::verify(s, &[]).await.unwrap();
    let named: Vec<String> = report.findings.iter().map(|f| f.subject.clone()).collect();
    assert!(
        named.contains(&format!("households/{}", households[3]))
            && named.contains(&format!("appraisal_samples/{}", sample.id)),
        "{named:?}"
    );
}
crate::both!(appraisal_on, appraisal);

async fn futures_poor(s: &dyn Store, ids: &[i64]) -> Vec<bool> {
    let mut out = Vec::new();
    for id in ids {
        out.push(s.household(*id).await.unwrap().unwrap().poor);
    }
    out
}

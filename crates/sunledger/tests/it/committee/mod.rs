//! Issue 18, the village affairs supervision committee, through the real server on both
//! backends: the demo village's committee (elected at its quorate meeting, a member left, one
//! by-elected) reads with masked ID numbers; a slate naming a village committee member or a
//! relative on the cadre-relatives list is refused with the relation named, one without an
//! accountant is refused; a sitting member signs a posting once, a member who left may not;
//! `verify` names an edited term end; the page reads in both languages and keeps what was typed
//! when refused.
use crate::acceptance::{get, post};
use crate::support::*;
use serde_json::{Value, json};

const V: &str = "529121100201";

fn member<'a>(t: &'a Value, name: &str) -> &'a Value {
    t["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {t}"))
}

async fn committee(app: TestApp) {
    let cadre = app.signed_in("yunling.village").await;
    let terms = get(&cadre, app.url(&format!("/api/v1/committees/{V}"))).await;
    let t = &terms[0];
    assert_eq!(t["current"], true, "{terms}");
    assert_eq!(member(t, "罗秀英")["chair"], true);
    assert_eq!(member(t, "陈国平")["accounting"], true);
    assert_eq!(member(t, "马建军")["sitting"], false);
    assert!(member(t, "马建军")["ended_on"].is_string());
    assert_eq!(member(t, "刘桂兰")["sitting"], true);
    assert_eq!(t["gaps"], json!([]), "{t}");
    // ID numbers are masked in every answer.
    let masked = member(t, "罗秀英")["id_number_masked"].as_str().unwrap();
    assert!(masked.contains("**********"), "{masked}");
    assert!(!terms.to_string().contains("19720315"), "{terms}");

    // A member of the village committee may not sit; the refusal names them.
    let village = rc(V);
    let mut cadre_name = None;
    for d in app.db.store.departments_in(&village).await.unwrap() {
        if d.region == village && d.kind == "village_committee" {
            cadre_name = app
                .db
                .store
                .people_in_department(d.id)
                .await
                .unwrap()
                .first()
                .map(|p| p.name.clone());
        }
    }
    let cadre_name = cadre_name.expect("the village committee's person");
    let meeting = t["meeting_id"].as_i64().unwrap();
    let slate = |names: [(&str, bool, bool); 3]| {
        json!({"meeting_id": meeting, "members": names.iter().map(|(n, chair, acc)| json!({
            "name": n, "chair": chair, "accounting": acc, "skills": if *acc { "会计证" } else { "" }
        })).collect::<Vec<_>>()})
    };
    let (s, e) = post(
        &cadre,
        app.url(&format!("/api/v1/committees/{V}/terms")),
        &slate([
            ("赵一", true, false),
            ("钱二", false, true),
            (cadre_name.as_str(), false, false),
        ]),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "members", "{e}");
    let msg = e["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("村民委员会成员") && msg.contains(&cadre_name),
        "{e}"
    );
    // A close relative on the county's cadre-relatives list (imported for the household
    // appraisal) may not sit either; the refusal names the relation.
    let (s, e) = post(
        &cadre,
        app.url(&format!("/api/v1/committees/{V}/terms")),
        &slate([
            ("赵一", true, false),
            ("钱二", false, true),
            ("赵小军", false, false),
        ]),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    let msg = e["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("赵建国（村民委员会成员）的子女"), "{e}");
    // Without a member with accounting skills.
    let (s, e) = post(
        &cadre,
        app.url(&format!("/api/v1/committees/{V}/terms")),
        &slate([
            ("赵一", true, false),
            ("钱二", false, false),
            ("孙三", false, false),
        ]),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("财会"),
        "{e}"
    );
    // A township account outside the county may not record one.
    let foreign = app.signed_in("shimen.finance").await;
    let (s, _) = post(
        &foreign,
        app.url(&format!("/api/v1/committees/{V}/terms")),
        &slate([
            ("赵一", true, true),
            ("钱二", false, false),
            ("孙三", false, false),
        ]),
    )
    .await;
    assert!(s == 404 || s == 403, "{s}");

    // Signatures: the chair signed the demo posting; once only; a member who left may not.
    let chair = app.signed_in("yunling.supervisor").await;
    let chair_id = member(t, "罗秀英")["id"].as_i64().unwrap();
    let left_id = member(t, "马建军")["id"].as_i64().unwrap();
    let postings = app.db.store.village_postings(&village, 5).await.unwrap();
    let signed = postings
        .iter()
        .find(|p| p.signatures.iter().any(|s| s.member_id == chair_id))
        .expect("the chair's demo signature");
    let (s, e) = post(
        &chair,
        app.url(&format!("/api/v1/committee-members/{chair_id}/signatures")),
        &json!({"posting_id": signed.posting_id}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("posting_id")),
        "{e}"
    );
    let (s, e) = post(
        &cadre,
        app.url(&format!("/api/v1/committee-members/{left_id}/signatures")),
        &json!({"posting_id": signed.posting_id}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("member_id")),
        "{e}"
    );
    // A member leaving tomorrow is refused, naming the day.
    let lin = member(t, "刘桂兰")["id"].as_i64().unwrap();
    let tomorrow = sunledger_core::day::format(
        sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock)) + 1,
    );
    let (s, e) = post(
        &cadre,
        app.url(&format!("/api/v1/committee-members/{lin}/end")),
        &json!({"ended_on": tomorrow, "reason": "迁出"}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("ended_on")),
        "{e}"
    );

    // The page, in both languages; a refused election keeps what was typed.
    for lang in ["zh-CN", "en"] {
        let html = cadre
            .get(app.url(&format!("/committees/{V}?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("罗秀英") && html.contains(masked), "{html}");
        assert!(!html.contains("committee.") && !html.contains("19720315"));
    }
    let form = [
        ("step", "elect".to_string()),
        ("meeting_id", meeting.to_string()),
        ("chair", "0".into()),
        ("name_0", "赵一".into()),
        ("name_1", "钱二".into()),
        ("name_2", cadre_name.clone()),
    ];
    let r = cadre
        .post(app.url(&format!("/committees/{V}/steps")))
        .form(&form)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\"") && html.contains("value=\"钱二\""),
        "{html}"
    );

    // An edited term end is named by verify.
    let key = test_signer().verifier_key();
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_eq!(code, 0, "{out}{err}");
    raw_sql(&app.db, "UPDATE committee_terms SET ends_on = '2099-12-31'").await;
    let (code, out, err) = sunledger(&app.db, &["verify", "--key", &key], None);
    assert_ne!(code, 0, "{out}{err}");
    assert!(out.contains("committee_terms"), "{out}{err}");
}
crate::both_app!(supervision_committee, committee);

/// A supervision committee elected in a village of 石门县 at a quorate representatives' meeting.
pub(crate) async fn foreign_committee(store: &dyn sunledger_store::Store) -> (String, i64, i64) {
    use sunledger_core::RegionCode;
    use sunledger_core::meeting::{MeetingKind, RosterBasis};
    let county = RegionCode::parse("529122").unwrap();
    let township = store.region_children(&county).await.unwrap()[0].code;
    let village = store.region_children(&township).await.unwrap()[0].code;
    let m = store
        .call_meeting(
            &sunledger_store::NewMeeting {
                village,
                kind: MeetingKind::Representatives,
                basis: RosterBasis::Households,
                title: "村民代表会议：推选村务监督委员会".into(),
                planned_on: sunledger_core::day::today_text(now()),
                named_votes: false,
                members: vec!["代表一".into(), "代表二".into(), "代表三".into()],
            },
            None,
            now(),
        )
        .await
        .unwrap();
    for line in store.meeting(m.id).await.unwrap().unwrap().roster {
        store
            .mark_attendance(m.id, line.id, true, None, now())
            .await
            .unwrap();
    }
    let member = |name: &str, chair: bool, accounting: bool| sunledger_store::NewMember {
        name: name.into(),
        chair,
        accounting,
        skills: if accounting {
            "会计证".into()
        } else {
            String::new()
        },
        ..Default::default()
    };
    let t = store
        .elect_committee(
            &sunledger_store::NewTerm {
                village,
                meeting_id: m.id,
                members: vec![
                    member("石门监委一", true, false),
                    member("石门监委二", false, true),
                    member("石门监委三", false, false),
                ],
            },
            None,
            now(),
        )
        .await
        .unwrap();
    (village.as_str().to_string(), t.id, t.members[0].id)
}

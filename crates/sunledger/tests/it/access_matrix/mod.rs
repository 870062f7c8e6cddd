//! Region-scoped access, generated over the route table: for every operation in the OpenAPI
//! document and every demo role of one county (云岭县), requests aimed at another county (石门县)
//! get 401, 403 or 404. Public operations (tag `public`) are checked to answer without sign-in.
use crate::support::TestApp;
use serde_json::{Value, json};

mod foreign;
use foreign::*;

/// Example request bodies per (method, path). A new route without an example fails the test, so
/// that no route escapes the check.
pub(crate) fn example_body(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("post", "/api/v1/session") => json!({"username": "x", "password": "y"}),
        ("post", "/api/v1/session/second-step")
        | ("post", "/api/v1/account/second-factor/confirm")
        | ("post", "/api/v1/account/second-factor/remove") => json!({"otp": "123456"}),
        ("post", "/api/v1/account/second-factor") => json!({}),
        ("post", "/api/v1/users/{id}/disable") | ("post", "/api/v1/users/{id}/enable") => {
            json!({"reason": "x"})
        }
        ("post", "/api/v1/regions/{code}/departments") => {
            json!({"kind": "business_department", "name": "测试局"})
        }
        ("post", "/api/v1/departments/{id}/people") => json!({"name": "测试", "position": "staff"}),
        ("post", "/api/v1/users") => {
            json!({"username": "intruder", "display_name": "X", "password": "long-enough-password", "region": "529122"})
        }
        ("post", "/api/v1/users/{id}/grants") => json!({"role": "finance", "region": "529122"}),
        ("post", "/api/v1/log/checkpoints") => json!({}),
        ("post", "/api/v1/notices") => {
            json!({"region": "529122", "kind": "policy", "fields": {"title": "越权公示"}})
        }
        ("post", "/api/v1/notices/{id}/fields") => json!({"fields": {"title": "越权修改"}}),
        ("post", "/api/v1/notices/{id}/actions") => json!({"action": "close"}),
        ("post", "/api/v1/notices/{id}/postings") => {
            json!({"place": "村务公开栏", "posted_on": "2026-01-01", "posted_by": "x", "photo_base64": "iVBORw0KGgo="})
        }
        ("post", "/api/v1/notices/{id}/postings/{posting}/confirm") => json!({}),
        ("post", "/api/v1/public-objections/{id}/answer") => json!({"answer": "越权答复"}),
        ("post", "/api/v1/public/notices/{id}/objections")
        | ("post", "/api/v1/public/projects/{id}/objections") => json!({"content": "异议"}),
        ("post", "/api/v1/funds") => {
            json!({"client_id": "intrude-1", "region": "529122", "source": "county_budget", "fiscal_year": 2026,
            "document_no": "x", "name": "x", "amount": "1.00", "booked_on": "2026-05-01"})
        }
        ("post", "/api/v1/transfers") => {
            json!({"client_id": "intrude-2", "fund_id": 1, "kind": "appropriate", "from": {"region": "529122"},
            "to": {"region": "529122100"}, "amount": "1.00", "booked_on": "2026-05-01", "document_no": "x", "purpose": "x"})
        }
        ("post", "/api/v1/transfers/{id}/receipt") => json!({"on": "2026-05-01"}),
        ("post", "/api/v1/transfers/{id}/payment") => json!({"action": "void", "on": "2026-05-01"}),
        ("post", "/api/v1/suspensions") => {
            json!({"target_kind": "region", "target": "529122", "reason": "x", "document_no": "x"})
        }
        ("post", "/api/v1/suspensions/{id}/resume") => json!({"document_no": "x"}),
        ("post", "/api/v1/projects") | ("post", "/api/v1/projects/{id}/versions") => json!({
            "village": "529122100201", "name": "越权申报", "category": "infrastructure", "fiscal_year": 2026,
            "budget": [{"source": "county_budget", "amount": "1.00"}], "targets": crate::support::targets_json(),
            "meeting_on": "2026-01-01", "meeting_ref": "x",
            "declare": true, "note": "x"}),
        ("post", "/api/v1/projects/{id}/steps") => {
            json!({"action": "township_approve", "comment": "x"})
        }
        ("post", "/api/v1/projects/{id}/objections") => {
            json!({"objector": "x", "content": "x", "received_on": "2026-05-01"})
        }
        ("post", "/api/v1/objections/{id}/answer") => json!({"answer": "x"}),
        ("post", "/api/v1/projects/{id}/milestones") => json!({"name": "x", "weight": 10}),
        ("post", "/api/v1/milestones/{id}/updates") => {
            json!({"progress": 10, "on_date": "2026-05-01"})
        }
        ("post", "/api/v1/projects/{id}/beneficiaries") => {
            json!({"name": "x", "id_number": "11010519491231002X", "household_size": 3})
        }
        ("post", "/api/v1/projects/{id}/responsibilities") => {
            json!({"person_id": 1, "role": "village_cadre", "start_on": "2026-05-01"})
        }
        ("post", "/api/v1/responsibilities/{id}/end") => {
            json!({"end_on": "2026-05-01", "reason": "x"})
        }
        ("post", "/api/v1/responsibility-letters") => json!({
            "township": "529122100", "fiscal_year": 2026, "document_no": "越权〔2026〕1号", "title": "x",
            "content": "x", "bureau_person_id": 1, "township_person_id": 2, "signed_on": "2026-05-01"}),
        ("post", "/api/v1/inspections") => json!({
            "region": "529122", "kind": "routine", "title": "越权检查", "team": "x",
            "lead_departments": ["discipline_commission"], "planned_on": "2026-05-01"}),
        ("post", "/api/v1/inspections/{id}/done") => {
            json!({"done_on": "2026-05-01", "findings": "x"})
        }
        ("post", "/api/v1/spot-draws") => json!({"region": "5291", "round": "越权", "seed": "x"}),
        ("post", "/api/v1/problems") => json!({
            "region": "529122", "category": "fund_management", "severity": "general", "title": "x",
            "description": "x", "department_id": 1, "deadline": "2026-12-01"}),
        ("post", "/api/v1/problems/{id}/actions") => json!({"action": "verify", "text": "x"}),
        ("post", "/api/v1/problems/{id}/escalations") => json!({
            "step": "reminder_letter", "document_no": "越权〔2026〕2号", "issuing_unit": "x", "content": "x",
            "responsible_person": "x"}),
        ("post", "/api/v1/escalations/{id}/outcome") => json!({"outcome": "x"}),
        ("post", "/api/v1/proposals/{id}/dismiss") => json!({"reason": "x"}),
        ("post", "/api/v1/overdue-proposals/{id}/decide") => {
            json!({"decision": "dismissed", "reason": "越权"})
        }
        ("post", "/api/v1/acceptances") => json!({"project_id": 1, "application": "越权申请"}),
        ("post", "/api/v1/acceptances/{id}/precheck")
        | ("post", "/api/v1/acceptances/{id}/accept") => {
            json!({"comment": "x"})
        }
        ("post", "/api/v1/acceptances/{id}/team") => json!({"members": [1, 2, 3]}),
        ("post", "/api/v1/acceptances/{id}/inspections") => json!({
            "inspected_on": "2026-05-01", "passed": [], "grade": "failed", "findings": "x", "deadline": "2099-01-01"}),
        ("post", "/api/v1/acceptances/{id}/signoffs") => json!({"opinion": "agree"}),
        ("post", "/api/v1/acceptances/{id}/post") => json!({"notice_id": 1}),
        ("put", "/api/v1/acceptance-rules/{county}") => json!({
            "inspection_days": 60, "retention_percent": 0, "posting_days": 7, "evaluation_years": [0],
            "basis": "越权"}),
        ("post", "/api/v1/evaluations/{id}/record") => json!({
            "values": [{"actual": "1", "evidence": "越权"}], "summary": "越权填报"}),
        ("post", "/api/v1/evaluations/{id}/return")
        | ("post", "/api/v1/evaluations/{id}/review") => {
            json!({"comment": "越权"})
        }
        ("post", "/api/v1/committees/{village}/terms") => json!({"meeting_id": 1, "members": [
            {"name": "越权一", "chair": true}, {"name": "越权二", "accounting": true, "skills": "x"}, {"name": "越权三"}]}),
        ("post", "/api/v1/committee-terms/{id}/members") => {
            json!({"meeting_id": 1, "member": {"name": "越权"}})
        }
        ("post", "/api/v1/committee-members/{id}/end") => {
            json!({"ended_on": "2026-01-01", "reason": "越权"})
        }
        ("post", "/api/v1/committee-members/{id}/signatures") => json!({"posting_id": 1}),
        ("post", "/api/v1/complaints") => json!({
            "channel": "letter", "category": "detention", "region": "529122100201", "title": "越权登记",
            "body": "越权", "anonymous": true}),
        ("post", "/api/v1/complaints/{id}/steps") => json!({"action": "accept"}),
        ("post", "/api/v1/flags/{id}/steps") => json!({"action": "dismiss", "reason": "越权排除"}),
        ("post", "/api/v1/flags/scan") => json!({"region": "529122"}),
        ("post", "/api/v1/assessment/schemes") => {
            json!({"city": "529122", "body": "{}", "note": "越权"})
        }
        ("post", "/api/v1/assessment/{year}/steps") => {
            json!({"city": "529122", "action": "review"})
        }
        ("post", "/api/v1/assessment/{year}/appeals") => json!({"county": "529122", "item": "2.4",
            "row_key": "escalation:1", "reason": "越权申诉"}),
        ("post", "/api/v1/assessment/{year}/appeals/{id}/decision") => {
            json!({"uphold": true, "reason": "越权"})
        }
        ("post", "/api/v1/flag-settings") => {
            json!({"region": "529122", "body": "unconfirmed.days = 10"})
        }
        ("post", "/api/v1/complaints/{id}/publication") => {
            json!({"basis": "unit_decision", "reason": "越权", "found": "越权", "done": "越权"})
        }
        ("post", "/api/v1/public/complaints") => json!({
            "category": "other", "region": "529122100201", "title": "公开投诉", "body": "公开", "anonymous": true}),
        ("post", "/api/v1/public/complaints/lookup") => {
            json!({"code": "SL-2026-F0RE1GN1", "pin": "000000"})
        }
        ("post", "/api/v1/public/complaints/steps") => {
            json!({"code": "SL-2026-F0RE1GN1", "pin": "000000", "action": "close"})
        }
        ("post", "/api/v1/meetings") => json!({
            "village": "529122100201", "kind": "representatives", "title": "越权会议",
            "planned_on": "2026-01-01", "roster": ["越权"]}),
        ("post", "/api/v1/meetings/{id}/attendance") => {
            json!({"lines": [{"roster_id": 1, "present": true}]})
        }
        ("post", "/api/v1/meetings/{id}/items") => {
            json!({"title": "越权表决", "decision": true, "votes_for": "1"})
        }
        ("post", "/api/v1/meetings/{id}/minutes") => json!({"minutes": "越权记录"}),
        ("post", "/api/v1/meetings/{id}/confirmations") => json!({"roster_id": 1}),
        ("post", "/api/v1/appraisals") => {
            json!({"village": "529122100201", "year": "2026", "kind": "identify"})
        }
        ("post", "/api/v1/appraisals/{id}/applicants") => {
            json!({"household_id": "1", "reason": "越权", "income_evidence": "越权"})
        }
        ("post", "/api/v1/appraisals/{id}/steps") => {
            json!({"action": "close_applications", "document": "越权"})
        }
        ("post", "/api/v1/appraisals/{id}/hits/{hit}/decision") => {
            json!({"decision": "cleared", "reason": "越权"})
        }
        ("post", "/api/v1/appraisals/{id}/applicants/{applicant}/vote") => json!({"item_id": "1"}),
        ("post", "/api/v1/appraisals/{id}/samples") => json!({"level": "township", "seed": "越权"}),
        ("post", "/api/v1/appraisals/{id}/checks") => {
            json!({"applicant_id": "1", "passed": true, "note": "越权"})
        }
        ("post", "/api/v1/appraisals/{id}/objections/{objection}/answer") => {
            json!({"answer": "越权答复"})
        }
        ("post", "/api/v1/assets") => json!({
            "project_id": 999_999, "name": "越权资产", "class": "public_welfare", "quantity": "1", "unit": "座",
            "value": {"county_budget": "1.00"}, "owner_level": "village", "owner": "529122100201",
            "custodian": "x", "custodian_person": "x"}),
        ("post", "/api/v1/assets/{id}/actions") => json!({
            "action": "dispose", "disposal_kind": "scrap", "decision_kind": "document",
            "decision_ref": "越权〔2026〕3号", "reason": "越权处置"}),
        _ => return None,
    })
}

/// Identifiers inside 石门县 (529122) to substitute into path parameters.
pub(crate) struct Foreign {
    /// A round of 石门县's village with one applicant.
    pub(crate) appraisal: i64,
    pub(crate) appraisal_applicant: i64,
    pub(crate) region: String,
    pub(crate) fund: i64,
    pub(crate) transfer: i64,
    pub(crate) payment: i64,
    pub(crate) suspension: i64,
    pub(crate) department: i64,
    pub(crate) person: i64,
    pub(crate) user: i64,
    pub(crate) grant: i64,
    pub(crate) project: i64,
    pub(crate) objection: i64,
    pub(crate) milestone: i64,
    pub(crate) responsibility: i64,
    pub(crate) letter: i64,
    pub(crate) inspection: i64,
    pub(crate) problem: i64,
    pub(crate) escalation: i64,
    pub(crate) proposal: i64,
    /// An overdue application of 石门县 proposed on the ladder (issue 17).
    pub(crate) overdue_proposal: i64,
    pub(crate) notice: i64,
    pub(crate) public_objection: i64,
    pub(crate) acceptance: i64,
    /// An asset of an accepted project of 石门县, and that project.
    pub(crate) asset: i64,
    pub(crate) asset_project: i64,
    /// The first evaluation of that project (scheduled at its acceptance).
    pub(crate) evaluation: i64,
    /// A village of 石门县 with a supervision committee: the village, its term and a member.
    pub(crate) village: String,
    pub(crate) committee_term: i64,
    /// A complaint about a village of 石门县.
    pub(crate) complaint: i64,
    /// A red flag of 石门县 (the demo's scan raises them).
    pub(crate) flag: i64,
    pub(crate) committee_member: i64,
    /// A meeting of a village of 石门县 (issue 18).
    pub(crate) meeting: i64,
}

pub(crate) async fn foreign_ids(app: &TestApp) -> Foreign {
    let admin = app.signed_in("admin").await;
    let depts: Value = admin
        .get(app.url("/api/v1/regions/529122/departments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let department = depts[0]["id"].as_i64().expect("a department in 石门县");
    let detail: Value = admin
        .get(app.url(&format!("/api/v1/departments/{department}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person = detail["people"][0]["id"]
        .as_i64()
        .expect("a person in 石门县");
    let users: Value = admin
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "shimen.finance")
        .expect("shimen.finance")["id"]
        .as_i64()
        .unwrap();
    let ud: Value = admin
        .get(app.url(&format!("/api/v1/users/{user}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grant = ud["grants"][0]["id"].as_i64().unwrap();
    // Ledger records of 石门县: its county fund, an appropriation to one of its townships, and a
    // suspension there.
    let store = app.db.store.as_ref();
    let shimen = sunledger_core::RegionCode::parse("529122").unwrap();
    let fund = store
        .funds_within(&shimen)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.region == shimen)
        .expect("a 石门县 fund")
        .id;
    let township = sunledger_core::RegionCode::parse("529122100").unwrap();
    let transfer = store
        .transfers_of_region(&township, "0000-01-01", "9999-12-31", 10)
        .await
        .unwrap()[0]
        .id;
    let suspension = store
        .suspend(
            &sunledger_store::SuspensionTarget::Payee("石门测试收款人".into()),
            &shimen,
            "测试",
            "测试〔2026〕1号",
            None,
            1,
        )
        .await
        .unwrap()
        .id;
    let (project, objection, milestone, responsibility, letter) = foreign_project(store).await;
    let (inspection, problem, escalation, proposal) = foreign_problem(store).await;
    let (notice, public_objection) = foreign_notice(store).await;
    // The demo's application in 石门县.
    let (acceptances, _) = store
        .acceptances(
            &sunledger_store::AcceptanceFilter {
                scopes: vec![crate::support::rc("529122")],
                ..Default::default()
            },
            1,
            0,
        )
        .await
        .unwrap();
    let acceptance = acceptances.first().expect("an acceptance in 石门县").id;
    let (asset, asset_project) = foreign_asset(store).await;
    let evaluation = store
        .evaluations_of_project(asset_project)
        .await
        .unwrap()
        .first()
        .expect("an evaluation in 石门县")
        .id;
    let overdue_proposal = foreign_overdue(store).await;
    let (appraisal, appraisal_applicant) = foreign_round(store).await;
    let meeting = crate::meeting::web::foreign_meeting(store).await;
    let complaint = crate::complaint::foreign_complaint(store).await;
    let flag = store
        .flags(
            &sunledger_store::FlagFilter {
                scopes: vec![crate::support::rc("529122")],
                ..Default::default()
            },
            1,
            0,
        )
        .await
        .unwrap()
        .0
        .first()
        .expect("a red flag in 石门县")
        .id;
    let (village, committee_term, committee_member) =
        crate::committee::foreign_committee(store).await;
    Foreign {
        appraisal,
        appraisal_applicant,
        meeting,
        village,
        committee_term,
        committee_member,
        complaint,
        flag,
        evaluation,
        overdue_proposal,
        acceptance,
        asset,
        asset_project,
        notice,
        public_objection,
        inspection,
        problem,
        escalation,
        proposal,
        project,
        objection,
        milestone,
        responsibility,
        letter,
        region: "529122".into(),
        fund,
        transfer,
        payment: transfer,
        suspension,
        department,
        person,
        user,
        grant,
    }
}

pub(crate) fn fill(path: &str, f: &Foreign) -> String {
    // Proofs: a grant of the other county (grants are not public records).
    let path = if path.starts_with("/api/v1/proofs") {
        path.replace("{table}", "grants")
            .replace("{id}", &f.grant.to_string())
    } else {
        path.to_string()
    };
    let path = path.as_str();
    path.replace("{code}", &f.region)
        .replace("{year}", "2026")
        .replace("{village}", &f.village)
        .replace("{county}", &f.region)
        .replace(
            "{id}",
            &if path.starts_with("/api/v1/inspections") {
                f.inspection.to_string()
            } else if path.starts_with("/api/v1/problems") {
                f.problem.to_string()
            } else if path.starts_with("/api/v1/escalations") {
                f.escalation.to_string()
            } else if path.starts_with("/api/v1/proposals") {
                f.proposal.to_string()
            } else if path.starts_with("/api/v1/overdue-proposals") {
                f.overdue_proposal.to_string()
            } else if path.starts_with("/api/v1/projects") {
                f.project.to_string()
            } else if path.starts_with("/api/v1/objections") {
                f.objection.to_string()
            } else if path.starts_with("/api/v1/notices")
                || path.starts_with("/api/v1/public/notices")
            {
                f.notice.to_string()
            } else if path.starts_with("/api/v1/acceptances") {
                f.acceptance.to_string()
            } else if path.starts_with("/api/v1/assets") {
                f.asset.to_string()
            } else if path.starts_with("/api/v1/evaluations") {
                f.evaluation.to_string()
            } else if path.starts_with("/api/v1/committee-terms") {
                f.committee_term.to_string()
            } else if path.starts_with("/api/v1/committee-members") {
                f.committee_member.to_string()
            } else if path.starts_with("/api/v1/complaints") {
                f.complaint.to_string()
            } else if path.starts_with("/api/v1/flags") {
                f.flag.to_string()
            } else if path.starts_with("/api/v1/meetings") {
                f.meeting.to_string()
            } else if path.starts_with("/api/v1/appraisals") {
                f.appraisal.to_string()
            } else if path.starts_with("/api/v1/public-objections") {
                f.public_objection.to_string()
            } else if path.starts_with("/api/v1/milestones") {
                f.milestone.to_string()
            } else if path.starts_with("/api/v1/responsibilities") {
                f.responsibility.to_string()
            } else if path.starts_with("/api/v1/responsibility-letters") {
                f.letter.to_string()
            } else if path.starts_with("/api/v1/funds") {
                f.fund.to_string()
            } else if path.starts_with("/api/v1/transfers/{id}/payment") {
                f.payment.to_string()
            } else if path.starts_with("/api/v1/transfers") {
                f.transfer.to_string()
            } else if path.starts_with("/api/v1/suspensions") {
                f.suspension.to_string()
            } else if path.starts_with("/api/v1/departments") {
                f.department.to_string()
            } else if path.starts_with("/api/v1/people") {
                f.person.to_string()
            } else {
                f.user.to_string()
            },
        )
        .replace("{grant_id}", &f.grant.to_string())
        .replace("{applicant}", &f.appraisal_applicant.to_string())
        .replace("{hit}", "1")
        .replace("{objection}", "1")
}

const COUNTY_ACCOUNTS: [&str; 8] = [
    "yunling.admin",
    "yunling.party",
    "yunling.discipline",
    "yunling.finance",
    "yunling.bureau",
    "yunling.township",
    "yunling.village",
    "yunling.workteam",
];

async fn another_countys_data_is_out_of_reach(app: TestApp) {
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let foreign = foreign_ids(&app).await;
    let mut checked = 0;
    let mut clients = Vec::new();
    for name in COUNTY_ACCOUNTS {
        clients.push((name, app.signed_in(name).await));
    }
    clients.push(("(public)", app.client()));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let public = op["tags"]
                .as_array()
                .map(|t| t.iter().any(|x| x == "public"))
                .unwrap_or(false);
            if path.starts_with("/api/v1/session")
                || path.starts_with("/api/v1/account/second-factor")
            {
                // Signing in and out and one's own second factor concern no region; tests in
                // `security` and `auth` cover them.
                continue;
            }
            let url = app.url(&fill(path, &foreign));
            for (who, client) in &clients {
                let mut req = match method.as_str() {
                    "get" => client.get(&url),
                    "post" => client.post(&url),
                    "delete" => client.delete(&url),
                    "put" => client.put(&url),
                    "patch" => client.patch(&url),
                    other => panic!("unexpected method {other}"),
                };
                if method != "get" && method != "delete" {
                    let body = example_body(method, path)
                        .unwrap_or_else(|| panic!("add an example body for {method} {path}"));
                    req = req.json(&body);
                }
                let resp = req.send().await.unwrap();
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                if public {
                    // Division names and the session endpoints are not region data.
                    assert!(status < 500, "{who} {method} {path}: {status} {text}");
                    assert!(
                        !text.contains("\"people\""),
                        "{who} {method} {path} leaked people"
                    );
                    continue;
                }
                if !path.contains('{') && status == 200 {
                    // A list without a region parameter answers with the caller's own areas only.
                    assert!(
                        !text.contains("529122") && !text.contains("shimen"),
                        "{who} {method} {path} listed another county's data: {text}"
                    );
                    continue;
                }
                // A body naming another county's region or rows is refused as an unknown
                // reference (422, see `cross_county`); a path naming them is 403/404.
                assert!(
                    matches!(status, 401 | 403 | 404) || (status == 422 && !path.contains('{')),
                    "{who} {method} {path} on another county answered {status}: {text}"
                );
                let err: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"));
                assert!(
                    err["error"]["code"].is_string() && err["error"]["message"].is_string(),
                    "{text}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 9 * 9, "only {checked} scoped checks ran");

    // Nothing was created by those attempts.
    let admin = app.signed_in("admin").await;
    let users: Value = admin
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "intruder")
    );
    let depts: Value = admin
        .get(app.url("/api/v1/regions/529122/departments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !depts
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "测试局")
    );
}
crate::both_app!(
    another_countys_data_is_out_of_reach_on,
    another_countys_data_is_out_of_reach
);

async fn own_county_and_city_wide_reach(app: TestApp) {
    let finance = app.signed_in("yunling.finance").await;
    let r = finance
        .get(app.url("/api/v1/regions/529121100/departments"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "a county official sees townships below the county"
    );
    let depts: Value = r.json().await.unwrap();
    assert!(depts.as_array().unwrap().len() >= 6);
    // Not above the county.
    let r = finance
        .get(app.url("/api/v1/regions/5291/departments"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Not allowed to manage: finance is not an administrator.
    let r = finance
        .post(app.url("/api/v1/regions/529121/departments"))
        .json(&json!({"kind": "business_department", "name": "云岭县水务局"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The municipal bureau sees every county.
    let bureau = app.signed_in("city.bureau").await;
    for county in ["529102", "529121", "529122", "529126"] {
        let r = bureau
            .get(app.url(&format!("/api/v1/regions/{county}/departments")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "city bureau on {county}");
    }
    // The public sees region names only.
    let anon = app.client();
    let r = anon
        .get(app.url("/api/v1/regions/529121"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tree: Value = r.json().await.unwrap();
    assert_eq!(tree["region"]["name"], "云岭县");
    assert_eq!(tree["ancestors"][1]["name"], "青山市");
    assert!(tree["children"].as_array().unwrap().len() >= 10);
    let r = anon
        .get(app.url("/api/v1/regions/529121/departments"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
crate::both_app!(
    own_county_and_city_wide_reach_on,
    own_county_and_city_wide_reach
);

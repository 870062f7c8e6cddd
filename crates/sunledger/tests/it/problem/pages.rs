//! The supervision pages through the real server, on both backends: the county discipline
//! commission plans and records an inspection and its problems through the page forms, the
//! township sees its deadlines first in Book 3 and works on a problem, the inspectors reject its
//! evidence, confirm a proposed reminder letter, hold an interview that sets a new deadline and
//! refer a corruption case; letters print with their document number and deadline; another
//! county gets 404; the municipal bureau draws a spot-check sample; every page reads in English
//! without a raw catalogue key.
use crate::support::*;

const COUNTY: &str = "529121";
const TOWNSHIP: &str = "529121100";

fn today(app: &TestApp) -> i64 {
    sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock))
}

fn fmt(d: i64) -> String {
    sunledger_core::day::format(d)
}

/// A page's HTML, expecting `want`.
async fn get(c: &reqwest::Client, app: &TestApp, path: &str, want: u16) -> String {
    let r = c.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    assert_eq!(status, want, "GET {path}: {html}");
    html
}

/// Posts a form; returns the status, the redirect target (if any) and the body.
async fn post(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let r = c.post(app.url(path)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let loc = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, loc, r.text().await.unwrap())
}

/// Posts a form that must succeed; returns where it redirects to.
async fn post_ok(c: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> String {
    let (status, loc, body) = post(c, app, path, form).await;
    assert_eq!(status, 303, "POST {path}: {body}");
    loc
}

/// The number after `prefix` in `s`.
fn id_after(s: &str, prefix: &str) -> i64 {
    let rest = &s[s.find(prefix).unwrap_or_else(|| panic!("{prefix} in {s}")) + prefix.len()..];
    rest.chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap()
}

fn assert_no_catalogue_keys(html: &str) {
    for (key, _, _) in sunledger_web::i18n::entries() {
        assert!(
            !html.contains(&format!(">{key}<")),
            "untranslated key {key} on the page"
        );
    }
    for prefix in [
        "problem.",
        "inspection.",
        "spot.",
        "step.",
        "letter.",
        "export.",
        "field.",
        "reason.",
        "dept.kind.",
        "position.",
        "nav.",
        "book.",
    ] {
        let raw = html
            .match_indices(prefix)
            .filter(|(i, _)| html[..*i].ends_with('>') || html[..*i].ends_with("> "))
            .count();
        assert_eq!(raw, 0, "a raw {prefix}* key is shown: {html}");
    }
}

/// What the steps share: the signed-in clients, the day the walk starts, the ids of what was
/// made and the pages and dates later steps look at.
#[derive(Default)]
struct Walk {
    inspector: reqwest::Client,
    township: reqwest::Client,
    city: reqwest::Client,
    day0: i64,
    ins: i64,
    late_id: i64,
    pid: i64,
    graft: i64,
    letter: i64,
    interview: i64,
    referral: i64,
    gov_name: String,
    soon: String,
    mine: String,
    page: String,
    gpage: String,
    new_deadline: String,
    letter_no: &'static str,
    interview_no: &'static str,
}

async fn supervision_on_the_web(app: TestApp) {
    let mut w = Walk {
        inspector: app.signed_in("yunling.discipline").await,
        day0: today(&app),
        ..Walk::default()
    };
    step_menu(&app, &mut w).await;
    step_inspection(&app, &mut w).await;
    step_problems(&app, &mut w).await;
    step_township_sees(&app, &mut w).await;
    step_overdue(&app, &mut w).await;
    step_township_works(&app, &mut w).await;
    step_reject(&app, &mut w).await;
    step_reminder_letter(&app, &mut w).await;
    step_interview(&app, &mut w).await;
    step_printed_letters(&app, &mut w).await;
    step_referral(&app, &mut w).await;
    step_other_county(&app, &mut w).await;
    step_spot_check(&app, &mut w).await;
    step_english(&app, &mut w).await;
}

/// The menu leads to Book 3 and the inspections; the coverage shows the current quarter.
async fn step_menu(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let day0 = w.day0;
    // The menu leads to Book 3 and the inspections; the coverage shows the current quarter.
    let home = get(&inspector, app, "/", 200).await;
    assert!(home.contains("href=\"/problems\"") && home.contains("href=\"/inspections\""));
    let html = get(&inspector, app, "/inspections", 200).await;
    assert!(
        html.contains("云岭县") && html.contains("季度检查覆盖"),
        "{html}"
    );
    assert!(html.contains(&sunledger_core::inspection::Quarter::of_day(day0).label()));
}

/// An inspection planned, refused without a title, then recorded as done once.
async fn step_inspection(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let day0 = w.day0;
    // An inspection planned through the form, then recorded as done with findings.
    let loc = post_ok(
        &inspector,
        app,
        "/inspections",
        &[
            ("region", COUNTY),
            ("kind", "routine"),
            ("title", "第四季度扶贫项目资金监督检查"),
            ("team", "县纪委 李静（组长）；县扶贫移民局 刘洋"),
            ("lead_departments", "discipline_commission"),
            ("lead_departments", "poverty_bureau"),
            ("targets", &format!("region:{TOWNSHIP}")),
            ("planned_on", &fmt(day0)),
            ("done_on", ""),
            ("findings", ""),
        ],
    )
    .await;
    let ins = id_after(&loc, "/inspections/");
    let html = get(&inspector, app, &loc, 200).await;
    assert!(
        html.contains("登记完成及发现问题") && html.contains("纪委监委、"),
        "{html}"
    );
    // A refused form comes back filled in: without a title nothing is planned.
    let (status, _, html) = post(
        &inspector,
        app,
        "/inspections",
        &[
            ("region", COUNTY),
            ("kind", "routine"),
            ("title", ""),
            ("team", "第二检查组"),
            ("lead_departments", "finance_bureau"),
            ("planned_on", &fmt(day0)),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("第二检查组") && html.contains("class=\"error\""));
    post_ok(
        &inspector,
        app,
        &format!("/inspections/{ins}/done"),
        &[("done_on", &fmt(day0)), ("findings", "发现问题三个")],
    )
    .await;
    // Done once only: a second time is refused, and what was typed stays.
    let (status, _, html) = post(
        &inspector,
        app,
        &format!("/inspections/{ins}/done"),
        &[("done_on", &fmt(day0)), ("findings", "再次登记")],
    )
    .await;
    assert_eq!(status, 409, "{html}");
    let html = get(&inspector, app, &format!("/inspections/{ins}"), 200).await;
    assert!(html.contains("发现问题三个") && !html.contains("action=\"/inspections/"));
    let html = get(&inspector, app, "/inspections", 200).await;
    assert!(html.contains("第四季度扶贫项目资金监督检查"));
    w.ins = ins;
}

/// Problems recorded from the inspection; a refused form keeps what was typed.
async fn step_problems(app: &TestApp, w: &mut Walk) {
    let s = app.db.store.as_ref();
    let inspector = w.inspector.clone();
    let ins = w.ins;
    let day0 = w.day0;
    // Recording problems from the inspection: the form lists the township's units.
    let gov = s
        .departments_in(&rc(TOWNSHIP))
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "government")
        .unwrap();
    let html = get(
        &inspector,
        app,
        &format!("/problems/new?inspection={ins}&region={TOWNSHIP}"),
        200,
    )
    .await;
    assert!(
        html.contains(&format!("<option value=\"{}\"", gov.id)) && html.contains(&gov.name),
        "{html}"
    );
    assert!(html.contains(&format!("<option value=\"{ins}\" selected")));
    let gov_id = gov.id.to_string();
    let ins_id = ins.to_string();
    let soon = fmt(day0 + 3);
    let later = fmt(day0 + 20);
    let problem = |title: &'static str, category: &'static str, deadline: &str| {
        vec![
            ("region", TOWNSHIP.to_string()),
            ("inspection_id", ins_id.clone()),
            ("project_id", String::new()),
            ("review_of", String::new()),
            ("category", category.to_string()),
            ("severity", "serious".to_string()),
            ("title", title.to_string()),
            ("description", "检查发现：项目资金拨付滞后".to_string()),
            ("department_id", gov_id.clone()),
            ("person_id", String::new()),
            ("amount", "120000.00".to_string()),
            ("deadline", deadline.to_string()),
        ]
    };
    // A refused problem form keeps what was typed.
    let mut bad = problem("", "fund_management", &later);
    bad[6].1 = String::new();
    let form: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = post(&inspector, app, "/problems", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("检查发现：项目资金拨付滞后") && html.contains("120000.00"));
    let mut ids = Vec::new();
    for (title, category, deadline) in [
        ("后到期的问题", "cadre_style", later.as_str()),
        ("项目资金滞留", "fund_management", soon.as_str()),
        ("村干部虚报冒领", "corruption", later.as_str()),
    ] {
        let f = problem(title, category, deadline);
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let loc = post_ok(&inspector, app, "/problems", &form).await;
        ids.push(id_after(&loc, "/problems/"));
    }
    let (late_id, pid, graft) = (ids[0], ids[1], ids[2]);
    let html = get(&inspector, app, &format!("/inspections/{ins}"), 200).await;
    assert!(html.contains("项目资金滞留") && html.contains("村干部虚报冒领"));
    w.gov_name = gov.name;
    w.soon = soon;
    w.late_id = late_id;
    w.pid = pid;
    w.graft = graft;
}

/// The township sees its own open problems, the nearest deadline first.
async fn step_township_sees(app: &TestApp, w: &mut Walk) {
    let ins = w.ins;
    let soon = w.soon.clone();
    // The township sees its own open problems, the nearest deadline first.
    let township = app.signed_in("yunling.township").await;
    let html = get(&township, app, "/problems", 200).await;
    assert!(
        html.contains("项目资金滞留") && html.contains("还剩 3 天"),
        "{html}"
    );
    // Counted over the inspection's problems (the demo may have others).
    let mine = format!("/problems?inspection={ins}");
    let html = get(&township, app, &mine, 200).await;
    let (a, b) = (
        html.find("项目资金滞留").unwrap(),
        html.find("后到期的问题").unwrap(),
    );
    assert!(a < b, "nearest deadline first");
    assert!(html.contains("还剩 3 天") && html.contains(&soon), "{html}");
    assert!(html.contains("<strong>3</strong> 未销号"), "{html}");
    assert!(html.contains("<strong>1</strong> 7 天内到期"), "{html}");
    assert!(html.contains("/api/v1/problems.xlsx?"));
    let html = get(&township, app, "/problems?category=corruption", 200).await;
    assert!(html.contains("村干部虚报冒领") && !html.contains("项目资金滞留"));
    assert!(html.contains("/api/v1/problems.csv?category=corruption"));
    w.township = township;
    w.mine = mine;
}

/// Ten days on, the first one is a week overdue.
async fn step_overdue(app: &TestApp, w: &mut Walk) {
    let mine = w.mine.clone();
    // Ten days on, the first one is a week overdue.
    app.clock.advance_days(10);
    let township = app.signed_in("yunling.township").await;
    let inspector = app.signed_in("yunling.discipline").await;
    let html = get(&township, app, &mine, 200).await;
    assert!(html.contains("逾期 7 天"), "{html}");
    assert!(html.contains("<strong>1</strong> 已逾期"), "{html}");
    let html = get(&township, app, &format!("{mine}&overdue=1"), 200).await;
    assert!(html.contains("项目资金滞留") && !html.contains("后到期的问题"));
    w.township = township;
    w.inspector = inspector;
}

/// The township starts and submits, and may not verify.
async fn step_township_works(app: &TestApp, w: &mut Walk) {
    let township = w.township.clone();
    let pid = w.pid;
    // The township may start and submit, not verify.
    let page = format!("/problems/{pid}");
    let html = get(&township, app, &page, 200).await;
    assert!(
        html.contains("value=\"start\"") && !html.contains("value=\"verify\""),
        "{html}"
    );
    assert!(html.contains("逾期 7 天") || html.contains("逾期 7 "));
    post_ok(
        &township,
        app,
        &format!("{page}/actions"),
        &[("action", "start"), ("text", "")],
    )
    .await;
    let (status, _, html) = post(
        &township,
        app,
        &format!("{page}/actions"),
        &[("action", "submit"), ("text", "  ")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    post_ok(
        &township,
        app,
        &format!("{page}/actions"),
        &[("action", "submit"), ("text", "已拨付到位，附银行回单")],
    )
    .await;
    // The township may not verify its own work.
    let (status, _, _) = post(
        &township,
        app,
        &format!("{page}/actions"),
        &[("action", "verify"), ("text", "")],
    )
    .await;
    assert_eq!(status, 403);
    w.page = page;
}

/// The inspectors reject the evidence.
async fn step_reject(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let page = w.page.clone();
    // The inspectors reject the evidence.
    let html = get(&inspector, app, &page, 200).await;
    assert!(html.contains("value=\"verify\"") && html.contains("value=\"reject\""));
    post_ok(
        &inspector,
        app,
        &format!("{page}/actions"),
        &[("action", "reject"), ("text", "回单与项目不符")],
    )
    .await;
}

/// The rules propose a reminder letter; the inspector confirms it.
async fn step_reminder_letter(app: &TestApp, w: &mut Walk) {
    let s = app.db.store.as_ref();
    let inspector = w.inspector.clone();
    let township = w.township.clone();
    let page = w.page.clone();
    let pid = w.pid;
    // The rules propose a reminder letter (a week overdue); the inspector confirms it.
    let made = s
        .propose_escalations(
            &[rc(COUNTY)],
            &sunledger_web::escalation::ops::rules(),
            sunledger_web::Clock::now(&*app.clock),
        )
        .await
        .unwrap();
    let proposal = made
        .iter()
        .find(|p| p.problem_id == pid && p.step == "reminder_letter")
        .expect("a reminder letter is proposed")
        .id;
    let html = get(&inspector, app, &page, 200).await;
    assert!(
        html.contains("按规则今日应采取的措施") && html.contains("系统提示的措施"),
        "{html}"
    );
    assert!(html.contains(&format!("?proposal={proposal}#escalate")));
    // The township sees the proposal but may not decide it.
    let html = get(&township, app, &page, 200).await;
    assert!(html.contains("书面提醒函") && !html.contains(&format!("?proposal={proposal}")));
    let html = get(&inspector, app, &format!("{page}?proposal={proposal}"), 200).await;
    assert!(
        html.contains(&format!("name=\"proposal_id\" value=\"{proposal}\""))
            && html.contains("云岭县纪委监委"),
        "{html}"
    );
    let letter_no = "云纪督〔2026〕3号";
    let prop = proposal.to_string();
    let loc = post_ok(
        &inspector,
        app,
        &format!("{page}/escalations"),
        &[
            ("step", "reminder_letter"),
            ("document_no", letter_no),
            ("issuing_unit", "云岭县纪委监委"),
            ("responsible_person", "乡长"),
            ("content", "请立即整改"),
            ("attendees", ""),
            ("new_deadline", ""),
            ("deduction_points", ""),
            ("proposal_id", &prop),
        ],
    )
    .await;
    let letter = id_after(&loc, "#step-");
    let html = get(&inspector, app, &page, 200).await;
    assert!(
        html.contains(letter_no) && html.contains("已确认"),
        "{html}"
    );
    assert!(html.contains(&format!("/escalations/{letter}/print")));
    w.letter = letter;
    w.letter_no = letter_no;
}

/// An interview needs attendees and a new deadline.
async fn step_interview(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let township = w.township.clone();
    let page = w.page.clone();
    let soon = w.soon.clone();
    // Finance's step is not the commission's; an interview needs attendees and a new deadline.
    let (status, _, _) = post(
        &inspector,
        app,
        &format!("{page}/escalations"),
        &[
            ("step", "suspend_payment"),
            ("document_no", "x"),
            ("issuing_unit", "x"),
            ("responsible_person", "x"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    let interview_no = "云纪谈〔2026〕1号";
    let (status, _, html) = post(
        &inspector,
        app,
        &format!("{page}/escalations"),
        &[
            ("step", "work_interview"),
            ("document_no", interview_no),
            ("issuing_unit", "云岭县纪委监委"),
            ("responsible_person", "乡长"),
            ("content", "约谈乡政府主要负责人"),
            ("attendees", ""),
            ("new_deadline", ""),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains(interview_no) && html.contains("约谈乡政府主要负责人"));
    let new_deadline = fmt(today(app) + 15);
    let loc = post_ok(
        &inspector,
        app,
        &format!("{page}/escalations"),
        &[
            ("step", "work_interview"),
            ("document_no", interview_no),
            ("issuing_unit", "云岭县纪委监委"),
            ("responsible_person", "乡长"),
            ("content", "约谈乡政府主要负责人"),
            ("attendees", "县纪委 李静；乡长；分管副乡长"),
            ("new_deadline", &new_deadline),
        ],
    )
    .await;
    let interview = id_after(&loc, "#step-");
    let html = get(&township, app, &page, 200).await;
    assert!(
        html.contains(&new_deadline) && html.contains(&soon) && html.contains("原定时限"),
        "{html}"
    );
    w.interview = interview;
    w.interview_no = interview_no;
    w.new_deadline = new_deadline;
}

/// The printed letters: document number, addressee, facts and the deadline in force.
async fn step_printed_letters(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let township = w.township.clone();
    let letter = w.letter;
    let letter_no = w.letter_no;
    let gov_name = w.gov_name.clone();
    let soon = w.soon.clone();
    let interview = w.interview;
    let interview_no = w.interview_no;
    let new_deadline = w.new_deadline.clone();
    // The printed letters: document number, addressee, facts and the deadline in force.
    let html = get(
        &inspector,
        app,
        &format!("/escalations/{letter}/print"),
        200,
    )
    .await;
    let long = |d: &str| {
        let p: Vec<&str> = d.split('-').collect();
        format!(
            "{}年{}月{}日",
            p[0],
            p[1].trim_start_matches('0'),
            p[2].trim_start_matches('0')
        )
    };
    assert!(
        html.contains("书面提醒函")
            && html.contains(letter_no)
            && html.contains(&gov_name)
            && html.contains("项目资金滞留")
            && html.contains("120,000.00")
            && html.contains("第四季度扶贫项目资金监督检查")
            && html.contains(&long(&soon)),
        "{html}"
    );
    assert_no_catalogue_keys(&html);
    let html = get(
        &township,
        app,
        &format!("/escalations/{interview}/print"),
        200,
    )
    .await;
    assert!(
        html.contains("工作约谈记录")
            && html.contains(interview_no)
            && html.contains(&long(&new_deadline))
            && html.contains("分管副乡长"),
        "{html}"
    );
}

/// A corruption case goes to the discipline commission; its outcome comes later.
async fn step_referral(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let graft = w.graft;
    // A corruption case goes to the discipline commission at once; its outcome comes later.
    let gpage = format!("/problems/{graft}");
    let loc = post_ok(
        &inspector,
        app,
        &format!("{gpage}/escalations"),
        &[
            ("step", "discipline_referral"),
            ("document_no", "云纪移〔2026〕2号"),
            ("issuing_unit", "云岭县纪委监委"),
            ("responsible_person", "村委会主任"),
            ("content", "涉嫌虚报冒领扶贫资金"),
        ],
    )
    .await;
    let referral = id_after(&loc, "#step-");
    let html = get(&inspector, app, &gpage, 200).await;
    assert!(html.contains(&format!("/escalations/{referral}/outcome")));
    post_ok(
        &inspector,
        app,
        &format!("/escalations/{referral}/outcome"),
        &[("outcome", "立案审查，给予党内严重警告处分")],
    )
    .await;
    let html = get(&inspector, app, &gpage, 200).await;
    assert!(
        html.contains("立案审查") && !html.contains(&format!("/escalations/{referral}/outcome"))
    );
    let html = get(
        &inspector,
        app,
        &format!("/escalations/{referral}/print"),
        200,
    )
    .await;
    assert!(html.contains("问题线索移送函") && html.contains("云纪移〔2026〕2号"));
    w.gpage = gpage;
    w.referral = referral;
}

/// Another county sees none of it; the public is sent to sign in.
async fn step_other_county(app: &TestApp, w: &mut Walk) {
    let page = w.page.clone();
    let letter = w.letter;
    let ins = w.ins;
    // Another county sees none of it.
    let other = app.signed_in("shimen.finance").await;
    get(&other, app, &page, 404).await;
    get(&other, app, &format!("/escalations/{letter}/print"), 404).await;
    get(&other, app, &format!("/inspections/{ins}"), 404).await;
    let html = get(&other, app, "/problems", 200).await;
    assert!(!html.contains("项目资金滞留"));
    let (status, _, _) = post(
        &other,
        app,
        &format!("{page}/actions"),
        &[("action", "start"), ("text", "")],
    )
    .await;
    assert_eq!(status, 404);
    // The public is sent to sign in.
    let r = app.client().get(app.url("/problems")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=/problems");
}

/// The municipal bureau draws a spot-check sample.
async fn step_spot_check(app: &TestApp, w: &mut Walk) {
    let s = app.db.store.as_ref();
    let inspector = w.inspector.clone();
    // The municipal bureau draws a spot-check sample from the household register; a bad number
    // comes back as typed.
    let mut households = Vec::new();
    for (v, village) in ["529121100201", "529121100202", "529121100203"]
        .iter()
        .enumerate()
    {
        for i in 0..30u64 {
            households.push(sunledger_store::NewHousehold {
                village: rc(village),
                head_name: format!("户主{v}-{i}"),
                id_number: crate::support::id_number(7_000 + v as u64 * 100 + i),
                poor: i < 22,
                size: 3,
            });
        }
    }
    s.create_households(&households, sunledger_web::Clock::now(&*app.clock))
        .await
        .unwrap();
    let city = app.signed_in("city.bureau").await;
    let (status, _, html) = post(
        &city,
        app,
        "/spot-checks",
        &[
            ("region", "5291"),
            ("round", "2026-11"),
            ("seed", "20261103-4711"),
            ("villages_per_county", "two"),
            ("poor_per_village", "20"),
            ("non_poor_per_village", "5"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("20261103-4711") && html.contains("value=\"two\""));
    let loc = post_ok(
        &city,
        app,
        "/spot-checks",
        &[
            ("region", "5291"),
            ("round", "2026-11"),
            ("seed", "20261103-4711"),
            ("villages_per_county", "2"),
            ("poor_per_village", "20"),
            ("non_poor_per_village", "5"),
        ],
    )
    .await;
    let draw = id_after(&loc, "#draw-");
    let html = get(&city, app, "/spot-checks", 200).await;
    assert!(
        html.contains(&format!("id=\"draw-{draw}\""))
            && html.contains("20261103-4711")
            && html.contains("villages=2;poor=20;non_poor=5")
            && html.contains("SHA-256(seed ‖ 0x1F ‖ stratum ‖ 0x1F ‖ id)")
            && html.contains("云岭县")
            && html.contains("建档立卡户 (20)</span>：")
            && html.contains("非建档立卡户 (5)</span>："),
        "{html}"
    );
    // Only the bureau draws.
    let (status, _, _) = post(
        &inspector,
        app,
        "/spot-checks",
        &[("region", "5291"), ("round", "2026-11"), ("seed", "x")],
    )
    .await;
    assert_eq!(status, 403);
    w.city = city;
}

/// Every page reads in English, and in Chinese, without a raw key.
async fn step_english(app: &TestApp, w: &mut Walk) {
    let inspector = w.inspector.clone();
    let township = w.township.clone();
    let city = w.city.clone();
    let ins = w.ins;
    let graft = w.graft;
    let page = w.page.clone();
    let gpage = w.gpage.clone();
    let late_id = w.late_id;
    let letter = w.letter;
    let interview = w.interview;
    let referral = w.referral;
    let mine = w.mine.clone();
    // Every page reads in English, and in Chinese, without a raw key.
    for path in [
        "/problems".to_string(),
        "/problems?overdue=1".to_string(),
        "/problems/new".to_string(),
        format!("/problems/new?inspection={ins}&region={TOWNSHIP}"),
        format!("/problems/new?review_of={graft}"),
        page.clone(),
        gpage.clone(),
        format!("/problems/{late_id}"),
        format!("/escalations/{letter}/print"),
        format!("/escalations/{interview}/print"),
        format!("/escalations/{referral}/print"),
        "/inspections".to_string(),
        format!("/inspections/{ins}"),
        "/spot-checks".to_string(),
    ] {
        let zh = get(&inspector, app, &path, 200).await;
        assert_no_catalogue_keys(&zh);
        let sep = if path.contains('?') { '&' } else { '?' };
        let en = get(&inspector, app, &format!("{path}{sep}lang=en"), 200).await;
        assert!(en.contains("<html lang=\"en\">"), "{path}");
        assert_no_catalogue_keys(&en);
    }
    let en = get(&township, app, &format!("{mine}&lang=en"), 200).await;
    assert!(
        en.contains("Problem rectification ledger")
            && en.contains("<strong>3</strong> open")
            && en.contains("Rectifying"),
        "{en}"
    );
    let en = get(&city, app, "/spot-checks?lang=en", 200).await;
    assert!(en.contains("Anyone can re-derive the sample"));
}
crate::both_app!(supervision_pages_walk, supervision_on_the_web);

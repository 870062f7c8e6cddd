//! Book 4 itself (the filing table) and the database of implemented projects, through the real
//! server on the demo city: a project accepted through Book 4 with an asset registered, one
//! reviewed evaluation (written straight into the table: the evaluation store comes later), the
//! rows and their columns, every filter, the CSV and XLSX in the filing columns, the pages in
//! both languages, and another county's official who sees none of it.
use super::*;
use calamine::{Data, Reader, Xlsx};
use sunledger_core::project::StageAction;

const DAY: i64 = 86_400;
const VILLAGE: &str = "529121100201";
const NAME: &str = "第四本账测试村组道路";

/// A project of the demo village declared, approved, started, completed and accepted through
/// Book 4 at the store; its acceptance id.
async fn accepted_project(app: &TestApp) -> (i64, i64) {
    let s = app.db.store.as_ref();
    let t0 = now() - 60 * DAY;
    let p = s
        .create_library_project(&declarable(s, VILLAGE, NAME, t0).await, true, None, t0)
        .await
        .unwrap();
    s.project_step(p.id, StageAction::TownshipApprove, "", None, t0)
        .await
        .unwrap();
    s.project_step(p.id, StageAction::CountyApprove, "", None, t0 + 10 * DAY)
        .await
        .unwrap();
    let m = s
        .add_milestone(p.id, "完工", 100, None, None, t0)
        .await
        .unwrap();
    s.project_status_step(p.id, StatusAction::Start, "", None, t0 + 20 * DAY)
        .await
        .unwrap();
    let done = sunledger_core::day::format(sunledger_core::day::today(t0 + 20 * DAY));
    s.report_progress(m.id, 100, &done, "完工", None, t0 + 20 * DAY)
        .await
        .unwrap();
    s.project_status_step(p.id, StatusAction::Complete, "", None, t0 + 20 * DAY)
        .await
        .unwrap();
    for (i, name) in ["杨桂英", "罗明"].into_iter().enumerate() {
        s.add_beneficiary(
            p.id,
            name,
            &id_number(9_100 + i as u64),
            3 + i as i64,
            None,
            t0 + 20 * DAY,
        )
        .await
        .unwrap();
    }
    accept_through_book4(s, p.id, t0 + 20 * DAY).await;
    let a = s.acceptance_of_project(p.id).await.unwrap().unwrap();
    (p.id, a.id)
}

fn row_of(v: &Value, project: i64) -> Option<Value> {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["project_id"] == project)
        .cloned()
}

fn sheet(bytes: &[u8]) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .expect("open the workbook");
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let mut rows = range.rows();
    let header = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    (header, rows.map(<[Data]>::to_vec).collect())
}

async fn the_book_and_the_implemented_projects(app: TestApp) {
    let (pid, aid) = accepted_project(&app).await;
    let bureau = app.signed_in("yunling.bureau").await;

    // An asset on the register, and one disposed of (not counted).
    let asset = |value: &str| {
        json!({"project_id": pid, "name": "通组道路", "class": "public_welfare", "quantity": "3.2",
            "unit": "公里", "value": {"central_special": value}, "owner_level": "village", "owner": VILLAGE,
            "custodian": "村民委员会", "custodian_person": "王主任"})
    };
    let (status, v) = post_json(&bureau, &app, "/api/v1/assets", asset("1000.00")).await;
    assert_eq!(status, 201, "{v}");
    let (status, v) = post_json(&bureau, &app, "/api/v1/assets", asset("200.00")).await;
    assert_eq!(status, 201, "{v}");
    let party = app.signed_in("yunling.party").await;
    let (status, v) = post_json(
        &party,
        &app,
        &format!("/api/v1/assets/{}/actions", v["id"]),
        json!({"action": "dispose", "disposal_kind": "scrap", "decision_kind": "document",
            "decision_ref": "云扶领〔2026〕21号", "reason": "损毁报废"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");

    // Evaluations: on acceptance reviewed (92.50, 优), year 1 not yet due, year 2 due, year 3
    // recorded but not reviewed (its score is not shown).
    raw_sql(
        &app.db,
        &format!(
            "DELETE FROM evaluations WHERE project_id = {pid}; \
             INSERT INTO evaluations (county_code, project_id, acceptance_id, year, due_on, version, scheduled_at, \
             state, total, band, reviewed_on) VALUES \
             ('529121', {pid}, {aid}, 0, '2026-01-10', 1, 0, 'reviewed', 9250, 'excellent', '2026-01-20'), \
             ('529121', {pid}, {aid}, 1, '2099-01-10', 1, 0, 'due', NULL, NULL, NULL), \
             ('529121', {pid}, {aid}, 2, '2000-01-10', 1, 0, 'due', NULL, NULL, NULL), \
             ('529121', {pid}, {aid}, 3, '2000-01-10', 1, 0, 'recorded', 4000, 'poor', NULL)"
        ),
    )
    .await;

    // The row of Book 4 itself.
    let v = get(&bureau, app.url("/api/v1/acceptances/book")).await;
    let r = row_of(&v, pid).expect("the project is in Book 4");
    assert_eq!(r["acceptance_id"], aid);
    assert_eq!(r["project_name"], NAME);
    assert_eq!(r["region"], VILLAGE);
    assert_eq!(r["fiscal_year"], 2026);
    assert_eq!(r["state"], "accepted");
    assert_eq!(r["grade"], "qualified");
    assert_eq!(
        (&r["members"], &r["agreed"], &r["disagreed"]),
        (&json!(3), &json!(3), &json!(0))
    );
    let team = r["team"].as_array().unwrap();
    assert_eq!(team.len(), 3, "{r}");
    let kinds: Vec<&str> = team
        .iter()
        .map(|m| m["unit_kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["finance_bureau", "poverty_bureau", "business_department"]
    );
    assert!(
        team.iter()
            .all(|m| !m["unit_name"].as_str().unwrap().is_empty())
    );
    assert!(r["accepted_on"].is_string(), "{r}");
    assert_eq!(
        (&r["assets"], &r["assets_fen"]),
        (&json!(1), &json!(100_000))
    );
    assert_eq!((&r["households"], &r["people"]), (&json!(2), &json!(7)));
    let evals = r["evaluations"].as_array().unwrap();
    assert_eq!(evals.len(), 4);
    assert_eq!(
        (&evals[0]["total"], &evals[0]["band"]),
        (&json!(9250), &json!("excellent"))
    );
    assert_eq!(
        (&evals[3]["state"], &evals[3]["total"]),
        (&json!("recorded"), &Value::Null)
    );
    assert_eq!(r["targets"].as_array().unwrap().len(), 5, "{r}");

    // Filters.
    let has = |q: &'static str| {
        let c = bureau.clone();
        let url = app.url(&format!("/api/v1/acceptances/book?{q}"));
        async move { row_of(&get(&c, url).await, pid).is_some() }
    };
    for (q, want) in [
        ("fiscal_year=2026", true),
        ("fiscal_year=2025", false),
        ("category=infrastructure", true),
        ("category=industry", false),
        ("grade=qualified", true),
        ("grade=excellent", false),
        ("state=accepted", true),
        ("state=applied", false),
        ("band=excellent", true),
        ("band=poor", false),
        ("region=529121100", true),
        ("region=529121101", false),
    ] {
        assert_eq!(has(q).await, want, "{q}");
    }
    for (q, field) in [
        ("band=best", "band"),
        ("fiscal_year=x", "fiscal_year"),
        ("category=roads", "category"),
        ("grade=ok", "grade"),
    ] {
        let r = bureau
            .get(app.url(&format!("/api/v1/acceptances/book?{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{q}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["field"], field, "{q}: {e}");
    }

    // The database of implemented projects: accepted and evaluated projects only.
    let v = get(&bureau, app.url("/api/v1/acceptances/implemented")).await;
    let r = row_of(&v, pid).expect("the project is implemented");
    assert_eq!(r["status"], "accepted");
    assert!(
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| matches!(r["status"].as_str(), Some("accepted" | "evaluated"))),
        "{v}"
    );

    // The CSV in the filing columns.
    let csv = bureau
        .get(app.url("/api/v1/acceptances/book.csv?region=529121100"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header = lines.next().unwrap();
    for h in [
        "项目名称",
        "区划名称",
        "申请日期",
        "验收组成员（单位）",
        "同意签字",
        "验收结果",
        "资产原值（元）",
        "验收时绩效评价",
        "第3年绩效评价",
    ] {
        assert!(header.contains(h), "{h} in {header}");
    }
    let line = lines
        .find(|l| l.contains(NAME))
        .expect("the project's line");
    for cell in [
        "合格",
        "1000.00",
        "92.50 优",
        "未到期",
        "待评价",
        "待审核",
        "验收通过",
    ] {
        assert!(line.contains(cell), "{cell} in {line}");
    }
    assert!(
        !line.contains("40.00"),
        "an unreviewed score is not shown: {line}"
    );
    let csv = bureau
        .get(app.url("/api/v1/acceptances/implemented.csv?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Beneficiary households") && csv.contains("Performance targets"));
    let line = csv.lines().find(|l| l.contains(NAME)).unwrap();
    assert!(line.contains("硬化村组道路 ≥ 3.2 公里"), "{line}");
    assert!(
        line.contains("92.50") && line.contains("Excellent"),
        "{line}"
    );

    // The XLSX opens, with the same columns and the project's row.
    for path in [
        "/api/v1/acceptances/book.xlsx",
        "/api/v1/acceptances/implemented.xlsx",
    ] {
        let x = bureau.get(app.url(path)).send().await.unwrap();
        assert_eq!(x.status(), 200);
        let (header, rows) = sheet(&x.bytes().await.unwrap());
        let name = header.iter().position(|h| h == "项目名称").unwrap();
        let row = rows
            .iter()
            .find(|r| matches!(&r[name], Data::String(s) if s == NAME))
            .unwrap_or_else(|| panic!("{path}: the project's row"));
        assert!(
            row.iter().any(|c| c.to_string().contains("92.50")),
            "{path}: {row:?}"
        );
    }

    // The pages, in both languages, linked from the acceptances page.
    let html = bureau
        .get(app.url("/acceptances"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("href=\"/acceptances/book\"")
            && html.contains("href=\"/acceptances/implemented\"")
    );
    for (path, lang, words) in [
        (
            "/acceptances/book",
            "zh-CN",
            ["验收绩效台账", "92.50 优", "未到期"],
        ),
        (
            "/acceptances/book",
            "en",
            ["Book 4 register", "92.50 Excellent", "Not yet due"],
        ),
        (
            "/acceptances/implemented",
            "zh-CN",
            ["已实施项目库", "硬化村组道路", "受益户"],
        ),
        (
            "/acceptances/implemented",
            "en",
            [
                "Implemented projects",
                "硬化村组道路",
                "Beneficiary households",
            ],
        ),
    ] {
        let r = bureau
            .get(app.url(&format!("{path}?region=529121100&lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert_no_catalogue_keys(&html);
        assert!(html.contains(NAME), "{path} {lang}");
        for w in words {
            assert!(html.contains(w), "{w} on {path} [{lang}]");
        }
    }

    // Another county's official sees none of it; naming the county is refused.
    let foreign = app.signed_in("shimen.finance").await;
    for path in [
        "/api/v1/acceptances/book",
        "/api/v1/acceptances/implemented",
    ] {
        let v = get(&foreign, app.url(path)).await;
        assert!(row_of(&v, pid).is_none(), "{path}");
        assert!(!v.to_string().contains("529121"), "{path}: {v}");
        let r = foreign
            .get(app.url(&format!("{path}?region=529121")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let text = foreign
        .get(app.url("/api/v1/acceptances/book.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains(NAME) && !text.contains("529121"), "{text}");
    let html = foreign
        .get(app.url("/acceptances/book"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains(NAME));
}
crate::both_app!(book4_itself, the_book_and_the_implemented_projects);

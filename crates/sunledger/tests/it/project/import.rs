//! `sunledger projects import` and `export` on real files (UTF-8, GB18030, UTF-16, bad rows,
//! re-imports, a round trip), the store's all-or-nothing `import_projects`, and the demo city's
//! project library.
use crate::both;
use crate::support::{TestDb, fresh_like, now, p, rc, sunledger, with_demo_regions};
use std::collections::BTreeSet;
use sunledger_core::IdNumber;
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::project::{Budget, Category, Content, Stage};
use sunledger_store::{
    ImportProject, Project, ProjectFilter, ResponsibilityFilter, Store, StoreError,
};

const V1: &str = "529121100201";
const V2: &str = "529121100202";
const V3: &str = "529122100201";

const HEADER: &str = "village,name,category,fiscal_year,budget_central_special,budget_county_budget,\
outputs,households,income_effect,satisfaction,meeting_on,meeting_ref,description,stage";

/// A good file: an approved (blank stage), a declared and a draft project.
fn good_csv() -> String {
    [
        HEADER,
        "529121100201,大坝村肉牛养殖项目,industry,2026,500000.00,\"80,000\",新建牛舍 1200 平方米,45,户均年增收 2000 元,90,2026-03-01,村民代表大会决议〔2026〕3号,经村民代表大会表决通过,",
        "529121100202,小坪村通组公路硬化,infrastructure,2026,1200000,,硬化道路 3.2 公里,126,户均年节约运输成本 600 元,92%,2026-03-05,会议纪要 2026-5,,declared",
        "529122100201,石门村电商服务站,employment,2026,80000.5,20000,电商服务站 1 个,60,户均年增收 800 元,88,2026/4/1,会议纪要 2026-2,,draft",
    ]
    .join("\n")
        + "\n"
}

fn summary(out: &str) -> &str {
    out.lines().last().unwrap_or("")
}

async fn all_projects(store: &dyn Store, scope: &str) -> Vec<sunledger_store::Project> {
    store
        .projects(
            &ProjectFilter {
                scopes: vec![rc(scope)],
                ..ProjectFilter::default()
            },
            10_000,
            0,
        )
        .await
        .unwrap()
        .0
}

async fn good_file_imports_once(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("library.csv");
    std::fs::write(&file, good_csv()).unwrap();

    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=3 imported=3 unchanged=0 rejected=0");

    let ps = all_projects(db.store.as_ref(), "5291").await;
    assert_eq!(ps.len(), 3);
    let by_name = |n: &str| ps.iter().find(|p| p.name == n).unwrap().clone();
    let cattle = by_name("大坝村肉牛养殖项目");
    assert_eq!(cattle.region, rc(V1));
    assert_eq!(cattle.stage, "approved", "a blank stage is approved");
    assert_eq!(cattle.status.as_deref(), Some("planned"));
    assert_eq!(cattle.approved_version, Some(1));
    assert_eq!(cattle.notice_from, None, "no notice is invented");
    assert_eq!(cattle.budget_total_fen, 58_000_000, "yuan to integer fen");
    assert_eq!(by_name("小坪村通组公路硬化").stage, "declared");
    let draft = by_name("石门村电商服务站");
    assert_eq!(draft.stage, "draft");
    assert_eq!(draft.budget_total_fen, 10_000_050);

    // The approval outside the system is one `import` event, and says so; the content's note
    // names the file.
    let rec = db.store.project_record(cattle.id).await.unwrap().unwrap();
    assert_eq!(rec.events.len(), 1, "{:?}", rec.events);
    let e = &rec.events[0];
    assert_eq!(e.action, sunledger_store::IMPORT_ACTION);
    assert_eq!(
        (e.from_state.as_deref(), e.to_state.as_str()),
        (Some("draft"), "approved")
    );
    assert!(e.comment.contains("library.csv"), "{}", e.comment);
    assert!(e.comment.contains("outside the system"), "{}", e.comment);
    assert_eq!(rec.versions.len(), 1);
    let v = &rec.versions[0];
    assert!(v.note.contains("library.csv"));
    // The older layout's four columns become the four indicators the migration makes.
    assert_eq!(v.targets.len(), 4);
    assert_eq!(
        (v.targets[1].name.as_str(), v.targets[1].target),
        ("受益户数", 4500)
    );
    assert_eq!(v.targets[3].target, 9000);
    assert_eq!(v.description, "经村民代表大会表决通过");
    let budget: Vec<(&str, i64)> = v
        .budget
        .iter()
        .map(|l| (l.source.as_str(), l.amount_fen))
        .collect();
    assert_eq!(
        budget,
        vec![
            ("central_special", 50_000_000),
            ("county_budget", 8_000_000)
        ]
    );
    let declared = db
        .store
        .project_record(by_name("小坪村通组公路硬化").id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(declared.events.len(), 1);
    assert_eq!(declared.events[0].action, "declare");
    assert_eq!(
        declared.versions[0].targets[3].target, 9200,
        "92% reads as 92"
    );
    let d = db.store.project_record(draft.id).await.unwrap().unwrap();
    assert!(d.events.is_empty());
    assert_eq!(d.versions[0].meeting_on, "2026-04-01", "2026/4/1 is read");

    // Every imported row is booked in the log, and verifies.
    let report = sunledger::verify::verify(db.store.as_ref(), &[])
        .await
        .unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);

    // The same file again imports nothing, and the log does not grow.
    let size = db.store.log_size().await.unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=3 imported=0 unchanged=3 rejected=0");
    assert_eq!(db.store.log_size().await.unwrap(), size);

    // A row that names a project of the library with other content is refused (the library is
    // changed in the system, where its history is kept); a new row is imported beside it.
    let changed = good_csv().replace(",45,", ",46,")
        + "529121100201,大坝村村卫生室建设,health,2026,150000,,卫生室 120 平方米,300,户均年减少就医支出 300 元,95,2026-03-01,村民代表大会决议〔2026〕4号,,\n";
    std::fs::write(&file, changed).unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(summary(&out), "rows=4 imported=1 unchanged=2 rejected=1");
    let line = err.lines().next().unwrap();
    assert!(
        line.starts_with("line 2: name: project ")
            && line.contains(&cattle.id.to_string())
            && line.contains("targets.rows"),
        "{err}"
    );
    assert_eq!(all_projects(db.store.as_ref(), "5291").await.len(), 4);

    // Names with the characters SQL patterns use are found again too.
    let odd = dir.path().join("odd.csv");
    std::fs::write(
        &odd,
        format!("{HEADER}\n529121100202,一组_二组 100% 硬化,infrastructure,2026,1000,,产出,10,增收,90,2026-03-01,纪要,,\n"),
    )
    .unwrap();
    for want in [
        "rows=1 imported=1 unchanged=0 rejected=0",
        "rows=1 imported=0 unchanged=1 rejected=0",
    ] {
        let (code, out, err) = sunledger(&db, &["projects", "import", p(&odd)], None);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(summary(&out), want);
    }
}
both!(good_file_imports_once_on, good_file_imports_once);

async fn bad_rows_name_line_and_field(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    let rows = [
        HEADER,
        // 2: good
        "529121100201,好项目,industry,2026,1000,,产出,10,增收,90,2026-03-01,纪要1,,",
        // 3: a township, not a village
        "529121100,乡镇项目,industry,2026,1000,,产出,10,增收,90,2026-03-01,纪要1,,",
        // 4: unknown category and a bad amount
        "529121100201,类别错,园林,2026,12.345,,产出,10,增收,90,2026-03-01,纪要1,,",
        // 5: a meeting in the future and satisfaction out of range
        "529121100201,未来会议,health,2026,1000,,产出,10,增收,101,2999-01-01,纪要1,,",
        // 6: households not a number, empty outputs
        "529121100201,户数错,health,2026,1000,,,很多,增收,90,2026-03-01,纪要1,,",
        // 7: the same village, year and name as line 2
        "529121100201,好项目,industry,2026,2000,,产出,10,增收,90,2026-03-01,纪要2,,",
        // 8: a village that is not in the region table
        "529121100399,无此村,industry,2026,1000,,产出,10,增收,90,2026-03-01,纪要1,,",
        // 9: no budget at all, an unknown stage
        "529121100202,无预算,industry,2026,0,,产出,10,增收,90,2026-03-01,纪要1,,noticed",
        // 10: a fiscal year out of range, a negative amount
        "529121100202,年度错,industry,1999,1000,-5,产出,10,增收,90,2026-03-01,纪要1,,",
        "",
        // 12: good (after a blank line)
        "529121100202,另一个好项目,ecology,2026,1000,,产出,10,增收,90,2026-03-01,纪要1,,draft",
    ];
    std::fs::write(&file, rows.join("\n") + "\n").unwrap();

    // --check reports the same and imports nothing.
    let (code, out, err) = sunledger(&db, &["projects", "import", "--check", p(&file)], None);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(summary(&out), "rows=10 to_import=2 unchanged=0 rejected=8");
    assert!(err.contains("check only: nothing imported"), "{err}");
    assert!(all_projects(db.store.as_ref(), "5291").await.is_empty());

    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(summary(&out), "rows=10 imported=2 unchanged=0 rejected=8");
    let expect = [
        "line 3: village: 529121100 is a township code",
        "line 4: category: unknown category \"园林\"",
        "line 4: budget_central_special: \"12.345\" is not a sum in yuan",
        "line 5: satisfaction: \"101\" is not a percentage",
        "line 5: meeting_on: \"2999-01-01\" is not a date (YYYY-MM-DD) between 2000 and 2100",
        "line 6: outputs: is empty",
        "line 6: households: \"很多\" is not a whole number",
        "line 7: name: line 2 already has a project of this name",
        "line 8: village: 529121100399 is not in the region table",
        "line 9: budget: no fund source has an amount",
        "line 9: stage: unknown stage \"noticed\"",
        "line 10: fiscal_year: \"1999\" is not a year",
        "line 10: budget_county_budget: -5 is negative",
    ];
    for e in expect {
        assert!(
            err.lines().any(|l| l.starts_with(e)),
            "missing {e:?} in:\n{err}"
        );
    }
    // Every line of the report names a line and a field.
    for l in err.lines() {
        let rest = l.strip_prefix("line ").unwrap_or_else(|| panic!("{l}"));
        let (n, rest) = rest.split_once(": ").unwrap();
        n.parse::<u64>().unwrap();
        assert!(rest.contains(": "), "{l}");
    }
    let names: BTreeSet<String> = all_projects(db.store.as_ref(), "5291")
        .await
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["好项目".to_string(), "另一个好项目".to_string()]),
        "the good rows are imported, in one transaction"
    );

    // A bad header stops the import before any row: exit 1, naming the missing column.
    std::fs::write(&file, "village,name\n529121100201,x\n").unwrap();
    let (code, _, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 1);
    assert!(err.contains("no column `category`"), "{err}");
    std::fs::write(
        &file,
        HEADER.replace("budget_central_special,budget_county_budget,", ""),
    )
    .unwrap();
    let (code, _, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 1);
    assert!(err.contains("no budget column"), "{err}");
}
both!(
    bad_rows_name_line_and_field_on,
    bad_rows_name_line_and_field
);

const HEADER_ZH: &str = "村代码,项目名称,项目类别,年度,中央财政专项扶贫资金（元）,统筹整合涉农资金(元),\
产出指标,受益户数,增收效果,满意度(%),村民会议日期,会议纪要编号,备注,阶段,负责人";

fn chinese_csv() -> String {
    [
        HEADER_ZH,
        "529121100201,青山村茶园提质增效项目,产业发展,2026,300000,50000.50,改造茶园 500 亩,80,户均年增收 1500 元,90,2026年3月2日,村民代表大会决议〔2026〕1号,茶园,,王伟",
        "529121100202,青山村便民桥,基础设施,2026,400000,,新建便民桥 1 座,150,解决 150 户出行难,95%,2026/3/3,会议纪要〔2026〕2号,,已申报,李静",
        "529122100201,石门村护林员,生态保护,2026,120000,,选聘护林员 20 名,20,每人每年劳务报酬 10000 元,90,2026-03-04,会议纪要〔2026〕3号,,草稿,",
    ]
    .join("\r\n")
        + "\r\n"
}

async fn gb18030_and_utf16_files(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let text = chinese_csv();
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gb).is_err(), "really GB18030 bytes");
    let file = dir.path().join("项目库.csv");
    std::fs::write(&file, &gb).unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=3 imported=3 unchanged=0 rejected=0");
    let ps = all_projects(db.store.as_ref(), "5291").await;
    let tea = ps
        .iter()
        .find(|p| p.name == "青山村茶园提质增效项目")
        .expect("names decoded from GB18030");
    assert_eq!(tea.category, "industry");
    assert_eq!(tea.stage, "approved");
    assert_eq!(tea.budget_total_fen, 35_000_050);
    let v = &db
        .store
        .project_record(tea.id)
        .await
        .unwrap()
        .unwrap()
        .versions[0];
    assert_eq!(v.meeting_on, "2026-03-02");
    assert_eq!(v.targets[2].name, "户均年增收 1500 元");
    let stages: BTreeSet<(String, String)> = ps
        .iter()
        .map(|p| (p.category.clone(), p.stage.clone()))
        .collect();
    assert_eq!(
        stages,
        BTreeSet::from([
            ("industry".into(), "approved".into()),
            ("infrastructure".into(), "declared".into()),
            ("ecology".into(), "draft".into()),
        ])
    );

    // The same rows as UTF-16 (little-endian, with its byte-order mark, as Excel's "Unicode
    // text" saves them, tab-separated) are already there: all unchanged.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.replace(',', "\t").encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let file16 = dir.path().join("library-utf16.txt");
    std::fs::write(&file16, &utf16).unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file16)], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=3 imported=0 unchanged=3 rejected=0");
}
both!(gb18030_and_utf16_files_on, gb18030_and_utf16_files);

async fn export_reimports_into_another_database(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("library.csv");
    std::fs::write(&file, good_csv()).unwrap();
    let zh = dir.path().join("zh.csv");
    std::fs::write(&zh, chinese_csv()).unwrap();
    for f in [&file, &zh] {
        let (code, out, err) = sunledger(&db, &["projects", "import", p(f)], None);
        assert_eq!(code, 0, "{out}{err}");
    }
    // Formula-looking text survives the export's guard.
    let ps = all_projects(db.store.as_ref(), "5291").await;
    let draft = ps.iter().find(|p| p.stage == "draft").unwrap();
    let rec = db.store.project_record(draft.id).await.unwrap().unwrap();
    let mut c = rec.versions[0].content().unwrap();
    c.description = "=SUM(A1:A9) 不是公式".into();
    db.store
        .revise_project(draft.id, &c, "", None, now())
        .await
        .unwrap();

    let out_file = dir.path().join("export.csv");
    let (code, out, err) = sunledger(
        &db,
        &[
            "projects",
            "export",
            "--region",
            "5291",
            "--out",
            p(&out_file),
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("projects=6 "), "{out}");
    let bytes = std::fs::read(&out_file).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark"
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("'=SUM(A1:A9)"), "{text}");

    // Into a fresh database with the same regions: the same library, in the same stages.
    let dst = fresh_like(&db).await;
    with_demo_regions(&dst).await;
    let (code, out, err) = sunledger(&dst, &["projects", "import", p(&out_file)], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=6 imported=6 unchanged=0 rejected=0");
    let key = |ps: Vec<sunledger_store::Project>| {
        ps.into_iter()
            .map(|p| (p.region, p.name, p.stage, p.budget_total_fen, p.category))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        key(all_projects(dst.store.as_ref(), "5291").await),
        key(all_projects(db.store.as_ref(), "5291").await)
    );
    let again = dir.path().join("again.csv");
    let (code, _, _) = sunledger(
        &dst,
        &["projects", "export", "--region", "5291", "--out", p(&again)],
        None,
    );
    assert_eq!(code, 0);
    let content_cols = |t: &str| {
        // Everything but the export's own columns (ids differ between databases).
        t.lines()
            .map(|l| {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(l.as_bytes());
                let rec = r.records().next().unwrap().unwrap();
                rec.iter()
                    .take(sunledger::io::project::COLUMNS.len())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        content_cols(&std::fs::read_to_string(&again).unwrap()),
        content_cols(&text)
    );
    // And back into the database it came from: nothing new.
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&out_file)], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=6 imported=0 unchanged=6 rejected=0");
}
both!(
    export_reimports_into_another_database_on,
    export_reimports_into_another_database
);

fn content(village: &str, name: &str) -> Content {
    Content {
        name: name.into(),
        category: Category::Infrastructure,
        village: rc(village),
        fiscal_year: FiscalYear::new(2026).unwrap(),
        budget: Budget::new(vec![(FundSource::CentralSpecial, Money::from_fen(100_000))]).unwrap(),
        targets: crate::support::targets(),
        meeting_on: "2026-03-01".into(),
        meeting_ref: "纪要".into(),
        description: String::new(),
        meeting_item_id: None,
    }
}

/// The store imports all of a batch or none of it, and refuses stages an import cannot honestly
/// reach.
async fn store_import_is_all_or_nothing(db: TestDb) {
    with_demo_regions(&db).await;
    let size = db.store.log_size().await.unwrap();
    let items = vec![
        ImportProject {
            content: content(V1, "一"),
            stage: Stage::Approved,
        },
        ImportProject {
            content: content(V2, "二"),
            stage: Stage::Noticed,
        },
    ];
    match db.store.import_projects(&items, "test", None, now()).await {
        Err(StoreError::Batch { index: 1, error }) => {
            assert!(error.to_string().contains("stage"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    let mut bad_village = content(V1, "三");
    bad_village.village = rc("529121100399");
    match db
        .store
        .import_projects(
            &[
                items[0].clone(),
                ImportProject {
                    content: bad_village,
                    stage: Stage::Draft,
                },
            ],
            "test",
            None,
            now(),
        )
        .await
    {
        Err(StoreError::Batch { index: 1, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(all_projects(db.store.as_ref(), "5291").await.is_empty());
    assert_eq!(db.store.log_size().await.unwrap(), size, "nothing booked");
    let made = db
        .store
        .import_projects(
            &[
                items[0].clone(),
                ImportProject {
                    content: content(V3, "三"),
                    stage: Stage::Declared,
                },
            ],
            "test",
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        made.iter().map(|p| p.stage.as_str()).collect::<Vec<_>>(),
        vec!["approved", "declared"]
    );
    assert!(db.store.log_size().await.unwrap() > size);
}
both!(
    store_import_is_all_or_nothing_on,
    store_import_is_all_or_nothing
);

/// The demo city's library: projects in every stage and status, most in the featured counties,
/// the demo village cadre's village with one of each, valid ID numbers, Book 2 with handovers,
/// the year's responsibility letters, and all of it in the log.
async fn demo_library(db: TestDb) {
    let t = std::time::Instant::now();
    sunledger::demo::load(db.store.as_ref(), now())
        .await
        .unwrap();
    eprintln!("demo::load {:?} on {:?}", t.elapsed(), db.store.backend());
    let store = db.store.as_ref();
    let ps = all_projects(store, "5291").await;
    step_spread(&ps);
    step_village(&ps);
    step_records(store, &ps).await;
    step_book2(store).await;
    step_ledger(store).await;
    step_verify(store).await;
    step_exports(&db, &ps).await;
}

/// Projects in every stage, status and category, most in the featured counties.
fn step_spread(ps: &[Project]) {
    assert!((180..=320).contains(&ps.len()), "{} projects", ps.len());
    let stages: BTreeSet<&str> = ps.iter().map(|p| p.stage.as_str()).collect();
    for s in Stage::ALL {
        assert!(stages.contains(s.key()), "no {} project", s.key());
    }
    let statuses: BTreeSet<&str> = ps.iter().filter_map(|p| p.status.as_deref()).collect();
    for s in sunledger_core::project::Status::ALL {
        assert!(statuses.contains(s.key()), "no {} project", s.key());
    }
    let categories: BTreeSet<&str> = ps.iter().map(|p| p.category.as_str()).collect();
    assert_eq!(categories.len(), Category::ALL.len(), "{categories:?}");
    let featured = ps
        .iter()
        .filter(|p| {
            p.region.as_str().starts_with("529121") || p.region.as_str().starts_with("529122")
        })
        .count();
    assert!(featured * 2 > ps.len(), "most in 云岭县 and 石门县");
    for c in ["529102", "529123", "529124", "529125", "529126"] {
        assert!(
            ps.iter().any(|p| p.region.as_str().starts_with(c)),
            "county {c} has projects"
        );
    }
}

/// The demo village cadre sees a project in every stage in the village.
fn step_village(ps: &[Project]) {
    // The demo village cadre sees a project in every stage in the village.
    let village: Vec<_> = ps.iter().filter(|p| p.region == rc(V1)).collect();
    let vstages: BTreeSet<&str> = village.iter().map(|p| p.stage.as_str()).collect();
    assert_eq!(vstages.len(), Stage::ALL.len(), "{vstages:?}");
}

/// Every project's record: valid ID numbers, answered objections, progress, nothing dated after today.
async fn step_records(store: &dyn Store, ps: &[Project]) {
    let mut objections = (0, 0);
    let mut beneficiaries = 0;
    let mut milestones = 0;
    for p in ps {
        let rec = store.project_record(p.id).await.unwrap().unwrap();
        assert!(!rec.versions.is_empty());
        for b in &rec.beneficiaries {
            IdNumber::parse(&b.id_number).unwrap();
            beneficiaries += 1;
        }
        for o in &rec.objections {
            if o.answer.is_some() {
                objections.0 += 1;
            } else {
                objections.1 += 1;
                assert_eq!(
                    p.stage, "noticed",
                    "unanswered objections only under notice"
                );
            }
        }
        milestones += rec.milestones.len();
        if p.stage == "approved" || p.stage == "recorded" {
            assert!(
                !rec.responsibilities.is_empty(),
                "{} has nobody responsible",
                p.name
            );
            assert!(p.status.is_some(), "{} has no status", p.name);
            if p.status.as_deref() != Some("planned") {
                assert!(p.progress > 0, "{} started without progress", p.name);
            }
        }
        if matches!(
            p.status.as_deref(),
            Some("completed" | "accepted" | "evaluated")
        ) {
            assert_eq!(p.progress, 100, "{}", p.name);
        }
        // Nothing is dated after today.
        let today = sunledger_core::day::format(sunledger_core::day::today(now()));
        for e in &rec.events {
            assert!(e.on_date <= today, "{e:?}");
        }
        assert!(rec.versions[0].meeting_on <= today);
    }
    assert!(objections.0 > 5 && objections.1 > 3, "{objections:?}");
    assert!(beneficiaries > 20, "{beneficiaries}");
    assert!(milestones > 100, "{milestones}");
}

/// Book 2 with every role and handovers, and one letter per township.
async fn step_book2(store: &dyn Store) {
    let book2 = store
        .responsibilities(&ResponsibilityFilter {
            scopes: vec![rc("5291")],
            ..Default::default()
        })
        .await
        .unwrap();
    let roles: BTreeSet<&str> = book2.iter().map(|r| r.role.as_str()).collect();
    assert_eq!(roles.len(), 6, "{roles:?}");
    assert!(
        book2.iter().filter(|r| r.end_on.is_some()).count() >= 5,
        "handovers"
    );
    let letters = store.letters(&[rc("5291")]).await.unwrap();
    let townships = sunledger::demo::regions()
        .unwrap()
        .iter()
        .filter(|r| r.code.level() == sunledger_core::Level::Township)
        .count();
    assert_eq!(letters.len(), townships, "one letter per township");
}

/// The ledger still arranges money to approved library projects and pays from them.
async fn step_ledger(store: &dyn Store) {
    // The ledger still arranges money to approved library projects and pays from them.
    let rows = store
        .ledger_rows(&rc("5291"), true, "0000-01-01", "9999-12-31")
        .await
        .unwrap();
    // The demo's red-flag cases (`demo/flag.rs`, client ids `demo-flag-…`) arrange money to a
    // declared project and to a completed one on purpose; they are checked apart.
    let to_project = |flag_case: bool| -> BTreeSet<i64> {
        rows.iter()
            .filter(|r| r.kind == "arrange" && r.client_id.starts_with("demo-flag-") == flag_case)
            .filter_map(|r| r.to.strip_prefix('P')?.parse().ok())
            .collect()
    };
    let arranged = to_project(false);
    assert!(arranged.len() >= 10, "{arranged:?}");
    for id in &arranged {
        let p = store.project(*id).await.unwrap().unwrap();
        assert_eq!(p.stage, "approved", "{}", p.name);
        assert_eq!(p.status.as_deref(), Some("in_progress"));
    }
    let mut flagged = Vec::new();
    for id in to_project(true) {
        let p = store.project(id).await.unwrap().unwrap();
        flagged.push((p.stage, p.status));
    }
    assert!(
        flagged.iter().any(|(stage, _)| stage == "declared"),
        "{flagged:?}"
    );
    assert!(
        flagged
            .iter()
            .any(|(_, status)| status.as_deref() == Some("completed")
                || status.as_deref() == Some("accepted")),
        "{flagged:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.kind == "disburse" && r.state == "paid")
    );
}

/// All of it is in the log.
async fn step_verify(store: &dyn Store) {
    let report = sunledger::verify::verify(store, &[]).await.unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

/// The county's library exports, and reads back into the demo database as unchanged.
async fn step_exports(db: &TestDb, ps: &[Project]) {
    // The county's library exports, and reads back into the demo database as unchanged.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("yunling.csv");
    let (code, out, err) = sunledger(
        db,
        &[
            "projects",
            "export",
            "--region",
            "529121",
            "--out",
            p(&file),
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let n = ps
        .iter()
        .filter(|p| p.region.as_str().starts_with("529121"))
        .count();
    assert!(out.starts_with(&format!("projects={n} ")), "{out}");
    let (code, out, err) = sunledger(db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        summary(&out),
        format!("rows={n} imported=0 unchanged={n} rejected=0")
    );
}
both!(demo_library_on, demo_library);

/// Files are read strictly: a short or long row, a last line cut off, a meeting before 2000 or a
/// NUL byte are refused naming the line (right on CRLF files, as the export writes them); the
/// other rows are imported whole, and the complete file then adds the row that was cut.
async fn strict_rows_and_lines(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        HEADER,
        // 2: good
        "529121100201,严格一,industry,2026,1000,,产出,10,增收,90,2026-03-01,纪要1,,",
        // 3: a field short
        "529121100201,严格二,industry,2026,1000,,产出,10,增收,90,2026-03-01,纪要1,",
        // 4: a field too many
        "529121100201,严格三,industry,2026,1000,,产出,10,增收,90,2026-03-01,纪要1,,,x",
        // 5: a meeting in 1899, a NUL in the outputs
        "529121100201,严格四,industry,2026,1000,,产\0出,10,增收,90,1899-03-01,纪要1,,",
        // 6: good, and the last line
        "529121100202,严格五项目,industry,2026,21212.99,,产出,10,增收,90,2026-03-01,纪要1,,",
    ];
    let full = rows.join("\r\n") + "\r\n";
    let file = dir.path().join("strict.csv");
    // Cut inside the last row's amount: 21212.99 must not become 212.
    let cut = &full[..full.find("21212.99").unwrap() + 3];
    std::fs::write(&file, cut).unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(summary(&out), "rows=5 imported=1 unchanged=0 rejected=4");
    for e in [
        "line 3: row: has 13 fields but the header (line 1) has 14",
        "line 4: row: has 15 fields",
        "line 5: outputs: holds a NUL byte",
        "line 5: meeting_on: \"1899-03-01\" is not a date",
        "line 6: row: has 5 fields but the header (line 1) has 14: the file ends inside this line",
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(e)),
            "missing {e:?} in:\n{err}"
        );
    }
    let names: BTreeSet<String> = all_projects(db.store.as_ref(), "5291")
        .await
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, BTreeSet::from(["严格一".to_string()]));
    // Cut just before the line break: the whole row is there but nothing proves it.
    std::fs::write(&file, full.trim_end()).unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("line 6: row: the file ends without a line break")),
        "{err}"
    );
    std::fs::write(&file, &full).unwrap();
    let (code, out, _) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 2);
    assert_eq!(summary(&out), "rows=5 imported=1 unchanged=1 rejected=3");
    let ps = all_projects(db.store.as_ref(), "5291").await;
    let last = ps.iter().find(|p| p.name == "严格五项目").unwrap();
    assert_eq!(last.budget_total_fen, 2_121_299, "the amount as written");
}
both!(strict_rows_and_lines_on, strict_rows_and_lines);

/// The `targets` column: indicators `kind|name|operator|target|unit|weight[|core]` separated by
/// `;`; a bad one is named by its line, row and field; a header with neither `targets` nor the
/// older four target columns is refused.
async fn targets_column(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.csv");
    let header =
        "village,name,category,fiscal_year,budget_county_budget,绩效指标,meeting_on,meeting_ref";
    let rows = [
        header,
        // 2: good, seven indicators
        "529121100201,指标齐全项目,infrastructure,2026,1000000,\"quantity|硬化道路|≥|3.2|公里|20|core; quality|验收合格率|ge|100|%|10; \
         timeliness|完工时限|le|180|天|10; cost|总投资|le|100|万元|10|核心; social|受益户数|ge|126|户|15; \
         economic|户均增收|ge|800|元|15; satisfied|满意度|ge|90|%|20\",2026-03-01,纪要1",
        // 3: an unknown operator in the second indicator
        "529121100201,比较错,infrastructure,2026,1000,quantity|路|ge|3|公里|80; satisfied|满意度|gt|90|%|20,2026-03-01,纪要1",
        // 4: weights adding up to 90
        "529121100201,权重错,infrastructure,2026,1000,quantity|路|ge|3|公里|70; satisfied|满意度|ge|90|%|20,2026-03-01,纪要1",
        // 5: no satisfaction indicator
        "529121100201,无满意度,infrastructure,2026,1000,quantity|路|ge|3|公里|100,2026-03-01,纪要1",
        // 6: a target with three decimals, and an empty targets cell on line 7
        "529121100201,目标值错,infrastructure,2026,1000,quantity|路|ge|3.125|公里|80; satisfied|满意度|ge|90|%|20,2026-03-01,纪要1",
        "529121100201,无指标,infrastructure,2026,1000,,2026-03-01,纪要1",
    ];
    std::fs::write(&file, rows.join("\n") + "\n").unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(summary(&out), "rows=6 imported=1 unchanged=0 rejected=5");
    for e in [
        "line 3: targets[1].operator: unknown operator \"gt\"",
        "line 4: targets.weight: the weights add up to 90, not 100",
        "line 5: targets.satisfaction: has no satisfaction indicator",
        "line 6: targets[0].target: \"3.125\" has more than two decimals",
        "line 7: targets: is empty",
    ] {
        assert!(err.contains(e), "{e} in {err}");
    }
    let ps = all_projects(db.store.as_ref(), "529121100201").await;
    let rec = db.store.project_record(ps[0].id).await.unwrap().unwrap();
    let t = &rec.versions[0].targets;
    assert_eq!(t.len(), 7);
    assert_eq!(
        (
            t[0].operator.as_str(),
            t[0].target,
            t[0].unit.as_str(),
            t[0].core
        ),
        ("ge", 320, "公里", true)
    );
    assert!(t[3].core && !t[4].core);
    assert_eq!(db.store.indicators(ps[0].id, 1).await.unwrap(), *t);

    // Neither `targets` nor the four older columns: nothing is read.
    let file = dir.path().join("no_targets.csv");
    std::fs::write(
        &file,
        "village,name,category,fiscal_year,budget_county_budget,households,meeting_on,meeting_ref\n",
    )
    .unwrap();
    let (code, out, err) = sunledger(&db, &["projects", "import", p(&file)], None);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("no column `targets`"), "{err}");
}
both!(targets_column_on, targets_column);

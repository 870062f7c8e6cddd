//! Migration 0013 (performance targets as indicator rows) on a database made before it: every
//! version's four target fields become four indicator rows, the facts booked before still verify,
//! the migrated rows are re-derived by `verify` (an edited one is named), and later versions book
//! their rows as facts.
use super::*;
use sunledger_core::project::legacy_targets;

const OLD_ROWS: &str = "
INSERT INTO regions (code, name, level, parent_code, county_code, updated_at) VALUES
  ('529100000000', '云岭市', 2, NULL, '529100', 1),
  ('529121000000', '云岭县', 3, '529100000000', '529121', 1),
  ('529121100000', '大坝镇', 4, '529121000000', '529121', 1),
  ('529121100201', '大坝村', 5, '529121100000', '529121', 1);
INSERT INTO projects (county_code, region_code, name, fiscal_year, created_at, category, stage, version, budget_total)
  VALUES ('529121', '529121100201', '大坝村村组道路硬化', 2025, 1700000000, 'infrastructure', 'draft', 1, 50000000);
INSERT INTO project_versions (county_code, project_id, version, name, category, region_code, fiscal_year, budget,
  outputs, households, income_effect, satisfaction, meeting_on, meeting_ref, description, note, actor_id, created_at)
  VALUES ('529121', 1, 1, '大坝村村组道路硬化', 'infrastructure', '529121100201', 2025, 'central_special:50000000',
  '硬化村组道路 3.2 公里', 126, '户均年增收 800 元', 90, '2025-03-01', '纪要〔2025〕3号', '', '', NULL, 1700000000);
";

async fn old_versions_become_rows(kind: Kind) {
    let Some(old) = OldDb::new(kind, 13).await else {
        eprintln!("skipped: set SUNLEDGER_TEST_PG to run the PostgreSQL half");
        return;
    };
    raw_sql_url(&old.url, OLD_ROWS).await;
    let db = old.open().await;
    let s = db.store.as_ref();
    // What the earlier version booked: every row's facts. A version made before indicators is
    // booked as it always was, with its four target fields.
    let mut facts = Vec::new();
    for t in sunledger_store::FACT_TABLES {
        facts.extend(s.facts_of_table(t, 0, 1000).await.unwrap());
    }
    let v = facts.iter().find(|f| f.kind == "project.version").unwrap();
    assert_eq!(
        v.fields.keys().copied().collect::<Vec<_>>().len(),
        16,
        "{:?}",
        v.fields.keys().collect::<Vec<_>>()
    );
    for f in ["outputs", "households", "income_effect", "satisfaction"] {
        assert!(v.fields.contains_key(f), "{f}");
    }
    assert!(
        facts.iter().all(|f| f.kind != "project.indicator"),
        "the migrated rows are not booked facts"
    );
    s.append_facts(&facts).await.unwrap();

    // The four fields are four rows, as core::project::legacy_targets says.
    let rows = s.indicators(1, 1).await.unwrap();
    let want = legacy_targets("硬化村组道路 3.2 公里", 126, "户均年增收 800 元", 90);
    let got: Vec<_> = rows.iter().map(|r| r.indicator().unwrap()).collect();
    assert_eq!(got, want);
    let rec = s.project_record(1).await.unwrap().unwrap();
    assert_eq!(rec.versions[0].targets, rows);
    let keys: Vec<sunledger_core::log::checkpoint::NoteVerifier> = vec![];
    let rep = sunledger::verify::verify(s, &keys).await.unwrap();
    assert!(rep.findings.is_empty(), "{:?}", rep.findings);

    // A revision books its own rows; the old version and its rows still verify.
    let mut c = rec.versions[0].content().unwrap();
    c.targets = targets();
    s.revise_project(1, &c, "改为指标", None, now())
        .await
        .unwrap();
    assert_eq!(s.indicators(1, 2).await.unwrap().len(), 5);
    let rep = sunledger::verify::verify(s, &keys).await.unwrap();
    assert!(rep.findings.is_empty(), "{:?}", rep.findings);

    // An edited migrated row is named (re-derived from the version's booked fields)...
    raw_sql(
        &db,
        "UPDATE project_indicators SET target = 100 WHERE version = 1 AND position = 1",
    )
    .await;
    let rep = sunledger::verify::verify(s, &keys).await.unwrap();
    assert!(
        rep.findings
            .iter()
            .any(|f| f.subject.starts_with("project_indicators")
                && f.column.as_deref() == Some("target")),
        "{:?}",
        rep.findings
    );
    // ... and so is an edited booked one.
    raw_sql(
        &db,
        "UPDATE project_indicators SET weight = 11 WHERE version = 2 AND position = 0",
    )
    .await;
    let rep = sunledger::verify::verify(s, &keys).await.unwrap();
    assert!(
        rep.findings
            .iter()
            .any(|f| f.subject.starts_with("project_indicators")
                && f.column.as_deref() == Some("weight")),
        "{:?}",
        rep.findings
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0013_sqlite() {
    old_versions_become_rows(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0013_postgres() {
    old_versions_become_rows(Kind::Postgres).await;
}

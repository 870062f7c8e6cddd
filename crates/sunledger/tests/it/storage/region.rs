//! The story's regions step, and `upsert_regions` against an in-memory model.
use super::*;
pub(super) async fn regions(db: &TestDb) {
    let store = &*db.store;
    assert_eq!(store.region_count().await.unwrap(), 0);
    assert!(store.region_roots().await.unwrap().is_empty());
    assert!(store.region_names().await.unwrap().is_empty());
    assert_eq!(store.region(&rc("52")).await.unwrap(), None);

    // First import: everything is new.
    let tree: Vec<NewRegion> = TREE.iter().map(|(c, n)| nr(c, n)).collect();
    let counts = store.upsert_regions(&tree, T0).await.unwrap();
    assert_eq!(
        counts,
        UpsertCounts {
            inserted: 13,
            renamed: 0
        }
    );
    assert_eq!(store.region_count().await.unwrap(), 13);

    // The same import again changes nothing.
    assert_eq!(
        store.upsert_regions(&tree, T0 + 1).await.unwrap(),
        UpsertCounts::default()
    );
    // An empty import is fine too.
    assert_eq!(
        store.upsert_regions(&[], T0 + 1).await.unwrap(),
        UpsertCounts::default()
    );

    // A correction: one county renamed, one township repeated unchanged, one village added. The
    // regions left out of this batch are not deleted.
    let fix = vec![
        nr("529121", "云岭自治县"),
        nr("529121100", "青石镇"),
        nr("529121100203", "新寨村"),
    ];
    assert_eq!(
        store.upsert_regions(&fix, T0 + 2).await.unwrap(),
        UpsertCounts {
            inserted: 1,
            renamed: 1
        }
    );
    assert_eq!(store.region_count().await.unwrap(), 14);

    let mut expected: HashMap<RegionCode, String> =
        TREE.iter().map(|(c, n)| (rc(c), n.to_string())).collect();
    expected.insert(rc("529121"), "云岭自治县".into());
    expected.insert(rc("529121100203"), "新寨村".into());
    assert_eq!(store.region_names().await.unwrap(), expected);

    // One region, with its level, parent and number of children.
    let county = store.region(&rc("529121")).await.unwrap().expect("529121");
    assert_eq!(
        county,
        Region {
            code: rc("529121"),
            name: "云岭自治县".into(),
            level: Level::County,
            parent: Some(rc("5291")),
            children: 2
        }
    );
    let province = store.region(&rc("52")).await.unwrap().expect("52");
    assert_eq!(
        (province.level, province.parent, province.children),
        (Level::Province, None, 1)
    );
    let village = store
        .region(&rc("529121100203"))
        .await
        .unwrap()
        .expect("village");
    assert_eq!(
        (village.level, village.parent, village.children),
        (Level::Village, Some(rc("529121100")), 0)
    );
    assert_eq!(store.region(&rc("529123")).await.unwrap(), None);

    // Children in code order, each with its own child count.
    assert_eq!(
        names_of(&store.region_children(&rc("5291")).await.unwrap()),
        vec![
            ("529121000000".into(), "云岭自治县".into(), 2),
            ("529122000000".into(), "石门县".into(), 1)
        ]
    );
    assert_eq!(
        names_of(&store.region_children(&rc("529121100")).await.unwrap()),
        vec![
            ("529121100201".into(), "上寨村".into(), 0),
            ("529121100202".into(), "下寨村".into(), 0),
            ("529121100203".into(), "新寨村".into(), 0),
        ]
    );
    assert!(
        store
            .region_children(&rc("529121100201"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .region_children(&rc("529123"))
            .await
            .unwrap()
            .is_empty()
    );
    // A city without counties: its townships hang directly under it.
    let dongguan = store.region_children(&rc("4419")).await.unwrap();
    assert_eq!(dongguan.len(), 1);
    assert_eq!(
        (dongguan[0].code, dongguan[0].level, dongguan[0].parent),
        (rc("441900003"), Level::Township, Some(rc("4419")))
    );

    // Roots: the provinces, in code order.
    let roots = store.region_roots().await.unwrap();
    assert_eq!(
        names_of(&roots),
        vec![
            ("440000000000".into(), "广东省".into(), 1),
            ("520000000000".into(), "黔山省".into(), 1)
        ]
    );
    assert!(
        roots
            .iter()
            .all(|r| r.level == Level::Province && r.parent.is_none())
    );

    // A large import crosses the store's batch size (1,000 rows): 2 townships and 2,100 villages,
    // the townships after their villages.
    let mut big = Vec::new();
    for (t, seg) in ["529122200", "529122201", "529122202"].iter().enumerate() {
        for v in 1..=700 {
            big.push(nr(&format!("{seg}{v:03}"), &format!("村{t}-{v}")));
        }
    }
    big.push(nr("529122201", "新坡乡"));
    big.push(nr("529122202", "老坡乡"));
    // 529122200201 is already stored as 坡头村, so it counts as a rename.
    let c = store.upsert_regions(&big, T0 + 3).await.unwrap();
    assert_eq!(
        c,
        UpsertCounts {
            inserted: 2101,
            renamed: 1
        }
    );
    assert_eq!(store.region_count().await.unwrap(), 14 + 2101);
    // Again, with every 100th renamed: renames on both sides of each batch boundary.
    for (i, r) in big.iter_mut().enumerate() {
        if i % 100 == 0 {
            r.name.push_str("（改）");
        }
    }
    assert_eq!(
        store.upsert_regions(&big, T0 + 4).await.unwrap(),
        UpsertCounts {
            inserted: 0,
            renamed: 22
        }
    );
    assert_eq!(
        store.upsert_regions(&big, T0 + 5).await.unwrap(),
        UpsertCounts::default()
    );
    let names = store.region_names().await.unwrap();
    assert_eq!(names.len() as i64, 14 + 2101);
    for r in &big {
        assert_eq!(names.get(&r.code), Some(&r.name), "{}", r.code);
    }
    assert_eq!(
        store
            .region(&rc("529122201"))
            .await
            .unwrap()
            .expect("529122201")
            .children,
        700
    );
    assert_eq!(
        store
            .region(&rc("529122"))
            .await
            .unwrap()
            .expect("529122")
            .children,
        3
    );
}

// ------------------------------------------------------------------------------------------------
// Property: upsert_regions against an in-memory model
// ------------------------------------------------------------------------------------------------

/// The codes the property draws from: a small tree, so renames and repeats are frequent.
const POOL: [&str; 10] = [
    "52",
    "5291",
    "529121",
    "529122",
    "529121100",
    "529121101",
    "529121100201",
    "529121100202",
    "4419",
    "441900003",
];
const NAMES: [&str; 4] = ["甲", "乙", "丙", "丁"];

/// Batches of (code index, name index); a code appears at most once per batch.
fn batches() -> impl Strategy<Value = Vec<Vec<(usize, usize)>>> {
    let batch = prop::collection::btree_map(0..POOL.len(), 0..NAMES.len(), 0..=POOL.len())
        .prop_map(|m| m.into_iter().collect::<Vec<_>>())
        .prop_shuffle();
    prop::collection::vec(batch, 1..8)
}

async fn check_against_model(
    kind: Kind,
    ops: Vec<Vec<(usize, usize)>>,
) -> Result<(), TestCaseError> {
    let Some(db) = support::fresh_db(kind).await else {
        return Ok(());
    };
    let store = &*db.store;
    let mut model: HashMap<RegionCode, String> = HashMap::new();
    for (step, batch) in ops.iter().enumerate() {
        let rows: Vec<NewRegion> = batch.iter().map(|&(c, n)| nr(POOL[c], NAMES[n])).collect();
        let mut want = UpsertCounts::default();
        for r in &rows {
            match model.insert(r.code, r.name.clone()) {
                None => want.inserted += 1,
                Some(old) if old != r.name => want.renamed += 1,
                Some(_) => {}
            }
        }
        let got = store
            .upsert_regions(&rows, T0 + step as i64)
            .await
            .map_err(|e| TestCaseError::fail(format!("step {step}: {e}")))?;
        prop_assert_eq!(got, want, "counts at step {}", step);
        let names = store
            .region_names()
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&names, &model, "names at step {}", step);
        prop_assert_eq!(
            store
                .region_count()
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?,
            model.len() as i64
        );
    }
    Ok(())
}

fn run_model(kind: Kind, ops: Vec<Vec<(usize, usize)>>) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(check_against_model(kind, ops))
}

proptest! {
    // Few cases (each one is a fresh database), and no regression files in the source tree.
    #![proptest_config(ProptestConfig { cases: 20, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn upsert_model_sqlite(ops in batches()) {
        run_model(Kind::Sqlite, ops)?;
    }

    #[test]
    fn upsert_model_postgres(ops in batches()) {
        if support::pg_admin_url().is_some() {
            run_model(Kind::Postgres, ops)?;
        }
    }
}

/// One import naming the same region twice (the importer removes duplicates first, but the
/// `Store` contract does not require it): the last name wins and the region counts once.
pub(super) async fn repeated_codes(db: &TestDb) {
    let store = &*db.store;
    let before = store.region_count().await.unwrap();
    let rows = [
        nr("529123", "清水县"),
        nr("529123", "清水自治县"),
        nr("529121101", "白水镇"),
        nr("529121101", "白水镇"),
        nr("529122", "石门新县"),
        nr("529122", "石门县"),
    ];
    // A code named twice in one batch keeps its last name and counts once.
    let counts = store.upsert_regions(&rows, T0 + 30_000).await;
    assert!(
        matches!(
            counts,
            Ok(UpsertCounts {
                inserted: 1,
                renamed: 0
            })
        ),
        "repeated codes in one batch: {counts:?}"
    );
    assert_eq!(store.region_count().await.unwrap(), before + 1);
    let names = store.region_names().await.unwrap();
    assert_eq!(
        names.get(&rc("529123")).map(String::as_str),
        Some("清水自治县")
    );
    assert_eq!(names.get(&rc("529122")).map(String::as_str), Some("石门县"));
}

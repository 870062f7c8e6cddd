//! The storage layer as one story, told identically to SQLite and PostgreSQL through `both!`: a
//! region table is imported and corrected, a county sets up its departments and people, accounts
//! are created, granted and revoked, people sign in, rotate and lose their sessions, and the
//! record of sign-ins is read back by region. Every `Store` method is called with real
//! assertions. Then: database integrity (SQLite settings, foreign keys on both backends), and a
//! property test of `upsert_regions` against an in-memory model.
use crate::support::{self, Kind, TestDb};
use proptest::prelude::*;
use sqlx::{AssertSqlSafe, Connection};
use std::collections::HashMap;
use std::time::Instant;
use sunledger_core::department::Position;
use sunledger_core::{CreditCode, DepartmentKind, Level, RegionCode, Role};
use sunledger_store::{
    AuthEvent, AuthEventKind, Backend, Department, NewAuthEvent, NewDepartment, NewGrant,
    NewPerson, NewRegion, NewSession, NewUser, Person, Region, Store, StoreError, UpsertCounts,
};

/// A fixed clock: 2025-06-15 in Unix seconds.
const T0: i64 = 1_750_000_000;

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn nr(code: &str, name: &str) -> NewRegion {
    NewRegion {
        code: rc(code),
        name: name.to_string(),
    }
}

/// A valid unified social credit code from its first 17 characters.
fn credit(body17: &str) -> CreditCode {
    let check = CreditCode::check_char(body17).expect("credit code body");
    CreditCode::parse(&format!("{body17}{check}")).expect("credit code")
}

fn dept(
    region: &str,
    kind: DepartmentKind,
    name: &str,
    credit_code: Option<&CreditCode>,
) -> NewDepartment {
    NewDepartment {
        region: rc(region),
        kind,
        name: name.to_string(),
        credit_code: credit_code.cloned(),
        stationed_by: None,
    }
}

fn event(
    at: i64,
    kind: AuthEventKind,
    region: Option<&str>,
    username: Option<&str>,
    ip: Option<&str>,
) -> NewAuthEvent {
    NewAuthEvent {
        at,
        kind,
        region: region.map(rc),
        username: username.map(str::to_string),
        user_id: None,
        actor_id: None,
        ip: ip.map(str::to_string),
        detail: String::new(),
    }
}

fn new_user(username: &str, region: &str, person_id: Option<i64>) -> NewUser {
    NewUser {
        username: username.to_string(),
        display_name: format!("{username} (display)"),
        password_hash: format!("$argon2id$fake${username}"),
        region: rc(region),
        person_id,
    }
}

/// The field of a `Conflict`, or a panic naming what came back instead.
fn conflict_field<T: std::fmt::Debug>(what: &str, r: sunledger_store::Result<T>) -> String {
    match r {
        Err(StoreError::Conflict { field }) => field,
        other => panic!("{what}: expected StoreError::Conflict, got {other:?}"),
    }
}

fn backend_name(db: &TestDb) -> &'static str {
    match db.store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

// --- raw access to the database behind the store, for what the trait does not expose ---

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// A plain sqlx SQLite connection to the store's file, opened with sqlx's default options (it does
/// not set a journal mode itself).
async fn sqlite_conn(url: &str) -> sqlx::SqliteConnection {
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(sqlite_path(url))
        .busy_timeout(std::time::Duration::from_secs(30));
    sqlx::SqliteConnection::connect_with(&opts)
        .await
        .expect("separate sqlite connection")
}

/// One BIGINT/INTEGER value from `sql`, through a separate connection.
async fn scalar(db: &TestDb, sql: &str) -> i64 {
    let q = AssertSqlSafe(sql.to_string());
    match db.store.backend() {
        Backend::Sqlite => {
            let mut c = sqlite_conn(&db.url).await;
            sqlx::query_scalar::<_, i64>(q)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("separate pg connection");
            sqlx::query_scalar::<_, i64>(q)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }
}

/// Runs a statement through a separate connection.
async fn execute(db: &TestDb, sql: &str) {
    let q = AssertSqlSafe(sql.to_string());
    match db.store.backend() {
        Backend::Sqlite => {
            let mut c = sqlite_conn(&db.url).await;
            sqlx::query(q)
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("separate pg connection");
            sqlx::query(q)
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
}

/// Every stored auth event, newest first.
async fn all_events(store: &dyn Store) -> Vec<AuthEvent> {
    // Every region used in this file lies in province 52 or 44.
    store
        .auth_events_within(&[rc("52"), rc("44")], true, 100_000)
        .await
        .expect("auth events")
}

async fn count_kind(store: &dyn Store, kind: AuthEventKind) -> usize {
    all_events(store)
        .await
        .iter()
        .filter(|e| e.kind == kind.key())
        .count()
}

// ------------------------------------------------------------------------------------------------
// The story
// ------------------------------------------------------------------------------------------------

crate::both!(storage_story, story);

async fn story(db: TestDb) {
    let started = Instant::now();
    let expected_backend = if db.url.starts_with("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(db.store.backend(), expected_backend);

    regions(&db).await;
    let org = departments(&db).await;
    let people = people(&db, &org).await;
    let users = users(&db, &people).await;
    grants(&db, &users).await;
    sessions(&db, &users).await;
    auth_events(&db, &users).await;
    races(&db, &users).await;
    repeated_codes(&db).await;

    eprintln!(
        "storage_story[{}]: {:?}",
        backend_name(&db),
        started.elapsed()
    );
}

/// The tree used by the story: province, city, two counties, townships, villages, and a second
/// province with a city without counties. Complete, as imports guarantee: every parent is present.
const TREE: [(&str, &str); 13] = [
    // Children before parents: the table has no foreign key on the parent.
    ("529121100201", "上寨村"),
    ("529121100202", "下寨村"),
    ("529121100", "青石镇"),
    ("529121101", "白水镇"),
    ("529122200", "高坡乡"),
    ("529121", "云岭县"),
    ("529122", "石门县"),
    ("529100", "青山市"),
    ("52", "黔山省"),
    ("4419", "东莞市"),
    ("441900003", "东城街道"),
    ("529122200201", "坡头村"),
    ("44", "广东省"),
];

fn names_of(rows: &[Region]) -> Vec<(String, String, i64)> {
    rows.iter()
        .map(|r| (r.code.as_str().to_string(), r.name.clone(), r.children))
        .collect()
}

async fn regions(db: &TestDb) {
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

/// Department ids of the story.
struct Org {
    finance: i64,
    party: i64,
    government: i64,
    committee: i64,
    work_team: i64,
    shimen_finance: i64,
}

async fn departments(db: &TestDb) -> Org {
    let store = &*db.store;
    let c1 = credit("11529121MB1234567");
    let c2 = credit("11529122MB7654321");
    let c3 = credit("11529121MB0000001");

    let fin = store
        .create_department(
            &dept("529121", DepartmentKind::FinanceBureau, "财政局", Some(&c1)),
            T0,
        )
        .await
        .unwrap();
    assert!(fin.id > 0);
    assert_eq!(
        fin,
        Department {
            id: fin.id,
            region: rc("529121"),
            kind: "finance_bureau".into(),
            name: "财政局".into(),
            credit_code: Some(c1.as_str().to_string()),
            stationed_by: None,
        }
    );
    assert_eq!(store.department(fin.id).await.unwrap(), Some(fin.clone()));
    assert_eq!(store.department(fin.id + 10_000).await.unwrap(), None);

    // Many at once: ids come back in the order given, one per department.
    let mut team = dept(
        "529121100201",
        DepartmentKind::ResidentWorkTeam,
        "上寨村驻村工作队",
        None,
    );
    team.stationed_by = Some("青山市财政局".into());
    let batch = vec![
        dept("529121", DepartmentKind::PartyCommittee, "县委", None),
        dept(
            "529121",
            DepartmentKind::Government,
            "县人民政府",
            Some(&c3),
        ),
        dept(
            "529121100201",
            DepartmentKind::VillageCommittee,
            "上寨村村民委员会",
            None,
        ),
        team,
    ];
    let ids = store.create_departments(&batch, T0 + 1).await.unwrap();
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in order: {ids:?}");
    assert!(!ids.contains(&fin.id));
    for (id, d) in ids.iter().zip(&batch) {
        let got = store
            .department(*id)
            .await
            .unwrap()
            .expect("created department");
        assert_eq!(got.region, d.region);
        assert_eq!(got.kind, d.kind.key());
        assert_eq!(got.name, d.name);
        assert_eq!(
            got.credit_code.as_deref(),
            d.credit_code.as_ref().map(|c| c.as_str())
        );
        assert_eq!(got.stationed_by, d.stationed_by);
    }
    assert!(store.create_departments(&[], T0).await.unwrap().is_empty());

    // Departments of exactly one region, in id order (not the subtree).
    let county: Vec<(i64, String)> = store
        .departments_in(&rc("529121"))
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    assert_eq!(
        county,
        vec![
            (fin.id, "财政局".into()),
            (ids[0], "县委".into()),
            (ids[1], "县人民政府".into())
        ]
    );
    let village = store.departments_in(&rc("529121100201")).await.unwrap();
    assert_eq!(
        village.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[2], ids[3]]
    );
    assert_eq!(village[1].stationed_by.as_deref(), Some("青山市财政局"));
    assert!(store.departments_in(&rc("5291")).await.unwrap().is_empty());

    // The same name is fine in another region...
    let shimen = store
        .create_department(
            &dept("529122", DepartmentKind::FinanceBureau, "财政局", Some(&c2)),
            T0 + 2,
        )
        .await
        .unwrap();
    // ...but not twice in one region.
    let f = conflict_field(
        "same (region, name)",
        store
            .create_department(
                &dept("529121", DepartmentKind::FinanceBureau, "财政局", None),
                T0,
            )
            .await,
    );
    // Both backends name the field, not the constraint (PostgreSQL reports constraint names).
    assert_eq!(
        f, "name",
        "(region_code, name) conflict should name the field `name`"
    );
    // A credit code belongs to one organisation.
    let f = conflict_field(
        "credit code",
        store
            .create_department(
                &dept(
                    "529122",
                    DepartmentKind::Government,
                    "县人民政府",
                    Some(&c1),
                ),
                T0,
            )
            .await,
    );
    // Both backends name the field, not the constraint (PostgreSQL reports constraint names).
    assert_eq!(f, "credit_code");

    // A batch with a collision books nothing: the first department of it is not kept.
    let before = store.departments_in(&rc("529122")).await.unwrap();
    let bad_batch = vec![
        dept("529122", DepartmentKind::PovertyBureau, "扶贫移民局", None),
        dept(
            "529122",
            DepartmentKind::Government,
            "县人民政府",
            Some(&c3),
        ),
    ];
    assert!(matches!(
        store.create_departments(&bad_batch, T0).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.departments_in(&rc("529122")).await.unwrap(), before);
    assert_eq!(
        before.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![shimen.id]
    );

    Org {
        finance: fin.id,
        party: ids[0],
        government: ids[1],
        committee: ids[2],
        work_team: ids[3],
        shimen_finance: shimen.id,
    }
}

/// Person ids of the story.
struct Staff {
    director: i64,
    finance: Vec<i64>,
}

async fn people(db: &TestDb, org: &Org) -> Staff {
    let store = &*db.store;
    let director = NewPerson {
        department_id: org.committee,
        name: "王大山".into(),
        position: Position::Director,
        phone: Some("13800000001".into()),
    };
    // The person's region (and shard key) come from the department.
    let p = store.create_person(&director, T0).await.unwrap();
    assert_eq!(
        p,
        Person {
            id: p.id,
            region: rc("529121100201"),
            department_id: org.committee,
            name: "王大山".into(),
            position: "director".into(),
            phone: Some("13800000001".into()),
        }
    );
    assert_eq!(store.person(p.id).await.unwrap(), Some(p.clone()));
    assert_eq!(store.person(p.id + 10_000).await.unwrap(), None);
    let sql = format!(
        "SELECT COUNT(*) FROM people WHERE id = {} AND county_code = '529121' AND created_at = {T0}",
        p.id
    );
    assert_eq!(
        scalar(db, &sql).await,
        1,
        "county_code is the department's county"
    );

    let secretary = store
        .create_person(
            &NewPerson {
                department_id: org.work_team,
                name: "李青".into(),
                position: Position::FirstSecretary,
                phone: None,
            },
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            secretary.region,
            secretary.position.as_str(),
            secretary.phone.clone()
        ),
        (rc("529121100201"), "first_secretary", None)
    );

    // Many at once.
    let staff = [
        ("张伟", Position::Head),
        ("刘芳", Position::DeputyHead),
        ("陈敏", Position::Staff),
    ];
    let batch: Vec<NewPerson> = staff
        .iter()
        .map(|(n, pos)| NewPerson {
            department_id: org.finance,
            name: n.to_string(),
            position: *pos,
            phone: None,
        })
        .collect();
    assert_eq!(store.create_people(&batch, T0 + 1).await.unwrap(), 3);
    assert_eq!(store.create_people(&[], T0 + 1).await.unwrap(), 0);
    let fin = store.people_in_department(org.finance).await.unwrap();
    assert_eq!(
        fin.iter()
            .map(|p| (p.name.as_str(), p.position.as_str()))
            .collect::<Vec<_>>(),
        vec![("张伟", "head"), ("刘芳", "deputy_head"), ("陈敏", "staff")]
    );
    assert!(fin.windows(2).all(|w| w[0].id < w[1].id));
    assert!(
        fin.iter()
            .all(|p| p.region == rc("529121") && p.department_id == org.finance)
    );
    assert_eq!(
        store.people_in_department(org.committee).await.unwrap(),
        vec![p.clone()]
    );
    assert!(
        store
            .people_in_department(org.party)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .people_in_department(org.government + 10_000)
            .await
            .unwrap()
            .is_empty()
    );

    // An unknown department: NotFound, and a batch containing one books nobody.
    let ghost = NewPerson {
        department_id: org.finance + 10_000,
        name: "无名".into(),
        position: Position::Staff,
        phone: None,
    };
    assert!(matches!(
        store.create_person(&ghost, T0).await,
        Err(StoreError::NotFound("department"))
    ));
    let ok = NewPerson {
        department_id: org.party,
        name: "赵强".into(),
        position: Position::Head,
        phone: None,
    };
    assert!(matches!(
        store.create_people(&[ok, ghost], T0).await,
        Err(StoreError::NotFound("department"))
    ));
    assert!(
        store
            .people_in_department(org.party)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM people").await, 5);
    let _ = org.shimen_finance;

    Staff {
        director: p.id,
        finance: fin.iter().map(|p| p.id).collect(),
    }
}

/// User ids of the story.
struct Users {
    yunling: i64,
    qingshi: i64,
    shimen: i64,
    city: i64,
}

async fn users(db: &TestDb, staff: &Staff) -> Users {
    let store = &*db.store;
    assert_eq!(store.user_count().await.unwrap(), 0);
    assert!(all_events(store).await.is_empty());

    // Creating an account records `user_added` in the same transaction, with the new id.
    let yl = store
        .create_user(
            &new_user("yunling.finance", "529121", Some(staff.finance[0])),
            &event(
                T0 + 100,
                AuthEventKind::UserAdded,
                Some("529121"),
                Some("yunling.finance"),
                Some("10.9.9.9"),
            ),
        )
        .await
        .unwrap();
    assert!(yl.id > 0);
    assert_eq!(
        (
            yl.username.as_str(),
            yl.display_name.as_str(),
            yl.password_hash.as_str(),
            yl.region,
            yl.person_id
        ),
        (
            "yunling.finance",
            "yunling.finance (display)",
            "$argon2id$fake$yunling.finance",
            rc("529121"),
            Some(staff.finance[0])
        )
    );
    assert_eq!(
        (yl.locale.clone(), yl.disabled, yl.created_at),
        (None, false, T0 + 100)
    );
    let events = all_events(store).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (
            e.at,
            e.kind.as_str(),
            e.region.as_deref(),
            e.username.as_deref(),
            e.user_id,
            e.ip.as_deref()
        ),
        (
            T0 + 100,
            "user_added",
            Some("529121000000"),
            Some("yunling.finance"),
            Some(yl.id),
            Some("10.9.9.9")
        )
    );

    let mut ids = vec![yl.id];
    for (i, (name, region, person)) in [
        ("qingshi.township", "529121100", None),
        ("shimen.finance", "529122", None),
        ("city.bureau", "5291", Some(staff.director)),
    ]
    .into_iter()
    .enumerate()
    {
        let u = store
            .create_user(
                &new_user(name, region, person),
                &event(
                    T0 + 101 + i as i64,
                    AuthEventKind::UserAdded,
                    Some(region),
                    Some(name),
                    None,
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            (u.username.as_str(), u.region, u.person_id),
            (name, rc(region), person)
        );
        ids.push(u.id);
    }
    let (qs, sm, city) = (ids[1], ids[2], ids[3]);
    assert_eq!(store.user_count().await.unwrap(), 4);
    assert_eq!(count_kind(store, AuthEventKind::UserAdded).await, 4);

    // A taken username: Conflict naming the username, and neither account nor event is kept.
    let dup = store
        .create_user(
            &new_user("yunling.finance", "529122", None),
            &event(
                T0 + 110,
                AuthEventKind::UserAdded,
                Some("529122"),
                Some("yunling.finance"),
                None,
            ),
        )
        .await;
    let f = conflict_field("duplicate username", dup);
    // Both backends name the field, not the constraint (PostgreSQL reports constraint names).
    assert_eq!(
        f, "username",
        "duplicate username should name the field `username`"
    );
    assert_eq!(store.user_count().await.unwrap(), 4);
    assert_eq!(
        count_kind(store, AuthEventKind::UserAdded).await,
        4,
        "the failed create_user left an event"
    );

    assert_eq!(store.user(yl.id).await.unwrap(), Some(yl.clone()));
    assert_eq!(store.user(city + 10_000).await.unwrap(), None);
    assert_eq!(
        store.user_by_username("yunling.finance").await.unwrap(),
        Some(yl.clone())
    );
    assert_eq!(
        store
            .user_by_username("shimen.finance")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(sm)
    );
    assert_eq!(store.user_by_username("nobody").await.unwrap(), None);

    // Scoping by home region: a subtree, never a sibling or an ancestor.
    let within = |scopes: &'static [&'static str]| {
        let scopes: Vec<RegionCode> = scopes.iter().map(|s| rc(s)).collect();
        async move {
            store
                .users_within(&scopes)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.username)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(within(&["529122"]).await, vec!["shimen.finance"]);
    assert_eq!(
        within(&["529121"]).await,
        vec!["yunling.finance", "qingshi.township"]
    );
    assert_eq!(within(&["529121100"]).await, vec!["qingshi.township"]);
    assert_eq!(
        within(&["529121", "529122"]).await,
        vec!["yunling.finance", "qingshi.township", "shimen.finance"]
    );
    assert_eq!(
        within(&["5291"]).await,
        vec![
            "city.bureau",
            "yunling.finance",
            "qingshi.township",
            "shimen.finance"
        ]
    );
    assert_eq!(within(&["52"]).await.len(), 4);
    assert!(within(&["529123"]).await.is_empty());
    assert!(within(&["4419"]).await.is_empty());
    assert!(within(&[]).await.is_empty());

    store.set_locale(yl.id, Some("en")).await.unwrap();
    assert_eq!(
        store
            .user(yl.id)
            .await
            .unwrap()
            .expect("user")
            .locale
            .as_deref(),
        Some("en")
    );
    store.set_locale(yl.id, None).await.unwrap();
    assert_eq!(store.user(yl.id).await.unwrap().expect("user").locale, None);

    Users {
        yunling: yl.id,
        qingshi: qs,
        shimen: sm,
        city,
    }
}

fn new_grant(user_id: i64, role: Role, region: &str, by: Option<i64>) -> NewGrant {
    NewGrant {
        user_id,
        role,
        region: rc(region),
        granted_by: by,
    }
}

async fn grants(db: &TestDb, u: &Users) {
    let store = &*db.store;
    let ev = |at| {
        event(
            at,
            AuthEventKind::Grant,
            Some("529121"),
            Some("yunling.finance"),
            None,
        )
    };
    assert!(store.grants_of(u.yunling, true).await.unwrap().is_empty());

    let g1 = store
        .add_grant(
            &new_grant(u.yunling, Role::Finance, "529121", Some(u.city)),
            T0 + 200,
            &ev(T0 + 200),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            g1.user_id,
            g1.role.as_str(),
            g1.region,
            g1.granted_by,
            g1.granted_at,
            g1.revoked_by,
            g1.revoked_at
        ),
        (
            u.yunling,
            "finance",
            rc("529121"),
            Some(u.city),
            T0 + 200,
            None,
            None
        )
    );
    assert_eq!(store.grant(g1.id).await.unwrap(), Some(g1.clone()));
    assert_eq!(store.grant(g1.id + 10_000).await.unwrap(), None);

    // The same active grant again: Conflict, no event.
    let f = conflict_field(
        "duplicate grant",
        store
            .add_grant(
                &new_grant(u.yunling, Role::Finance, "529121", None),
                T0 + 201,
                &ev(T0 + 201),
            )
            .await,
    );
    assert_eq!(f, "grant");
    assert_eq!(count_kind(store, AuthEventKind::Grant).await, 1);

    // Another role on the same region, or the same role elsewhere, is a different grant.
    let g2 = store
        .add_grant(
            &new_grant(u.yunling, Role::Finance, "529121100", None),
            T0 + 202,
            &ev(T0 + 202),
        )
        .await
        .unwrap();
    let g3 = store
        .add_grant(
            &new_grant(u.yunling, Role::Discipline, "529121", None),
            T0 + 203,
            &ev(T0 + 203),
        )
        .await
        .unwrap();
    let gs = store
        .add_grant(
            &new_grant(u.shimen, Role::Finance, "529122", None),
            T0 + 204,
            &ev(T0 + 204),
        )
        .await
        .unwrap();
    assert_eq!(
        store.grants_of(u.yunling, false).await.unwrap(),
        vec![g1.clone(), g2.clone(), g3.clone()]
    );
    assert_eq!(
        store.grants_of(u.shimen, false).await.unwrap(),
        vec![gs.clone()]
    );
    assert!(store.grants_of(u.qingshi, true).await.unwrap().is_empty());
    assert_eq!(count_kind(store, AuthEventKind::Grant).await, 4);

    // Revoking keeps the grant in the history.
    let rev = event(
        T0 + 300,
        AuthEventKind::Revoke,
        Some("529121"),
        Some("yunling.finance"),
        None,
    );
    assert!(
        store
            .revoke_grant(g1.id, Some(u.city), T0 + 300, &rev)
            .await
            .unwrap()
    );
    assert_eq!(
        store.grants_of(u.yunling, false).await.unwrap(),
        vec![g2.clone(), g3.clone()]
    );
    let history = store.grants_of(u.yunling, true).await.unwrap();
    assert_eq!(history.len(), 3);
    let revoked = history
        .iter()
        .find(|g| g.id == g1.id)
        .expect("revoked grant in the history");
    assert_eq!(
        (revoked.revoked_at, revoked.revoked_by),
        (Some(T0 + 300), Some(u.city))
    );
    assert_eq!(
        (revoked.granted_at, revoked.granted_by),
        (T0 + 200, Some(u.city))
    );
    assert_eq!(store.grant(g1.id).await.unwrap().as_ref(), Some(revoked));
    assert_eq!(count_kind(store, AuthEventKind::Revoke).await, 1);

    // A second revocation does nothing and records nothing; neither does an unknown grant.
    assert!(
        !store
            .revoke_grant(g1.id, None, T0 + 301, &rev)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_grant(g1.id + 10_000, None, T0 + 301, &rev)
            .await
            .unwrap()
    );
    assert_eq!(
        store.grant(g1.id).await.unwrap().expect("g1").revoked_at,
        Some(T0 + 300)
    );
    assert_eq!(count_kind(store, AuthEventKind::Revoke).await, 1);

    // Once revoked, the same role may be granted again: a new row, the old one stays.
    let again = store
        .add_grant(
            &new_grant(u.yunling, Role::Finance, "529121", None),
            T0 + 400,
            &ev(T0 + 400),
        )
        .await
        .unwrap();
    assert_ne!(again.id, g1.id);
    assert_eq!(store.grants_of(u.yunling, true).await.unwrap().len(), 4);
    assert_eq!(
        store.grants_of(u.yunling, false).await.unwrap(),
        vec![g2, g3, again]
    );

    // A grant for an account that does not exist fails and records nothing.
    let before = count_kind(store, AuthEventKind::Grant).await;
    assert!(
        store
            .add_grant(
                &new_grant(u.city + 10_000, Role::Finance, "529121", None),
                T0 + 500,
                &ev(T0 + 500)
            )
            .await
            .is_err()
    );
    assert_eq!(count_kind(store, AuthEventKind::Grant).await, before);
}

fn session(token: &str, user_id: i64, created_at: i64, ttl: i64) -> NewSession {
    NewSession {
        token_hash: token.to_string(),
        user_id,
        created_at,
        expires_at: created_at + ttl,
    }
}

async fn sessions(db: &TestDb, u: &Users) {
    let store = &*db.store;
    let t = T0 + 1_000;
    let sign_in = |at| {
        event(
            at,
            AuthEventKind::SignIn,
            Some("529121"),
            Some("yunling.finance"),
            Some("10.0.0.1"),
        )
    };
    assert_eq!(store.session_user("tok-1", t).await.unwrap(), None);

    store
        .create_session(&session("tok-1", u.yunling, t, 3600), None, &sign_in(t))
        .await
        .unwrap();
    assert_eq!(
        store.session_user("tok-1", t).await.unwrap(),
        Some(u.yunling)
    );
    assert_eq!(
        store.session_user("tok-1", t + 3599).await.unwrap(),
        Some(u.yunling)
    );
    // Expiry is exclusive: at `expires_at` the session is over.
    assert_eq!(store.session_user("tok-1", t + 3600).await.unwrap(), None);
    assert_eq!(store.session_user("tok-x", t).await.unwrap(), None);

    // Rotation: signing in again with the old token deletes it in the same transaction.
    store
        .create_session(
            &session("tok-2", u.yunling, t + 10, 3600),
            Some("tok-1"),
            &sign_in(t + 10),
        )
        .await
        .unwrap();
    assert_eq!(store.session_user("tok-1", t + 11).await.unwrap(), None);
    assert_eq!(
        store.session_user("tok-2", t + 11).await.unwrap(),
        Some(u.yunling)
    );
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM sessions WHERE token_hash = 'tok-1'"
        )
        .await,
        0
    );
    // Replacing a token that does not exist is fine.
    store
        .create_session(
            &session("tok-3", u.yunling, t + 20, 3600),
            Some("tok-gone"),
            &sign_in(t + 20),
        )
        .await
        .unwrap();
    assert_eq!(
        store.session_user("tok-2", t + 21).await.unwrap(),
        Some(u.yunling)
    );
    assert_eq!(
        store.session_user("tok-3", t + 21).await.unwrap(),
        Some(u.yunling)
    );
    assert_eq!(count_kind(store, AuthEventKind::SignIn).await, 3);

    // A token hash is unique; the failed insert records no event.
    assert!(
        store
            .create_session(
                &session("tok-3", u.shimen, t + 30, 3600),
                None,
                &sign_in(t + 30)
            )
            .await
            .is_err()
    );
    assert_eq!(
        store.session_user("tok-3", t + 31).await.unwrap(),
        Some(u.yunling)
    );
    assert_eq!(count_kind(store, AuthEventKind::SignIn).await, 3);

    // Housekeeping: a new session drops that user's expired ones (and nobody else's).
    store
        .create_session(
            &session("tok-old", u.shimen, t - 100, 50),
            None,
            &sign_in(t - 100),
        )
        .await
        .unwrap();
    store
        .create_session(
            &session("tok-q-old", u.qingshi, t - 100, 50),
            None,
            &sign_in(t - 100),
        )
        .await
        .unwrap();
    store
        .create_session(
            &session("tok-s", u.shimen, t + 40, 3600),
            None,
            &sign_in(t + 40),
        )
        .await
        .unwrap();
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM sessions WHERE token_hash = 'tok-old'"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM sessions WHERE token_hash = 'tok-q-old'"
        )
        .await,
        1
    );

    // Signing out deletes the session and records the event.
    let out = event(
        t + 50,
        AuthEventKind::SignOut,
        Some("529121"),
        Some("yunling.finance"),
        Some("10.0.0.1"),
    );
    store.delete_session("tok-2", Some(&out)).await.unwrap();
    assert_eq!(store.session_user("tok-2", t + 51).await.unwrap(), None);
    assert_eq!(
        store.session_user("tok-3", t + 51).await.unwrap(),
        Some(u.yunling)
    );
    assert_eq!(count_kind(store, AuthEventKind::SignOut).await, 1);
    // Deleting an unknown session without an event is a no-op.
    store.delete_session("tok-never", None).await.unwrap();
    assert_eq!(count_kind(store, AuthEventKind::SignOut).await, 1);

    // A new password ends every session of that account, and only of that account.
    store
        .create_session(
            &session("tok-4", u.yunling, t + 60, 3600),
            None,
            &sign_in(t + 60),
        )
        .await
        .unwrap();
    let pw = event(
        t + 70,
        AuthEventKind::PasswordSet,
        Some("529121"),
        Some("yunling.finance"),
        None,
    );
    store
        .set_password(u.yunling, "$argon2id$new", &pw)
        .await
        .unwrap();
    assert_eq!(store.session_user("tok-3", t + 71).await.unwrap(), None);
    assert_eq!(store.session_user("tok-4", t + 71).await.unwrap(), None);
    assert_eq!(
        scalar(
            db,
            &format!(
                "SELECT COUNT(*) FROM sessions WHERE user_id = {}",
                u.yunling
            )
        )
        .await,
        0
    );
    assert_eq!(
        store.session_user("tok-s", t + 71).await.unwrap(),
        Some(u.shimen)
    );
    assert_eq!(
        store
            .user(u.yunling)
            .await
            .unwrap()
            .expect("user")
            .password_hash,
        "$argon2id$new"
    );
    assert_eq!(count_kind(store, AuthEventKind::PasswordSet).await, 1);
    // An unknown account: NotFound, no event.
    assert!(matches!(
        store.set_password(u.city + 10_000, "x", &pw).await,
        Err(StoreError::NotFound("user"))
    ));
    assert_eq!(count_kind(store, AuthEventKind::PasswordSet).await, 1);

    // A disabled account's session no longer resolves (there is no Store method to disable yet).
    execute(
        db,
        &format!("UPDATE users SET disabled = 1 WHERE id = {}", u.shimen),
    )
    .await;
    assert!(store.user(u.shimen).await.unwrap().expect("user").disabled);
    assert_eq!(store.session_user("tok-s", t + 80).await.unwrap(), None);
    execute(
        db,
        &format!("UPDATE users SET disabled = 0 WHERE id = {}", u.shimen),
    )
    .await;
    assert_eq!(
        store.session_user("tok-s", t + 80).await.unwrap(),
        Some(u.shimen)
    );
}

async fn auth_events(db: &TestDb, u: &Users) {
    let store = &*db.store;
    let t1 = T0 + 10_000;
    let failed = |at, region: Option<&str>, username: &str, ip: &str| {
        event(
            at,
            AuthEventKind::SignInFailed,
            region,
            Some(username),
            Some(ip),
        )
    };
    let start = all_events(store).await.len();
    // In time order, as they happen.
    let recorded = [
        failed(t1 - 100, Some("529121"), "yunling.finance", "10.0.0.1"),
        failed(t1 - 10, Some("529121"), "yunling.finance", "10.0.0.1"),
        failed(t1 - 5, None, "ghost", "10.0.0.1"),
        event(
            t1 - 1,
            AuthEventKind::SignIn,
            Some("529121"),
            Some("yunling.finance"),
            Some("10.0.0.1"),
        ),
        failed(t1, Some("529121"), "yunling.finance", "10.0.0.2"),
        failed(t1 + 1, Some("529122"), "shimen.finance", "10.0.0.3"),
        NewAuthEvent {
            user_id: Some(u.qingshi),
            actor_id: Some(u.city),
            detail: "role=finance region=529121100".into(),
            ..event(
                t1 + 2,
                AuthEventKind::Grant,
                Some("529121100"),
                Some("qingshi.township"),
                Some("10.0.0.4"),
            )
        },
        event(t1 + 3, AuthEventKind::SignOut, None, None, Some("10.0.0.5")),
    ];
    for e in &recorded {
        store.record_auth_event(e).await.unwrap();
    }
    assert_eq!(all_events(store).await.len(), start + recorded.len());

    // Failed sign-ins in the window, by username and by address; successes do not count.
    let f = |user: &'static str, ip: Option<&'static str>, since| async move {
        store.failed_sign_ins_since(user, ip, since).await.unwrap()
    };
    assert_eq!(
        f("yunling.finance", Some("10.0.0.1"), t1 - 50).await,
        (2, 2)
    );
    assert_eq!(
        f("yunling.finance", Some("10.0.0.1"), t1 - 100).await,
        (3, 3),
        "the window includes `since`"
    );
    assert_eq!(
        f("yunling.finance", Some("10.0.0.2"), t1 - 50).await,
        (2, 1)
    );
    assert_eq!(f("yunling.finance", None, t1 - 50).await, (2, 0));
    assert_eq!(f("ghost", Some("10.0.0.9"), t1 - 50).await, (1, 0));
    assert_eq!(
        f("yunling.finance", Some("10.0.0.1"), t1 + 10).await,
        (0, 0)
    );
    assert_eq!(
        f("nobody", Some("10.0.0.5"), 0).await,
        (0, 0),
        "a sign-out is not a failed sign-in"
    );

    // Everything, newest first (by insertion; the events above were recorded in time order).
    let all = all_events(store).await;
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(
        all[..recorded.len()]
            .iter()
            .map(|e| e.at)
            .collect::<Vec<_>>(),
        recorded.iter().rev().map(|e| e.at).collect::<Vec<_>>()
    );
    let newest = &all[0];
    assert_eq!(
        (
            newest.at,
            newest.kind.as_str(),
            newest.region.as_deref(),
            newest.ip.as_deref()
        ),
        (t1 + 3, "sign_out", None, Some("10.0.0.5"))
    );
    // Every field round-trips.
    let g = &all[1];
    assert_eq!(
        (
            g.at,
            g.kind.as_str(),
            g.region.as_deref(),
            g.username.as_deref(),
            g.user_id,
            g.actor_id,
            g.ip.as_deref(),
            g.detail.as_str()
        ),
        (
            t1 + 2,
            "grant",
            Some("529121100000"),
            Some("qingshi.township"),
            Some(u.qingshi),
            Some(u.city),
            Some("10.0.0.4"),
            "role=finance region=529121100"
        )
    );

    // Scoped to a county: its subtree only; `include_unknown` adds the events without a region.
    let within = |scopes: &'static [&'static str], unknown: bool, limit: i64| {
        let scopes: Vec<RegionCode> = scopes.iter().map(|s| rc(s)).collect();
        async move {
            store
                .auth_events_within(&scopes, unknown, limit)
                .await
                .unwrap()
        }
    };
    let shimen = within(&["529122"], false, 1000).await;
    assert!(!shimen.is_empty());
    assert!(
        shimen
            .iter()
            .all(|e| e.region.as_deref().is_some_and(|r| r.starts_with("529122"))),
        "{shimen:?}"
    );
    assert_eq!(shimen[0].username.as_deref(), Some("shimen.finance"));
    assert_eq!(shimen[0].kind, "sign_in_failed");
    let shimen_all = within(&["529122"], true, 1000).await;
    let unknown: Vec<&AuthEvent> = shimen_all.iter().filter(|e| e.region.is_none()).collect();
    assert_eq!(
        unknown.len(),
        2,
        "ghost's failed sign-in and the region-less sign-out"
    );
    assert_eq!(shimen_all.len(), shimen.len() + 2);
    assert!(shimen_all.windows(2).all(|w| w[0].id > w[1].id));

    let yunling = within(&["529121"], false, 1000).await;
    assert!(
        yunling
            .iter()
            .all(|e| e.region.as_deref().is_some_and(|r| r.starts_with("529121")))
    );
    assert!(
        yunling
            .iter()
            .any(|e| e.region.as_deref() == Some("529121100000")),
        "the township is inside the county"
    );
    assert!(
        !yunling
            .iter()
            .any(|e| e.username.as_deref() == Some("city.bureau")),
        "the city's own event is outside the county"
    );
    let township = within(&["529121100"], false, 1000).await;
    assert!(
        township
            .iter()
            .all(|e| e.region.as_deref() == Some("529121100000"))
    );
    let city = within(&["5291"], false, 1000).await;
    assert_eq!(
        city.len(),
        yunling.len() + shimen.len() + 1,
        "county events plus the city's own user_added"
    );
    assert_eq!(
        within(&["529121", "529122"], false, 1000).await.len(),
        yunling.len() + shimen.len()
    );
    assert!(within(&["529123"], false, 1000).await.is_empty());
    assert!(within(&[], false, 1000).await.is_empty());
    let only_unknown = within(&[], true, 1000).await;
    assert_eq!(only_unknown.len(), 2);
    assert!(only_unknown.iter().all(|e| e.region.is_none()));

    // The limit keeps the newest.
    let top3 = within(&["5291"], true, 3).await;
    assert_eq!(top3, within(&["5291"], true, 1000).await[..3].to_vec());
    assert_eq!(
        top3.iter().map(|e| e.at).collect::<Vec<_>>(),
        vec![t1 + 3, t1 + 2, t1 + 1]
    );
    assert_eq!(within(&["5291"], true, 0).await.len(), 0);
}

/// Concurrent writers: the uniqueness rules hold when callers race.
async fn races(db: &TestDb, u: &Users) {
    let store = db.store.clone();
    // Several rounds, one role each: a lost race shows up in (nearly) every run, not one in five.
    let roles = [
        Role::Discipline,
        Role::PartyGovernment,
        Role::PovertyBureau,
        Role::Admin,
    ];
    let mut outcome = Vec::new();
    for (round, role) in roles.into_iter().enumerate() {
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (store, barrier) = (store.clone(), barrier.clone());
            let at = T0 + 20_000 + (round * 8 + i) as i64;
            let g = new_grant(u.shimen, role, "529122", None);
            let e = event(
                at,
                AuthEventKind::Grant,
                Some("529122"),
                Some("shimen.finance"),
                None,
            );
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store.add_grant(&g, at, &e).await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.expect("join") {
                Ok(_) => ok += 1,
                Err(StoreError::Conflict { field }) => assert_eq!(field, "grant"),
                Err(e) => panic!("concurrent add_grant: {e}"),
            }
        }
        let active = store.grants_of(u.shimen, false).await.unwrap();
        let held = active.iter().filter(|g| g.role == role.key()).count();
        outcome.push((role.key(), ok, held));
    }
    // Exactly one of the simultaneous identical grants wins on both backends: the partial unique
    // index `grants_active` backs the duplicate check under PostgreSQL's READ COMMITTED.
    assert_eq!(
        outcome,
        roles.iter().map(|r| (r.key(), 1, 1)).collect::<Vec<_>>(),
        "(role, successful calls, active grants) after 8 concurrent identical add_grant calls"
    );

    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        let nu = new_user("race.user", "529122", None);
        let e = event(
            T0 + 20_100 + i,
            AuthEventKind::UserAdded,
            Some("529122"),
            Some("race.user"),
            None,
        );
        tasks.push(tokio::spawn(
            async move { store.create_user(&nu, &e).await },
        ));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("join") {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => panic!("concurrent create_user: {e}"),
        }
    }
    assert_eq!(ok, 1);
    let added = all_events(&*store)
        .await
        .iter()
        .filter(|e| e.username.as_deref() == Some("race.user"))
        .count();
    assert_eq!(added, 1, "one user_added event for the one account created");
}

// ------------------------------------------------------------------------------------------------
// Integrity: SQLite settings and foreign keys
// ------------------------------------------------------------------------------------------------

crate::both!(storage_integrity, integrity);

async fn integrity(db: TestDb) {
    let started = Instant::now();
    let store = &*db.store;

    if store.backend() == Backend::Sqlite {
        // The settings as seen by a separate plain sqlx connection to the same file. journal_mode is
        // stored in the file (WAL persists), so it shows what the store did; foreign_keys and
        // synchronous are per connection, so here they show sqlx's defaults (ON, FULL), which the
        // store also sets on its own connections (behaviourally checked below).
        let mut c = sqlite_conn(&db.url).await;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut c)
            .await
            .unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut c)
            .await
            .unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(
            (journal.to_ascii_lowercase().as_str(), fk, sync),
            ("wal", 1, 2)
        );
        c.close().await.unwrap();

        // Opening the same file a second time (migrations already applied) is accepted.
        let again = sunledger_store::open(&db.url)
            .await
            .expect("reopen the same sqlite file");
        assert_eq!(again.region_count().await.unwrap(), 0);
        drop(again);

        // A database file created elsewhere in rollback-journal mode is accepted and switched to WAL.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.db");
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Delete);
        let mut plain = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        sqlx::query("CREATE TABLE unrelated (x INTEGER)")
            .execute(&mut plain)
            .await
            .unwrap();
        plain.close().await.unwrap();
        let url = format!("sqlite:{}", path.display());
        let s = sunledger_store::open(&url)
            .await
            .expect("open a plain sqlite file");
        assert_eq!(s.region_count().await.unwrap(), 0);
        let mut c = sqlite_conn(&url).await;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(journal.to_ascii_lowercase(), "wal");
        c.close().await.unwrap();
        drop(s);
    }

    store
        .upsert_regions(
            &[
                nr("52", "黔山省"),
                nr("5291", "青山市"),
                nr("529121", "云岭县"),
            ],
            T0,
        )
        .await
        .unwrap();

    // A department in a region that does not exist: refused by the foreign key, nothing kept.
    let r = store
        .create_department(
            &dept("529199", DepartmentKind::FinanceBureau, "财政局", None),
            T0,
        )
        .await;
    assert!(
        matches!(r, Err(StoreError::Db(_))),
        "foreign key violation: {r:?}"
    );
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM departments").await, 0);
    assert!(
        store
            .departments_in(&rc("529199"))
            .await
            .unwrap()
            .is_empty()
    );
    // In a batch, the valid department before it is rolled back too.
    let batch = [
        dept("529121", DepartmentKind::FinanceBureau, "财政局", None),
        dept("529199", DepartmentKind::FinanceBureau, "财政局", None),
    ];
    assert!(matches!(
        store.create_departments(&batch, T0).await,
        Err(StoreError::Db(_))
    ));
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM departments").await, 0);

    // An account homed in a missing region: neither account nor its user_added event is kept.
    let r = store
        .create_user(
            &new_user("lost", "529199", None),
            &event(
                T0,
                AuthEventKind::UserAdded,
                Some("529199"),
                Some("lost"),
                None,
            ),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Db(_))), "{r:?}");
    assert_eq!(store.user_count().await.unwrap(), 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM auth_events").await, 0);

    // A grant on a missing region, and a session of a missing account.
    let u = store
        .create_user(
            &new_user("ok", "529121", None),
            &event(
                T0,
                AuthEventKind::UserAdded,
                Some("529121"),
                Some("ok"),
                None,
            ),
        )
        .await
        .unwrap();
    let ev = event(T0, AuthEventKind::Grant, Some("529121"), Some("ok"), None);
    assert!(matches!(
        store
            .add_grant(&new_grant(u.id, Role::Finance, "529199", None), T0, &ev)
            .await,
        Err(StoreError::Db(_))
    ));
    assert!(store.grants_of(u.id, true).await.unwrap().is_empty());
    let ev = event(T0, AuthEventKind::SignIn, None, Some("ghost"), None);
    assert!(matches!(
        store
            .create_session(&session("t", u.id + 1000, T0, 60), None, &ev)
            .await,
        Err(StoreError::Db(_))
    ));
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM auth_events").await,
        1,
        "only the user_added of `ok`"
    );

    eprintln!(
        "storage_integrity[{}]: {:?}",
        backend_name(&db),
        started.elapsed()
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
async fn repeated_codes(db: &TestDb) {
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

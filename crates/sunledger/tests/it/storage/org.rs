//! The story's departments and people.
use super::*;
/// Department ids of the story.
pub(super) struct Org {
    pub(super) finance: i64,
    pub(super) party: i64,
    pub(super) government: i64,
    pub(super) committee: i64,
    pub(super) work_team: i64,
    pub(super) shimen_finance: i64,
}

pub(super) async fn departments(db: &TestDb) -> Org {
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
pub(super) struct Staff {
    pub(super) director: i64,
    pub(super) finance: Vec<i64>,
}

pub(super) async fn people(db: &TestDb, org: &Org) -> Staff {
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

//! The story's accounts and grants.
use super::*;

/// User ids of the story.
pub(super) struct Users {
    pub(super) yunling: i64,
    pub(super) qingshi: i64,
    pub(super) shimen: i64,
    pub(super) city: i64,
}

pub(super) async fn users(db: &TestDb, staff: &Staff) -> Users {
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

pub(super) fn new_grant(user_id: i64, role: Role, region: &str, by: Option<i64>) -> NewGrant {
    NewGrant {
        user_id,
        role,
        region: rc(region),
        granted_by: by,
    }
}

pub(super) async fn grants(db: &TestDb, u: &Users) {
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

//! The story's sessions, the record of sign-ins, and races.
use super::*;
pub(super) fn session(token: &str, user_id: i64, created_at: i64, ttl: i64) -> NewSession {
    NewSession {
        token_hash: token.to_string(),
        user_id,
        created_at,
        expires_at: created_at + ttl,
    }
}

pub(super) async fn sessions(db: &TestDb, u: &Users) {
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

pub(super) async fn auth_events(db: &TestDb, u: &Users) {
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
pub(super) async fn races(db: &TestDb, u: &Users) {
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

//! Integrity: SQLite settings and foreign keys.
use super::*;
// ------------------------------------------------------------------------------------------------
// Integrity: SQLite settings and foreign keys
// ------------------------------------------------------------------------------------------------

crate::both!(storage_integrity, integrity);

async fn integrity(db: TestDb) {
    let started = Instant::now();
    let store = &*db.store;

    if store.backend() == Backend::Sqlite {
        step_sqlite_settings(&db).await;
    }
    step_regions(&db).await;
    step_missing_region_department(&db).await;
    step_missing_region_account(&db).await;
    step_missing_grant_and_session(&db).await;

    eprintln!(
        "storage_integrity[{}]: {:?}",
        backend_name(&db),
        started.elapsed()
    );
}

/// The SQLite settings, reopening a file, and a rollback-journal file switched to WAL.
async fn step_sqlite_settings(db: &TestDb) {
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

/// The province, the city and the county the checks below use.
async fn step_regions(db: &TestDb) {
    let store = &*db.store;
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
}

/// A department in a region that does not exist is refused, alone or in a batch.
async fn step_missing_region_department(db: &TestDb) {
    let store = &*db.store;
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
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM departments").await, 0);
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
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM departments").await, 0);
}

/// An account homed in a missing region: neither account nor its user_added event is kept.
async fn step_missing_region_account(db: &TestDb) {
    let store = &*db.store;
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
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM auth_events").await, 0);
}

/// A grant on a missing region, and a session of a missing account.
async fn step_missing_grant_and_session(db: &TestDb) {
    let store = &*db.store;
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
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM auth_events").await,
        1,
        "only the user_added of `ok`"
    );
}

//! The `sunledger` binary's account commands and start-up checks, on real database files and on
//! PostgreSQL.
use crate::support::{TestDb, sunledger};
use std::process::Command;

async fn users_commands_manage_accounts(db: TestDb) {
    let (code, out, _) = sunledger(&db, &["init"], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("sunledger users add"),
        "an empty database says how to create the first admin: {out}"
    );
    sunledger::demo::load(db.store.as_ref(), crate::support::now())
        .await
        .unwrap();

    let (code, out, err) = sunledger(
        &db,
        &[
            "users",
            "add",
            "qs.admin",
            "--name",
            "清水县管理员",
            "--region",
            "529123",
        ],
        Some("a-long-password\n"),
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = sunledger(
        &db,
        &[
            "users", "add", "qs.admin", "--name", "x", "--region", "529123",
        ],
        Some("a-long-password\n"),
    );
    assert_ne!(code, 0);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = sunledger(
        &db,
        &["users", "add", "short", "--name", "x", "--region", "529123"],
        Some("short\n"),
    );
    assert_ne!(code, 0);
    assert!(err.contains("password"), "{err}");
    let (code, _, err) = sunledger(
        &db,
        &[
            "users", "add", "nowhere", "--name", "x", "--region", "529199",
        ],
        Some("a-long-password\n"),
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("529199") && err.contains("does not exist"),
        "{err}"
    );

    let (code, _, err) = sunledger(
        &db,
        &["users", "grant", "qs.admin", "sheriff", "529123"],
        None,
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("unknown role sheriff") && err.contains("finance"),
        "{err}"
    );
    let (code, out, err) = sunledger(
        &db,
        &["users", "grant", "qs.admin", "admin", "529123"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = sunledger(&db, &["users", "list"], None);
    let line = out
        .lines()
        .find(|l| l.starts_with("qs.admin\t"))
        .expect("listed");
    assert!(line.contains("admin@529123000000"), "{line}");

    let u = db
        .store
        .user_by_username("qs.admin")
        .await
        .unwrap()
        .unwrap();
    assert!(sunledger_web::access::auth::verify_password(
        "a-long-password",
        &u.password_hash
    ));
    let grants = db.store.grants_of(u.id, false).await.unwrap();
    assert_eq!(grants.len(), 1);

    let (code, out, err) = sunledger(
        &db,
        &["users", "revoke", "qs.admin", "admin", "529123"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = sunledger(
        &db,
        &["users", "revoke", "qs.admin", "admin", "529123"],
        None,
    );
    assert_ne!(code, 0);
    assert!(err.contains("no active admin grant"), "{err}");
    assert!(db.store.grants_of(u.id, false).await.unwrap().is_empty());
    assert_eq!(
        db.store.grants_of(u.id, true).await.unwrap().len(),
        1,
        "history kept"
    );
    let events = db
        .store
        .auth_events_within(
            &[sunledger_core::RegionCode::parse("529123").unwrap()],
            false,
            50,
        )
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| e.username.as_deref() == Some("qs.admin"))
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, vec!["revoke", "grant", "user_added"]);
}
crate::both!(
    users_commands_manage_accounts_on,
    users_commands_manage_accounts
);

#[test]
fn sqlite_is_opened_with_wal_foreign_keys_and_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let db_url = format!("sqlite:{}", path.display());
    let out = Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args(["--database", &db_url, "init"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Read the journal mode back from the file itself: WAL is persistent.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::{Connection, Row};
        let mut c = sqlx::SqliteConnection::connect(&db_url).await.unwrap();
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get(0);
        assert_eq!(mode, "wal");
    });
    // The default database lives under ./data.
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .arg("init")
        .current_dir(work.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(work.path().join("data/sunledger.db").exists());
    // A URL of another kind is refused with a clear message, without a password echoed.
    let out = Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args(["--database", "mysql://u:secret@h/db", "init"])
        .current_dir(work.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported database URL") && !err.contains("secret"),
        "{err}"
    );
}

async fn keys_rotate_and_old_checkpoints_still_verify(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = sunledger(
        &db,
        &[
            "--data-dir",
            d,
            "--log-origin",
            "ledger.example.test/log",
            "init",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("log signing key created"), "{out}");
    let key = dir.path().join("log-signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // A second init keeps the key.
    let (_, out, _) = sunledger(&db, &["--data-dir", d, "init"], None);
    assert!(out.contains("log signing key present"), "{out}");
    sunledger::demo::load(db.store.as_ref(), crate::support::now())
        .await
        .unwrap();
    let (code, note1, _) = sunledger(&db, &["--data-dir", d, "checkpoint"], None);
    assert_eq!(code, 0);
    assert!(note1.starts_with("ledger.example.test/log\n"), "{note1}");
    let (_, keys1, _) = sunledger(&db, &["--data-dir", d, "keys", "show"], None);
    let (code, out, _) = sunledger(&db, &["--data-dir", d, "keys", "rotate"], None);
    assert_eq!(code, 0, "{out}");
    // New facts, a checkpoint under the new key.
    db.store
        .create_department(
            &sunledger_store::NewDepartment {
                region: sunledger_core::RegionCode::parse("529121").unwrap(),
                kind: sunledger_core::DepartmentKind::BusinessDepartment,
                name: "云岭县水务局".into(),
                credit_code: None,
                stationed_by: None,
            },
            crate::support::now(),
        )
        .await
        .unwrap();
    let (code, note2, _) = sunledger(&db, &["--data-dir", d, "checkpoint"], None);
    assert_eq!(code, 0);
    assert_ne!(note1, note2);
    let (_, keys2, _) = sunledger(&db, &["--data-dir", d, "keys", "show"], None);
    assert_eq!(keys2.lines().count(), 2, "{keys2}");
    assert!(keys2.starts_with(keys1.trim()));
    // Both checkpoints verify with the published keys ...
    let (code, out, _) = sunledger(&db, &["--data-dir", d, "verify"], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("checkpoints=2 findings=0"), "{out}");
    // ... but not with the new key alone.
    let new_key = keys2.lines().nth(1).unwrap();
    let (code, out, _) = sunledger(&db, &["--data-dir", d, "verify", "--key", new_key], None);
    assert_eq!(code, 1);
    assert!(
        out.contains("checkpoint: log_checkpoints/") && out.contains("signature"),
        "{out}"
    );
}
crate::both!(
    keys_rotate_and_old_checkpoints_still_verify_on,
    keys_rotate_and_old_checkpoints_still_verify
);

/// A database URL of the same backend as `db`, for a database that does not exist yet (SQLite:
/// a file in `dir`) or is freshly created and empty (PostgreSQL).
async fn another_db(db: &TestDb, dir: &std::path::Path) -> (String, Option<TestDb>) {
    if db.url.starts_with("postgres") {
        let other = crate::support::fresh_db(crate::support::Kind::Postgres)
            .await
            .unwrap();
        (other.url.clone(), Some(other))
    } else {
        (
            format!("sqlite:{}", dir.join("restored.db").display()),
            None,
        )
    }
}

async fn counts(url: &str) -> (u64, u64, u64) {
    let s = sunledger_store::open(url).await.unwrap();
    let roots: Vec<_> = s
        .region_roots()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.code)
        .collect();
    (
        s.region_count().await.unwrap() as u64,
        s.users_within(&roots).await.unwrap().len() as u64,
        s.log_size().await.unwrap(),
    )
}

async fn backup_and_restore_round_trip(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    sunledger::demo::load(db.store.as_ref(), crate::support::now())
        .await
        .unwrap();
    let before = counts(&db.url).await;
    assert!(before.0 > 0 && before.1 > 0 && before.2 > 0, "{before:?}");
    let file = dir.path().join("sunledger.backup");
    let f = file.to_str().unwrap();
    let (code, out, err) = sunledger(&db, &["backup", "--out", f], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("backup written"), "{out}");
    assert!(std::fs::metadata(&file).unwrap().len() > 0);
    // A second backup does not overwrite the first.
    let (code, _, err) = sunledger(&db, &["backup", "--out", f], None);
    assert_ne!(code, 0);
    assert!(err.contains("exists"), "{err}");

    // Restoring over the database it came from is refused: it holds data.
    let (code, _, err) = sunledger(&db, &["restore", f], None);
    assert_ne!(code, 0);
    assert!(
        err.contains("already holds data") && err.contains("--force"),
        "{err}"
    );

    // Into a new database: everything comes back, and verify finds nothing.
    let (other_url, _keep) = another_db(&db, dir.path()).await;
    let out = Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args(["--database", &other_url, "--data-dir"])
        .arg(dir.path())
        .args(["restore", f])
        .env("SUNLEDGER_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("findings=0"), "{stdout}");
    assert_eq!(counts(&other_url).await, before);

    // Rows added after the backup are gone after a forced restore; the log still verifies.
    db.store
        .create_department(
            &sunledger_store::NewDepartment {
                region: sunledger_core::RegionCode::parse("529121").unwrap(),
                kind: sunledger_core::DepartmentKind::BusinessDepartment,
                name: "备份后新建的局".into(),
                credit_code: None,
                stationed_by: None,
            },
            crate::support::now(),
        )
        .await
        .unwrap();
    assert!(counts(&db.url).await.2 > before.2);
    let (code, out, err) = sunledger(&db, &["restore", "--force", f], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("findings=0"), "{out}");
    assert_eq!(counts(&db.url).await, before);

    // A backup of one backend cannot go into the other; a file that is no backup is named.
    let wrong = if db.url.starts_with("postgres") {
        format!("sqlite:{}", dir.path().join("x.db").display())
    } else {
        crate::support::pg_admin_url().unwrap_or_else(|| "postgres://127.0.0.1:1/x".into())
    };
    let out = Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args(["--database", &wrong, "restore", f])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot be restored into"), "{err}");
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"not a backup at all").unwrap();
    let (code, _, err) = sunledger(&db, &["restore", "--force", junk.to_str().unwrap()], None);
    assert_ne!(code, 0);
    assert!(err.contains("not a Sunledger backup"), "{err}");
}
crate::both!(
    backup_and_restore_round_trip_on,
    backup_and_restore_round_trip
);

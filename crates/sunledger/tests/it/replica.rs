//! The read replica (`serve --read-replica`): dashboards and public pages read from a streaming
//! replica of the PostgreSQL database, and a writer reads its own writes from the primary until
//! the replica has them. Needs `SUNLEDGER_TEST_PG_REPLICA` (`scripts/pg-temp.sh replica`), a hot
//! standby of `SUNLEDGER_TEST_PG`; skipped without it, except under `CI=true`.
use crate::support::*;
use serde_json::Value;
use std::time::{Duration, Instant};
use sunledger_store::prelude::*;

const K: &str = "529121"; // 云岭县
const TOWNSHIP: &str = "529121100";
const VILLAGE: &str = "529121100201";
/// A village the tests add under [`TOWNSHIP`].
const NEW_VILLAGE: &str = "529121100288";
const NEW_NAME: &str = "复制测试村";

/// One replica test at a time: pausing replay pauses the whole standby.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The demo city on the primary, served twice: with the replica, and on the primary only.
struct Setup {
    replica: TestApp,
    primary: TestApp,
    /// The replica server's admin URL (to pause and resume its replay).
    admin: String,
}

async fn setup() -> Option<Setup> {
    let admin = pg_replica_url()?;
    let db = demo_db(Kind::Postgres)
        .await
        .expect("SUNLEDGER_TEST_PG, the primary of SUNLEDGER_TEST_PG_REPLICA");
    let primary = TestApp::spawn_with(reopen(&db).await, sunledger_web::Config::default()).await;
    let replica = TestApp::spawn_with(
        with_replica(&db, &admin).await,
        sunledger_web::Config::default(),
    )
    .await;
    assert!(replica.db.store.has_replica());
    Some(Setup {
        replica,
        primary,
        admin,
    })
}

/// The standby's replay paused until this is dropped (also when a test fails).
struct Paused {
    admin: String,
}

impl Paused {
    async fn new(admin: &str) -> Paused {
        raw_sql_url(admin, "SELECT pg_wal_replay_pause()").await;
        Paused {
            admin: admin.to_string(),
        }
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(raw_sql_url(&admin, "SELECT pg_wal_replay_resume()"))
        })
        .join();
    }
}

/// Waits until the replica has replayed everything written so far.
async fn caught_up(store: &dyn Store) {
    let at = store.write_position().await.unwrap().expect("a replica");
    let start = Instant::now();
    while !store.replica_has(&at).await.unwrap() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the replica did not replay up to {at} in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn body(c: &reqwest::Client, url: &str) -> String {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {url}");
    r.text().await.unwrap()
}

/// Waits (up to 30 s) until the page at `url` contains `needle`.
async fn eventually_contains(c: &reqwest::Client, url: &str, needle: &str) {
    let start = Instant::now();
    while !body(c, url).await.contains(needle) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{url} did not show {needle} within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The number of projects in a dashboard (`/api/v1/regions/{code}/summary`).
async fn projects(c: &reqwest::Client, url: &str) -> i64 {
    let s: Value = serde_json::from_str(&body(c, url).await).unwrap();
    s["projects_by_stage"]
        .as_array()
        .expect("projects_by_stage")
        .iter()
        .map(|k| k["count"].as_i64().unwrap())
        .sum()
}

/// With replay paused, a region added on the primary is on the primary's pages but not on the
/// replica's public page or dashboard (they read the replica); once replay resumes, it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replica_serves_public_pages_and_dashboards() {
    let _one = SERIAL.lock().await;
    let Some(s) = setup().await else {
        eprintln!("skipped: set SUNLEDGER_TEST_PG_REPLICA to run the read-replica tests");
        return;
    };
    let store = s.replica.db.store.clone();
    let township = s.replica.signed_in("yunling.township").await;
    caught_up(store.as_ref()).await;
    let (anon, on_primary) = (s.replica.client(), s.primary.client());
    let page = s.replica.url(&format!("/public/regions/{TOWNSHIP}"));
    let dash = s
        .replica
        .url(&format!("/api/v1/regions/{TOWNSHIP}/summary"));
    assert!(!body(&anon, &page).await.contains(NEW_NAME));
    assert!(!body(&township, &dash).await.contains(NEW_VILLAGE));

    let paused = Paused::new(&s.admin).await;
    store
        .upsert_regions(
            &[sunledger_store::NewRegion {
                code: rc(NEW_VILLAGE),
                name: NEW_NAME.into(),
            }],
            now(),
        )
        .await
        .unwrap();
    let primary_page = s.primary.url(&format!("/public/regions/{TOWNSHIP}"));
    assert!(body(&on_primary, &primary_page).await.contains(NEW_NAME));
    assert!(
        !body(&anon, &page).await.contains(NEW_NAME),
        "the public page was not read from the paused replica"
    );
    assert!(
        !body(&township, &dash).await.contains(NEW_VILLAGE),
        "the dashboard was not read from the paused replica"
    );
    // The search too.
    let search = s
        .replica
        .url("/public/search?q=%E5%A4%8D%E5%88%B6%E6%B5%8B%E8%AF%95");
    assert!(!body(&anon, &search).await.contains(NEW_NAME));
    assert!(
        body(
            &on_primary,
            &s.primary
                .url("/public/search?q=%E5%A4%8D%E5%88%B6%E6%B5%8B%E8%AF%95")
        )
        .await
        .contains(NEW_NAME)
    );

    drop(paused);
    eventually_contains(&anon, &page, NEW_NAME).await;
    eventually_contains(&township, &dash, NEW_VILLAGE).await;
    eventually_contains(&anon, &search, NEW_NAME).await;
}

/// A village declares a project while the replica's replay is paused: its next reads in the same
/// session (the WAL position cookie) come from the primary and show the project; the township's
/// dashboard, read from the replica, shows it once replay resumes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_reads_its_own_writes() {
    let _one = SERIAL.lock().await;
    let Some(s) = setup().await else {
        eprintln!("skipped: set SUNLEDGER_TEST_PG_REPLICA to run the read-replica tests");
        return;
    };
    let store = s.replica.db.store.clone();
    let village = s.replica.signed_in("yunling.village").await;
    let township = s.replica.signed_in("yunling.township").await;
    let item = approved_item(
        store.as_ref(),
        VILLAGE,
        sunledger_web::Clock::now(&*s.replica.clock),
    )
    .await;
    caught_up(store.as_ref()).await;
    let village_dash = s.replica.url(&format!("/api/v1/regions/{VILLAGE}/summary"));
    let township_dash = s
        .replica
        .url(&format!("/api/v1/regions/{TOWNSHIP}/summary"));
    let (v0, t0) = (
        projects(&village, &village_dash).await,
        projects(&township, &township_dash).await,
    );

    let paused = Paused::new(&s.admin).await;
    let r = village
        .post(s.replica.url("/api/v1/projects"))
        .json(&serde_json::json!({
            "village": VILLAGE, "name": "复制测试项目", "category": "education", "fiscal_year": 2026,
            "budget": [{"source": "provincial", "amount": "80000.00"}], "targets": targets_json(),
            "meeting_item_id": item, "declare": true}))
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sunledger_wal="))
        .map(str::to_string)
        .expect("a write sets the WAL position cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    json_of(r, 201).await;
    assert_eq!(
        projects(&village, &village_dash).await,
        v0 + 1,
        "the writer's next read did not see its write"
    );
    assert_eq!(
        projects(&township, &township_dash).await,
        t0,
        "another reader's dashboard did not come from the paused replica"
    );
    drop(paused);
    let start = Instant::now();
    while projects(&township, &township_dash).await != t0 + 1 {
        assert!(start.elapsed() < Duration::from_secs(30), "replay resumed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Public pages and dashboards read through the replica are the same as from the primary alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_through_the_replica_match_the_primary() {
    let _one = SERIAL.lock().await;
    let Some(s) = setup().await else {
        eprintln!("skipped: set SUNLEDGER_TEST_PG_REPLICA to run the read-replica tests");
        return;
    };
    let project = s
        .primary
        .db
        .store
        .public_projects(&rc(K), 1)
        .await
        .unwrap()
        .first()
        .map(|p| p.id)
        .expect("a public demo project");
    let (r_bureau, p_bureau) = (
        s.replica.signed_in("yunling.bureau").await,
        s.primary.signed_in("yunling.bureau").await,
    );
    caught_up(s.replica.db.store.as_ref()).await;
    let public = [
        "/public".to_string(),
        format!("/public/regions/{K}"),
        format!("/public/regions/{TOWNSHIP}"),
        format!("/public/regions/{VILLAGE}"),
        format!("/public/projects/{project}"),
        "/public/search?q=%E4%BA%91%E5%B2%AD".to_string(),
        format!("/public/regions/{K}?lang=en"),
    ];
    let (r_anon, p_anon) = (s.replica.client(), s.primary.client());
    for path in &public {
        assert_eq!(
            body(&r_anon, &s.replica.url(path)).await,
            body(&p_anon, &s.primary.url(path)).await,
            "{path}"
        );
    }
    for path in [
        format!("/regions/{K}/summary"),
        format!("/api/v1/regions/{K}/summary"),
        format!("/api/v1/regions/{TOWNSHIP}/summary"),
    ] {
        assert_eq!(
            body(&r_bureau, &s.replica.url(&path)).await,
            body(&p_bureau, &s.primary.url(&path)).await,
            "{path}"
        );
    }
}

/// `serve --read-replica` beside SQLite is refused before anything is opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_needs_postgresql() {
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let (code, _, err) = sunledger(
        &db,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--read-replica",
            "postgres://postgres@127.0.0.1:1/sunledger",
        ],
        None,
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("--read-replica") && err.contains("needs a PostgreSQL main database"),
        "{err}"
    );
    let Some(pg) = fresh_db(Kind::Postgres).await else {
        return;
    };
    let e = sunledger_store::open_with_replica(&pg.url, Some("sqlite:replica.db"))
        .await
        .err()
        .expect("a SQLite replica is refused");
    assert!(e.to_string().contains("expected a postgres:// URL"), "{e}");
    // The primary itself is not a standby.
    let e = sunledger_store::open_with_replica(&pg.url, Some(&pg.url))
        .await
        .err()
        .expect("a primary as replica is refused");
    assert!(e.to_string().contains("not a standby"), "{e}");
}

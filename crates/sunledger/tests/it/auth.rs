//! Sign-in limits under concurrency and against strangers, disabling accounts, session timeouts
//! and the person's sessions, and the TOTP second factor — through the real HTTP server, on both
//! backends.
use crate::support::{TestApp, TestDb, now};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use sunledger_web::auth::totp;

const PW: &str = sunledger::demo::DEMO_PASSWORD;

fn creds(username: &str, password: &str) -> Value {
    json!({"username": username, "password": password})
}

/// A client whose connections come from `127.0.0.<last>` (all of 127/8 is the loopback).
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .unwrap()
}

async fn sign_in_status(c: &reqwest::Client, url: &str, username: &str, password: &str) -> u16 {
    c.post(url)
        .json(&creds(username, password))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn events(app_url: &str, c: &reqwest::Client) -> Vec<Value> {
    c.get(format!("{app_url}/api/v1/auth-events?limit=1000"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Finding 2: 100 simultaneous guesses from one address, the right password among them. Every
/// attempt is counted before its password is checked, so at most the limit (5) are checked at
/// all and the right password, once the limit is reached, does not get in.
async fn parallel_guesses_are_counted_before_the_check(app: TestApp) {
    // A second server over the same database with its own connections, as a second process
    // would be: half the guesses go to each.
    let other = sunledger_store::open(&app.db.url).await.unwrap();
    let other = serve_store(
        other,
        sunledger_web::Config::default(),
        Arc::new(Clock::default()),
    )
    .await;
    let urls = [
        app.url("/api/v1/session"),
        format!("http://{other}/api/v1/session"),
    ];
    let url = urls[0].clone();
    let mut tasks = Vec::new();
    for i in 0..100 {
        let c = reqwest::Client::new();
        let url = urls[i % 2].clone();
        // The right password goes last, after 99 wrong ones.
        let pw = if i == 99 { PW } else { "wrong-password" };
        tasks.push(tokio::spawn(async move {
            sign_in_status(&c, &url, "yunling.party", pw).await
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let right = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        wrong <= 5 && right <= 1,
        "at most 5 wrong passwords may be checked, {wrong} were: {statuses:?}"
    );
    assert_eq!(wrong + right + refused, 100, "{statuses:?}");
    // The limit holds for the right password now.
    let c = reqwest::Client::new();
    assert_eq!(sign_in_status(&c, &url, "yunling.party", PW).await, 429);
    // The record agrees: at most 5 wrong passwords were checked.
    let d = app.signed_in("yunling.discipline").await;
    let ev = events(&app.url(""), &d).await;
    let wrong = ev
        .iter()
        .filter(|e| e["username"] == "yunling.party" && e["detail"] == "wrong_password")
        .count();
    let limited = ev
        .iter()
        .filter(|e| {
            e["username"] == "yunling.party"
                && e["detail"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("rate_limited")
        })
        .count();
    assert!(wrong <= 5, "{wrong} wrong passwords checked");
    assert!(limited >= 95, "{limited} refusals recorded");
}
crate::both_app!(
    parallel_guesses_are_counted_before_the_check_on,
    parallel_guesses_are_counted_before_the_check
);

/// Finding 3: a stranger's wrong passwords lock only the stranger's address out; the owner,
/// from an address the account has signed in from, gets in at once, and from a new address
/// waits at most the capped delay.
async fn strangers_cannot_lock_the_owner_out(app: TestApp) {
    let url = app.url("/api/v1/session");
    let owner = client_from(1);
    assert_eq!(sign_in_status(&owner, &url, "admin", PW).await, 200);
    // The stranger: 10 wrong passwords from 127.0.0.2 — five are checked, the rest refused.
    let stranger = client_from(2);
    let mut got = Vec::new();
    for _ in 0..10 {
        got.push(sign_in_status(&stranger, &url, "admin", "wrong-password").await);
    }
    assert_eq!(got, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    // The right password from the stranger's address waits too...
    assert_eq!(sign_in_status(&stranger, &url, "admin", PW).await, 429);
    // ...but not from the owner's.
    let owner2 = client_from(1);
    assert_eq!(sign_in_status(&owner2, &url, "admin", PW).await, 200);

    // Strangers spread over many addresses: after 5 failures in a row the account asks new
    // addresses for a growing delay between attempts (not a lockout).
    for last in 10..15 {
        let c = client_from(last);
        assert_eq!(
            sign_in_status(&c, &url, "admin", "wrong-password").await,
            401
        );
    }
    let c = client_from(20);
    assert_eq!(
        sign_in_status(&c, &url, "admin", "wrong-password").await,
        401
    );
    let r = client_from(21)
        .post(&url)
        .json(&creds("admin", PW))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "a new address waits for the delay");
    let wait: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&wait), "retry after {wait}");
    // The owner's address is exempt from the delay.
    assert_eq!(
        sign_in_status(&client_from(1), &url, "admin", PW).await,
        200
    );
    // Other accounts are untouched.
    assert_eq!(
        sign_in_status(&client_from(21), &url, "yunling.admin", PW).await,
        200
    );
}
crate::both_app!(
    strangers_cannot_lock_the_owner_out_on,
    strangers_cannot_lock_the_owner_out
);

/// Administrators see the limits and clear them (API and page); the stranger's address then
/// may try again.
async fn administrators_see_and_clear_limits(app: TestApp) {
    let url = app.url("/api/v1/session");
    let stranger = client_from(3);
    for _ in 0..6 {
        sign_in_status(&stranger, &url, "yunling.party", "wrong-password").await;
    }
    assert_eq!(
        sign_in_status(&stranger, &url, "yunling.party", PW).await,
        429
    );
    // Not for everyone.
    let party = app.signed_in("yunling.bureau").await;
    let r = party
        .get(app.url("/api/v1/sign-in-limits"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let admin = app.signed_in("yunling.admin").await;
    let limits: Value = admin
        .get(app.url("/api/v1/sign-in-limits"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = limits
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "account_address" && l["username"] == "yunling.party")
        .unwrap_or_else(|| panic!("{limits}"))
        .clone();
    assert_eq!(row["ip"], "127.0.0.3");
    assert_eq!(row["attempts"], 5);
    // A county administrator does not see the address-only limits (city-wide ones do).
    assert!(
        limits
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["kind"] != "address")
    );
    let html = admin
        .get(app.url("/admin/sign-in-limits"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("127.0.0.3") && html.contains("登录限制"),
        "{html}"
    );
    crate::web::assert_no_catalogue_keys(&html);
    let r = admin
        .delete(app.url(&format!("/api/v1/sign-in-limits/{}", row["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = admin
        .delete(app.url(&format!("/api/v1/sign-in-limits/{}", row["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        sign_in_status(&stranger, &url, "yunling.party", PW).await,
        200
    );
    // The CLI lists and clears them too.
    let elsewhere = client_from(4);
    for _ in 0..6 {
        sign_in_status(&elsewhere, &url, "yunling.party", "wrong-password").await;
    }
    assert_eq!(
        sign_in_status(&elsewhere, &url, "yunling.party", PW).await,
        429
    );
    let (code, out, err) = crate::cli::sunledger(&app.db, &["users", "limits"], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("account_address\tyunling.party\t127.0.0.4\t5")),
        "{out}"
    );
    let (code, out, err) = crate::cli::sunledger(
        &app.db,
        &["users", "clear-limits", "--username", "yunling.party"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cleared"), "{out}");
    assert_eq!(
        sign_in_status(&elsewhere, &url, "yunling.party", PW).await,
        200
    );
    let d = app.signed_in("yunling.discipline").await;
    assert!(
        events(&app.url(""), &d)
            .await
            .iter()
            .any(|e| e["kind"] == "limit_cleared" && e["username"] == "yunling.party")
    );
}
crate::both_app!(
    administrators_see_and_clear_limits_on,
    administrators_see_and_clear_limits
);

/// Finding 6: accounts are disabled and re-enabled by the API, the page and the CLI; disabling
/// ends the account's sessions at once and is booked in the log (verify stays clean).
async fn accounts_can_be_disabled_and_enabled(app: TestApp) {
    let party = app.signed_in("yunling.party").await;
    assert_eq!(
        party
            .get(app.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let target = app
        .db
        .store
        .user_by_username("yunling.party")
        .await
        .unwrap()
        .unwrap();
    let admin = app.signed_in("yunling.admin").await;
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", target.id)))
        .json(&json!({"reason": "离岗"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["disabled"], true);
    // Its session ended at once, and it cannot sign in.
    assert_eq!(
        party
            .get(app.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let url = app.url("/api/v1/session");
    assert_eq!(
        sign_in_status(&app.client(), &url, "yunling.party", PW).await,
        401
    );
    // Twice is a conflict; oneself is refused; someone outside the admin's areas is hidden.
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", target.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let me = app
        .db
        .store
        .user_by_username("yunling.admin")
        .await
        .unwrap()
        .unwrap();
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", me.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "user");
    let city = app
        .db
        .store
        .user_by_username("admin")
        .await
        .unwrap()
        .unwrap();
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/disable", city.id)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Booked in the log.
    let leaves = app
        .db
        .store
        .log_leaves_of("account_status", 1)
        .await
        .unwrap();
    assert_eq!(leaves.len(), 1);
    assert_eq!(leaves[0].kind, "account.disable");
    // The page: the account's record shows it, and its button enables it again.
    let html = admin
        .get(app.url(&format!("/admin/users/{}", target.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("已停用") && html.contains("启用账号"),
        "{html}"
    );
    crate::web::assert_no_catalogue_keys(&html);
    let r = admin
        .post(app.url(&format!("/admin/users/{}/enable", target.id)))
        .form(&[("reason", "返岗")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        sign_in_status(&app.client(), &url, "yunling.party", PW).await,
        200
    );
    let leaves = app
        .db
        .store
        .log_leaves_of("account_status", 2)
        .await
        .unwrap();
    assert_eq!(leaves[0].kind, "account.enable");
    // The CLI.
    let (code, out, err) = crate::cli::sunledger(
        &app.db,
        &["users", "disable", "yunling.party", "--reason", "cli"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        app.db
            .store
            .user(target.id)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    let (_, out, _) = crate::cli::sunledger(&app.db, &["users", "list"], None);
    assert!(
        out.lines()
            .any(|l| l.starts_with("yunling.party\t") && l.ends_with("\tdisabled")),
        "{out}"
    );
    let (code, out, err) =
        crate::cli::sunledger(&app.db, &["users", "enable", "yunling.party"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !app.db
            .store
            .user(target.id)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    // The record, and a clean verify.
    let d = app.signed_in("yunling.discipline").await;
    let ev = events(&app.url(""), &d).await;
    assert!(
        ev.iter()
            .any(|e| e["kind"] == "disable" && e["detail"] == "离岗")
    );
    assert!(ev.iter().any(|e| e["kind"] == "enable"));
    let report = sunledger::verify::verify(app.db.store.as_ref(), &[])
        .await
        .unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}
crate::both_app!(
    accounts_can_be_disabled_and_enabled_on,
    accounts_can_be_disabled_and_enabled
);

/// A clock the test moves by seconds.
#[derive(Default)]
struct Clock {
    offset: AtomicI64,
}

impl Clock {
    fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }
    fn now(&self) -> i64 {
        now() + self.offset.load(Ordering::SeqCst)
    }
}

impl sunledger_web::Clock for Clock {
    fn now(&self) -> i64 {
        Clock::now(self)
    }
}

/// The real server over `db` (demo city loaded) with `config` and a clock the test moves.
struct App {
    addr: SocketAddr,
    db: TestDb,
    clock: Arc<Clock>,
}

/// The real server over `store` with `config` and `clock`, on a free port.
async fn serve_store(
    store: Arc<dyn sunledger_store::Store>,
    config: sunledger_web::Config,
    clock: Arc<Clock>,
) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut state = sunledger_web::AppState::new(store, config)
        .with_signer(crate::support::test_signer(), vec![]);
    state.clock = clock;
    tokio::spawn(async move {
        let _ = sunledger_web::serve(listener, state).await;
    });
    addr
}

impl App {
    async fn spawn(db: TestDb, config: sunledger_web::Config) -> App {
        sunledger::demo::load(db.store.as_ref(), now())
            .await
            .unwrap();
        let clock = Arc::new(Clock::default());
        let addr = serve_store(db.store.clone(), config, clock.clone()).await;
        App { addr, db, clock }
    }
    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
    fn client(&self) -> reqwest::Client {
        client_from(1)
    }
    async fn status(&self, c: &reqwest::Client, path: &str) -> u16 {
        c.get(self.url(path))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

/// Sessions end after the idle limit and the absolute limit; a person lists their sessions and
/// ends another one (API and page).
async fn sessions_time_out_and_can_be_ended(db: TestDb) {
    let config = sunledger_web::Config {
        session_idle_secs: 600,
        session_ttl_secs: 3600,
        ..Default::default()
    };
    let app = App::spawn(db, config).await;
    let url = app.url("/api/v1/session");
    let c = app.client();
    assert_eq!(sign_in_status(&c, &url, "yunling.finance", PW).await, 200);
    app.clock.advance(500);
    assert_eq!(
        app.status(&c, "/api/v1/session").await,
        200,
        "used within the idle limit"
    );
    app.clock.advance(500);
    assert_eq!(
        app.status(&c, "/api/v1/session").await,
        200,
        "the use above restarted it"
    );
    app.clock.advance(601);
    assert_eq!(
        app.status(&c, "/api/v1/session").await,
        401,
        "idle too long"
    );
    // Used steadily, a session still ends at the absolute limit.
    assert_eq!(sign_in_status(&c, &url, "yunling.finance", PW).await, 200);
    for _ in 0..7 {
        app.clock.advance(500);
        assert_eq!(app.status(&c, "/api/v1/session").await, 200);
    }
    app.clock.advance(500);
    assert_eq!(
        app.status(&c, "/api/v1/session").await,
        401,
        "past the absolute limit"
    );

    // Two sessions: the person sees both and ends the other one.
    assert_eq!(sign_in_status(&c, &url, "yunling.finance", PW).await, 200);
    let other = client_from(7);
    assert_eq!(
        sign_in_status(&other, &url, "yunling.finance", PW).await,
        200
    );
    let list: Value = c
        .get(app.url("/api/v1/account/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let theirs = list.iter().find(|s| s["ip"] == "127.0.0.7").unwrap();
    let html = c
        .get(app.url("/account/sessions"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("127.0.0.7") && html.contains("当前会话"),
        "{html}"
    );
    crate::web::assert_no_catalogue_keys(&html);
    // Another person cannot end it.
    let bureau = client_from(8);
    assert_eq!(
        sign_in_status(&bureau, &url, "yunling.bureau", PW).await,
        200
    );
    let path = format!(
        "/api/v1/account/sessions/{}",
        theirs["id"].as_str().unwrap()
    );
    let r = bureau.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = c.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.status(&other, "/api/v1/session").await,
        401,
        "ended at once"
    );
    assert_eq!(app.status(&c, "/api/v1/session").await, 200);
    assert_eq!(app.status(&c, "/api/v1/account/sessions/x").await, 405);
    let r = c
        .get(app.url("/api/v1/account/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap().as_array().unwrap().len(),
        1
    );
    let _ = &app.db;
}
crate::both!(
    sessions_time_out_and_can_be_ended_on,
    sessions_time_out_and_can_be_ended
);

async fn enrol(app: &App, c: &reqwest::Client) -> (String, Vec<String>) {
    let r = c
        .post(app.url("/api/v1/account/second-factor"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let setup: Value = r.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_string();
    let uri = setup["uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Sunledger:"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    assert_eq!(totp::base32_decode(&secret).unwrap().len(), 20);
    // A wrong code names the field.
    let r = c
        .post(app.url("/api/v1/account/second-factor/confirm"))
        .json(&json!({"otp": "000000"}))
        .send()
        .await
        .unwrap();
    if r.status() != 200 {
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "otp");
    }
    let code = totp::code_at(&secret, app.clock.now());
    let r = c
        .post(app.url("/api/v1/account/second-factor/confirm"))
        .json(&json!({"otp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let codes: Vec<String> = r.json::<Value>().await.unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Finding 6 (second factor): enrolment, the two-step sign-in with TOTP codes (each once) and
/// recovery codes (each once, stored hashed), and roles that must enrol before they act.
async fn second_factor_for_officials(db: TestDb) {
    let config = sunledger_web::Config {
        totp_required_roles: vec![sunledger_core::Role::Admin, sunledger_core::Role::Finance],
        ..Default::default()
    };
    let app = App::spawn(db, config).await;
    let url = app.url("/api/v1/session");
    let c = app.client();
    // An administrator without a second factor signs in but has no rights until enrolled.
    assert_eq!(sign_in_status(&c, &url, "yunling.admin", PW).await, 200);
    assert_eq!(app.status(&c, "/api/v1/users").await, 403);
    let html = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("/account/second-factor"), "{html}");
    let status: Value = c
        .get(app.url("/api/v1/account/second-factor"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["required"], true);
    assert_eq!(status["enrolled"], false);
    let (secret, codes) = enrol(&app, &c).await;
    assert_eq!(
        app.status(&c, "/api/v1/users").await,
        200,
        "enrolled: rights back"
    );
    // The codes are stored hashed, never as they are.
    let admin = app
        .db
        .store
        .user_by_username("yunling.admin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.db.store.recovery_codes_left(admin.id).await.unwrap(),
        10
    );
    assert!(
        !app.db
            .store
            .use_recovery_code(admin.id, &codes[0], app.clock.now())
            .await
            .unwrap(),
        "the plain code is not what is stored"
    );

    // Two steps now. The password alone gives a pending session that is not signed in.
    let c2 = app.client();
    let r = c2
        .post(&url)
        .json(&creds("yunling.admin", PW))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(r.json::<Value>().await.unwrap()["second_factor"], "totp");
    assert_eq!(app.status(&c2, "/api/v1/session").await, 401);
    assert_eq!(app.status(&c2, "/api/v1/users").await, 401);
    let step = |code: &str| {
        c2.post(app.url("/api/v1/session/second-step"))
            .json(&json!({"otp": code}))
            .send()
    };
    // The code used to confirm is used up; a wrong one names the field.
    let used = totp::code_at(&secret, app.clock.now());
    let r = step(&used).await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "otp");
    app.clock.advance(30);
    let code = totp::code_at(&secret, app.clock.now());
    let r = step(&code).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["user"]["username"],
        "yunling.admin"
    );
    assert_eq!(app.status(&c2, "/api/v1/users").await, 200);
    // The same code does not work twice.
    let c3 = app.client();
    assert_eq!(sign_in_status(&c3, &url, "yunling.admin", PW).await, 202);
    let r = c3
        .post(app.url("/api/v1/session/second-step"))
        .json(&json!({"otp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "replayed code");
    // A recovery code works once (any case, dashes or not).
    let rc = codes[1].to_uppercase().replace('-', "");
    let r = c3
        .post(app.url("/api/v1/session/second-step"))
        .json(&json!({"otp": rc}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.db.store.recovery_codes_left(admin.id).await.unwrap(), 9);
    let c4 = app.client();
    assert_eq!(sign_in_status(&c4, &url, "yunling.admin", PW).await, 202);
    let r = c4
        .post(app.url("/api/v1/session/second-step"))
        .json(&json!({"otp": codes[1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a recovery code is used once");
    // Five wrong codes end the pending sign-in.
    for _ in 0..4 {
        let r = c4
            .post(app.url("/api/v1/session/second-step"))
            .json(&json!({"otp": "123456"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
    }
    app.clock.advance(30);
    let r = c4
        .post(app.url("/api/v1/session/second-step"))
        .json(&json!({"otp": totp::code_at(&secret, app.clock.now())}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "the pending sign-in ended after five wrong codes"
    );

    // The pages: password, then the second step, then the page asked for.
    let b = app.client();
    let r = b
        .post(app.url("/login"))
        .form(&[
            ("username", "yunling.admin"),
            ("password", PW),
            ("next", "/admin/users"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/login/second-step"), "{loc}");
    let html = b
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"otp\""), "{html}");
    crate::web::assert_no_catalogue_keys(&html);
    app.clock.advance(30);
    let r = b
        .post(app.url("/login/second-step"))
        .form(&[
            ("otp", totp::code_at(&secret, app.clock.now()).as_str()),
            ("next", "/admin/users"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin/users");
    assert_eq!(app.status(&b, "/admin/users").await, 200);

    // Removing the second factor takes a current code.
    app.clock.advance(30);
    let r = b
        .post(app.url("/api/v1/account/second-factor/remove"))
        .json(&json!({"otp": "000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = b
        .post(app.url("/api/v1/account/second-factor/remove"))
        .json(&json!({"otp": totp::code_at(&secret, app.clock.now())}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.status(&b, "/api/v1/users").await, 403, "required again");

    // Roles that need no second factor sign in with the password alone.
    assert_eq!(
        sign_in_status(&app.client(), &url, "yunling.party", PW).await,
        200
    );
    // The enrolment page speaks the catalogue.
    let p = app.client();
    assert_eq!(sign_in_status(&p, &url, "yunling.party", PW).await, 200);
    let r = p
        .post(app.url("/account/second-factor/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = p
        .get(app.url("/account/second-factor?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("otpauth://totp/") && html.contains("Confirm"),
        "{html}"
    );
    crate::web::assert_no_catalogue_keys(&html);
}
crate::both!(second_factor_for_officials_on, second_factor_for_officials);

/// `serve --demo` keeps password-only sign-in: the default configuration requires no second
/// factor, so every demo account signs in with the demo password.
async fn demo_accounts_sign_in_without_a_second_factor(app: TestApp) {
    for a in &sunledger::demo::ACCOUNTS {
        let c = app.client();
        assert_eq!(
            sign_in_status(&c, &app.url("/api/v1/session"), a.username, PW).await,
            200,
            "{}",
            a.username
        );
    }
}
crate::both_app!(
    demo_accounts_sign_in_without_a_second_factor_on,
    demo_accounts_sign_in_without_a_second_factor
);

//! Sign-in limits under concurrency and against strangers; administrators clear them.
use super::*;
/// Finding 2: 100 simultaneous wrong guesses from one address, over two servers. Every attempt
/// is counted before its password is checked, so at most the limit (5) are checked at all, and
/// the right password, sent after them, does not get in. (The right password is not raced among
/// them: when it is among the first five checked it rightly signs in and clears the counters,
/// so what follows would depend on the scheduler.)
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
        tasks.push(tokio::spawn(async move {
            sign_in_status(&c, &url, "yunling.party", "wrong-password").await
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        wrong <= 5,
        "at most 5 wrong passwords may be checked, {wrong} were: {statuses:?}"
    );
    assert_eq!(wrong + refused, 100, "{statuses:?}");
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
    crate::support::assert_no_catalogue_keys(&html);
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
    let (code, out, err) = crate::support::sunledger(&app.db, &["users", "limits"], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("account_address\tyunling.party\t127.0.0.4\t5")),
        "{out}"
    );
    let (code, out, err) = crate::support::sunledger(
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

//! The TOTP second factor and recovery codes.
use super::*;
use sunledger_store::User;
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
    let (secret, codes, admin) = step_admin_enrols(&app, &url).await;
    let code = step_two_steps(&app, &url, &secret).await;
    let c4 = step_used_once(&app, &url, code, &codes, &admin).await;
    step_five_wrong(&app, c4, &secret).await;
    let b = step_pages(&app, &secret).await;
    step_removing(&app, b, &secret).await;
    step_no_factor_roles(&app, &url).await;
}

/// An administrator without a second factor has no rights until enrolled; codes are stored hashed.
async fn step_admin_enrols(app: &App, url: &str) -> (String, Vec<String>, User) {
    let c = app.client();
    // An administrator without a second factor signs in but has no rights until enrolled.
    assert_eq!(sign_in_status(&c, url, "yunling.admin", PW).await, 200);
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
    let (secret, codes) = enrol(app, &c).await;
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
    (secret, codes, admin)
}

/// Two steps now: the password alone gives a pending session; a code signs in.
async fn step_two_steps(app: &App, url: &str, secret: &str) -> String {
    // Two steps now. The password alone gives a pending session that is not signed in.
    let c2 = app.client();
    let r = c2
        .post(url)
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
    let used = totp::code_at(secret, app.clock.now());
    let r = step(&used).await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "otp");
    app.clock.advance(30);
    let code = totp::code_at(secret, app.clock.now());
    let r = step(&code).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["user"]["username"],
        "yunling.admin"
    );
    assert_eq!(app.status(&c2, "/api/v1/users").await, 200);
    code
}

/// The same code does not work twice; a recovery code works once.
async fn step_used_once(
    app: &App,
    url: &str,
    code: String,
    codes: &[String],
    admin: &User,
) -> reqwest::Client {
    // The same code does not work twice.
    let c3 = app.client();
    assert_eq!(sign_in_status(&c3, url, "yunling.admin", PW).await, 202);
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
    assert_eq!(sign_in_status(&c4, url, "yunling.admin", PW).await, 202);
    let r = c4
        .post(app.url("/api/v1/session/second-step"))
        .json(&json!({"otp": codes[1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a recovery code is used once");
    c4
}

/// Five wrong codes end the pending sign-in.
async fn step_five_wrong(app: &App, c4: reqwest::Client, secret: &str) {
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
        .json(&json!({"otp": totp::code_at(secret, app.clock.now())}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "the pending sign-in ended after five wrong codes"
    );
}

/// The pages: password, then the second step, then the page asked for.
async fn step_pages(app: &App, secret: &str) -> reqwest::Client {
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
    crate::support::assert_no_catalogue_keys(&html);
    app.clock.advance(30);
    let r = b
        .post(app.url("/login/second-step"))
        .form(&[
            ("otp", totp::code_at(secret, app.clock.now()).as_str()),
            ("next", "/admin/users"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin/users");
    assert_eq!(app.status(&b, "/admin/users").await, 200);
    b
}

/// Removing the second factor takes a current code.
async fn step_removing(app: &App, b: reqwest::Client, secret: &str) {
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
        .json(&json!({"otp": totp::code_at(secret, app.clock.now())}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.status(&b, "/api/v1/users").await, 403, "required again");
}

/// Roles that need no second factor sign in with the password alone.
async fn step_no_factor_roles(app: &App, url: &str) {
    // Roles that need no second factor sign in with the password alone.
    assert_eq!(
        sign_in_status(&app.client(), url, "yunling.party", PW).await,
        200
    );
    // The enrolment page speaks the catalogue.
    let p = app.client();
    assert_eq!(sign_in_status(&p, url, "yunling.party", PW).await, 200);
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
    crate::support::assert_no_catalogue_keys(&html);
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

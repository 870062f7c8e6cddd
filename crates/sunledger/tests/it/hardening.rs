//! Hardening for a public deployment, through the real server: security headers on every
//! response, pages without inline script or style, the origin check on scheme, host and port,
//! and a trusted reverse proxy (HTTPS, `Secure` cookies, the client's address).
use crate::support::{TestApp, TestDb};
use serde_json::json;
use std::collections::BTreeSet;

fn creds() -> serde_json::Value {
    json!({"username": "admin", "password": sunledger::demo::DEMO_PASSWORD})
}

/// Asserts the headers every response must carry.
fn assert_security_headers(what: &str, h: &reqwest::header::HeaderMap) {
    let get = |n: &str| {
        h.get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {n} header"))
            .to_string()
    };
    let csp = get("content-security-policy");
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP lacks {part}: {csp}");
    }
    let script = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(
        !script.contains("unsafe-inline") && !script.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
}

/// The attribute names of every tag of an HTML page, with the tag name.
fn tags(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = &rest[end..];
        if tag.starts_with('/') || tag.starts_with('!') {
            continue;
        }
        // Attribute values are quoted; drop them so that their text is not taken for names.
        let mut plain = String::new();
        let mut quote = None;
        for c in tag.chars() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None => plain.push(c),
            }
        }
        let mut words = plain.split(|c: char| c.is_whitespace() || c == '/');
        let name = words.next().unwrap_or("").to_ascii_lowercase();
        let attrs = words
            .filter(|w| !w.is_empty())
            .map(|w| w.split('=').next().unwrap_or("").to_ascii_lowercase())
            .collect();
        out.push((name, attrs));
    }
    out
}

/// Asserts a page has no inline script, event handler or style, so the CSP can forbid them.
fn assert_nothing_inline(what: &str, html: &str) {
    for (name, attrs) in tags(html) {
        if name == "script" {
            assert!(attrs.iter().any(|a| a == "src"), "{what}: inline <script>");
        }
        assert_ne!(name, "style", "{what}: inline <style>");
        for a in &attrs {
            assert!(!a.starts_with("on"), "{what}: <{name} {a}=...>");
            assert_ne!(a, "style", "{what}: <{name} style=...>");
        }
        if name == "a" || name == "form" {
            assert!(
                !html.contains("javascript:"),
                "{what}: javascript: URL in <{name}>"
            );
        }
    }
}

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(|l| l.replace("&amp;", "&"))
        .collect()
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    let anon = app.client();
    // Anonymous pages, the API, its browsable documentation, static files, errors.
    for path in [
        "/login",
        "/",
        "/public/projects/1",
        "/static/style.css",
        "/healthz",
        "/api/v1/regions",
        "/api/v1/openapi.json",
        "/api/v1/session",
        "/api/docs/",
        "/no/such/page",
        "/api/v1/no-such-route",
    ] {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_security_headers(path, r.headers());
        if path == "/api/docs/" {
            assert_eq!(r.status(), 200);
            let csp = r.headers()["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        }
        let html = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        let body = r.text().await.unwrap();
        if html && path != "/api/docs/" {
            assert_nothing_inline(path, &body);
        }
    }
    // A refused cross-origin change is answered with the headers too.
    let r = anon
        .post(app.url("/api/v1/session"))
        .header("origin", "http://evil.example")
        .json(&creds())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_security_headers("refused POST", r.headers());

    // Every page an administrator reaches from the main pages.
    let c = app.signed_in("admin").await;
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = [
        "/",
        "/regions",
        "/projects",
        "/projects/new",
        "/problems",
        "/problems/new",
        "/spot-checks",
        "/responsibility",
        "/log",
        "/admin/users",
        "/admin/events",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut pages = 0;
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) || seen.len() > 120 {
            continue;
        }
        let r = c.get(app.url(&path)).send().await.unwrap();
        assert_security_headers(&path, r.headers());
        let html = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        if !html {
            continue;
        }
        pages += 1;
        let body = r.text().await.unwrap();
        assert_nothing_inline(&path, &body);
        if seen.len() < 60 {
            queue.extend(links(&body).into_iter().filter(|l| !seen.contains(l)));
        }
    }
    assert!(pages >= 20, "only {pages} pages visited: {seen:?}");
}
crate::both_app!(
    every_response_carries_the_security_headers_on,
    every_response_carries_the_security_headers
);

async fn the_origin_check_compares_scheme_host_and_port(app: TestApp) {
    let c = app.client();
    let port = app.addr.port();
    for (origin, ok) in [
        (format!("http://{}", app.addr), true),
        (format!("http://{}/", app.addr), true),
        // The finding: an https:// origin was accepted on this plain-HTTP server.
        (format!("https://{}", app.addr), false),
        (format!("http://127.0.0.1:{}", port.wrapping_add(1)), false),
        (format!("http://localhost:{port}"), false),
        ("http://127.0.0.1".to_string(), false),
        ("null".to_string(), false),
        (format!("ftp://{}", app.addr), false),
    ] {
        let r = c
            .post(app.url("/api/v1/session"))
            .header("origin", &origin)
            .json(&creds())
            .send()
            .await
            .unwrap();
        let want = if ok { 200 } else { 403 };
        assert_eq!(r.status(), want, "Origin: {origin}");
    }
    // X-Forwarded-Proto from a client that is not a configured proxy changes nothing.
    let r = c
        .post(app.url("/api/v1/session"))
        .header("origin", format!("https://{}", app.addr))
        .header("x-forwarded-proto", "https")
        .json(&creds())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-proto", "https")
        .json(&creds())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(r.headers().get("strict-transport-security").is_none());
}
crate::both_app!(
    the_origin_check_compares_scheme_host_and_port_on,
    the_origin_check_compares_scheme_host_and_port
);

/// The real server over `db` with the demo city, believing the proxy at 127.0.0.1.
async fn spawn_behind_proxy(db: &TestDb) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = sunledger_web::Config {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let state = sunledger_web::AppState::new(db.store.clone(), config)
        .with_signer(crate::support::test_signer(), vec![]);
    tokio::spawn(async move {
        let _ = sunledger_web::serve(listener, state).await;
    });
    addr
}

async fn behind_a_trusted_proxy_https_is_honoured(db: TestDb) {
    let db = crate::support::with_demo(db).await;
    let addr = spawn_behind_proxy(&db).await;
    let url = |p: &str| format!("http://{addr}{p}");
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The proxy terminates TLS for https://ledger.example.test and forwards the client.
    let proxied = |rb: reqwest::RequestBuilder| {
        rb.header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "ledger.example.test")
            .header("x-forwarded-for", "203.0.113.9")
    };
    let r = proxied(c.post(url("/api/v1/session")))
        .header("origin", "https://ledger.example.test")
        .json(&creds())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(!cookies.is_empty());
    for cookie in &cookies {
        assert!(
            cookie.split(';').any(|a| a.trim() == "Secure"),
            "behind HTTPS every cookie is Secure: {cookie}"
        );
        assert_eq!(cookie.matches("Secure").count(), 1, "{cookie}");
    }
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    assert_security_headers("proxied sign-in", r.headers());
    // The browser's origin is the proxy's https one: http:// or another host is refused.
    for origin in [
        "http://ledger.example.test",
        "https://other.example.test",
        "https://ledger.example.test:8443",
    ] {
        let r = proxied(c.post(url("/api/v1/session")))
            .header("origin", origin)
            .json(&creds())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "Origin: {origin}");
    }
    // Sign-in language cookie set by a page is Secure as well.
    let r = proxied(c.get(url("/login?lang=en"))).send().await.unwrap();
    for v in r.headers().get_all("set-cookie") {
        assert!(v.to_str().unwrap().contains("; Secure"), "{v:?}");
    }
    // The access record names the client the proxy forwarded for, not the proxy.
    let events = db
        .store
        .auth_events_within(
            &[sunledger_core::RegionCode::parse("5291").unwrap()],
            false,
            50,
        )
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.username.as_deref() == Some("admin")
                && e.ip.as_deref() == Some("203.0.113.9")),
        "{events:?}"
    );
    assert!(
        !events.iter().any(|e| e.ip.as_deref() == Some("127.0.0.1")),
        "{events:?}"
    );
    // Without the proxy's headers the same server is a plain-HTTP one.
    let r = c
        .post(url("/api/v1/session"))
        .header("origin", format!("http://{addr}"))
        .json(&creds())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
}
crate::both!(
    behind_a_trusted_proxy_https_is_honoured_on,
    behind_a_trusted_proxy_https_is_honoured
);

async fn the_api_document_lists_the_shared_errors(app: TestApp) {
    let doc: serde_json::Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let responses = &doc["components"]["responses"];
    for name in [
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "Conflict",
        "Invalid",
        "Internal",
    ] {
        assert_eq!(
            responses[name]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{name}"
        );
    }
    let op = |path: &str, method: &str| doc["paths"][path][method]["responses"].clone();
    // A scoped read answers 401 anonymously and 404 for an unknown id: both documented.
    let get_fund = op("/api/v1/funds/{id}", "get");
    for s in ["200", "401", "403", "404", "422", "500"] {
        assert!(get_fund.get(s).is_some(), "GET /funds/{{id}} lacks {s}");
    }
    // State-changing operations list 409 and 403 (the origin check), even public ones.
    let post_cp = op("/api/v1/log/checkpoints", "post");
    assert!(post_cp.get("403").is_some(), "{post_cp}");
    // The schemas match the arrays the API returns.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["CountyCoverage"]["properties"]["quarters"]["type"],
        "array"
    );
    assert_eq!(schemas["SpotDraw"]["properties"]["sample"]["type"], "array");
    assert_eq!(
        schemas["SampledVillage"]["properties"]["poor"]["type"],
        "array"
    );
    assert_eq!(
        schemas["CoverageCell"]["properties"]["quarter"]["$ref"],
        "#/components/schemas/Quarter"
    );
    // A query string that does not parse is a JSON 422 naming the problem, as documented.
    let r = app
        .client()
        .get(app.url("/api/v1/log/inclusion?index=x&size=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("index"),
        "{body}"
    );
    let c = app.signed_in("admin").await;
    let r = c.get(app.url("/api/v1/spot-draws")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let draws: serde_json::Value = r.json().await.unwrap();
    if let Some(d) = draws.as_array().and_then(|a| a.first()) {
        assert!(d["sample"].is_array(), "{d}");
    }
    let r = c.get(app.url("/api/v1/coverage")).send().await.unwrap();
    let cov: serde_json::Value = r.json().await.unwrap();
    assert!(cov[0]["quarters"].is_array(), "{cov}");
}
crate::both_app!(
    the_api_document_lists_the_shared_errors_on,
    the_api_document_lists_the_shared_errors
);

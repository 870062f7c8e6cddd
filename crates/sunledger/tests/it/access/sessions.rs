//! Session timeouts and the person's sessions.
use super::*;
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
    crate::support::assert_no_catalogue_keys(&html);
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

//! Sign-in limits under concurrency and against strangers, disabling accounts, session timeouts
//! and the person's sessions, and the TOTP second factor — through the real HTTP server, on both
//! backends.
use crate::support::{TestApp, TestDb, now};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use sunledger_web::access::totp;

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
        let db = crate::support::with_demo(db).await;
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

mod accounts;
mod limits;
mod second_factor;
mod sessions;

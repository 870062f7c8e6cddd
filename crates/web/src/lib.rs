//! Sunledger's web layer: server-rendered pages (askama) and the JSON API under `/api/v1`
//! (documented by the OpenAPI document at `/api/v1/openapi.json`, browsable at `/api/docs`).
//!
//! - `auth`: passwords, sessions, the request context (`Ctx`: who acts, in which language);
//! - `guard`: refusal of state-changing requests from other origins, security headers, the
//!   trusted proxy;
//! - `api`: the JSON routes, each registered with its OpenAPI description;
//! - `pages`: the HTML pages;
//! - `error`: the one error type, mapped to statuses in one place;
//! - `i18n`: the zh-CN/en catalogue.
#![deny(clippy::indexing_slicing)]

pub mod api;
pub mod auth;
pub mod error;
pub mod exports;
pub mod guard;
pub mod i18n;
pub mod ledger;
pub mod ops;
pub mod pages;
pub mod project_pages;
pub mod projects;
pub mod proofs;
pub mod public_pages;
pub mod supervision;
pub mod supervision_pages;

use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use sunledger_store::Store;

/// The source of the current time. Handlers read time only through this, so tests can set it.
pub trait Clock: Send + Sync + 'static {
    /// Unix seconds, UTC.
    fn now(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The one clock of the web layer.
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Absolute session lifetime (`serve --session-max`).
    pub session_ttl_secs: i64,
    /// A session unused this long ends (`serve --session-idle`).
    pub session_idle_secs: i64,
    /// Sign-in limits (see [`sunledger_store::SignInPolicy`] for their sources).
    pub sign_in: sunledger_store::SignInPolicy,
    /// Roles whose holders must use a second factor (TOTP); empty when the city has not turned
    /// it on (`serve --require-totp`).
    pub totp_required_roles: Vec<sunledger_core::Role>,
    /// A directory whose files are served as they are under `/files/` (published notices,
    /// downloads); none when unset.
    pub files_dir: Option<std::path::PathBuf>,
    /// Addresses of reverse proxies whose `X-Forwarded-Proto`, `X-Forwarded-Host` and
    /// `X-Forwarded-For` are believed (`serve --trusted-proxy`); see [`guard`].
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_ttl_secs: 12 * 3600,
            session_idle_secs: 30 * 60,
            sign_in: sunledger_store::SignInPolicy::default(),
            totp_required_roles: Vec::new(),
            files_dir: None,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Signs checkpoints of the tamper-evident log; `None` serves proofs of existing checkpoints
    /// only.
    pub signer: Option<Arc<sunledger_core::checkpoint::NoteSigner>>,
    /// Every verifier key the log has used, published with proofs.
    pub verifier_keys: Arc<Vec<String>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
            signer: None,
            verifier_keys: Arc::new(Vec::new()),
        }
    }

    pub fn with_signer(
        mut self,
        signer: sunledger_core::checkpoint::NoteSigner,
        mut verifier_keys: Vec<String>,
    ) -> AppState {
        if !verifier_keys.contains(&signer.verifier_key()) {
            verifier_keys.push(signer.verifier_key());
        }
        self.signer = Some(Arc::new(signer));
        self.verifier_keys = Arc::new(verifier_keys);
        self
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Signs a checkpoint now if the log grew since the last one; without a signer, the latest.
    pub async fn checkpoint(
        &self,
    ) -> Result<Option<sunledger_store::StoredCheckpoint>, sunledger_store::StoreError> {
        match &self.signer {
            Some(s) => Ok(Some(
                sunledger_store::log::sign_checkpoint(self.store.as_ref(), s, self.now()).await?,
            )),
            None => self.store.latest_checkpoint().await,
        }
    }
}

/// The whole application: pages, API, API docs and static files.
pub fn router(state: AppState) -> Router {
    let (api_router, mut openapi) = api::router().split_for_parts();
    api::document_errors(&mut openapi);
    let mut app = Router::new();
    if let Some(dir) = &state.config.files_dir {
        app = app.nest_service("/files", tower_http::services::ServeDir::new(dir));
    }
    app.merge(pages::router())
        .merge(public_pages::router())
        .merge(project_pages::router())
        .merge(supervision_pages::router())
        .merge(api_router)
        // Serves the document at /api/v1/openapi.json and the vendored browsable UI at /api/docs.
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", openapi))
        .fallback(pages::no_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin,
        ))
        .with_state(state)
}

/// Signs a checkpoint every `every` while the server runs (when the log has grown).
pub fn spawn_checkpointer(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = state.checkpoint().await {
                tracing::error!(error = %e, "signing a checkpoint");
            }
        }
    });
}

/// Proposes the escalation steps the rules make due, now and then every `every` (a person
/// confirms or dismisses each proposal).
pub fn spawn_escalation_proposer(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let r = async {
                let scopes: Vec<_> = state
                    .store
                    .region_roots()
                    .await?
                    .into_iter()
                    .map(|r| r.code)
                    .collect();
                state
                    .store
                    .propose_escalations(&scopes, &supervision::rules(), state.now())
                    .await
            }
            .await;
            match r {
                Ok(made) if !made.is_empty() => {
                    tracing::info!(count = made.len(), "escalation steps proposed")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "proposing escalation steps"),
            }
        }
    });
}

/// Serves `router(state)` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Without TCP_NODELAY a response written in two parts (headers, then a streamed file body)
    // waits for the client's delayed ACK: 40 ms on Linux.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "setting TCP_NODELAY");
        }
    });
    axum::serve(listener, app).await
}

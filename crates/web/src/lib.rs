//! Sunledger's web layer: server-rendered pages (askama) and the JSON API under `/api/v1`
//! (documented by the OpenAPI document at `/api/v1/openapi.json`, browsable at `/api/docs`).
//!
//! One folder per feature (`region`, `org`, `access`, `log`, `ledger`, `project`,
//! `responsibility`, `inspection`, `problem`, `escalation`, `summary`, `disclosure`), each with
//! its operations (`ops.rs`), JSON handlers (`api.rs`), pages (`pages.rs`) and exports
//! (`export.rs`), exposing `api()` and `pages()`; `app` holds what they share (state, error
//! type, request context, page frame, the export table writer, the cross-origin guard); `i18n`
//! is the zh-CN/en catalogue. [`router`] merges one line per feature.
#![deny(clippy::indexing_slicing)]

pub mod app;
pub mod i18n;

pub mod acceptance;
pub mod access;
pub mod appraisal;
pub mod assessment;
pub mod asset;
pub mod committee;
pub mod complaint;
pub mod disclosure;
pub mod escalation;
pub mod evaluation;
pub mod flag;
pub mod inspection;
pub mod ledger;
pub mod log;
pub mod meeting;
pub mod notice;
pub mod org;
pub mod problem;
pub mod project;
pub mod region;
pub mod responsibility;
pub mod summary;

pub use app::state::{AppState, Clock, Config, SystemClock};
pub use app::{error, guard};
pub use escalation::spawn_escalation_proposer;
pub use flag::spawn_flag_scanner;
pub use log::spawn_checkpointer;

use axum::Router;
use std::net::SocketAddr;

/// The whole application: pages, API, API docs and static files.
pub fn router(state: AppState) -> Router {
    let (api_router, mut openapi) = app::api::router()
        .merge(region::api())
        .merge(org::api())
        .merge(access::api())
        .merge(log::api())
        .merge(ledger::api())
        .merge(summary::api())
        .merge(project::api())
        .merge(responsibility::api())
        .merge(inspection::api())
        .merge(problem::api())
        .merge(escalation::api())
        .merge(notice::api())
        .merge(acceptance::api())
        .merge(evaluation::api())
        .merge(flag::api())
        .merge(assessment::api())
        .merge(committee::api())
        .merge(complaint::api())
        .merge(appraisal::api())
        .merge(asset::api())
        .merge(meeting::api())
        .split_for_parts();
    app::api::document_errors(&mut openapi);
    let mut web = Router::new();
    if let Some(dir) = &state.config.files_dir {
        web = web.nest_service("/files", tower_http::services::ServeDir::new(dir));
    }
    web.merge(app::page::router())
        .merge(region::pages())
        .merge(org::pages())
        .merge(access::pages())
        .merge(log::pages())
        .merge(ledger::pages())
        .merge(summary::pages())
        .merge(project::pages())
        .merge(responsibility::pages())
        .merge(inspection::pages())
        .merge(problem::pages())
        .merge(escalation::pages())
        .merge(disclosure::pages(state.clone()))
        .merge(notice::pages(state.clone()))
        .merge(acceptance::pages())
        .merge(evaluation::pages())
        .merge(flag::pages())
        .merge(assessment::pages())
        .merge(committee::pages())
        .merge(complaint::pages())
        .merge(appraisal::pages())
        .merge(asset::pages())
        .merge(meeting::pages())
        .merge(api_router)
        // Serves the document at /api/v1/openapi.json and the vendored browsable UI at /api/docs.
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", openapi))
        .fallback(app::page::no_route)
        // Inside the guard, so that its Secure marking covers the WAL position cookie too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            app::replica::route_reads,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin,
        ))
        .with_state(state)
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

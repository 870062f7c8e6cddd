//! The tamper-evident log: facts, Merkle tree, checkpoints and proofs.
pub mod api;
pub mod pages;
pub mod proof;

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

/// The JSON routes of this feature.
pub fn api() -> OpenApiRouter<AppState> {
    api::router()
}

/// The pages of this feature.
pub fn pages() -> Router<AppState> {
    pages::router()
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

//! The escalation ladder: escalations, outcomes and the proposals the rules make due.
pub mod api;
pub mod ops;
pub mod pages;

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
                    .propose_escalations(&scopes, &ops::rules(), state.now())
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

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
                let mut made = state
                    .store
                    .propose_escalations(&scopes, &ops::rules(), state.now())
                    .await?
                    .len();
                // Overdue Book 4 steps (issue 17): the ladder's first rung, proposed.
                made += state
                    .store
                    .propose_overdue(&scopes, state.now())
                    .await?
                    .len();
                Ok::<_, sunledger_store::StoreError>(made)
            }
            .await;
            match r {
                Ok(made) if made > 0 => {
                    tracing::info!(count = made, "escalation steps proposed")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "proposing escalation steps"),
            }
        }
    });
}

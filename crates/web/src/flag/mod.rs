//! Red flags: the queue of a region's flags by severity, a flag with its evidence and the steps
//! that handle it (dismissed with a reason, or a Book 3 case), the rules with their citations,
//! parameters and outcomes, the settings a city or county overrides them with, and scans.
pub mod api;
pub mod export;
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

/// Scans every region held with every rule `first` after start (not at once: a server just
/// started is busy, and a benchmark measuring it must not measure the scan) and then once every
/// `every` (a day in `serve`); a hit already raised is not raised again.
pub fn spawn_flag_scanner(state: AppState, first: std::time::Duration, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + first, every);
        loop {
            tick.tick().await;
            let r = async {
                let now = state.now();
                let today = sunledger_core::day::today(now);
                let mut raised = 0;
                for root in state.store.region_roots().await? {
                    raised += state
                        .store
                        .scan_flags(&root.code, &[], today, None, now, &|_| {})
                        .await?
                        .iter()
                        .map(|r| r.raised)
                        .sum::<i64>();
                }
                Ok::<_, sunledger_store::StoreError>(raised)
            }
            .await;
            match r {
                Ok(n) if n > 0 => tracing::info!(count = n, "red flags raised"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "scanning for red flags"),
            }
        }
    });
}

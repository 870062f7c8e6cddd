//! Book 4's performance evaluations 1-3 years on: the schedule, recording the actual values
//! (the system's own where it knows them), the county bureau's review, the score traced to each
//! indicator.
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

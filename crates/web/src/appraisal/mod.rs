//! The household democratic appraisal (issue 18): rounds of two notices and one announcement,
//! with each applicant's path (cross-check hits and their decisions, the representatives'
//! meeting's vote, the seeded samples of the township and the county), and the cross-check lists.
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

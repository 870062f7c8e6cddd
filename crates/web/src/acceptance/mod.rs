//! Book 4, the project acceptance ledger: application, township precheck, the county's joint
//! team that signs person by person, posting and acceptance (or rectification).
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

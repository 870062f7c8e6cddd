//! The annual county assessment: the city's ranking and its round (draft → reviewed →
//! published), a county's card with every point traced to its record, the scheme, appeals, and
//! the published ranking for everyone.
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

//! The village affairs supervision committee (村务监督委员会): terms elected at a village
//! meeting, the conflict rule, members who leave, members' signatures on notices' postings.
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

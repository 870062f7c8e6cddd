//! Village meetings and their votes (issue 18): the list, calling a meeting, and the meeting's
//! page a village cadre keeps on a phone during the meeting (the roster ticked, the quorum in
//! words, the items and their votes, the minutes and the attendees' confirmations).
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

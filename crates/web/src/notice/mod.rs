//! Public notices (公告公示), the "four openness": drafted and published by officials, open to
//! objections from anyone during their window, posted on the village board, due after the events
//! that call for them.
pub mod api;
pub mod ops;
pub mod pages;
pub mod public;
pub mod view;

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

/// The JSON routes of this feature.
pub fn api() -> OpenApiRouter<AppState> {
    api::router()
}

/// The pages of this feature; the public ones with the portal's cache headers (ETag, 304).
pub fn pages(state: AppState) -> Router<AppState> {
    pages::router().merge(public::router().layer(axum::middleware::from_fn_with_state(
        state,
        crate::disclosure::cache::conditional,
    )))
}

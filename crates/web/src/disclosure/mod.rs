//! Public pages: what anyone may read without signing in (the portal under `/public`: its front
//! page and search, a page per region, a project's public notice), each with an `ETag` and cache
//! headers (`cache.rs`).
pub mod cache;
pub mod pages;
pub mod region;
pub mod search;

use crate::AppState;
use axum::Router;

/// The pages of this feature.
pub fn pages(state: AppState) -> Router<AppState> {
    pages::router()
        .merge(region::router())
        .merge(search::router())
        .layer(axum::middleware::from_fn_with_state(
            state,
            cache::conditional,
        ))
}

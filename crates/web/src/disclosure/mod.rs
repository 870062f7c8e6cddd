//! Public pages: what anyone may read without signing in.
pub mod pages;

use crate::AppState;
use axum::Router;

/// The pages of this feature.
pub fn pages() -> Router<AppState> {
    pages::router()
}

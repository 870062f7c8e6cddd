//! Who may act: accounts, grants, sign-in with its limits, sessions and the second factor (TOTP).
pub mod account_api;
pub mod account_pages;
pub mod api;
pub mod auth;
pub mod ops;
pub mod pages;
pub mod totp;

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

/// The JSON routes of this feature.
pub fn api() -> OpenApiRouter<AppState> {
    api::router().merge(account_api::router())
}

/// The pages of this feature.
pub fn pages() -> Router<AppState> {
    pages::router().merge(account_pages::router())
}

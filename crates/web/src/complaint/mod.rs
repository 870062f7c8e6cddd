//! Complaints and reports from the masses (issue 19): the public form at phone width (no
//! account) with its receipt code and PIN, the lookup and the complainant's own steps; the
//! handling unit's queue by deadline, intake of calls, letters and visits, each step, the
//! printable acknowledgement and answer letter, publication without the complainant.
pub mod api;
pub mod export;
pub mod ops;
pub mod pages;
pub mod public;

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

/// The JSON routes of this feature.
pub fn api() -> OpenApiRouter<AppState> {
    api::router()
}

/// The pages of this feature.
pub fn pages() -> Router<AppState> {
    pages::router().merge(public::router())
}

//! Project assets (项目资产): the county's registers of what accepted projects produced, their
//! transfers and disposals, and each village's register in public.
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

/// The pages of this feature (the public village register included).
pub fn pages() -> Router<AppState> {
    pages::router()
}

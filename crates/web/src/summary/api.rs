//! JSON route of a region's dashboard.
use crate::AppState;
use crate::app::api::{ApiResult, Path, api};
use crate::app::ctx::Ctx;
use crate::app::error::ErrorBody;
use crate::ledger::ops;
use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_region_summary))
}

/// A region's dashboard (scoped): its subtree summed from the maintained balances — money at
/// this level, below it and on projects, detained money, the children reconciled (dispatched
/// against received), projects by stage and status, problems by state, active suspensions.
#[utoipa::path(get, path = "/api/v1/regions/{code}/summary", tag = "ledger", params(("code" = String, Path)),
    responses((status = 200, body = sunledger_store::RegionSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_region_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<sunledger_store::RegionSummary>> {
    let r = ops::region_summary(&state, &ctx, &code).await;
    api(&ctx, r)
}

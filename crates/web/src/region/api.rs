//! JSON routes of the region tree.
use crate::AppState;
use crate::app::api::{ApiResult, Path, api};
use crate::app::ctx::Ctx;
use crate::app::error::{ErrorBody, WebError};
use crate::app::ops;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use sunledger_store::Region;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_root_regions))
        .routes(routes!(get_region))
}

#[derive(Serialize, ToSchema)]
pub struct RegionTree {
    region: Region,
    /// From the province down to the parent.
    ancestors: Vec<Region>,
    children: Vec<Region>,
}

/// The top of the region tree. Division names are public.
#[utoipa::path(get, path = "/api/v1/regions", tag = "public", responses((status = 200, body = Vec<Region>)))]
async fn list_root_regions(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<Region>>> {
    let r = state.store.region_roots().await.map_err(WebError::from);
    api(&ctx, r)
}

/// A region with its ancestors and children. Division names are public.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "public",
    params(("code" = String, Path, description = "Region code, 2 to 12 digits (right-padded with zeros)")),
    responses((status = 200, body = RegionTree), (status = 404, body = ErrorBody)))]
async fn get_region(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<RegionTree>> {
    let r = async {
        let region = ops::existing_region(&state, &code).await?;
        let ancestors = ops::ancestors(&state, &region).await?;
        let children = state.store.region_children(&region.code).await?;
        Ok(RegionTree {
            region,
            ancestors,
            children,
        })
    }
    .await;
    api(&ctx, r)
}

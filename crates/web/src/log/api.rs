//! JSON routes of the tamper-evident log: state, checkpoints, inclusion and consistency proofs,
//! proof bundles.
use crate::AppState;
use crate::app::api::{ApiResult, Path, Query, id, store_err};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::log::proof;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_log))
        .routes(routes!(list_checkpoints, create_checkpoint))
        .routes(routes!(get_inclusion))
        .routes(routes!(get_consistency))
        .routes(routes!(get_proof))
}

#[derive(Serialize, ToSchema)]
pub struct LogState {
    size: u64,
    /// Hex of the current root.
    root: String,
    /// The latest signed checkpoint, if any.
    checkpoint: Option<sunledger_store::StoredCheckpoint>,
    /// Every verifier key the log has used (C2SP signed-note format).
    verifier_keys: Vec<String>,
}

/// The log's size, root, latest checkpoint and verifier keys.
#[utoipa::path(get, path = "/api/v1/log", tag = "public", responses((status = 200, body = LogState)))]
async fn get_log(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<LogState>> {
    let size = state.store.log_size().await.map_err(store_err(&ctx))?;
    let root = sunledger_store::log::root(state.store.as_ref(), size)
        .await
        .map_err(store_err(&ctx))?;
    let checkpoint = state
        .store
        .latest_checkpoint()
        .await
        .map_err(store_err(&ctx))?;
    Ok(Json(LogState {
        size,
        root: sunledger_store::hex(&root),
        checkpoint,
        verifier_keys: state.verifier_keys.as_ref().clone(),
    }))
}

/// Every signed checkpoint, oldest first, each with the consistency proof from the one before.
#[utoipa::path(get, path = "/api/v1/log/checkpoints", tag = "public",
    responses((status = 200, body = Vec<sunledger_store::StoredCheckpoint>)))]
async fn list_checkpoints(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<sunledger_store::StoredCheckpoint>>> {
    Ok(Json(
        state.store.checkpoints().await.map_err(store_err(&ctx))?,
    ))
}

/// Signs a checkpoint of the log as it is now (any signed-in official; it publishes only hashes).
#[utoipa::path(post, path = "/api/v1/log/checkpoints", tag = "log",
    responses((status = 200, body = sunledger_store::StoredCheckpoint), (status = 401, body = ErrorBody)))]
async fn create_checkpoint(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<sunledger_store::StoredCheckpoint>> {
    ctx.require_user().map_err(|e| ApiError(e, ctx.lang))?;
    let cp = state.checkpoint().await.map_err(store_err(&ctx))?;
    cp.map(Json).ok_or(ApiError(WebError::NotFound, ctx.lang))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct InclusionQuery {
    index: u64,
    size: u64,
}

#[derive(Serialize, ToSchema)]
pub struct InclusionProof {
    index: u64,
    size: u64,
    leaf_hash: String,
    proof: Vec<String>,
}

/// The audit path of leaf `index` in the tree of `size` leaves (hashes only).
#[utoipa::path(get, path = "/api/v1/log/inclusion", tag = "public", params(InclusionQuery),
    responses((status = 200, body = InclusionProof), (status = 404, body = ErrorBody)))]
async fn get_inclusion(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InclusionQuery>,
) -> ApiResult<Json<InclusionProof>> {
    let size = state.store.log_size().await.map_err(store_err(&ctx))?;
    if q.size > size || q.index >= q.size {
        return Err(ApiError(WebError::NotFound, ctx.lang));
    }
    let proof = sunledger_store::log::inclusion_proof(state.store.as_ref(), q.index, q.size)
        .await
        .map_err(store_err(&ctx))?;
    let leaf = state
        .store
        .log_nodes(&[sunledger_core::log::merkle::NodeId::leaf(q.index)])
        .await
        .map_err(store_err(&ctx))?;
    let leaf = leaf
        .values()
        .next()
        .copied()
        .ok_or(ApiError(WebError::NotFound, ctx.lang))?;
    Ok(Json(InclusionProof {
        index: q.index,
        size: q.size,
        leaf_hash: sunledger_store::hex(&leaf),
        proof: proof.iter().map(|h| sunledger_store::hex(h)).collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ConsistencyQuery {
    from: u64,
    to: u64,
}

#[derive(Serialize, ToSchema)]
pub struct ConsistencyProof {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

/// The proof that the tree of `to` leaves extends the tree of `from` leaves.
#[utoipa::path(get, path = "/api/v1/log/consistency", tag = "public", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProof), (status = 404, body = ErrorBody)))]
async fn get_consistency(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyProof>> {
    let size = state.store.log_size().await.map_err(store_err(&ctx))?;
    if q.to > size || q.from > q.to {
        return Err(ApiError(WebError::NotFound, ctx.lang));
    }
    let proof = sunledger_store::log::consistency_proof(state.store.as_ref(), q.from, q.to)
        .await
        .map_err(store_err(&ctx))?;
    Ok(Json(ConsistencyProof {
        from: q.from,
        to: q.to,
        proof: proof.iter().map(|h| sunledger_store::hex(h)).collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DownloadQuery {
    /// Set to 1 to download as a file (for `sunledger verify-proof FILE`).
    download: Option<u8>,
}

/// A record's leaves, their inclusion proofs and a signed checkpoint: the bundle that
/// `sunledger verify-proof` checks offline. Departments are public; other records need access
/// to their region.
#[utoipa::path(get, path = "/api/v1/proofs/{table}/{id}", tag = "log",
    params(("table" = String, Path, description = "users, grants, departments or people"), ("id" = i64, Path), DownloadQuery),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn get_proof(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((table, raw)): Path<(String, String)>,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<Response> {
    let rid = id(&ctx, &raw)?;
    let b = proof::bundle(&state, &ctx, &table, rid)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    let mut resp = Json(b).into_response();
    if q.download == Some(1)
        && let Ok(v) =
            format!("attachment; filename=\"sunledger-proof-{table}-{rid}.json\"").parse()
    {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

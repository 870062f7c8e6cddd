//! JSON routes of Book 1: funds, transfers, receipts, payments, suspensions, the region ledger
//! and its downloads.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, Query, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use crate::ledger::{export, ops};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_fund))
        .routes(routes!(get_fund))
        .routes(routes!(create_transfer))
        .routes(routes!(get_transfer))
        .routes(routes!(confirm_receipt))
        .routes(routes!(payment_action))
        .routes(routes!(create_suspension))
        .routes(routes!(resume_suspension))
        .routes(routes!(get_region_ledger))
        .routes(routes!(get_region_ledger_csv))
        .routes(routes!(get_region_ledger_xlsx))
}

#[derive(Serialize, ToSchema)]
pub struct FundBooked {
    fund: sunledger_store::Fund,
    receipt: sunledger_store::Transfer,
}

/// Books a fund received at a region (finance of that region). Idempotent on `client_id`.
#[utoipa::path(post, path = "/api/v1/funds", tag = "ledger", request_body = ops::FundInput,
    responses((status = 201, body = FundBooked), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_fund(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::FundInput>,
) -> ApiResult<Response> {
    let (fund, receipt) = ops::create_fund(&state, &ctx, b)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(FundBooked { fund, receipt })).into_response())
}

/// A fund (visible to officials of the region that received it).
#[utoipa::path(get, path = "/api/v1/funds/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = sunledger_store::Fund), (status = 404, body = ErrorBody)))]
async fn get_fund(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<sunledger_store::Fund>> {
    let fid = id(&ctx, &raw)?;
    let r = async {
        let f = state.store.fund(fid).await?.ok_or(WebError::NotFound)?;
        ctx.require_or_hide(sunledger_core::Permission::ViewInternal, &f.region)?;
        Ok(f)
    }
    .await;
    api(&ctx, r)
}

/// Books a transfer: appropriation down one level, arrangement to a project, disbursement to a
/// payee (approved, amount held), refund up, or reversal. Idempotent on `client_id`; the same id
/// with other content is 409.
#[utoipa::path(post, path = "/api/v1/transfers", tag = "ledger", request_body = ops::TransferInput,
    responses((status = 201, body = sunledger_store::Transfer), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::TransferInput>,
) -> ApiResult<Response> {
    let t = ops::book(&state, &ctx, b)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// A transfer (visible to officials of either side).
#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = sunledger_store::Transfer), (status = 404, body = ErrorBody)))]
async fn get_transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<sunledger_store::Transfer>> {
    let tid = id(&ctx, &raw)?;
    let r = ops::visible_transfer(&state, &ctx, tid)
        .await
        .map(|(t, _)| t);
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiptBody {
    /// The day the money arrived, YYYY-MM-DD.
    on: String,
}

/// The lower level confirms receipt of an appropriation.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/receipt", tag = "ledger", params(("id" = i64, Path)), request_body = ReceiptBody,
    responses((status = 200, body = sunledger_store::Transfer), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm_receipt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ReceiptBody>,
) -> ApiResult<Json<sunledger_store::Transfer>> {
    let tid = id(&ctx, &raw)?;
    let r = ops::confirm_receipt(&state, &ctx, tid, &b.on).await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentBody {
    /// hold, release, pay or void.
    action: String,
    /// YYYY-MM-DD.
    on: String,
    /// The document deciding the step: required to void a payment.
    #[serde(default)]
    document_no: String,
}

/// Moves an approved disbursement: hold, release, pay or void. Refused while payments to its
/// project, region or payee are suspended.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/payment", tag = "ledger", params(("id" = i64, Path)), request_body = PaymentBody,
    responses((status = 200, body = sunledger_store::Transfer), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn payment_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<PaymentBody>,
) -> ApiResult<Json<sunledger_store::Transfer>> {
    let tid = id(&ctx, &raw)?;
    let r = ops::payment(&state, &ctx, tid, &b.action, &b.on, &b.document_no).await;
    api(&ctx, r)
}

/// Suspends payments to a project, a region subtree or a payee (finance of a region containing
/// the target). The escalation ladder calls this same operation.
#[utoipa::path(post, path = "/api/v1/suspensions", tag = "ledger", request_body = ops::SuspensionInput,
    responses((status = 201, body = sunledger_store::Suspension), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_suspension(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ops::SuspensionInput>,
) -> ApiResult<Response> {
    let s = ops::suspend(&state, &ctx, b)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ResumeBody {
    document_no: String,
}

/// Resumes payments; the suspension stays in the history.
#[utoipa::path(post, path = "/api/v1/suspensions/{id}/resume", tag = "ledger", params(("id" = i64, Path)), request_body = ResumeBody,
    responses((status = 200, body = sunledger_store::Suspension), (status = 404, body = ErrorBody)))]
async fn resume_suspension(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<ResumeBody>,
) -> ApiResult<Json<sunledger_store::Suspension>> {
    let sid = id(&ctx, &raw)?;
    let r = ops::resume(&state, &ctx, sid, &b.document_no).await;
    api(&ctx, r)
}

/// A region's appropriation ledger (scoped): accounts with available and detained money,
/// the lower levels reconciled (dispatched against received), the transfers booked in the
/// period (newest first, at most 200), suspensions.
#[utoipa::path(get, path = "/api/v1/regions/{code}/ledger", tag = "ledger", params(("code" = String, Path), ops::PeriodQuery),
    responses((status = 200, body = ops::RegionLedger), (status = 403, body = ErrorBody)))]
async fn get_region_ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<ops::PeriodQuery>,
) -> ApiResult<Json<ops::RegionLedger>> {
    let r = ops::region_ledger(&state, &ctx, &code, q.from.as_deref(), q.to.as_deref()).await;
    api(&ctx, r)
}

/// A region's ledger as a CSV file (UTF-8 with BOM; the filing columns that
/// `sunledger ledger import` reads), booked between `from` and `to` (scoped).
#[utoipa::path(get, path = "/api/v1/regions/{code}/ledger.csv", tag = "ledger",
    params(("code" = String, Path), export::LedgerExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_region_ledger_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<export::LedgerExportQuery>,
) -> ApiResult<Response> {
    let e = export::region_ledger(&state, &ctx, &code, &q)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok(export::csv_response(&e))
}

/// A region's ledger as an XLSX workbook (the same columns as the CSV; amounts as text), booked
/// between `from` and `to` (scoped).
#[utoipa::path(get, path = "/api/v1/regions/{code}/ledger.xlsx", tag = "ledger",
    params(("code" = String, Path), export::LedgerExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_region_ledger_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<export::LedgerExportQuery>,
) -> ApiResult<Response> {
    let r = async {
        let e = export::region_ledger(&state, &ctx, &code, &q).await?;
        export::xlsx_response(&e)
    }
    .await;
    r.map_err(|e| ApiError(e, ctx.lang))
}

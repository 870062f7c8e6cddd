//! JSON routes of departments and people.
use crate::AppState;
use crate::app::api::{ApiJson, ApiResult, Path, api, id};
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody};
use crate::org::ops;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sunledger_store::{Department, Person};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(get_department))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person))
}

/// Departments of a region (scoped).
#[utoipa::path(get, path = "/api/v1/regions/{code}/departments", tag = "organisation",
    params(("code" = String, Path)), responses((status = 200, body = Vec<Department>), (status = 403, body = ErrorBody)))]
async fn list_departments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<Department>>> {
    let r = async {
        let region = crate::app::ops::existing_region(&state, &code).await?;
        ops::departments(&state, &ctx, &region.code).await
    }
    .await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct NewDepartmentBody {
    /// One of party_committee, government, discipline_commission, finance_bureau, poverty_bureau,
    /// business_department (city, county, township); village_committee, village_discipline_team,
    /// mass_supervision_team, resident_work_team (village).
    kind: String,
    name: String,
    /// Unified social credit code (GB 32100-2015), checked.
    credit_code: Option<String>,
    /// For a resident work team: the unit that sent it.
    stationed_by: Option<String>,
}

/// Creates a department in a region (administrators of the region).
#[utoipa::path(post, path = "/api/v1/regions/{code}/departments", tag = "organisation", params(("code" = String, Path)),
    request_body = NewDepartmentBody,
    responses((status = 201, body = Department), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_department(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<NewDepartmentBody>,
) -> ApiResult<Response> {
    let input = ops::DepartmentInput {
        kind: b.kind,
        name: b.name,
        credit_code: b.credit_code,
        stationed_by: b.stationed_by,
    };
    let d = ops::create_department(&state, &ctx, &code, input)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentDetail {
    department: Department,
    people: Vec<Person>,
}

/// A department with its people (scoped; 404 outside the caller's areas).
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = DepartmentDetail), (status = 404, body = ErrorBody)))]
async fn get_department(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<DepartmentDetail>> {
    let dept_id = id(&ctx, &raw)?;
    let r = async {
        let department = ops::visible_department(&state, &ctx, dept_id).await?;
        let people = state.store.people_in_department(dept_id).await?;
        Ok(DepartmentDetail { department, people })
    }
    .await;
    api(&ctx, r)
}

/// People of a department (scoped).
#[utoipa::path(get, path = "/api/v1/departments/{id}/people", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Person>), (status = 404, body = ErrorBody)))]
async fn list_people(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<Vec<Person>>> {
    let dept_id = id(&ctx, &raw)?;
    let r = async {
        ops::visible_department(&state, &ctx, dept_id).await?;
        Ok(state.store.people_in_department(dept_id).await?)
    }
    .await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct NewPersonBody {
    name: String,
    /// head, deputy_head, staff; director, secretary, leader, member; captain, first_secretary.
    position: String,
    phone: Option<String>,
}

/// Adds a person to a department (administrators of its region).
#[utoipa::path(post, path = "/api/v1/departments/{id}/people", tag = "organisation", params(("id" = i64, Path)),
    request_body = NewPersonBody,
    responses((status = 201, body = Person), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewPersonBody>,
) -> ApiResult<Response> {
    let dept_id = id(&ctx, &raw)?;
    let p = ops::create_person(&state, &ctx, dept_id, &b.name, &b.position, b.phone)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

/// A person (scoped; 404 outside the caller's areas).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = Person), (status = 404, body = ErrorBody)))]
async fn get_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<Person>> {
    let pid = id(&ctx, &raw)?;
    let r = ops::visible_person(&state, &ctx, pid).await;
    api(&ctx, r)
}

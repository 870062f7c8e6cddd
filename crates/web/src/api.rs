//! The JSON API under `/api/v1`. Every route is registered through `routes!`, which adds it to
//! the OpenAPI document at the same time; a test checks that the document and the served routes
//! agree. Operations tagged `public` need no sign-in; every other one is scoped to the caller's
//! areas and answers 401, 403 or 404 outside them.
use crate::AppState;
use crate::auth::{self, Ctx};
use crate::error::{ApiError, ErrorBody, WebError};
use crate::ops;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sunledger_store::{AuthEvent, Department, GrantRow, Person, Region, User};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sunledger API", description = "阳光账本 JSON API. Errors: {\"error\":{\"code\",\"message\",\"field\"}}; messages follow ?lang=zh-CN|en."),
    tags(
        (name = "public", description = "No sign-in needed"),
        (name = "session", description = "Sign-in and sign-out"),
        (name = "organisation", description = "Departments and people (scoped to the caller's areas)"),
        (name = "accounts", description = "Accounts, grants and the access record (administrators)"),
        (name = "log", description = "The tamper-evident log: checkpoints and proofs"),
        (name = "ledger", description = "Book 1: funds, transfers, receipts, payments and suspensions (amounts in fen in responses, yuan strings in requests)"),
        (name = "projects", description = "The project library: bottom-up declaration, public notice and objections, approval, implementation (scoped)"),
        (name = "responsibility", description = "Book 2: the supervision responsibility ledger and responsibility letters (scoped)"),
        (name = "supervision", description = "Inspections and their quarterly coverage, spot-check draws, Book 3 (the problem rectification ledger) and the escalation ladder (scoped)"),
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(create_session, delete_session, get_session))
        .merge(crate::auth::api::router())
        .routes(routes!(list_root_regions))
        .routes(routes!(get_region))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(get_department))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user))
        .routes(routes!(create_grant))
        .routes(routes!(revoke_grant))
        .routes(routes!(list_auth_events))
        .routes(routes!(get_log))
        .routes(routes!(list_checkpoints, create_checkpoint))
        .routes(routes!(get_inclusion))
        .routes(routes!(get_consistency))
        .routes(routes!(get_proof))
        .routes(routes!(create_fund))
        .routes(routes!(get_fund))
        .routes(routes!(create_transfer))
        .routes(routes!(get_transfer))
        .routes(routes!(confirm_receipt))
        .routes(routes!(payment_action))
        .routes(routes!(create_suspension))
        .routes(routes!(resume_suspension))
        .routes(routes!(get_region_ledger))
        .routes(routes!(get_region_summary))
        .routes(routes!(get_region_ledger_csv))
        .routes(routes!(get_region_ledger_xlsx))
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_projects_csv))
        .routes(routes!(get_projects_xlsx))
        .routes(routes!(get_project))
        .routes(routes!(revise_project))
        .routes(routes!(project_step))
        .routes(routes!(create_objection))
        .routes(routes!(answer_objection))
        .routes(routes!(create_milestone))
        .routes(routes!(report_progress))
        .routes(routes!(create_beneficiary))
        .routes(routes!(assign_responsibility))
        .routes(routes!(end_responsibility))
        .routes(routes!(list_responsibilities))
        .routes(routes!(get_responsibilities_csv))
        .routes(routes!(get_responsibilities_xlsx))
        .routes(routes!(list_letters, create_letter))
        .routes(routes!(get_letter))
        .routes(routes!(list_inspections, create_inspection))
        .routes(routes!(get_inspections_csv))
        .routes(routes!(get_inspections_xlsx))
        .routes(routes!(get_inspection))
        .routes(routes!(complete_inspection))
        .routes(routes!(get_coverage))
        .routes(routes!(list_draws, create_draw))
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(get_problems_csv))
        .routes(routes!(get_problems_xlsx))
        .routes(routes!(get_problem))
        .routes(routes!(problem_action))
        .routes(routes!(create_escalation))
        .routes(routes!(record_outcome))
        .routes(routes!(list_proposals))
        .routes(routes!(dismiss_proposal))
}

/// The error responses, documented once under `components.responses` (each an [`ErrorBody`])
/// and referenced from every operation that can give them and does not describe the status
/// itself (see [`document_errors`]).
const ERROR_RESPONSES: [(&str, &str, &str); 6] = [
    (
        "401",
        "Unauthorized",
        "Not signed in, or the session has ended (`unauthorized`).",
    ),
    (
        "403",
        "Forbidden",
        "The caller's grants do not allow this here (`forbidden`), or a state-changing request came from another origin (`cross_origin`).",
    ),
    (
        "404",
        "NotFound",
        "No such object, or it lies outside the caller's areas (`not_found`).",
    ),
    (
        "409",
        "Conflict",
        "The request conflicts with the current state: a duplicate, a step not allowed now, suspended payments (`conflict`, `suspended`).",
    ),
    (
        "422",
        "Invalid",
        "A field, query parameter or body failed validation (`invalid`, naming `field`; `bad_request`).",
    ),
    (
        "500",
        "Internal",
        "An unexpected failure of the server or its database (`internal`).",
    ),
];

/// Adds the shared error responses to every operation of `doc`: 401 and 403 to those that need
/// sign-in (403 also to every state-changing one: the origin check), 404 and 422 to those with
/// parameters or a body, 409 to state-changing ones with parameters or a body, 500 to all. A
/// status an operation documents itself is kept as it is.
pub fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in ERROR_RESPONSES {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        let response = ResponseBuilder::new()
            .description(description)
            .content("application/json", content)
            .build();
        components
            .responses
            .insert(name.to_string(), RefOr::T(response));
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
        ];
        for (op, changes) in ops {
            let Some(op) = op.as_mut() else { continue };
            let public = op
                .tags
                .as_ref()
                .is_some_and(|t| t.iter().any(|t| t == "public"));
            let has_input =
                op.parameters.as_ref().is_some_and(|p| !p.is_empty()) || op.request_body.is_some();
            for (status, name, _) in ERROR_RESPONSES {
                let applies = match status {
                    "401" => !public,
                    "403" => !public || changes,
                    "404" | "422" => has_input,
                    "409" => changes && has_input,
                    _ => true,
                };
                if applies {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| Ref::from_response_name(name).into());
                }
            }
        }
    }
}

type ApiResult<T> = Result<T, ApiError>;

fn api<T>(ctx: &Ctx, r: Result<T, WebError>) -> ApiResult<Json<T>> {
    r.map(Json).map_err(|e| ApiError(e, ctx.lang))
}

/// `Json<T>` whose rejection is a JSON error naming what was wrong with the body.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = auth::lang_hint(req.uri(), req.headers()).unwrap_or_default();
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(ApiError(WebError::BadRequest(rej.body_text()), lang)),
        }
    }
}

/// The query string as `T`; a query that does not parse is answered with a JSON error (422,
/// `bad_request`) naming what was wrong, like a bad body, not axum's plain-text 400.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let lang = auth::lang_hint(&parts.uri, &parts.headers).unwrap_or_default();
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(rej) => Err(ApiError(WebError::BadRequest(rej.body_text()), lang)),
        }
    }
}

/// The path parameters as `T`; a segment that cannot be decoded (not UTF-8) names nothing that
/// exists, so it is answered with the JSON 404, not axum's plain-text 400.
pub struct Path<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let lang = auth::lang_hint(&parts.uri, &parts.headers).unwrap_or_default();
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(ApiError(WebError::NotFound, lang)),
        }
    }
}

fn id(ctx: &Ctx, s: &str) -> ApiResult<i64> {
    s.parse()
        .map_err(|_| ApiError(WebError::NotFound, ctx.lang))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    backend: &'static str,
}

/// Liveness and storage check.
#[utoipa::path(get, path = "/healthz", tag = "public",
    responses((status = 200, body = Health), (status = 503, description = "The database does not answer", body = Health)))]
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.region_count().await {
        Ok(_) => Json(Health {
            status: "ok",
            backend: match state.store.backend() {
                sunledger_store::Backend::Sqlite => "sqlite",
                sunledger_store::Backend::Postgres => "postgres",
            },
        })
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    backend: "",
                }),
            )
                .into_response()
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    user: User,
    grants: Vec<GrantRow>,
}

/// The password step is done but the account has a second factor: send its code to
/// `POST /api/v1/session/second-step` with the (pending) session cookie just set.
#[derive(Serialize, ToSchema)]
pub struct SecondStepNeeded {
    /// Always `totp` (a TOTP code, or one of the account's recovery codes).
    second_factor: &'static str,
    /// Seconds the pending sign-in waits for the code.
    expires_in: i64,
}

/// Signs in and sets the session cookie (a new token at every sign-in). Every attempt counts
/// against the sign-in limits before the password is checked; a refused one answers 429 with
/// `Retry-After`. An account with a second factor answers 202 and a pending session.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn,
    responses((status = 200, description = "Signed in", body = Me),
        (status = 202, description = "Password right; the second factor is awaited", body = SecondStepNeeded),
        (status = 401, description = "Wrong username or password (`bad_credentials`)", body = ErrorBody),
        (status = 422, description = "The body is not a sign-in (`bad_request`)", body = ErrorBody),
        (status = 429, description = "A sign-in limit holds (`too_many_attempts`); see `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = i64, description = "Seconds until an attempt may be made")))))]
async fn create_session(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<SignIn>,
) -> ApiResult<Response> {
    let signed = auth::sign_in(&state, &ctx, &body.username, &body.password)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    signed_in_response(&state, &ctx, signed).await
}

/// The answer to a completed sign-in step: the cookie, and `Me` (or 202 while the second factor
/// is awaited).
pub(crate) async fn signed_in_response(
    state: &AppState,
    ctx: &Ctx,
    signed: auth::SignedIn,
) -> ApiResult<Response> {
    let cookie = auth::session_cookie(&signed.token, state);
    if signed.second_step {
        let body = SecondStepNeeded {
            second_factor: "totp",
            expires_in: auth::SECOND_STEP_SECS,
        };
        return Ok((
            StatusCode::ACCEPTED,
            [(header::SET_COOKIE, cookie)],
            Json(body),
        )
            .into_response());
    }
    let user = signed.user;
    let grants = state
        .store
        .grants_of(user.id, false)
        .await
        .map_err(|e| ApiError(e.into(), ctx.lang))?;
    Ok(([(header::SET_COOKIE, cookie)], Json(Me { user, grants })).into_response())
}

/// Signs out: the session is deleted on the server and the cookie cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
async fn delete_session(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    auth::sign_out(&state, &ctx)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::clear_session_cookie(&state))],
    )
        .into_response())
}

/// The signed-in account and its active grants.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn get_session(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<Me>> {
    let r = async {
        let user = ctx.require_user()?.clone();
        let grants = state.store.grants_of(user.id, false).await?;
        Ok(Me { user, grants })
    }
    .await;
    api(&ctx, r)
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

/// Departments of a region (scoped).
#[utoipa::path(get, path = "/api/v1/regions/{code}/departments", tag = "organisation",
    params(("code" = String, Path)), responses((status = 200, body = Vec<Department>), (status = 403, body = ErrorBody)))]
async fn list_departments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<Department>>> {
    let r = async {
        let region = ops::existing_region(&state, &code).await?;
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

/// Accounts whose home region lies in the caller's administered areas.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", responses((status = 200, body = Vec<User>), (status = 403, body = ErrorBody)))]
async fn list_users(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<User>>> {
    let r = ops::users(&state, &ctx).await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    username: String,
    display_name: String,
    /// At least 10 characters.
    password: String,
    /// Home region code; must lie in the caller's administered areas.
    region: String,
}

/// Creates an account (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUserBody,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<NewUserBody>,
) -> ApiResult<Response> {
    let input = ops::UserInput {
        username: b.username,
        display_name: b.display_name,
        password: b.password,
        region: b.region,
    };
    let u = ops::create_user(&state, &ctx, input)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct UserDetail {
    user: User,
    /// Every grant ever given, revoked ones included.
    grants: Vec<GrantRow>,
}

/// An account with its grant history (administrators of its home region).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = UserDetail), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<UserDetail>> {
    let uid = id(&ctx, &raw)?;
    let r = async {
        let user = ops::managed_user(&state, &ctx, uid).await?;
        let grants = state.store.grants_of(uid, true).await?;
        Ok(UserDetail { user, grants })
    }
    .await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct NewGrantBody {
    /// admin, municipal_bureau, party_government, discipline, finance, poverty_bureau,
    /// township_official, village_cadre, work_team.
    role: String,
    /// The subtree the role applies to.
    region: String,
}

/// Grants a role on a region subtree (recorded).
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "accounts", params(("id" = i64, Path)), request_body = NewGrantBody,
    responses((status = 201, body = GrantRow), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<NewGrantBody>,
) -> ApiResult<Response> {
    let uid = id(&ctx, &raw)?;
    let g = ops::add_grant(&state, &ctx, uid, &b.role, &b.region)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

/// Revokes a grant; it stays in the history (recorded).
#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", tag = "accounts",
    params(("id" = i64, Path), ("grant_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw_user, raw_grant)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let uid = id(&ctx, &raw_user)?;
    let gid = id(&ctx, &raw_grant)?;
    ops::revoke_grant(&state, &ctx, uid, gid)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct Limit {
    /// At most this many, newest first (1 to 1000, default 200).
    limit: Option<i64>,
}

/// The record of sign-ins, failed sign-ins, grants and revocations in the caller's areas.
#[utoipa::path(get, path = "/api/v1/auth-events", tag = "accounts", params(Limit),
    responses((status = 200, body = Vec<AuthEvent>), (status = 403, body = ErrorBody)))]
async fn list_auth_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Limit>,
) -> ApiResult<Json<Vec<AuthEvent>>> {
    let r = ops::auth_events(&state, &ctx, q.limit.unwrap_or(200)).await;
    api(&ctx, r)
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

fn store_err(ctx: &Ctx) -> impl Fn(sunledger_store::StoreError) -> ApiError + '_ {
    move |e| ApiError(e.into(), ctx.lang)
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
        .log_nodes(&[sunledger_core::merkle::NodeId::leaf(q.index)])
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
    let b = crate::proofs::bundle(&state, &ctx, &table, rid)
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

#[derive(Serialize, ToSchema)]
pub struct FundBooked {
    fund: sunledger_store::Fund,
    receipt: sunledger_store::Transfer,
}

/// Books a fund received at a region (finance of that region). Idempotent on `client_id`.
#[utoipa::path(post, path = "/api/v1/funds", tag = "ledger", request_body = crate::ledger::FundInput,
    responses((status = 201, body = FundBooked), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_fund(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<crate::ledger::FundInput>,
) -> ApiResult<Response> {
    let (fund, receipt) = crate::ledger::create_fund(&state, &ctx, b)
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
#[utoipa::path(post, path = "/api/v1/transfers", tag = "ledger", request_body = crate::ledger::TransferInput,
    responses((status = 201, body = sunledger_store::Transfer), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<crate::ledger::TransferInput>,
) -> ApiResult<Response> {
    let t = crate::ledger::book(&state, &ctx, b)
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
    let r = crate::ledger::visible_transfer(&state, &ctx, tid)
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
    let r = crate::ledger::confirm_receipt(&state, &ctx, tid, &b.on).await;
    api(&ctx, r)
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentBody {
    /// hold, release, pay or void.
    action: String,
    /// YYYY-MM-DD.
    on: String,
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
    let r = crate::ledger::payment(&state, &ctx, tid, &b.action, &b.on, &b.document_no).await;
    api(&ctx, r)
}

/// Suspends payments to a project, a region subtree or a payee (finance of a region containing
/// the target). The escalation ladder calls this same operation.
#[utoipa::path(post, path = "/api/v1/suspensions", tag = "ledger", request_body = crate::ledger::SuspensionInput,
    responses((status = 201, body = sunledger_store::Suspension), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_suspension(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<crate::ledger::SuspensionInput>,
) -> ApiResult<Response> {
    let s = crate::ledger::suspend(&state, &ctx, b)
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
    let r = crate::ledger::resume(&state, &ctx, sid, &b.document_no).await;
    api(&ctx, r)
}

/// A region's appropriation ledger (scoped): accounts with available and detained money,
/// the lower levels reconciled (dispatched against received), recent transfers, suspensions.
#[utoipa::path(get, path = "/api/v1/regions/{code}/ledger", tag = "ledger", params(("code" = String, Path)),
    responses((status = 200, body = crate::ledger::RegionLedger), (status = 403, body = ErrorBody)))]
async fn get_region_ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<crate::ledger::RegionLedger>> {
    let r = crate::ledger::region_ledger(&state, &ctx, &code).await;
    api(&ctx, r)
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
    let r = crate::ledger::region_summary(&state, &ctx, &code).await;
    api(&ctx, r)
}

/// A region's ledger as a CSV file (UTF-8 with BOM; the filing columns that
/// `sunledger ledger import` reads), booked between `from` and `to` (scoped).
#[utoipa::path(get, path = "/api/v1/regions/{code}/ledger.csv", tag = "ledger",
    params(("code" = String, Path), crate::exports::LedgerExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_region_ledger_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<crate::exports::LedgerExportQuery>,
) -> ApiResult<Response> {
    let e = crate::exports::region_ledger(&state, &ctx, &code, &q)
        .await
        .map_err(|e| ApiError(e, ctx.lang))?;
    Ok(crate::exports::csv_response(&e))
}

/// A region's ledger as an XLSX workbook (the same columns as the CSV; amounts as text), booked
/// between `from` and `to` (scoped).
#[utoipa::path(get, path = "/api/v1/regions/{code}/ledger.xlsx", tag = "ledger",
    params(("code" = String, Path), crate::exports::LedgerExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_region_ledger_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<crate::exports::LedgerExportQuery>,
) -> ApiResult<Response> {
    let r = async {
        let e = crate::exports::region_ledger(&state, &ctx, &code, &q).await?;
        crate::exports::xlsx_response(&e)
    }
    .await;
    r.map_err(|e| ApiError(e, ctx.lang))
}

// --- The project library and Book 2 ----------------------------------------------------------

use crate::projects as pj;

fn created<T: Serialize>(ctx: &Ctx, r: Result<T, WebError>) -> ApiResult<Response> {
    r.map(|v| (StatusCode::CREATED, Json(v)).into_response())
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The project library in the caller's areas, filtered, 50 a page.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(pj::LibraryQuery),
    responses((status = 200, body = pj::Library), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_projects(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<pj::LibraryQuery>,
) -> ApiResult<Json<pj::Library>> {
    let r = pj::library(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// A village declares a project (or saves a draft): content with performance targets and the
/// villagers' meeting that decided it. Village cadres and resident work teams of the village.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = pj::ProjectInput,
    responses((status = 201, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_project(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<pj::ProjectInput>,
) -> ApiResult<Response> {
    let r = pj::create(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn library_download(
    state: &AppState,
    ctx: &Ctx,
    q: &pj::LibraryQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let projects = pj::all_projects(state, ctx, q).await?;
    let (h, rows) = pj::library_table(state, ctx.lang, &projects).await?;
    let stem = format!(
        "sunledger-projects-{}",
        crate::exports::china_day(state.now())
    );
    crate::exports::table_download(xlsx, &stem, &h, &rows)
}

/// The project library as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/projects.csv", tag = "projects", params(pj::LibraryQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_projects_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<pj::LibraryQuery>,
) -> ApiResult<Response> {
    library_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The project library as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/projects.xlsx", tag = "projects", params(pj::LibraryQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_projects_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<pj::LibraryQuery>,
) -> ApiResult<Response> {
    library_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// A project's whole record: versions, steps, objections, milestones, beneficiaries (full ID
/// numbers, for officials only), responsibilities, changes since approval, and its funding.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = pj::ProjectView), (status = 404, body = ErrorBody)))]
async fn get_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<pj::ProjectView>> {
    let pid = id(&ctx, &raw)?;
    let r = pj::view(&state, &ctx, pid).await;
    api(&ctx, r)
}

/// A new version of the content: by the village while a draft, returned or revoked; by the
/// township when the county returned it; by the county after approval (with a note).
#[utoipa::path(post, path = "/api/v1/projects/{id}/versions", tag = "projects", params(("id" = i64, Path)), request_body = pj::ProjectInput,
    responses((status = 201, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revise_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::ProjectInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = pj::revise(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// A step on the declaration path or of the implementation status.
#[utoipa::path(post, path = "/api/v1/projects/{id}/steps", tag = "projects", params(("id" = i64, Path)), request_body = pj::StepInput,
    responses((status = 200, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn project_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::StepInput>,
) -> ApiResult<Json<sunledger_store::Project>> {
    let pid = id(&ctx, &raw)?;
    let r = pj::step(&state, &ctx, pid, &b).await;
    api(&ctx, r)
}

/// Records an objection received during the project's public notice.
#[utoipa::path(post, path = "/api/v1/projects/{id}/objections", tag = "projects", params(("id" = i64, Path)), request_body = pj::ObjectionInput,
    responses((status = 201, body = sunledger_store::Objection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_objection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::ObjectionInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = pj::object(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// Answers an objection (township or county).
#[utoipa::path(post, path = "/api/v1/objections/{id}/answer", tag = "projects", params(("id" = i64, Path)), request_body = pj::AnswerInput,
    responses((status = 200, body = sunledger_store::Objection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn answer_objection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::AnswerInput>,
) -> ApiResult<Json<sunledger_store::Objection>> {
    let oid = id(&ctx, &raw)?;
    let r = pj::answer(&state, &ctx, oid, &b).await;
    api(&ctx, r)
}

/// Adds a weighted milestone to a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/milestones", tag = "projects", params(("id" = i64, Path)), request_body = pj::MilestoneInput,
    responses((status = 201, body = sunledger_store::Milestone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_milestone(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::MilestoneInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = pj::add_milestone(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// A dated progress report of a milestone; the project's progress rolls up.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/updates", tag = "projects", params(("id" = i64, Path)), request_body = pj::ProgressInput,
    responses((status = 201, body = sunledger_store::Project), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::ProgressInput>,
) -> ApiResult<Response> {
    let mid = id(&ctx, &raw)?;
    let r = pj::report(&state, &ctx, mid, &b).await;
    created(&ctx, r)
}

/// Lists a beneficiary household (ID number checked; masked on any public view).
#[utoipa::path(post, path = "/api/v1/projects/{id}/beneficiaries", tag = "projects", params(("id" = i64, Path)), request_body = pj::BeneficiaryInput,
    responses((status = 201, body = sunledger_store::Beneficiary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_beneficiary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::BeneficiaryInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = pj::add_beneficiary(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// Names a responsible person for a project (Book 2; county poverty alleviation bureau).
#[utoipa::path(post, path = "/api/v1/projects/{id}/responsibilities", tag = "responsibility", params(("id" = i64, Path)), request_body = pj::ResponsibilityInput,
    responses((status = 201, body = sunledger_store::Responsibility), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign_responsibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::ResponsibilityInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = pj::assign(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// Ends a responsibility on a day (handover); the row stays in Book 2 for life.
#[utoipa::path(post, path = "/api/v1/responsibilities/{id}/end", tag = "responsibility", params(("id" = i64, Path)), request_body = pj::EndInput,
    responses((status = 200, body = sunledger_store::Responsibility), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn end_responsibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<pj::EndInput>,
) -> ApiResult<Json<sunledger_store::Responsibility>> {
    let rid = id(&ctx, &raw)?;
    let r = pj::end(&state, &ctx, rid, &b).await;
    api(&ctx, r)
}

/// Book 2 in the caller's areas: who was responsible for which project, from when to when.
/// `on` answers "who was responsible on day D"; `person` "every project P was responsible for".
#[utoipa::path(get, path = "/api/v1/responsibilities", tag = "responsibility", params(pj::BookQuery),
    responses((status = 200, body = Vec<sunledger_store::Responsibility>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_responsibilities(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<pj::BookQuery>,
) -> ApiResult<Json<Vec<sunledger_store::Responsibility>>> {
    let r = pj::book(&state, &ctx, &q).await;
    api(&ctx, r)
}

async fn book_download(
    state: &AppState,
    ctx: &Ctx,
    q: &pj::BookQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = pj::book(state, ctx, q).await?;
    let (h, rows) = pj::book_table(ctx.lang, &rows);
    let stem = format!(
        "sunledger-responsibility-{}",
        crate::exports::china_day(state.now())
    );
    crate::exports::table_download(xlsx, &stem, &h, &rows)
}

/// Book 2 as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/responsibilities.csv", tag = "responsibility", params(pj::BookQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_responsibilities_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<pj::BookQuery>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Book 2 as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/responsibilities.xlsx", tag = "responsibility", params(pj::BookQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_responsibilities_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<pj::BookQuery>,
) -> ApiResult<Response> {
    book_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Responsibility letters in the caller's areas.
#[utoipa::path(get, path = "/api/v1/responsibility-letters", tag = "responsibility", params(pj::LetterQuery),
    responses((status = 200, body = Vec<sunledger_store::ResponsibilityLetter>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_letters(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<pj::LetterQuery>,
) -> ApiResult<Json<Vec<sunledger_store::ResponsibilityLetter>>> {
    let r = pj::letters(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Files a responsibility letter signed between the county poverty alleviation bureau and a
/// township's party committee and government; its text's SHA-256 goes into the log.
#[utoipa::path(post, path = "/api/v1/responsibility-letters", tag = "responsibility", request_body = pj::LetterInput,
    responses((status = 201, body = sunledger_store::ResponsibilityLetter), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<pj::LetterInput>,
) -> ApiResult<Response> {
    let r = pj::file_letter(&state, &ctx, &b).await;
    created(&ctx, r)
}

/// One responsibility letter with its text.
#[utoipa::path(get, path = "/api/v1/responsibility-letters/{id}", tag = "responsibility", params(("id" = i64, Path)),
    responses((status = 200, body = sunledger_store::ResponsibilityLetter), (status = 404, body = ErrorBody)))]
async fn get_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<sunledger_store::ResponsibilityLetter>> {
    let lid = id(&ctx, &raw)?;
    let r = pj::letter(&state, &ctx, lid).await;
    api(&ctx, r)
}

// --- Supervision ------------------------------------------------------------------------------

use crate::supervision as svw;

/// Inspections in the caller's areas, newest first.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "supervision", params(svw::RegionQuery),
    responses((status = 200, body = Vec<sunledger_store::Inspection>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_inspections(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::RegionQuery>,
) -> ApiResult<Json<Vec<sunledger_store::Inspection>>> {
    let r = svw::inspections(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Plans an inspection, or records one done (with `done_on` and `findings`): team, lead
/// departments, what and when. Discipline, poverty bureau, finance, municipal bureau.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "supervision", request_body = svw::InspectionInput,
    responses((status = 201, body = sunledger_store::Inspection), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<svw::InspectionInput>,
) -> ApiResult<Response> {
    let r = svw::create_inspection(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn inspections_download(
    state: &AppState,
    ctx: &Ctx,
    q: &svw::RegionQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = svw::inspections(state, ctx, q).await?;
    let (h, rows) = svw::inspection_table(ctx.lang, &rows);
    let stem = format!(
        "sunledger-inspections-{}",
        crate::exports::china_day(state.now())
    );
    crate::exports::table_download(xlsx, &stem, &h, &rows)
}

/// The inspection record as CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/inspections.csv", tag = "supervision", params(svw::RegionQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_inspections_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::RegionQuery>,
) -> ApiResult<Response> {
    inspections_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// The inspection record as XLSX.
#[utoipa::path(get, path = "/api/v1/inspections.xlsx", tag = "supervision", params(svw::RegionQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_inspections_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::RegionQuery>,
) -> ApiResult<Response> {
    inspections_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// One inspection.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = sunledger_store::Inspection), (status = 404, body = ErrorBody)))]
async fn get_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<sunledger_store::Inspection>> {
    let iid = id(&ctx, &raw)?;
    let r = svw::visible_inspection(&state, &ctx, iid).await;
    api(&ctx, r)
}

/// Records that a planned inspection was done, with its findings (once).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/done", tag = "supervision", params(("id" = i64, Path)), request_body = svw::DoneInput,
    responses((status = 200, body = sunledger_store::Inspection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<svw::DoneInput>,
) -> ApiResult<Json<sunledger_store::Inspection>> {
    let iid = id(&ctx, &raw)?;
    let r = svw::complete_inspection(&state, &ctx, iid, &b).await;
    api(&ctx, r)
}

/// Quarterly coverage: for each county in the caller's areas, inspections done in the current
/// quarter and the three before it, and whether it is behind (at least one a quarter).
#[utoipa::path(get, path = "/api/v1/coverage", tag = "supervision", params(svw::RegionQuery),
    responses((status = 200, body = Vec<svw::CountyCoverage>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_coverage(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::RegionQuery>,
) -> ApiResult<Json<Vec<svw::CountyCoverage>>> {
    let r = svw::coverage(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Spot-check draws in the caller's areas (the municipal bureau's).
#[utoipa::path(get, path = "/api/v1/spot-draws", tag = "supervision", params(svw::RegionQuery),
    responses((status = 200, body = Vec<sunledger_store::SpotDraw>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_draws(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::RegionQuery>,
) -> ApiResult<Json<Vec<sunledger_store::SpotDraw>>> {
    let r = svw::draws(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Draws a spot-check sample from a published seed and rules (municipal bureau); the draw is in
/// the log before any inspection uses it. Anyone can re-derive it (see docs/SUPERVISION.md).
#[utoipa::path(post, path = "/api/v1/spot-draws", tag = "supervision", request_body = svw::DrawInput,
    responses((status = 201, body = sunledger_store::SpotDraw), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_draw(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<svw::DrawInput>,
) -> ApiResult<Response> {
    let r = svw::draw(&state, &ctx, &b).await;
    created(&ctx, r)
}

/// Book 3 in the caller's areas: open problems first, by deadline.
#[utoipa::path(get, path = "/api/v1/problems", tag = "supervision", params(svw::ProblemQuery),
    responses((status = 200, body = svw::ProblemLedger), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_problems(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::ProblemQuery>,
) -> ApiResult<Json<svw::ProblemLedger>> {
    let r = svw::problems(&state, &ctx, &q).await;
    api(&ctx, r)
}

/// Records a problem found (a finding): category, severity, responsible unit and person, amount
/// involved, deadline.
#[utoipa::path(post, path = "/api/v1/problems", tag = "supervision", request_body = svw::ProblemInput,
    responses((status = 201, body = sunledger_store::Problem), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_problem(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<svw::ProblemInput>,
) -> ApiResult<Response> {
    let r = svw::create_problem(&state, &ctx, &b).await;
    created(&ctx, r)
}

async fn problems_download(
    state: &AppState,
    ctx: &Ctx,
    q: &svw::ProblemQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let rows = svw::all_problems(state, ctx, q).await?;
    let (h, rows) = svw::problem_table(ctx.lang, &rows);
    let stem = format!(
        "sunledger-problems-{}",
        crate::exports::china_day(state.now())
    );
    crate::exports::table_download(xlsx, &stem, &h, &rows)
}

/// Book 3 as CSV (UTF-8 with BOM), with the same filters.
#[utoipa::path(get, path = "/api/v1/problems.csv", tag = "supervision", params(svw::ProblemQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_problems_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::ProblemQuery>,
) -> ApiResult<Response> {
    problems_download(&state, &ctx, &q, false)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// Book 3 as XLSX, with the same filters.
#[utoipa::path(get, path = "/api/v1/problems.xlsx", tag = "supervision", params(svw::ProblemQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_problems_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<svw::ProblemQuery>,
) -> ApiResult<Response> {
    problems_download(&state, &ctx, &q, true)
        .await
        .map_err(|e| ApiError(e, ctx.lang))
}

/// A problem with its lifecycle, its escalations, the proposals and the steps due today.
#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = svw::ProblemView), (status = 404, body = ErrorBody)))]
async fn get_problem(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult<Json<svw::ProblemView>> {
    let pid = id(&ctx, &raw)?;
    let r = svw::view(&state, &ctx, pid).await;
    api(&ctx, r)
}

/// A lifecycle step: start or submit (the responsible unit), verify, reject or reopen (the
/// inspectors). Verifying resumes payments suspended on the problem's ladder.
#[utoipa::path(post, path = "/api/v1/problems/{id}/actions", tag = "supervision", params(("id" = i64, Path)), request_body = svw::ProblemActionInput,
    responses((status = 200, body = sunledger_store::Problem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn problem_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<svw::ProblemActionInput>,
) -> ApiResult<Json<sunledger_store::Problem>> {
    let pid = id(&ctx, &raw)?;
    let r = svw::problem_action(&state, &ctx, pid, &b).await;
    api(&ctx, r)
}

/// Takes a step of the escalation ladder on a problem (confirming a proposal when
/// `proposal_id` is given). A suspension of payment is booked in the fund ledger with it.
#[utoipa::path(post, path = "/api/v1/problems/{id}/escalations", tag = "supervision", params(("id" = i64, Path)), request_body = svw::EscalationInput,
    responses((status = 201, body = sunledger_store::Escalation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_escalation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<svw::EscalationInput>,
) -> ApiResult<Response> {
    let pid = id(&ctx, &raw)?;
    let r = svw::escalate(&state, &ctx, pid, &b).await;
    created(&ctx, r)
}

/// Records the outcome of a referral (once).
#[utoipa::path(post, path = "/api/v1/escalations/{id}/outcome", tag = "supervision", params(("id" = i64, Path)), request_body = svw::OutcomeInput,
    responses((status = 200, body = sunledger_store::Escalation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<svw::OutcomeInput>,
) -> ApiResult<Json<sunledger_store::Escalation>> {
    let eid = id(&ctx, &raw)?;
    let r = svw::outcome(&state, &ctx, eid, &b).await;
    api(&ctx, r)
}

/// An escalation proposal waiting for a person, with its problem.
#[derive(Serialize, ToSchema)]
pub struct OpenProposal {
    proposal: sunledger_store::Proposal,
    problem: sunledger_store::Problem,
}

/// Escalation steps the rules proposed and nobody has decided yet, in the caller's areas.
#[utoipa::path(get, path = "/api/v1/proposals", tag = "supervision",
    responses((status = 200, body = Vec<OpenProposal>), (status = 401, body = ErrorBody)))]
async fn list_proposals(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<OpenProposal>>> {
    let r = svw::open_proposals(&state, &ctx).await.map(|v| {
        v.into_iter()
            .map(|(proposal, problem)| OpenProposal { proposal, problem })
            .collect()
    });
    api(&ctx, r)
}

/// Dismisses a proposed step, with a reason (it is confirmed by taking the step with its
/// `proposal_id`).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/dismiss", tag = "supervision", params(("id" = i64, Path)), request_body = svw::DismissInput,
    responses((status = 200, body = sunledger_store::Proposal), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn dismiss_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    ApiJson(b): ApiJson<svw::DismissInput>,
) -> ApiResult<Json<sunledger_store::Proposal>> {
    let pid = id(&ctx, &raw)?;
    let r = svw::dismiss(&state, &ctx, pid, &b).await;
    api(&ctx, r)
}

//! What every JSON route shares: the OpenAPI document's info, tags and shared error responses,
//! the extractors that answer in JSON, and the health check. Operations tagged `public` need no
//! sign-in; every other one is scoped to the caller's areas and answers 401, 403 or 404 outside them.
use crate::AppState;
use crate::app::ctx;
use crate::app::ctx::Ctx;
use crate::app::error::{ApiError, ErrorBody, WebError};
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API's document (info, tags, shared schemas) with the health check; each feature merges
/// its routes into it.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).routes(routes!(healthz))
}

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
        (name = "evaluation", description = "Book 4: performance evaluations 1-3 years after acceptance, scored from the indicators, reviewed by the county bureau (scoped)"),
        (name = "flag", description = "Red flags: cited, parameterised rules that scan the books; flags with their evidence, dismissed with a reason or opened as a Book 3 case; settings and scans (scoped)"),
        (name = "assessment", description = "The annual county assessment: schemes, live scores with every point traced to its record, the round (draft, reviewed, published snapshot), appeals, and the published ranking"),
        (name = "committee", description = "Village affairs supervision committees: terms elected at a village meeting, the conflict rule, members who leave, signatures on postings (scoped)"),
        (name = "appraisal", description = "The household democratic appraisal: rounds of two notices and one announcement, cross-check lists and hits, votes, seeded samples; the announcement alone changes the poor flag (scoped)"),
        (name = "acceptance", description = "Book 4: acceptance by a joint team that signs person by person, posting, the money retained until acceptance (scoped)"),
        (name = "complaint", description = "Complaints and reports from the masses: intake of calls, letters and visits, the queue by working-day deadline, steps, publication without the complainant (seen only by the handling unit and those above it)"),
        (name = "meeting", description = "Village meetings: the roster frozen when called, attendance, the quorum of the kind, votes (void without a quorum), minutes and confirmations; named ballots internal only (scoped)"),
        (name = "supervision", description = "Inspections and their quarterly coverage, spot-check draws, Book 3 (the problem rectification ledger) and the escalation ladder (scoped)"),
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

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

pub(crate) type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn api<T>(ctx: &Ctx, r: Result<T, WebError>) -> ApiResult<Json<T>> {
    r.map(Json).map_err(|e| ApiError(e, ctx.lang))
}

/// `Json<T>` whose rejection is a JSON error naming what was wrong with the body.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = ctx::lang_hint(req.uri(), req.headers()).unwrap_or_default();
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
        let lang = ctx::lang_hint(&parts.uri, &parts.headers).unwrap_or_default();
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
        let lang = ctx::lang_hint(&parts.uri, &parts.headers).unwrap_or_default();
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(ApiError(WebError::NotFound, lang)),
        }
    }
}

pub(crate) fn id(ctx: &Ctx, s: &str) -> ApiResult<i64> {
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

pub(crate) fn store_err(ctx: &Ctx) -> impl Fn(sunledger_store::StoreError) -> ApiError + '_ {
    move |e| ApiError(e.into(), ctx.lang)
}

pub(crate) fn created<T: Serialize>(ctx: &Ctx, r: Result<T, WebError>) -> ApiResult<Response> {
    r.map(|v| (StatusCode::CREATED, Json(v)).into_response())
        .map_err(|e| ApiError(e, ctx.lang))
}

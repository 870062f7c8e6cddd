//! Account pages: the second step of a sign-in, the person's sessions and second factor (under
//! the account menu), and for administrators disabling accounts and clearing sign-in limits.
use crate::AppState;
use crate::access::auth;
use crate::access::auth::{SignedIn, TotpSetup, TotpStatus};
use crate::app::ctx;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail, urlencode};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_store::{SessionInfo, SignInLimit};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/login/second-step",
            get(second_step_form).post(second_step),
        )
        .route("/account/sessions", get(sessions_page))
        .route("/account/sessions/{id}/end", post(end_session))
        .route("/account/second-factor", get(second_factor_page))
        .route("/account/second-factor/start", post(start_second_factor))
        .route(
            "/account/second-factor/confirm",
            post(confirm_second_factor),
        )
        .route("/account/second-factor/remove", post(remove_second_factor))
        .route("/admin/users/{id}/disable", post(disable_user))
        .route("/admin/users/{id}/enable", post(enable_user))
        .route("/admin/sign-in-limits", get(limits_page))
        .route("/admin/sign-in-limits/{id}/clear", post(clear_limit))
}

/// Only same-site paths are followed after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Where the password step of the sign-in page goes next: the second step, or `next`.
pub fn after_password(state: &AppState, signed: &SignedIn, next: Option<&str>) -> Response {
    let next = safe_next(next);
    let location = if signed.second_step {
        format!("/login/second-step?next={}", urlencode(&next))
    } else {
        next
    };
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                ctx::session_cookie(&signed.token, state),
            ),
            (header::LOCATION, location),
        ],
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "access/login_second_step.html")]
struct SecondStepView {
    page: Page,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn second_step_form(ctx: Ctx, uri: Uri, Query(q): Query<NextQuery>) -> Response {
    if ctx.pending.is_none() {
        return Redirect::to("/login").into_response();
    }
    SecondStepView {
        page: Page::new(&ctx, &uri),
        next: safe_next(q.next.as_deref()),
    }
    .into_response()
}

#[derive(Deserialize)]
struct CodeForm {
    otp: String,
    next: Option<String>,
}

async fn second_step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(f): Form<CodeForm>,
) -> Response {
    match auth::second_step(&state, &ctx, &f.otp).await {
        Ok(signed) => after_password(&state, &signed, f.next.as_deref()),
        Err(WebError::Unauthorized) => Redirect::to("/login").into_response(),
        Err(e) => {
            let mut page = Page::new(&ctx, &uri);
            page.flash = Some(e.message(ctx.lang));
            (
                e.status(),
                SecondStepView {
                    page,
                    next: safe_next(f.next.as_deref()),
                },
            )
                .into_response()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "access/account_sessions.html")]
struct SessionsView {
    page: Page,
    sessions: Vec<SessionInfo>,
    idle_minutes: i64,
    max_hours: i64,
}

async fn sessions_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let sessions = auth::my_sessions(&state, &ctx)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(SessionsView {
        page: Page::new(&ctx, &uri),
        sessions,
        idle_minutes: state.config.session_idle_secs / 60,
        max_hours: state.config.session_ttl_secs / 3600,
    }
    .into_response())
}

async fn end_session(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    auth::end_my_session(&state, &ctx, &id)
        .await
        .map_err(fail(&ctx, &uri))?;
    if ctx.session_id.as_deref() == Some(id.as_str()) {
        return Ok((
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, ctx::clear_session_cookie(&state)),
                (header::LOCATION, "/".to_string()),
            ],
        )
            .into_response());
    }
    Ok(Redirect::to("/account/sessions").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "access/account_second_factor.html")]
struct SecondFactorView {
    page: Page,
    status: TotpStatus,
    setup: Option<TotpSetup>,
    recovery_codes: Vec<String>,
}

async fn second_factor_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let status = auth::totp_status(&state, &ctx)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(SecondFactorView {
        page: Page::new(&ctx, &uri),
        setup: status.pending.clone(),
        status,
        recovery_codes: Vec::new(),
    }
    .into_response())
}

async fn start_second_factor(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    auth::start_totp(&state, &ctx)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to("/account/second-factor").into_response())
}

async fn confirm_second_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let f_err = fail(&ctx, &uri);
    match auth::confirm_totp(&state, &ctx, &f.otp).await {
        Ok(codes) => {
            let status = auth::totp_status(&state, &ctx).await.map_err(&f_err)?;
            Ok(SecondFactorView {
                page: Page::new(&ctx, &uri),
                status,
                setup: None,
                recovery_codes: codes,
            }
            .into_response())
        }
        Err(e @ WebError::Invalid { .. }) => {
            let status = auth::totp_status(&state, &ctx).await.map_err(&f_err)?;
            let mut page = Page::new(&ctx, &uri);
            page.flash = Some(e.message(ctx.lang));
            Ok((
                e.status(),
                SecondFactorView {
                    page,
                    setup: status.pending.clone(),
                    status,
                    recovery_codes: Vec::new(),
                },
            )
                .into_response())
        }
        Err(e) => Err(f_err(e)),
    }
}

async fn remove_second_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(f): Form<CodeForm>,
) -> PageResult {
    auth::remove_totp(&state, &ctx, &f.otp)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to("/account/second-factor").into_response())
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

fn user_id(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

async fn disable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let fl = fail(&ctx, &uri);
    let id = user_id(&raw).map_err(&fl)?;
    auth::set_disabled(&state, &ctx, id, true, &f.reason)
        .await
        .map_err(&fl)?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn enable_user(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let fl = fail(&ctx, &uri);
    let id = user_id(&raw).map_err(&fl)?;
    auth::set_disabled(&state, &ctx, id, false, &f.reason)
        .await
        .map_err(&fl)?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "access/sign_in_limits.html")]
struct LimitsView {
    page: Page,
    limits: Vec<SignInLimit>,
    policy: sunledger_store::SignInPolicy,
}

async fn limits_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let limits = auth::sign_in_limits(&state, &ctx)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(LimitsView {
        page: Page::new(&ctx, &uri),
        limits,
        policy: state.config.sign_in.clone(),
    }
    .into_response())
}

async fn clear_limit(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let fl = fail(&ctx, &uri);
    let id = user_id(&raw).map_err(&fl)?;
    auth::clear_sign_in_limit(&state, &ctx, id)
        .await
        .map_err(&fl)?;
    Ok(Redirect::to("/admin/sign-in-limits").into_response())
}

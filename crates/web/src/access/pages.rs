//! Pages of sign-in, sign-out, the language switch, accounts, grants and the access record.
use crate::AppState;
use crate::access::{account_pages, auth, ops};
use crate::app::ctx;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::{Permission, Role};
use sunledger_store::{AuthEvent, GrantRow, User};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/admin/users", get(users_page).post(add_user))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/grants", post(add_grant))
        .route(
            "/admin/users/{id}/grants/{grant_id}/revoke",
            post(revoke_grant),
        )
        .route("/admin/events", get(events_page))
}

#[derive(Template, WebTemplate)]
#[template(path = "access/login.html")]
struct LoginView {
    page: Page,
    next: String,
    username: String,
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in or a language switch.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

async fn login_form(ctx: Ctx, uri: Uri, Query(q): Query<NextQuery>) -> Response {
    LoginView {
        page: Page::new(&ctx, &uri),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
    }
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(f): Form<LoginForm>,
) -> Response {
    match auth::sign_in(&state, &ctx, &f.username, &f.password).await {
        Ok(signed) => account_pages::after_password(&state, &signed, f.next.as_deref()),
        Err(e) => {
            let status = e.status();
            let mut page = Page::new(&ctx, &uri);
            page.flash = Some(e.message(ctx.lang));
            let view = LoginView {
                page,
                next: safe_next(f.next.as_deref()),
                username: f.username,
            };
            (status, view).into_response()
        }
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    auth::sign_out(&state, &ctx)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, ctx::clear_session_cookie(&state)),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response())
}

async fn set_lang(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    if let Some(u) = &ctx.user
        && let Err(e) = state.store.set_locale(u.id, Some(lang.code())).await
    {
        tracing::error!(error = %e, "saving the language choice");
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, ctx::lang_cookie(lang)),
            (header::LOCATION, safe_next(q.next.as_deref())),
        ],
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "access/users.html")]
struct UsersView {
    page: Page,
    users: Vec<User>,
    default_region: String,
}

async fn users_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let users = ops::users(&state, &ctx).await.map_err(fail(&ctx, &uri))?;
    let default_region = ctx
        .actor
        .scopes(Permission::ManageUsers)
        .first()
        .map(|c| c.to_string())
        .unwrap_or_default();
    Ok(UsersView {
        page: Page::new(&ctx, &uri),
        users,
        default_region,
    }
    .into_response())
}

#[derive(Deserialize)]
struct UserForm {
    username: String,
    display_name: String,
    password: String,
    region: String,
}

async fn add_user(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(f): Form<UserForm>,
) -> PageResult {
    let input = ops::UserInput {
        username: f.username,
        display_name: f.display_name,
        password: f.password,
        region: f.region,
    };
    let u = ops::create_user(&state, &ctx, input)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/admin/users/{}", u.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "access/user.html")]
struct UserView {
    page: Page,
    user: User,
    grants: Vec<GrantRow>,
    roles: Vec<&'static str>,
}

async fn user_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let user = ops::managed_user(&state, &ctx, id).await.map_err(&f)?;
    let grants = state
        .store
        .grants_of(id, true)
        .await
        .map_err(|e| f(e.into()))?;
    Ok(UserView {
        page: Page::new(&ctx, &uri),
        user,
        grants,
        roles: Role::ALL.iter().map(|r| r.key()).collect(),
    }
    .into_response())
}

#[derive(Deserialize)]
struct GrantForm {
    role: String,
    region: String,
}

async fn add_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(f): Form<GrantForm>,
) -> PageResult {
    let id: i64 = raw
        .parse()
        .map_err(|_| fail(&ctx, &uri)(WebError::NotFound))?;
    ops::add_grant(&state, &ctx, id, &f.role, &f.region)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn revoke_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path((raw, raw_grant)): Path<(String, String)>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let gid: i64 = raw_grant.parse().map_err(|_| f(WebError::NotFound))?;
    ops::revoke_grant(&state, &ctx, id, gid).await.map_err(&f)?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "access/events.html")]
struct EventsView {
    page: Page,
    events: Vec<AuthEvent>,
}

async fn events_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    let mut events = ops::auth_events(&state, &ctx, 500).await.map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    // A grant's detail is booked as `role @ region code`: shown as the role's and the region's names.
    let mut names = crate::app::forms::Names::new(&state);
    for e in &mut events {
        if let Some((role, code)) = e.detail.split_once(" @ ")
            && let Ok(role) = sunledger_core::Role::parse(role)
            && let Ok(code) = sunledger_core::RegionCode::parse(code)
        {
            let place = names.name(&code).await.map_err(&f)?;
            e.detail = format!(
                "{} @ {place}（{}）",
                page.tp("role.", role.key()),
                code.prefix()
            );
        }
    }
    Ok(EventsView { page, events }.into_response())
}

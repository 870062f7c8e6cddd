//! Pages of departments and people.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::org::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::org::Position;
use sunledger_core::{DepartmentKind, Permission};
use sunledger_store::{Department, Person};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regions/{code}/departments", post(add_department))
        .route("/departments/{id}", get(department_page))
        .route("/departments/{id}/people", post(add_person))
}

#[derive(Deserialize)]
struct DepartmentForm {
    kind: String,
    name: String,
    credit_code: Option<String>,
    stationed_by: Option<String>,
}

async fn add_department(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
    Form(f): Form<DepartmentForm>,
) -> PageResult {
    let input = ops::DepartmentInput {
        kind: f.kind,
        name: f.name,
        credit_code: f.credit_code,
        stationed_by: f.stationed_by,
    };
    let d = ops::create_department(&state, &ctx, &code, input)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/departments/{}", d.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "org/department.html")]
struct DepartmentView {
    page: Page,
    department: Department,
    region_name: String,
    people: Vec<Person>,
    can_manage: bool,
    positions: Vec<&'static str>,
}

async fn department_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    let department = ops::visible_department(&state, &ctx, id)
        .await
        .map_err(&f)?;
    let people = state
        .store
        .people_in_department(id)
        .await
        .map_err(|e| f(e.into()))?;
    let region_name = state
        .store
        .region(&department.region)
        .await
        .map_err(|e| f(e.into()))?
        .map(|r| r.name)
        .unwrap_or_default();
    let positions = DepartmentKind::parse(&department.kind)
        .map(|k| k.positions().iter().map(|p: &Position| p.key()).collect())
        .unwrap_or_default();
    Ok(DepartmentView {
        page: Page::new(&ctx, &uri),
        can_manage: ctx
            .actor
            .can(Permission::ManageOrganisation, &department.region),
        department,
        region_name,
        people,
        positions,
    }
    .into_response())
}

#[derive(Deserialize)]
struct PersonForm {
    name: String,
    position: String,
    phone: Option<String>,
}

async fn add_person(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(f): Form<PersonForm>,
) -> PageResult {
    let id: i64 = raw
        .parse()
        .map_err(|_| fail(&ctx, &uri)(WebError::NotFound))?;
    ops::create_person(&state, &ctx, id, &f.name, &f.position, f.phone)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/departments/{id}")).into_response())
}

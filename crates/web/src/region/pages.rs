//! Pages of the region tree.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::ops;
use crate::app::page::{Page, PageResult, fail};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;
use sunledger_core::{DepartmentKind, Permission};
use sunledger_store::{Department, Region};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regions", get(regions_root))
        .route("/regions/{code}", get(region_page))
}

#[derive(Template, WebTemplate)]
#[template(path = "region/region.html")]
struct RegionView {
    page: Page,
    code: String,
    region: Option<Region>,
    ancestors: Vec<Region>,
    children: Vec<Region>,
    show_departments: bool,
    can_manage: bool,
    departments: Vec<Department>,
    kinds: Vec<&'static str>,
}

async fn regions_root(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let children = state
        .store
        .region_roots()
        .await
        .map_err(|e| fail(&ctx, &uri)(e.into()))?;
    Ok(RegionView {
        page: Page::new(&ctx, &uri),
        code: String::new(),
        region: None,
        ancestors: vec![],
        children,
        show_departments: false,
        can_manage: false,
        departments: vec![],
        kinds: vec![],
    }
    .into_response())
}

async fn region_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let region = ops::existing_region(&state, &code).await.map_err(&f)?;
    let ancestors = ops::ancestors(&state, &region).await.map_err(&f)?;
    let children = state
        .store
        .region_children(&region.code)
        .await
        .map_err(|e| f(e.into()))?;
    let show_departments = ctx.actor.can(Permission::ViewInternal, &region.code);
    let departments = if show_departments {
        state
            .store
            .departments_in(&region.code)
            .await
            .map_err(|e| f(e.into()))?
    } else {
        vec![]
    };
    let kinds = DepartmentKind::ALL
        .into_iter()
        .filter(|k| k.allowed_at(region.level))
        .map(|k| k.key())
        .collect();
    Ok(RegionView {
        page: Page::new(&ctx, &uri),
        code: region.code.to_string(),
        can_manage: ctx.actor.can(Permission::ManageOrganisation, &region.code),
        region: Some(region),
        ancestors,
        children,
        show_departments,
        departments,
        kinds,
    }
    .into_response())
}

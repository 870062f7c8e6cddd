//! Operations on departments and people (scoped to the caller's areas).
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::existing_region;
use sunledger_core::org::{Position, check_position};
use sunledger_core::{CreditCode, DepartmentKind, Permission, RegionCode};
use sunledger_store::{Department, NewDepartment, NewPerson, Person};

/// A department the actor may see (hidden as `NotFound` otherwise).
pub async fn visible_department(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<Department, WebError> {
    let d = state
        .store
        .department(id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &d.region)?;
    Ok(d)
}

pub async fn visible_person(state: &AppState, ctx: &Ctx, id: i64) -> Result<Person, WebError> {
    let p = state.store.person(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &p.region)?;
    Ok(p)
}

pub async fn departments(
    state: &AppState,
    ctx: &Ctx,
    region: &RegionCode,
) -> Result<Vec<Department>, WebError> {
    ctx.require(Permission::ViewInternal, region)?;
    Ok(state.store.departments_in(region).await?)
}

pub struct DepartmentInput {
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub stationed_by: Option<String>,
}

pub async fn create_department(
    state: &AppState,
    ctx: &Ctx,
    region: &str,
    input: DepartmentInput,
) -> Result<Department, WebError> {
    let region = existing_region(state, region).await?;
    ctx.require(Permission::ManageOrganisation, &region.code)?;
    let kind = DepartmentKind::parse(&input.kind)?;
    if !kind.allowed_at(region.level) {
        return Err(WebError::invalid(
            "kind",
            "not_allowed_at_level",
            input.kind,
        ));
    }
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(WebError::invalid("name", "empty", ""));
    }
    let credit_code = match input
        .credit_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(c) => Some(CreditCode::parse(c)?),
        None => None,
    };
    let d = NewDepartment {
        region: region.code,
        kind,
        name,
        credit_code,
        stationed_by: input
            .stationed_by
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    };
    Ok(state.store.create_department(&d, state.now()).await?)
}

pub async fn create_person(
    state: &AppState,
    ctx: &Ctx,
    department_id: i64,
    name: &str,
    position: &str,
    phone: Option<String>,
) -> Result<Person, WebError> {
    let d = visible_department(state, ctx, department_id).await?;
    ctx.require(Permission::ManageOrganisation, &d.region)?;
    let kind = DepartmentKind::parse(&d.kind)?;
    let position = Position::parse(position)?;
    check_position(kind, position)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(WebError::invalid("name", "empty", ""));
    }
    let p = NewPerson {
        department_id,
        name: name.to_string(),
        position,
        phone: phone
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    };
    Ok(state.store.create_person(&p, state.now()).await?)
}

//! Operations shared by the JSON API and the pages: each checks the actor's rights on the region
//! concerned, validates its input into domain types, then calls the store once (one transaction).
use crate::AppState;
use crate::auth::{Ctx, check_password_policy, check_username, hash_password};
use crate::error::WebError;
use sunledger_core::department::{Position, check_position};
use sunledger_core::{CreditCode, DepartmentKind, Grant, Permission, RegionCode, Role};
use sunledger_store::{
    AuthEvent, AuthEventKind, Department, GrantRow, NewDepartment, NewGrant, NewPerson, NewUser,
    Person, Region, User,
};

pub fn parse_region(s: &str) -> Result<RegionCode, WebError> {
    RegionCode::parse(s).map_err(WebError::from)
}

/// Something an input names: a region code or the id of a stored row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named<'a> {
    Region(&'a str),
    Project(i64),
    Household(i64),
    Inspection(i64),
    Problem(i64),
    Department(i64),
    Person(i64),
    Fund(i64),
    Transfer(i64),
}

impl Named<'_> {
    fn shown(&self) -> String {
        match self {
            Named::Region(s) => s.trim().to_string(),
            Named::Project(id)
            | Named::Household(id)
            | Named::Inspection(id)
            | Named::Problem(id)
            | Named::Department(id)
            | Named::Person(id)
            | Named::Fund(id)
            | Named::Transfer(id) => id.to_string(),
        }
    }
}

/// The one check of every reference an input makes (a region code, a project, household,
/// inspection, problem, department, person, fund or transfer id): what `field` names must exist
/// inside the actor's subtree, i.e. in a region the actor may see internally (a region code may
/// also name a level above the actor's areas, which is nobody else's data). An unknown and a
/// foreign reference are refused alike (`invalid(field, "unknown_reference")`), so the answer
/// says nothing about other counties. Answers the region the reference lies in (for a fund: the
/// fund's region when the actor sees it, else the actor's area holding one of its accounts).
pub async fn own_ref(
    state: &AppState,
    ctx: &Ctx,
    field: &str,
    named: Named<'_>,
) -> Result<RegionCode, WebError> {
    ctx.require_user()?;
    let refused = || WebError::invalid(field, "unknown_reference", named.shown());
    let sees = |r: &RegionCode| ctx.actor.can(Permission::ViewInternal, r);
    let store = &state.store;
    let region = match named {
        Named::Region(s) => {
            let c = RegionCode::parse(s).map_err(|_| refused())?;
            store.region(&c).await?.map(|r| r.code)
        }
        Named::Project(id) => store.project(id).await?.map(|p| p.region),
        Named::Household(id) => store.household(id).await?.map(|h| h.region),
        Named::Inspection(id) => store.inspection(id).await?.map(|i| i.region),
        Named::Problem(id) => store.problem(id).await?.map(|p| p.region),
        Named::Department(id) => store.department(id).await?.map(|d| d.region),
        Named::Person(id) => store.person(id).await?.map(|p| p.region),
        Named::Fund(id) => match store.fund(id).await? {
            Some(f) if sees(&f.region) => Some(f.region),
            Some(_) => {
                let mut found = None;
                for scope in ctx.actor.scopes(Permission::ViewInternal) {
                    if store.funds_within(&scope).await?.iter().any(|f| f.id == id) {
                        found = Some(scope);
                        break;
                    }
                }
                found
            }
            None => None,
        },
        Named::Transfer(id) => match store.transfer(id).await? {
            Some(t) => {
                let mut found = None;
                for a in [t.from_account, t.to_account].into_iter().flatten() {
                    if let Some(acc) = store.account(a).await?
                        && sees(&acc.region)
                    {
                        found = Some(acc.region);
                        break;
                    }
                }
                found
            }
            None => None,
        },
    };
    // A region above the actor's areas is no one else's data (codes and names are public): it
    // passes here, and the permission the operation needs on it decides (403).
    let above = |r: &RegionCode| {
        matches!(named, Named::Region(_))
            && ctx
                .actor
                .scopes(Permission::ViewInternal)
                .iter()
                .any(|s| s.is_within(r))
    };
    match region {
        Some(r) if sees(&r) || above(&r) => Ok(r),
        _ => Err(refused()),
    }
}

/// `own_ref` of an optional reference.
pub async fn own_opt(
    state: &AppState,
    ctx: &Ctx,
    field: &str,
    named: Option<Named<'_>>,
) -> Result<Option<RegionCode>, WebError> {
    match named {
        Some(n) => own_ref(state, ctx, field, n).await.map(Some),
        None => Ok(None),
    }
}

/// A region that exists, or `NotFound`.
pub async fn existing_region(state: &AppState, code: &str) -> Result<Region, WebError> {
    let c = RegionCode::parse(code).map_err(|_| WebError::NotFound)?;
    state.store.region(&c).await?.ok_or(WebError::NotFound)
}

/// The regions above `region`, from the province down to its parent.
pub async fn ancestors(state: &AppState, region: &Region) -> Result<Vec<Region>, WebError> {
    let mut out = Vec::new();
    for c in region.code.lineage() {
        if c != region.code
            && let Some(a) = state.store.region(&c).await?
        {
            out.push(a);
        }
    }
    Ok(out)
}

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

/// An account the actor may manage (hidden as `NotFound` otherwise).
pub async fn managed_user(state: &AppState, ctx: &Ctx, id: i64) -> Result<User, WebError> {
    let u = state.store.user(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ManageUsers, &u.region)?;
    Ok(u)
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

pub async fn users(state: &AppState, ctx: &Ctx) -> Result<Vec<User>, WebError> {
    ctx.require_user()?;
    let scopes = ctx.actor.scopes(Permission::ManageUsers);
    if scopes.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok(state.store.users_within(&scopes).await?)
}

pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub region: String,
}

pub async fn create_user(state: &AppState, ctx: &Ctx, input: UserInput) -> Result<User, WebError> {
    ctx.require_user()?;
    let region = parse_region(&input.region)?;
    ctx.require(Permission::ManageUsers, &region)?;
    if state.store.region(&region).await?.is_none() {
        return Err(WebError::invalid(
            "region",
            "unknown_region",
            region.as_str(),
        ));
    }
    let username = input.username.trim().to_string();
    check_username(&username)?;
    let display_name = input.display_name.trim().to_string();
    if display_name.is_empty() {
        return Err(WebError::invalid("display_name", "empty", ""));
    }
    check_password_policy(&input.password)?;
    let pw = input.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    let mut ev = ctx.event(AuthEventKind::UserAdded, state.now());
    ev.username = Some(username.clone());
    ev.region = Some(region);
    let u = NewUser {
        username,
        display_name,
        password_hash: hash,
        region,
        person_id: None,
    };
    Ok(state.store.create_user(&u, &ev).await?)
}

pub async fn add_grant(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    role: &str,
    region: &str,
) -> Result<GrantRow, WebError> {
    let user = managed_user(state, ctx, user_id).await?;
    let role = Role::parse(role)?;
    let region = parse_region(region)?;
    if state.store.region(&region).await?.is_none() {
        return Err(WebError::invalid(
            "region",
            "unknown_region",
            region.as_str(),
        ));
    }
    if !ctx.actor.may_grant(&Grant { role, region }) {
        return Err(WebError::Forbidden);
    }
    let now = state.now();
    let mut ev = ctx.event(AuthEventKind::Grant, now);
    ev.username = Some(user.username.clone());
    ev.user_id = Some(user.id);
    ev.region = Some(user.region);
    ev.detail = format!("{} @ {}", role.key(), region);
    let g = NewGrant {
        user_id,
        role,
        region,
        granted_by: ctx.user.as_ref().map(|u| u.id),
    };
    Ok(state.store.add_grant(&g, now, &ev).await?)
}

pub async fn revoke_grant(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    grant_id: i64,
) -> Result<(), WebError> {
    let user = managed_user(state, ctx, user_id).await?;
    let g = state
        .store
        .grant(grant_id)
        .await?
        .filter(|g| g.user_id == user.id)
        .ok_or(WebError::NotFound)?;
    ctx.require(Permission::ManageUsers, &g.region)?;
    let now = state.now();
    let mut ev = ctx.event(AuthEventKind::Revoke, now);
    ev.username = Some(user.username.clone());
    ev.user_id = Some(user.id);
    ev.region = Some(user.region);
    ev.detail = format!("{} @ {}", g.role, g.region);
    if !state
        .store
        .revoke_grant(grant_id, ctx.user.as_ref().map(|u| u.id), now, &ev)
        .await?
    {
        return Err(WebError::Conflict {
            field: "grant".into(),
        });
    }
    Ok(())
}

pub async fn auth_events(
    state: &AppState,
    ctx: &Ctx,
    limit: i64,
) -> Result<Vec<AuthEvent>, WebError> {
    ctx.require_user()?;
    let scopes = ctx.actor.scopes(Permission::ViewAuthEvents);
    if scopes.is_empty() {
        return Err(WebError::Forbidden);
    }
    // Failed sign-ins for unknown usernames belong to no region: only city-wide readers see them.
    let include_unknown = scopes
        .iter()
        .any(|s| s.level() <= sunledger_core::Level::City);
    Ok(state
        .store
        .auth_events_within(&scopes, include_unknown, limit.clamp(1, 1000))
        .await?)
}

/// Every row of a paged store list, for exports: `fetch(offset)` answers a page and the total.
pub async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, WebError>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = sunledger_store::Result<(Vec<T>, i64)>>,
{
    let mut out = Vec::new();
    loop {
        let (page, total) = fetch(i64::try_from(out.len()).unwrap_or(i64::MAX)).await?;
        let n = page.len();
        out.extend(page);
        if n == 0 || i64::try_from(out.len()).unwrap_or(i64::MAX) >= total {
            return Ok(out);
        }
    }
}

//! Operations shared by several features: parsing a region, naming a unit (`own_ref`), the
//! caller's scopes, paging through the store, optional query fields.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use sunledger_core::{Permission, RegionCode};
use sunledger_store::Region;

/// Narrows the caller's scopes to `region` (when given and visible).
pub fn scopes(ctx: &Ctx, region: Option<&str>) -> Result<Vec<RegionCode>, WebError> {
    ctx.require_user()?;
    let mine = ctx.actor.scopes(Permission::ViewInternal);
    let Some(r) = region.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(mine);
    };
    let r = RegionCode::parse(r)?;
    if mine.iter().any(|s| r.is_within(s)) {
        return Ok(vec![r]);
    }
    let inside: Vec<RegionCode> = mine.into_iter().filter(|s| s.is_within(&r)).collect();
    if inside.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok(inside)
}

pub(crate) fn actor(ctx: &Ctx) -> Option<i64> {
    ctx.user.as_ref().map(|u| u.id)
}

pub(crate) fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) fn opt_i64(field: &'static str, s: &Option<String>) -> Result<Option<i64>, WebError> {
    opt(s)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| WebError::invalid(field, "malformed", v))
        })
        .transpose()
}

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

/// The escalation rules in force (the defaults; see `docs/SUPERVISION.md`).
pub fn rules() -> Vec<sunledger_core::escalation::EscalationRule> {
    sunledger_core::escalation::default_rules()
}

/// What a picker's `名称（code）` (or `名称(code)`) names: the part in brackets; `s` itself when
/// it has none.
pub(crate) fn bracketed(s: &str) -> &str {
    s.strip_suffix('）')
        .and_then(|x| x.rsplit_once('（'))
        .or_else(|| s.strip_suffix(')').and_then(|x| x.rsplit_once('(')))
        .map(|(_, code)| code.trim())
        .unwrap_or(s)
}

/// A region typed in a filter as people know it: a code, a picker's `云岭县 · 金坪镇（529121100）`
/// or a bare name (`金坪镇`) among the regions the caller may see. Answers the code as text;
/// an unknown or ambiguous name is refused naming `field`.
pub(crate) async fn region_typed(
    state: &AppState,
    ctx: &Ctx,
    field: &str,
    typed: &str,
) -> Result<Option<String>, WebError> {
    let s = typed.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let inner = bracketed(s);
    if inner.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(inner.to_string()));
    }
    // The last part of `county · township` is the name.
    let name = s.rsplit(" · ").next().unwrap_or(s).trim();
    let mut found: Vec<RegionCode> = state
        .store
        .region_names()
        .await?
        .into_iter()
        .filter(|(c, n)| n == name && ctx.actor.can(Permission::ViewInternal, c))
        .map(|(c, _)| c)
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(Some(one.prefix().to_string())),
        [] => Err(WebError::invalid(field, "unknown_name", s)),
        _ => Err(WebError::invalid(field, "ambiguous_name", s)),
    }
}

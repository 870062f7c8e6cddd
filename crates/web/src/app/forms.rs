//! Helpers shared by the supervision pages' forms: ids, optional fields, dates, names.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageError};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use sunledger_core::{Level, RegionCode, Role};

// --- Helpers ------------------------------------------------------------------------------------

pub(crate) fn parse_id(f: &impl Fn(WebError) -> PageError, raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| f(WebError::NotFound))
}

pub(crate) fn to_problem(id: i64) -> Response {
    Redirect::to(&format!("/problems/{id}")).into_response()
}

pub(crate) fn trimmed(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// An optional number typed in a form: empty is `None`, anything else must parse.
pub(crate) fn opt_num<T: std::str::FromStr>(
    field: &'static str,
    s: &str,
) -> Result<Option<T>, WebError> {
    trimmed(s)
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| WebError::invalid(field, "not_a_number", v))
        })
        .transpose()
}

/// Errors that end a form rather than send it back: not signed in, not allowed, not there.
pub(crate) fn is_access(e: &WebError) -> bool {
    matches!(
        e,
        WebError::Unauthorized | WebError::Forbidden | WebError::NotFound | WebError::NoRoute
    )
}

pub(crate) fn today(state: &AppState) -> i64 {
    sunledger_core::day::today(state.now())
}

pub(crate) fn day(s: &str) -> Option<i64> {
    sunledger_core::day::parse("day", s).ok()
}

/// `2026年11月3日` in Chinese, `2026-11-03` otherwise.
pub(crate) fn long_date(page: &Page, s: &str) -> String {
    let parts: Vec<&str> = s.split('-').collect();
    match (page.lang, parts.as_slice()) {
        (crate::i18n::Lang::Zh, [y, m, d]) => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => s.to_string(),
    }
}

/// A catalogue string with `{name}` placeholders filled in.
pub(crate) fn fill(page: &Page, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = page.t(key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Region names, looked up once per page.
pub(crate) struct Names<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) cache: HashMap<RegionCode, String>,
}

impl<'a> Names<'a> {
    pub(crate) fn new(state: &'a AppState) -> Names<'a> {
        Names {
            state,
            cache: HashMap::new(),
        }
    }

    pub(crate) async fn name(&mut self, r: &RegionCode) -> Result<String, WebError> {
        if let Some(n) = self.cache.get(r) {
            return Ok(n.clone());
        }
        let n = self
            .state
            .store
            .region(r)
            .await?
            .map(|x| x.name)
            .unwrap_or_else(|| r.prefix().to_string());
        self.cache.insert(*r, n.clone());
        Ok(n)
    }

    /// "County · township · village" down to `r` (a city is its own name).
    pub(crate) async fn place(&mut self, r: &RegionCode) -> Result<String, WebError> {
        let mut out = Vec::new();
        for c in r.lineage() {
            if c.level() >= Level::County || c == *r {
                out.push(self.name(&c).await?);
            }
        }
        Ok(out.join(" · "))
    }
}

pub(crate) async fn user_name(
    state: &AppState,
    cache: &mut HashMap<i64, String>,
    id: Option<i64>,
) -> Result<String, WebError> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    if let Some(n) = cache.get(&id) {
        return Ok(n.clone());
    }
    let n = state
        .store
        .user(id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    cache.insert(id, n.clone());
    Ok(n)
}

/// Regions to pick from in a form: each region where the caller holds one of `roles`, its
/// children, and the chain and children of the region chosen now (so one can drill down).
pub(crate) async fn region_choices(
    state: &AppState,
    ctx: &Ctx,
    roles: &[Role],
    chosen: Option<&RegionCode>,
) -> Result<Vec<(String, String)>, WebError> {
    let mut names = Names::new(state);
    let mut codes: Vec<RegionCode> = Vec::new();
    let roots: Vec<RegionCode> = ctx
        .actor
        .grants
        .iter()
        .filter(|g| roles.contains(&g.role))
        .map(|g| g.region)
        .collect();
    let mut expand = roots.clone();
    if let Some(c) = chosen.filter(|c| roots.iter().any(|r| c.is_within(r))) {
        for a in c.lineage() {
            if roots.iter().any(|r| a.is_within(r)) {
                expand.push(a);
            }
        }
    }
    for r in &expand {
        codes.push(*r);
        if r.level() < Level::Village {
            for c in state.store.region_children(r).await? {
                codes.push(c.code);
                names.cache.insert(c.code, c.name);
            }
        }
    }
    codes.sort();
    codes.dedup();
    let mut out = Vec::new();
    for c in codes {
        let label = format!("{} {}", c.prefix(), names.place(&c).await?);
        out.push((c.prefix().to_string(), label));
    }
    Ok(out)
}

pub(crate) fn holds_any(ctx: &Ctx, roles: &[Role]) -> bool {
    ctx.actor.grants.iter().any(|g| roles.contains(&g.role))
}

/// The regions a filter may name, as its picker offers them: `云岭县 · 金坪镇（529121100）` for
/// each region the caller may see down to townships (and villages of a township or village
/// grant).
pub(crate) async fn region_picker(state: &AppState, ctx: &Ctx) -> Result<Vec<String>, WebError> {
    let mut names = Names::new(state);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for root in ctx.actor.scopes(sunledger_core::Permission::ViewInternal) {
        let mut queue = vec![root];
        while let Some(r) = queue.pop() {
            if !seen.insert(r) {
                continue;
            }
            out.push((r, format!("{}（{}）", names.place(&r).await?, r.prefix())));
            // Villages are listed under a township or village grant only (a county has hundreds).
            if r.level() < Level::Township
                || (r.level() == Level::Township && root.level() >= Level::Township)
            {
                for c in state.store.region_children(&r).await? {
                    names.cache.insert(c.code, c.name);
                    queue.push(c.code);
                }
            }
        }
    }
    out.sort();
    Ok(out.into_iter().map(|(_, l)| l).collect())
}

/// A list's region filter as typed: `region` is resolved in place to a code (a name or a
/// picker's choice is understood); what was typed, the picker's choices and a refusal (an
/// unknown or ambiguous name) are kept for the page, which then lists nothing.
pub(crate) struct RegionFilter {
    pub(crate) input: String,
    pub(crate) choices: Vec<String>,
    pub(crate) error: Option<String>,
}

pub(crate) async fn region_filter(
    state: &AppState,
    ctx: &Ctx,
    region: &mut Option<String>,
) -> Result<RegionFilter, WebError> {
    let input = region.clone().unwrap_or_default();
    let mut error = None;
    match crate::app::ops::region_typed(state, ctx, "region", &input).await {
        Ok(code) => *region = code,
        Err(e) if is_access(&e) => return Err(e),
        Err(e) => {
            *region = None;
            error = Some(e.message(ctx.lang));
        }
    }
    Ok(RegionFilter {
        input,
        choices: region_picker(state, ctx).await?,
        error,
    })
}

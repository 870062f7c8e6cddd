//! A public page for every region (county, township, village): where it lies, what lies within
//! it, its projects with their money, the funds that reached it, and how to object or complain.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;
use sunledger_core::RegionCode;
use sunledger_store::{PublicFunds, PublicProject, PublicRegion};

/// Projects listed on a region's page at most.
pub const PROJECTS_SHOWN: i64 = 200;
/// Funds listed on a region's page at most.
pub const FUNDS_SHOWN: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/public/regions/{code}", get(region_page))
}

/// The projects of one group on the page (planned or under notice, in progress, done).
pub struct Group {
    /// Catalogue key of its heading.
    pub key: &'static str,
    pub projects: Vec<PublicProject>,
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/region.html")]
struct RegionView {
    page: Page,
    r: PublicRegion,
    groups: Vec<Group>,
    /// More projects exist than are listed.
    more_projects: bool,
    funds: PublicFunds,
    more_funds: bool,
    /// Published notices of the region's subtree, newest first, and how many there are.
    notices: Vec<sunledger_store::Notice>,
    notices_total: i64,
    /// Notices open for objections today.
    open_notices: Vec<i64>,
}

impl RegionView {
    /// The heading of the children list, by their level.
    fn children_heading(&self) -> String {
        self.r
            .children
            .first()
            .map(|c| self.page.tp("public.children.", c.level.key()))
            .unwrap_or_default()
    }
    fn shown_newest(&self, n: i64) -> String {
        self.page
            .t("public.shown_newest")
            .replace("{n}", &n.to_string())
    }
    fn no_projects(&self) -> bool {
        self.groups.iter().all(|g| g.projects.is_empty())
    }
}

/// Which group a project belongs to: 0 planned or under notice, 1 in progress, 2 done.
fn group_of(p: &PublicProject) -> usize {
    match p.status.as_deref() {
        _ if p.stage == "noticed" => 0,
        Some("in_progress") => 1,
        Some("completed" | "accepted" | "evaluated") => 2,
        _ => 0,
    }
}

/// The most notices a region page lists.
pub const NOTICES_SHOWN: i64 = 20;

async fn region_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    // A short code (`529121`) names the same region as its 12-digit form.
    let code = RegionCode::parse(&raw).map_err(|_| f(WebError::NotFound))?;
    let r = state
        .store
        .public_region(&code)
        .await
        .map_err(|e| f(e.into()))?
        .ok_or_else(|| f(WebError::NotFound))?;
    let mut projects = state
        .store
        .public_projects(&code, PROJECTS_SHOWN + 1)
        .await
        .map_err(|e| f(e.into()))?;
    let more_projects = projects.len() as i64 > PROJECTS_SHOWN;
    projects.truncate(PROJECTS_SHOWN as usize);
    let mut groups = vec![
        Group {
            key: "public.group.planned",
            projects: vec![],
        },
        Group {
            key: "public.group.in_progress",
            projects: vec![],
        },
        Group {
            key: "public.group.done",
            projects: vec![],
        },
    ];
    for p in projects {
        if let Some(g) = groups.get_mut(group_of(&p)) {
            g.projects.push(p);
        }
    }
    let mut funds = state
        .store
        .public_funds(&code, FUNDS_SHOWN + 1)
        .await
        .map_err(|e| f(e.into()))?;
    let more_funds = funds.transfers.len() as i64 > FUNDS_SHOWN;
    funds.transfers.truncate(FUNDS_SHOWN as usize);
    let (notices, notices_total) =
        crate::notice::ops::public_list(&state, &code, None, NOTICES_SHOWN)
            .await
            .map_err(&f)?;
    let today = sunledger_core::day::today(state.now());
    let open_notices = notices
        .iter()
        .filter(|n| crate::notice::view::open_on(n, today))
        .map(|n| n.id)
        .collect();
    Ok(RegionView {
        page: Page::new(&ctx, &uri),
        r,
        notices,
        notices_total,
        open_notices,
        groups,
        more_projects,
        funds,
        more_funds,
    }
    .into_response())
}

//! Pages anyone may read without signing in: the portal's front page (search and the counties of
//! the city) and the public notice of a project (项目公示), as villagers open it from the notice
//! board's QR code on a phone. Only projects under the township's public notice or approved by
//! the county are shown; names of beneficiaries and ID numbers never are.
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
use sunledger_core::Level;
use sunledger_core::project::NoticeState;
use sunledger_store::{Milestone, PUBLIC_STAGES, Place, Project, ProjectVersion};

pub fn router() -> Router<AppState> {
    Router::new().route("/public", get(front)).route(
        "/public/projects/{id}",
        get(public_project).post(object_to_project),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/front.html")]
struct Front {
    page: Page,
    /// The search box's text (empty on the front page).
    q: String,
    /// The city (or cities) and their counties.
    cities: Vec<(Place, Vec<Place>)>,
}

/// The portal's front page: the search box and the counties of the city.
async fn front(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    let mut cities = Vec::new();
    let mut tops = state.store.region_roots().await.map_err(|e| f(e.into()))?;
    // A province's roots lead to its cities; the counties are listed under each city.
    if tops.iter().all(|r| r.level == Level::Province) {
        let mut below = Vec::new();
        for p in &tops {
            below.extend(
                state
                    .store
                    .region_children(&p.code)
                    .await
                    .map_err(|e| f(e.into()))?,
            );
        }
        tops = below;
    }
    for c in tops {
        let counties = state
            .store
            .region_children(&c.code)
            .await
            .map_err(|e| f(e.into()))?
            .into_iter()
            .map(|r| Place {
                code: r.code,
                name: r.name,
                level: r.level,
            })
            .collect();
        cities.push((
            Place {
                code: c.code,
                name: c.name,
                level: c.level,
            },
            counties,
        ));
    }
    Ok(Front {
        page: Page::new(&ctx, &uri),
        q: String::new(),
        cities,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/public_project.html")]
struct PublicProject {
    page: Page,
    p: Project,
    /// County · township · village.
    place: String,
    /// The shown content and its total (the project row's total follows the current version,
    /// which may be a revision the county has not approved).
    content: ProjectVersion,
    total_fen: i64,
    milestones: Vec<Milestone>,
    /// The last day of the public notice of a project under it (`YYYY-MM-DD`), and whether that
    /// day has passed (the county has yet to decide).
    notice_until: Option<(String, bool)>,
    /// The objection form as typed, and why it was refused.
    typed: crate::notice::public::ObjectionForm,
    error: Option<String>,
}

impl PublicProject {
    /// Whether anyone may object today: under notice, inside its window.
    fn open(&self) -> bool {
        self.notice_until.as_ref().is_some_and(|(_, ended)| !ended)
    }
    fn notice_banner(&self) -> Option<String> {
        self.notice_until.as_ref().map(|(day, ended)| {
            let key = if *ended {
                "public.notice_ended"
            } else {
                "public.notice_until"
            };
            self.page.t(key).replace("{day}", day)
        })
    }
    fn see_place(&self) -> String {
        self.page
            .t("public.see_place")
            .replace("{place}", self.place.rsplit(" · ").next().unwrap_or(""))
    }
}

async fn public_project(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    render_project(&state, &ctx, &uri, id, Default::default(), None).await
}

/// Anyone objects to a project during its declaration notice: the receipt page on success, the
/// project's page with what was typed and the reason otherwise.
async fn object_to_project(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    axum::extract::Form(b): axum::extract::Form<crate::notice::public::ObjectionForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    match crate::notice::ops::object(&state, "projects", id, &b.input()).await {
        Ok(a) => Ok(axum::response::Redirect::to(&format!(
            "/public/receipts?code={}&new=1",
            a.receipt
        ))
        .into_response()),
        Err(e) if crate::app::forms::is_access(&e) => Err(f(e)),
        Err(e) => render_project(&state, &ctx, &uri, id, b, Some(e)).await,
    }
}

async fn render_project(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: crate::notice::public::ObjectionForm,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let n = state
        .store
        .project_notice(id)
        .await
        .map_err(|e| f(e.into()))?
        .filter(|n| PUBLIC_STAGES.contains(&n.project.stage.as_str()))
        .ok_or_else(|| f(WebError::NotFound))?;
    let content = n.content.ok_or_else(|| f(WebError::NotFound))?;
    let today = sunledger_core::day::today(state.now());
    let notice_until = match (n.project.stage.as_str(), &n.project.notice_from) {
        ("noticed", Some(from)) => sunledger_core::day::parse("notice_from", from)
            .ok()
            .map(|from| {
                NoticeState {
                    from,
                    unanswered: 0,
                }
                .until()
            })
            .map(|last| (sunledger_core::day::format(last), last < today)),
        _ => None,
    };
    let status = error
        .as_ref()
        .map(|e| e.status())
        .unwrap_or(axum::http::StatusCode::OK);
    let page = Page::new(ctx, uri);
    let mut out = PublicProject {
        error: error.map(|e| e.message(page.lang)),
        typed,
        page,
        place: n.place.join(" · "),
        total_fen: content.budget.iter().map(|b| b.amount_fen).sum(),
        content,
        milestones: n.milestones,
        p: n.project,
        notice_until,
    }
    .into_response();
    *out.status_mut() = status;
    Ok(out)
}

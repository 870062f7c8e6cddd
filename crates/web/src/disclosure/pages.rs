//! Pages anyone may read without signing in: the public notice of an approved project (项目公示),
//! as villagers open it from the notice board's QR code on a phone. Only projects the county has
//! approved are shown; names of beneficiaries and ID numbers never are.
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
use sunledger_store::{Milestone, Project, ProjectVersion};

pub fn router() -> Router<AppState> {
    Router::new().route("/public/projects/{id}", get(public_project))
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
}

/// Stages at which a project's content is public: the county approved it.
const PUBLIC_STAGES: [&str; 2] = ["approved", "recorded"];

async fn public_project(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let n = state
        .store
        .project_notice(id)
        .await
        .map_err(|e| f(e.into()))?
        .filter(|n| PUBLIC_STAGES.contains(&n.project.stage.as_str()))
        .ok_or_else(|| f(WebError::NotFound))?;
    let content = n.content.ok_or_else(|| f(WebError::NotFound))?;
    Ok(PublicProject {
        page: Page::new(&ctx, &uri),
        place: n.place.join(" · "),
        total_fen: content.budget.iter().map(|b| b.amount_fen).sum(),
        content,
        milestones: n.milestones,
        p: n.project,
    }
    .into_response())
}

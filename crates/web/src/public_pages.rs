//! Pages anyone may read without signing in: the public notice of an approved project (项目公示),
//! as villagers open it from the notice board's QR code on a phone. Only projects the county has
//! approved are shown; names of beneficiaries and ID numbers never are.
use crate::AppState;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::pages::{Page, PageResult, fail};
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
#[template(path = "public_project.html")]
struct PublicProject {
    page: Page,
    p: Project,
    /// County · township · village.
    place: String,
    content: ProjectVersion,
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
    let record = state
        .store
        .project_record(id)
        .await
        .map_err(|e| f(e.into()))?
        .filter(|r| PUBLIC_STAGES.contains(&r.project.stage.as_str()))
        .ok_or_else(|| f(WebError::NotFound))?;
    let shown = record
        .project
        .approved_version
        .unwrap_or(record.project.version);
    let content = record
        .versions
        .iter()
        .find(|v| v.version == shown)
        .cloned()
        .ok_or_else(|| f(WebError::NotFound))?;
    let mut names = Vec::new();
    let mut code = Some(record.project.region);
    while let Some(c) = code {
        if c.level() < sunledger_core::Level::County {
            break;
        }
        match state.store.region(&c).await.map_err(|e| f(e.into()))? {
            Some(r) => {
                names.push(r.name);
                code = r.parent;
            }
            None => break,
        }
    }
    names.reverse();
    Ok(PublicProject {
        page: Page::new(&ctx, &uri),
        place: names.join(" · "),
        content,
        milestones: record.milestones,
        p: record.project,
    }
    .into_response())
}

//! The region dashboard page.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::ledger::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/regions/{code}/summary", get(summary_page))
}

#[derive(Template, WebTemplate)]
#[template(path = "summary/summary.html")]
struct SummaryView {
    page: Page,
    name: String,
    /// (label key, totals)
    money: Vec<(&'static str, sunledger_store::MoneyTotals)>,
    s: sunledger_store::RegionSummary,
    /// The notices due in the region: overdue ones listed, the on-time rate.
    dues: crate::notice::ops::Dues,
    overdue: Vec<crate::notice::ops::Due>,
    on_time_rate: Option<i64>,
    /// Overdue Book 4 steps proposed on the ladder, waiting for a decision.
    proposals: Vec<sunledger_store::OverdueProposal>,
}

/// A region's dashboard (the county's overview): its subtree summed.
async fn summary_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    let s = ops::region_summary(&state, &ctx, &code).await.map_err(&f)?;
    let name = state
        .store
        .region(&s.region)
        .await
        .map_err(|e| f(e.into()))?
        .map(|r| r.name)
        .unwrap_or_default();
    let (dues, overdue) = crate::notice::ops::dues_figures(&state, &[s.region], 20)
        .await
        .map_err(&f)?;
    let proposals = state
        .store
        .open_overdue_proposals(&[s.region], state.now())
        .await
        .map_err(|e| f(e.into()))?;
    Ok(SummaryView {
        page: Page::new(&ctx, &uri),
        name,
        on_time_rate: (dues.counted > 0).then(|| dues.on_time * 100 / dues.counted),
        dues,
        overdue,
        proposals,
        money: vec![
            ("summary.own", s.own),
            ("summary.below", s.below),
            ("summary.projects", s.projects),
        ],
        s,
    }
    .into_response())
}

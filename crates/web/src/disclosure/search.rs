//! The portal's search: places by name, public projects by name, fund documents by number.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::page::{Page, PageResult, fail};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use sunledger_store::PublicSearch;

/// The longest search, in characters.
pub const MAX_QUERY: usize = 100;
/// Results of each kind shown at most.
const HITS: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/public/search", get(search))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/search.html")]
struct SearchView {
    page: Page,
    /// What was typed, kept in the box.
    q: String,
    /// Why nothing was searched (a catalogue key), if so.
    refusal: Option<&'static str>,
    found: PublicSearch,
    /// Published notices whose title or text has the words.
    notices: Vec<sunledger_store::Notice>,
}

impl SearchView {
    fn nothing(&self) -> bool {
        self.refusal.is_none()
            && self.found.regions.is_empty()
            && self.found.projects.is_empty()
            && self.found.documents.is_empty()
            && self.notices.is_empty()
    }
}

async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let q = query.q;
    let typed = q.trim();
    let refusal = if typed.is_empty() {
        Some("public.search_empty")
    } else if typed.chars().count() > MAX_QUERY {
        Some("public.search_too_long")
    } else {
        None
    };
    let found = match refusal {
        Some(_) => PublicSearch::default(),
        None => state
            .store
            .public_search(typed, HITS)
            .await
            .map_err(|e| f(e.into()))?,
    };
    let notices = match refusal {
        Some(_) => Vec::new(),
        None => {
            state
                .store
                .notices(
                    &sunledger_store::NoticeFilter {
                        public_only: true,
                        everywhere: true,
                        q: Some(typed.to_string()),
                        ..Default::default()
                    },
                    HITS,
                    0,
                )
                .await
                .map_err(|e| f(e.into()))?
                .0
        }
    };
    let status = if refusal == Some("public.search_too_long") {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut page = Page::new(&ctx, &uri);
    // The language switch comes back to the same search.
    if !q.is_empty() {
        page.path = format!("/public/search?q={}", crate::app::page::urlencode(&q));
    }
    Ok((
        status,
        SearchView {
            page,
            q,
            refusal,
            found,
            notices,
        },
    )
        .into_response())
}

//! What every page shares: the page frame (`Page`: language, user, navigation), the error page,
//! the fallback for unknown routes, the stylesheet and the home page.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error;
use crate::app::error::WebError;
use crate::i18n::{Lang, t};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sunledger_core::Permission;
use sunledger_store::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/static/style.css", get(style))
        .route("/static/print.css", get(print_style))
}

/// What every page needs: language, the signed-in user, navigation rights.
#[derive(Clone)]
pub struct Page {
    pub lang: Lang,
    pub user: Option<User>,
    pub is_admin: bool,
    pub can_see_events: bool,
    pub path: String,
    pub flash: Option<String>,
    /// The account must enrol a second factor before it gets its rights.
    pub must_enrol: bool,
}

pub trait AsTs {
    fn ts(&self) -> i64;
}
impl AsTs for i64 {
    fn ts(&self) -> i64 {
        *self
    }
}
impl<T: AsTs + ?Sized> AsTs for &T {
    fn ts(&self) -> i64 {
        (**self).ts()
    }
}

impl Page {
    pub fn new(ctx: &Ctx, uri: &Uri) -> Page {
        Page {
            lang: ctx.lang,
            user: ctx.user.clone(),
            is_admin: !ctx.actor.scopes(Permission::ManageUsers).is_empty(),
            can_see_events: !ctx.actor.scopes(Permission::ViewAuthEvents).is_empty(),
            path: uri.path().to_string(),
            flash: None,
            must_enrol: ctx.must_enrol,
        }
    }
    fn public(lang: Lang) -> Page {
        Page {
            lang,
            user: None,
            is_admin: false,
            can_see_events: false,
            path: "/".into(),
            flash: None,
            must_enrol: false,
        }
    }
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }
    /// Translates an enum value stored as text, e.g. `tp("role.", "finance")`.
    pub fn tp(&self, prefix: &str, value: &str) -> String {
        t(self.lang, &format!("{prefix}{value}"))
    }
    /// Yuan with thousands separators: `1,234,567.89`.
    pub fn yuan(&self, m: &sunledger_core::money::Money) -> String {
        let s = m.to_string();
        let (sign, rest) = s
            .strip_prefix('-')
            .map(|r| ("-", r))
            .unwrap_or(("", s.as_str()));
        let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}.{frac}")
    }

    /// Fen as yuan with thousands separators.
    pub fn fen<T: std::borrow::Borrow<i64>>(&self, fen: T) -> String {
        self.yuan(&sunledger_core::money::Money::from_fen(*fen.borrow()))
    }

    /// A Unix time as Beijing time, `YYYY-MM-DD HH:MM`.
    pub fn time(&self, ts: impl AsTs) -> String {
        let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
        match time::OffsetDateTime::from_unix_timestamp(ts.ts()) {
            Ok(t) => {
                let t = t.to_offset(offset);
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute()
                )
            }
            Err(_) => ts.ts().to_string(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "app/error.html")]
struct ErrorView {
    page: Page,
    message: String,
}

/// An error as a page in the user's language, with its status, for a request without context.
pub fn error_page(e: WebError, lang: Lang) -> Response {
    render_error(e, Page::public(lang))
}

pub(crate) fn render_error(e: WebError, page: Page) -> Response {
    let status = e.status();
    let view = ErrorView {
        message: e.message(page.lang),
        page,
    };
    (status, view).into_response()
}

/// A page handler's error: sign-in needed goes to the sign-in page, the rest render in the
/// user's language with the usual header (who is signed in, where the language switch leads).
pub struct PageError(pub(crate) WebError, pub(crate) Box<Page>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            WebError::Unauthorized => {
                Redirect::to(&format!("/login?next={}", urlencode(&self.1.path))).into_response()
            }
            e => render_error(e, *self.1),
        }
    }
}

/// The rows a list shows per page.
pub const PAGE_SIZE: i64 = 50;

/// `?page=N` of a paged list (1 when absent or not a positive number).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageParam {
    pub page: Option<String>,
}

impl PageParam {
    pub fn number(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .max(1)
    }
}

/// One page of a list: which rows it shows of how many, and links to its neighbours that keep
/// the list's filters.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page_no: i64,
    pub pages: i64,
    pub total: i64,
    /// 1-based numbers of the first and last row shown (0 when none).
    pub first: i64,
    pub last: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Page `page_no` of `total` rows, `size` a page, on `path?query` (`query` without `page`).
    pub fn new(path: &str, query: &str, page_no: i64, size: i64, total: i64) -> Pager {
        let size = size.max(1);
        let pages = ((total + size - 1) / size).max(1);
        let offset = (page_no - 1) * size;
        let (first, last) = if offset < total {
            (offset + 1, (offset + size).min(total))
        } else {
            (0, 0)
        };
        let href = |n: i64| {
            if query.is_empty() {
                format!("{path}?page={n}")
            } else {
                format!("{path}?{query}&page={n}")
            }
        };
        Pager {
            page_no,
            pages,
            total,
            first,
            last,
            prev: (page_no > 1).then(|| href((page_no - 1).min(pages))),
            next: (page_no < pages).then(|| href(page_no + 1)),
        }
    }

    /// The offset of the page's first row.
    pub fn offset(page_no: i64, size: i64) -> i64 {
        (page_no.max(1) - 1) * size
    }

    /// "Showing 51–100 of 326" in the page's language.
    pub fn showing(&self, page: &Page) -> String {
        page.t("pager.showing")
            .replace("{first}", &self.first.to_string())
            .replace("{last}", &self.last.to_string())
            .replace("{total}", &self.total.to_string())
    }

    /// "Page 2 of 7".
    pub fn position(&self, page: &Page) -> String {
        page.t("pager.position")
            .replace("{n}", &self.page_no.to_string())
            .replace("{pages}", &self.pages.to_string())
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) type PageResult = Result<Response, PageError>;

pub(crate) fn fail(ctx: &Ctx, uri: &Uri) -> impl Fn(WebError) -> PageError {
    let page = Page::new(ctx, uri);
    move |e| PageError(e, Box::new(page.clone()))
}

pub async fn no_route(ctx: Ctx, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return error::ApiError(WebError::NoRoute, ctx.lang).into_response();
    }
    render_error(WebError::NoRoute, Page::new(&ctx, &uri))
}

pub(crate) async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

/// The stylesheet of the A4 pages (notices and acceptance reports to print).
pub(crate) async fn print_style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/print.css"),
    )
        .into_response()
}

/// One of the user's areas on the home page: its books as links, and a few counts.
pub(crate) struct ScopeCard {
    /// The region code shortened to its prefix (what the list filters take).
    region_code: String,
    region_name: String,
    role: String,
    /// The internal books (ledger, problems, inspections) are open to this grant.
    internal: bool,
    /// Open and overdue problems in the area (internal only).
    open_problems: i64,
    overdue_problems: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "app/home.html")]
struct HomeView {
    page: Page,
    grants: Vec<ScopeCard>,
}

/// The home page: for a signed-in user, a dashboard of their areas with links to each area's
/// books and its open and overdue problems.
pub(crate) async fn home(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    let today = sunledger_core::day::format(sunledger_core::day::today(state.now()));
    let mut grants = Vec::new();
    for g in &ctx.actor.grants {
        let name = state
            .store
            .region(&g.region)
            .await
            .map_err(|e| f(e.into()))?
            .map(|r| r.name)
            .unwrap_or_default();
        let internal = ctx.actor.can(Permission::ViewInternal, &g.region);
        let (mut open_problems, mut overdue_problems) = (0, 0);
        if internal {
            let base = sunledger_store::ProblemFilter {
                scopes: vec![g.region],
                ..Default::default()
            };
            let open = sunledger_store::ProblemFilter {
                open_only: true,
                ..base.clone()
            };
            let overdue = sunledger_store::ProblemFilter {
                overdue_on: Some(today.clone()),
                ..base
            };
            open_problems = state
                .store
                .problems(&open, 0, 0)
                .await
                .map_err(|e| f(e.into()))?
                .1;
            overdue_problems = state
                .store
                .problems(&overdue, 0, 0)
                .await
                .map_err(|e| f(e.into()))?
                .1;
        }
        grants.push(ScopeCard {
            region_code: g.region.prefix().to_string(),
            region_name: name,
            role: g.role.key().into(),
            internal,
            open_problems,
            overdue_problems,
        });
    }
    Ok(HomeView {
        page: Page::new(&ctx, &uri),
        grants,
    }
    .into_response())
}

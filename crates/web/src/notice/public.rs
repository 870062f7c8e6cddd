//! The public's pages of notices, without an account: a notice with its objections answered and
//! its postings, the objection form and its receipt, the receipt lookup, the printable A4 copy
//! with a QR code for the village board, and the photos of postings.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{is_access, parse_id, trimmed};
use crate::app::page::{Page, PageResult, fail};
use crate::notice::{ops, view};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use sunledger_store::NoticeRecord;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/public/notices/{id}",
            get(notice_page).post(object_to_notice),
        )
        .route("/public/notices/{id}/print", get(print))
        .route("/public/notices/{id}/postings/{posting}/photo", get(photo))
        .route("/public/receipts", get(receipt_page))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ObjectionForm {
    pub content: String,
    pub name: String,
    pub phone: String,
}

impl ObjectionForm {
    pub fn input(&self) -> ops::ObjectionInput {
        ops::ObjectionInput {
            content: self.content.clone(),
            name: trimmed(&self.name).map(str::to_string),
            phone: trimmed(&self.phone).map(str::to_string),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "notice/public.html")]
struct PublicNotice {
    page: Page,
    r: NoticeRecord,
    fields: Vec<view::FieldView>,
    last_day: Option<String>,
    open: bool,
    /// Answered objections (the public sees answers, not who objected).
    answered: Vec<ops::PublicAnswer>,
    unanswered: usize,
    typed: ObjectionForm,
    error: Option<String>,
    /// The receipt just given.
    receipt: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: ObjectionForm,
    error: Option<WebError>,
    receipt: Option<String>,
) -> PageResult {
    let f = fail(ctx, uri);
    let r = ops::public_record(state, id).await.map_err(&f)?;
    let mut page = Page::new(ctx, uri);
    page.path = format!("/public/notices/{id}");
    let today = sunledger_core::day::today(state.now());
    let status = error.as_ref().map(|e| e.status()).unwrap_or(StatusCode::OK);
    let answered = r
        .objections
        .iter()
        .filter(|o| o.answer.is_some())
        .map(ops::PublicAnswer::from)
        .collect();
    let mut out = PublicNotice {
        fields: view::shown(&page, &r.notice),
        last_day: view::last_day(&r.notice),
        open: view::open_on(&r.notice, today),
        answered,
        unanswered: r.objections.iter().filter(|o| o.answer.is_none()).count(),
        typed,
        error: error.map(|e| e.message(page.lang)),
        receipt,
        r,
        page,
    }
    .into_response();
    *out.status_mut() = status;
    Ok(out)
}

async fn notice_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, ObjectionForm::default(), None, None).await
}

async fn object_to_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(b): Form<ObjectionForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    match ops::object(&state, "notices", id, &b.input()).await {
        Ok(a) => {
            render(
                &state,
                &ctx,
                &uri,
                id,
                ObjectionForm::default(),
                None,
                Some(a.receipt),
            )
            .await
        }
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render(&state, &ctx, &uri, id, b, Some(e), None).await,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ReceiptQuery {
    code: String,
    new: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notice/receipt.html")]
struct ReceiptPage {
    page: Page,
    code: String,
    found: Option<ops::PublicAnswer>,
    /// A code was typed and nothing has it.
    missing: bool,
    /// Just given (after objecting).
    new: bool,
}

async fn receipt_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ReceiptQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let code = q.code.trim().chars().take(40).collect::<String>();
    let found = if code.is_empty() {
        None
    } else {
        match ops::by_receipt(&state, &code).await {
            Ok(a) => Some(a),
            Err(WebError::NotFound) => None,
            Err(e) => return Err(f(e)),
        }
    };
    let missing = !code.is_empty() && found.is_none();
    let mut out = ReceiptPage {
        page: Page::new(&ctx, &uri),
        code,
        found,
        missing,
        new: q.new == "1",
    }
    .into_response();
    if missing {
        *out.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "notice/print.html")]
struct PrintPage {
    page: Page,
    r: NoticeRecord,
    fields: Vec<view::FieldView>,
    last_day: Option<String>,
    url: String,
    /// The QR code of `url`, as SVG markup.
    qr: String,
    printed_on: String,
}

/// The address people reach this server at, from the request (the guard has already checked
/// forwarded headers against the trusted proxies).
pub(crate) fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// An SVG QR code of `text` (empty when it cannot be made).
pub fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(160, 160)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = ops::public_record(&state, id).await.map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let url = format!("{}/public/notices/{id}", origin(&state, &headers));
    Ok(PrintPage {
        fields: view::shown(&page, &r.notice),
        last_day: view::last_day(&r.notice),
        qr: qr_svg(&url),
        url,
        printed_on: sunledger_core::day::today_text(state.now()),
        r,
        page,
    }
    .into_response())
}

async fn photo(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path((raw, posting)): Path<(String, String)>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let pid = parse_id(&f, &posting)?;
    let (ty, bytes) = ops::photo(&state, &ctx, id, pid).await.map_err(&f)?;
    Ok((
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
}

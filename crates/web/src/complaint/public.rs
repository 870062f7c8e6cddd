//! The public's complaint pages, without an account and made for a phone: the form (photos
//! attached), the receipt with its code and PIN, the lookup and the complainant's own steps
//! (the PIN travels in forms, never in an address), the printable acknowledgement and answer
//! letter, and the answered complaints published without anyone's name.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::is_access;
use crate::app::page::{Page, PageResult, fail};
use crate::complaint::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Multipart, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::Level;
use sunledger_core::complaint::{Channel, ComplaintCategory};
use sunledger_store::{ComplaintRecord, NewFile, PublishedComplaint};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/complaints", get(published))
        .route("/public/complaints/new", get(new_form).post(submit))
        .route("/public/complaints/lookup", get(lookup_form).post(lookup))
        .route("/public/complaints/act", post(act))
        .route("/public/complaints/letter", post(letter))
}

/// The villages (and townships, counties) one may complain about, named in full.
pub async fn places(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    let names = state.store.region_names().await?;
    let mut out: Vec<(String, String)> = names
        .keys()
        .filter(|c| c.level() >= Level::County)
        .map(|c| {
            let label = c
                .lineage()
                .iter()
                .filter(|a| a.level() >= Level::County)
                .filter_map(|a| names.get(a).cloned())
                .collect::<Vec<_>>()
                .join(" · ");
            (c.as_str().to_string(), label)
        })
        .collect();
    out.sort();
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint/public_list.html")]
struct PublishedPage {
    page: Page,
    rows: Vec<PublishedComplaint>,
    stats: Vec<ops::Stat>,
}

async fn published(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    let rows = state
        .store
        .published_complaints(None, 100)
        .await
        .map_err(|e| f(e.into()))?;
    let stats = ops::public_stats(&state).await.map_err(&f)?;
    Ok(PublishedPage {
        page: Page::new(&ctx, &uri),
        rows,
        stats,
    }
    .into_response())
}

/// The form as typed (kept when refused).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Typed {
    pub category: String,
    pub region: String,
    pub fund_text: String,
    pub accused_text: String,
    pub accused_level: String,
    pub title: String,
    pub body: String,
    pub anonymous: bool,
    pub name: String,
    pub contact: String,
    pub consent: bool,
}

impl Typed {
    fn input(&self) -> ops::FileInput {
        ops::FileInput {
            category: self.category.clone(),
            region: self.region.clone(),
            project_id: None,
            fund_text: self.fund_text.clone(),
            accused_text: self.accused_text.clone(),
            accused_level: self.accused_level.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
            anonymous: self.anonymous,
            name: self.name.clone(),
            contact: self.contact.clone(),
            consent: self.consent,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint/public_form.html")]
struct FormPage {
    page: Page,
    places: Vec<(String, String)>,
    categories: Vec<&'static str>,
    levels: Vec<&'static str>,
    i: Typed,
    error: Option<String>,
    max_files: usize,
    max_mb: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint/public_receipt.html")]
struct ReceiptPage {
    page: Page,
    filed: ops::Filed,
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    i: Typed,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let mut page = Page::new(ctx, uri);
    page.path = "/public/complaints/new".to_string();
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status());
    let mut out = FormPage {
        places: places(state).await.map_err(&f)?,
        categories: ComplaintCategory::ALL.iter().map(|c| c.key()).collect(),
        levels: vec!["village", "township", "county"],
        i,
        error: error.map(|e| e.message(ctx.lang)),
        max_files: state.config.complaint.max_files,
        max_mb: state.config.complaint.max_file_bytes / (1024 * 1024),
        page,
    }
    .into_response();
    *out.status_mut() = status;
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegionQuery {
    region: String,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<RegionQuery>,
) -> PageResult {
    let i = Typed {
        region: q.region.trim().to_string(),
        ..Typed::default()
    };
    render_form(&state, &ctx, &uri, i, None).await
}

/// Reads the multipart form: its fields and up to the allowed number of files (empty file inputs
/// are skipped). A file over the size limit is refused by name, before anything is booked.
async fn read_form(mut form: Multipart) -> (Typed, Result<Vec<NewFile>, WebError>) {
    let mut t = Typed::default();
    let mut files = Vec::new();
    let mut err = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                err = Some(WebError::invalid("files", "upload_failed", e.body_text()));
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("").to_string();
            match field.bytes().await {
                Ok(b) if b.is_empty() => {}
                Ok(b) => files.push(NewFile {
                    name: file_name,
                    content: b.to_vec(),
                }),
                Err(e) => {
                    err = Some(WebError::invalid("files", "upload_failed", e.body_text()));
                }
            }
            continue;
        }
        let v = field.text().await.unwrap_or_default();
        match name.as_str() {
            "category" => t.category = v,
            "region" => t.region = v,
            "fund_text" => t.fund_text = v,
            "accused_text" => t.accused_text = v,
            "accused_level" => t.accused_level = v,
            "title" => t.title = v,
            "body" => t.body = v,
            "anonymous" => t.anonymous = !v.is_empty(),
            "name" => t.name = v,
            "contact" => t.contact = v,
            "consent" => t.consent = !v.is_empty(),
            _ => {}
        }
    }
    match err {
        Some(e) => (t, Err(e)),
        None => (t, Ok(files)),
    }
}

async fn submit(State(state): State<AppState>, ctx: Ctx, uri: Uri, form: Multipart) -> PageResult {
    let (typed, files) = read_form(form).await;
    let r = match files {
        Ok(files) => ops::file_public(&state, &ctx, &typed.input(), files).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(filed) => Ok(ReceiptPage {
            page: Page::new(&ctx, &uri),
            filed,
        }
        .into_response()),
        Err(e) => render_form(&state, &ctx, &uri, typed, Some(e)).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint/public_lookup.html")]
struct LookupPage {
    page: Page,
    code: String,
    pin: String,
    found: Option<ops::PublicStatus>,
    error: Option<String>,
    done: bool,
    text: String,
}

fn lookup_page(
    ctx: &Ctx,
    uri: &Uri,
    cp: &ops::CodePin,
    found: Result<Option<ops::PublicStatus>, WebError>,
    done: bool,
    text: String,
) -> PageResult {
    let mut page = Page::new(ctx, uri);
    page.path = "/public/complaints/lookup".to_string();
    let (found, error, status) = match found {
        Ok(f) => (f, None, StatusCode::OK),
        // A wrong PIN and an unknown code read the same.
        Err(WebError::NotFound) => (
            None,
            Some(page.t("complaint.public.not_found")),
            StatusCode::NOT_FOUND,
        ),
        Err(e) => {
            let s = e.status();
            (None, Some(e.message(ctx.lang)), s)
        }
    };
    let mut out = LookupPage {
        page,
        code: cp.code.trim().to_string(),
        pin: if found.is_some() {
            cp.pin.trim().to_string()
        } else {
            String::new()
        },
        found,
        error,
        done,
        text,
    }
    .into_response();
    *out.status_mut() = status;
    Ok(out)
}

async fn lookup_form(ctx: Ctx, uri: Uri) -> PageResult {
    lookup_page(
        &ctx,
        &uri,
        &ops::CodePin::default(),
        Ok(None),
        false,
        String::new(),
    )
}

async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(cp): Form<ops::CodePin>,
) -> PageResult {
    let r = ops::lookup(&state, &ctx, &cp).await.map(Some);
    lookup_page(&ctx, &uri, &cp, r, false, String::new())
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(s): Form<ops::ComplainantStep>,
) -> PageResult {
    let cp = ops::CodePin {
        code: s.code.clone(),
        pin: s.pin.clone(),
    };
    match ops::complainant_step(&state, &ctx, &s).await {
        Ok(st) => lookup_page(&ctx, &uri, &cp, Ok(Some(st)), true, String::new()),
        Err(WebError::NotFound) => lookup_page(
            &ctx,
            &uri,
            &cp,
            Err(WebError::NotFound),
            false,
            String::new(),
        ),
        Err(e) if is_access(&e) => Err(fail(&ctx, &uri)(e)),
        Err(e) => {
            // Show the complaint again with the refusal, keeping what was typed.
            let found = ops::lookup(&state, &ctx, &cp).await.ok();
            let mut page = Page::new(&ctx, &uri);
            page.path = "/public/complaints/lookup".to_string();
            let status = e.status();
            let mut out = LookupPage {
                code: cp.code.trim().to_string(),
                pin: cp.pin.trim().to_string(),
                error: Some(e.message(ctx.lang)),
                found,
                done: false,
                text: s.text.clone(),
                page,
            }
            .into_response();
            *out.status_mut() = status;
            Ok(out)
        }
    }
}

/// A printable letter: the acknowledgement of receipt, or the answer.
#[derive(Template, WebTemplate)]
#[template(path = "complaint/letter.html")]
pub struct LetterPage {
    pub page: Page,
    pub r: ComplaintRecord,
    /// ack or answer.
    pub kind: String,
    pub accept_by: String,
    /// The answers given (answer, review, re-review): (action, day, finding, text).
    pub answers: Vec<(String, String, Option<String>, String)>,
    /// For the complainant's own copy: the name line is theirs; the unit's copy is the same.
    pub printed_on: String,
    pub channel_web: bool,
}

/// The letter of `kind` for a record.
pub fn letter_of(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    r: ComplaintRecord,
    kind: &str,
) -> LetterPage {
    let received = sunledger_core::day::number(&r.complaint.received_on).unwrap_or(0);
    let accept_by = sunledger_core::day::format(
        state
            .config
            .calendar
            .add_working_days(received, state.config.complaint.accept_days),
    );
    let answers = r
        .events
        .iter()
        .filter(|e| e.finding.is_some())
        .map(|e| {
            (
                e.action.clone(),
                e.on_date.clone(),
                e.finding.clone(),
                e.text.clone(),
            )
        })
        .collect();
    LetterPage {
        page: Page::new(ctx, uri),
        kind: if kind == "answer" { "answer" } else { "ack" }.to_string(),
        accept_by,
        answers,
        printed_on: sunledger_core::day::today_text(state.now()),
        channel_web: r.complaint.channel == Channel::Web.key(),
        r,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LetterForm {
    code: String,
    pin: String,
    kind: String,
}

async fn letter(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(l): Form<LetterForm>,
) -> PageResult {
    let cp = ops::CodePin {
        code: l.code.clone(),
        pin: l.pin.clone(),
    };
    match ops::own_record(&state, &ctx, &cp).await {
        Ok(r) => Ok(letter_of(&state, &ctx, &uri, r, &l.kind).into_response()),
        Err(e) => lookup_page(&ctx, &uri, &cp, Err(e), false, String::new()),
    }
}

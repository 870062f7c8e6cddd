//! The officials' pages of notices: the workbench (due, overdue, drafts, objections awaiting an
//! answer), the drafting form, and one notice with its steps, objections and postings.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{Names, is_access, parse_id, trimmed};
use crate::app::page::{Page, PageResult, fail};
use crate::notice::{ops, view};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::BTreeMap;
use sunledger_core::access::{NOTICE_WRITERS, POSTING_CONFIRMERS};
use sunledger_core::notice::{self as rules, KINDS};
use sunledger_store::{Notice, NoticeRecord, PublicObjection};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(workbench).post(create))
        .route("/notices/new", get(new_form))
        .route("/notices/{id}", get(notice_page))
        .route("/notices/{id}/fields", post(edit))
        .route("/notices/{id}/actions", post(step))
        .route("/notices/{id}/postings", post(posting))
        .route("/notices/{id}/postings/{posting}/confirm", post(confirm))
        .route("/public-objections/{id}/answer", post(answer))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    region: String,
    done: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notice/workbench.html")]
struct Workbench {
    page: Page,
    dues: ops::Dues,
    /// On-time rate in percent of the dues whose day has come.
    rate: Option<i64>,
    notices: Vec<Notice>,
    awaiting: Vec<PublicObjection>,
    kinds: Vec<&'static str>,
    can_write: bool,
    region: String,
    done: Option<String>,
}

async fn workbench(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let region = trimmed(&q.region);
    let dues = ops::dues(&state, &ctx, region).await.map_err(&f)?;
    let list = ops::list(
        &state,
        &ctx,
        &ops::NoticeQuery {
            region: region.map(str::to_string),
            ..Default::default()
        },
    )
    .await
    .map_err(&f)?;
    let awaiting = ops::awaiting(&state, &ctx, region).await.map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let done = known_done(&q.done).map(|d| page.tp("notice.", d));
    Ok(Workbench {
        rate: (dues.counted > 0).then(|| dues.on_time * 100 / dues.counted),
        dues,
        notices: list.notices,
        awaiting,
        kinds: KINDS.iter().map(|k| k.key).collect(),
        can_write: ctx
            .actor
            .grants
            .iter()
            .any(|g| NOTICE_WRITERS.contains(&g.role)),
        region: region.unwrap_or("").to_string(),
        done,
        page,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "notice/form.html")]
struct FormPage {
    page: Page,
    kind: &'static str,
    region: String,
    region_name: String,
    source: String,
    corrects: String,
    fields: Vec<view::FieldView>,
    error: Option<String>,
    /// Editing draft `id` (else a new draft).
    editing: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    kind: String,
    region: String,
    source: String,
    corrects: String,
}

/// A version's indicators as the lines of a notice's `targets` field: class · kind: name,
/// target (weight, core).
pub(crate) fn targets_lines(page: &Page, rows: &[sunledger_store::ProjectIndicator]) -> String {
    rows.iter()
        .map(|x| {
            format!(
                "{} · {}：{} {}（{} {}{}）",
                page.tp("indicator.class.", &x.class),
                page.tp("indicator.kind.", &x.kind),
                x.name,
                x.target_shown(),
                page.t("project.indicator_weight"),
                x.weight,
                if x.core {
                    format!("，{}", page.t("project.core_mark"))
                } else {
                    String::new()
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Values a new draft starts with: the channels, and what a due or a corrected notice says.
async fn prefill(
    state: &AppState,
    ctx: &Ctx,
    page: &Page,
    q: &NewQuery,
    region_name: &str,
) -> Result<BTreeMap<String, String>, WebError> {
    let mut v = BTreeMap::new();
    v.insert(
        "channels".to_string(),
        page.t("notice.channels_default")
            .replace("{region}", region_name),
    );
    if let Some(c) = trimmed(&q.corrects).and_then(|c| c.parse::<i64>().ok()) {
        let old = ops::visible(state, ctx, c).await?;
        v = old.notice.fields.clone();
        v.insert(
            "title".into(),
            format!(
                "{}{}",
                page.t("notice.correction_prefix"),
                old.notice.title()
            ),
        );
    }
    if let Some(src) = trimmed(&q.source) {
        let scopes = crate::app::ops::scopes(ctx, trimmed(&q.region))?;
        let dues = ops::dues_in(state, &scopes).await?;
        if let Some(d) = dues.dues.iter().find(|d| d.event.source == src) {
            let e = &d.event;
            v.insert(
                "title".into(),
                format!("{}{}", e.label, page.tp("notice.kind.", &e.kind)),
            );
            match e.kind.as_str() {
                "fund_allocation" => {
                    if let Some(a) = e.amount_fen {
                        v.insert("amount".into(), a.to_string());
                    }
                    v.insert("fund_source".into(), e.label.clone());
                    v.insert("using_unit".into(), e.region_name.clone());
                }
                _ => {
                    v.insert("project_name".into(), e.label.clone());
                    v.insert("place".into(), e.region_name.clone());
                }
            }
            // A project plan gives the approved version's performance targets, a line each.
            if e.kind == "project_plan"
                && let Some(id) = src
                    .strip_prefix("project:")
                    .and_then(|x| x.parse::<i64>().ok())
                && let Some(p) = state.store.project(id).await?
            {
                let version = p.approved_version.unwrap_or(p.version);
                let rows = state.store.indicators(id, version).await?;
                v.insert("targets".into(), targets_lines(page, &rows));
            }
        }
    }
    Ok(v)
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let rule =
        rules::kind(if q.kind.is_empty() { "policy" } else { &q.kind }).map_err(|e| f(e.into()))?;
    let page = Page::new(&ctx, &uri);
    let region_name = match trimmed(&q.region) {
        Some(r) => {
            let code = crate::app::ops::parse_region(r).map_err(&f)?;
            Names::new(&state).name(&code).await.map_err(&f)?
        }
        None => String::new(),
    };
    let values = prefill(&state, &ctx, &page, &q, &region_name)
        .await
        .map_err(&f)?;
    Ok(FormPage {
        fields: view::fields(&page, rule, &values, None),
        kind: rule.key,
        region: q.region.clone(),
        region_name,
        source: q.source.clone(),
        corrects: q.corrects.clone(),
        error: None,
        editing: None,
        page,
    }
    .into_response())
}

/// A refused form, shown again with what was typed and the reason.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    pairs: &[(String, String)],
    editing: Option<i64>,
    e: WebError,
) -> PageResult {
    let f = fail(ctx, uri);
    if is_access(&e) {
        return Err(f(e));
    }
    let mut page = Page::new(ctx, uri);
    let kind = view::pair(pairs, "kind");
    let Some(rule) = rules::kind(kind).ok().or(KINDS.first()) else {
        return Err(f(e));
    };
    let region = view::pair(pairs, "region").to_string();
    let region_name = match crate::app::ops::parse_region(&region) {
        Ok(c) => Names::new(state).name(&c).await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    page.path = match editing {
        Some(id) => format!("/notices/{id}"),
        None => "/notices/new".into(),
    };
    let typed = view::typed_fields(pairs);
    let mut out = FormPage {
        fields: view::fields(&page, rule, &BTreeMap::new(), Some(&typed)),
        kind: rule.key,
        region,
        region_name,
        source: view::pair(pairs, "source").to_string(),
        corrects: view::pair(pairs, "corrects").to_string(),
        error: Some(e.message(page.lang)),
        editing,
        page,
    }
    .into_response();
    *out.status_mut() = e.status();
    Ok(out)
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let input = ops::NoticeInput {
        region: view::pair(&pairs, "region").to_string(),
        kind: view::pair(&pairs, "kind").to_string(),
        fields: view::typed_fields(&pairs),
        corrects: trimmed(view::pair(&pairs, "corrects")).and_then(|c| c.parse().ok()),
        source: trimmed(view::pair(&pairs, "source")).map(str::to_string),
    };
    match ops::create(&state, &ctx, &input).await {
        Ok(n) => Ok(Redirect::to(&format!("/notices/{}?done=drafted", n.id)).into_response()),
        Err(e) => refused(&state, &ctx, &uri, &pairs, None, e).await,
    }
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    match ops::edit(&state, &ctx, id, &view::typed_fields(&pairs)).await {
        Ok(_) => Ok(to_notice(id, "drafted")),
        Err(e) => refused(&state, &ctx, &uri, &pairs, Some(id), e).await,
    }
}

/// The notes a redirect may ask for (anything else is ignored).
fn known_done(d: &str) -> Option<&str> {
    const DONE: [&str; 6] = [
        "drafted",
        "published",
        "closed",
        "posting.recorded",
        "posting.confirmed",
        "objection.answered",
    ];
    DONE.iter().copied().find(|k| *k == d.trim())
}

fn to_notice(id: i64, done: &str) -> Response {
    Redirect::to(&format!("/notices/{id}?done={done}")).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "notice/notice.html")]
struct NoticePage {
    page: Page,
    r: NoticeRecord,
    fields: Vec<view::FieldView>,
    /// The edit form (drafts, for writers).
    form: Option<Vec<view::FieldView>>,
    last_day: Option<String>,
    can_write: bool,
    can_confirm: bool,
    /// The caller drafted it: someone else publishes.
    own_draft: bool,
    can_close: bool,
    done: Option<String>,
    error: Option<String>,
    today: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    done: Option<&str>,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let r = ops::visible(state, ctx, id).await.map_err(&f)?;
    let mut page = Page::new(ctx, uri);
    page.path = format!("/notices/{id}");
    let region = r.notice.region;
    let can_write = ctx.actor.has_role(NOTICE_WRITERS, &region);
    let today = sunledger_core::day::today(state.now());
    let rule = rules::kind(&r.notice.kind).map_err(|e| f(e.into()))?;
    let form = (can_write && r.notice.state == "draft")
        .then(|| view::fields(&page, rule, &r.notice.fields, None));
    let can_close = can_write
        && r.notice.state == "published"
        && r.notice.window().is_some_and(|w| today > w.last_day());
    let status = error.as_ref().map(|e| e.status()).unwrap_or(StatusCode::OK);
    let mut out = NoticePage {
        fields: view::shown(&page, &r.notice),
        form,
        last_day: view::last_day(&r.notice),
        can_write,
        can_confirm: ctx.actor.has_role(POSTING_CONFIRMERS, &region),
        own_draft: r.notice.drafted_by.is_some() && r.notice.drafted_by == ctx.actor.user_id,
        can_close,
        done: done.map(|d| page.tp("notice.", d)),
        error: error.map(|e| e.message(page.lang)),
        today: sunledger_core::day::format(today),
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
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, known_done(&q.done), None).await
}

/// After a step: the notice with what was done, or with why not.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    done: &str,
    r: Result<(), WebError>,
) -> PageResult {
    match r {
        Ok(()) => Ok(to_notice(id, done)),
        Err(e) if is_access(&e) => Err(fail(ctx, uri)(e)),
        Err(e) => render(state, ctx, uri, id, None, Some(e)).await,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    action: String,
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(b): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = ops::step(&state, &ctx, id, &b.action).await.map(|_| ());
    let done = if b.action == "close" {
        "closed"
    } else {
        "published"
    };
    after(&state, &ctx, &uri, id, done, r).await
}

async fn posting(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    mut form: Multipart,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let mut text: BTreeMap<String, String> = BTreeMap::new();
    let mut photo = Vec::new();
    let r = async {
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|_| WebError::invalid("photo", "not_an_image", ""))?
        {
            let name = field.name().unwrap_or("").to_string();
            if name == "photo" {
                photo = field
                    .bytes()
                    .await
                    .map_err(|_| WebError::invalid("photo", "too_large", ""))?
                    .to_vec();
            } else {
                text.insert(name, field.text().await.unwrap_or_default());
            }
        }
        let get = |k: &str| text.get(k).map(String::as_str).unwrap_or("");
        ops::record_posting(
            &state,
            &ctx,
            id,
            get("place"),
            get("posted_on"),
            get("posted_by"),
            std::mem::take(&mut photo),
        )
        .await
        .map(|_| ())
    }
    .await;
    after(&state, &ctx, &uri, id, "posting.recorded", r).await
}

async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path((raw, posting)): Path<(String, String)>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let pid = parse_id(&f, &posting)?;
    let r = ops::confirm_posting(&state, &ctx, id, pid)
        .await
        .map(|_| ());
    after(&state, &ctx, &uri, id, "posting.confirmed", r).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(b): Form<AnswerForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let subject = state
        .store
        .public_objection(id)
        .await
        .map_err(|e| f(e.into()))?
        .filter(|o| o.subject_table == "notices")
        .map(|o| o.subject_id);
    match (ops::answer(&state, &ctx, id, &b.answer).await, subject) {
        (Ok(_), Some(n)) => Ok(to_notice(n, "objection.answered")),
        (Ok(_), None) => Ok(Redirect::to("/notices?done=objection.answered").into_response()),
        (Err(e), Some(n)) if !is_access(&e) => render(&state, &ctx, &uri, n, None, Some(e)).await,
        (Err(e), _) => Err(f(e)),
    }
}

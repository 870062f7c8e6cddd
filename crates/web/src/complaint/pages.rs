//! The handling unit's complaint pages: the queue by deadline (with the statistics by county and
//! category), intake of calls, letters and visits, a complaint's page with every step as a plain
//! form, its files, and the printable acknowledgement and answer letter.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{is_access, parse_id, region_filter};
use crate::app::page::{Page, PageResult, fail};
use crate::complaint::{ops, public};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::complaint::{
    Channel, ComplaintAction, ComplaintCategory, ComplaintState, Finding,
};
use sunledger_store::ComplaintRecord;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list))
        .route("/complaints/new", get(new_form).post(take))
        .route("/complaints/{id}", get(complaint_page))
        .route("/complaints/{id}/steps", post(step))
        .route("/complaints/{id}/letter", get(letter))
        .route("/complaints/{id}/files/{position}", get(file))
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<ops::QueueRow>,
    stats: Vec<ops::Stat>,
    query_string: String,
    region: crate::app::forms::RegionFilter,
    q: ops::ComplaintQuery,
    states: Vec<&'static str>,
    categories: Vec<&'static str>,
    channels: Vec<&'static str>,
    timings: Vec<&'static str>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::ComplaintQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let mut q = q;
    let region = region_filter(&state, &ctx, &mut q.region)
        .await
        .map_err(&f)?;
    let rows = if region.error.is_some() {
        Vec::new()
    } else {
        ops::queue(&state, &ctx, &q).await.map_err(&f)?
    };
    let stats = ops::stats(&state, &rows).await.map_err(&f)?;
    Ok(ListPage {
        page: Page::new(&ctx, &uri),
        rows,
        stats,
        query_string: uri.query().unwrap_or("").to_string(),
        region,
        q,
        states: ComplaintState::ALL.iter().map(|s| s.key()).collect(),
        categories: ComplaintCategory::ALL.iter().map(|s| s.key()).collect(),
        channels: Channel::ALL.iter().map(|s| s.key()).collect(),
        timings: vec!["overdue", "at_risk", "on_time", "paused"],
    }
    .into_response())
}

/// The intake form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct IntakeForm {
    channel: String,
    received_on: String,
    category: String,
    region: String,
    fund_text: String,
    accused_text: String,
    accused_level: String,
    title: String,
    body: String,
    anonymous: Option<String>,
    name: String,
    contact: String,
    consent: Option<String>,
}

impl IntakeForm {
    fn input(&self) -> ops::IntakeInput {
        ops::IntakeInput {
            complaint: ops::FileInput {
                category: self.category.clone(),
                region: self.region.clone(),
                project_id: None,
                fund_text: self.fund_text.clone(),
                accused_text: self.accused_text.clone(),
                accused_level: self.accused_level.clone(),
                title: self.title.clone(),
                body: self.body.clone(),
                anonymous: self.anonymous.is_some(),
                name: self.name.clone(),
                contact: self.contact.clone(),
                consent: self.consent.is_some(),
            },
            channel: self.channel.clone(),
            received_on: self.received_on.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint/intake.html")]
struct IntakePage {
    page: Page,
    places: Vec<(String, String)>,
    categories: Vec<&'static str>,
    channels: Vec<&'static str>,
    levels: Vec<&'static str>,
    i: IntakeForm,
    error: Option<String>,
    filed: Option<ops::Filed>,
}

async fn render_intake(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    i: IntakeForm,
    error: Option<WebError>,
    filed: Option<ops::Filed>,
) -> PageResult {
    let f = fail(ctx, uri);
    ctx.require_user().map_err(&f)?;
    let scopes = ops::handler_scopes(ctx);
    let places = public::places(state)
        .await
        .map_err(&f)?
        .into_iter()
        .filter(|(c, _)| {
            sunledger_core::RegionCode::parse(c)
                .is_ok_and(|r| scopes.iter().any(|s| r.is_within(s)))
        })
        .collect();
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, |e| e.status());
    let mut page = Page::new(ctx, uri);
    page.path = "/complaints/new".to_string();
    let mut out = IntakePage {
        page,
        places,
        categories: ComplaintCategory::ALL.iter().map(|c| c.key()).collect(),
        channels: Channel::ALL
            .iter()
            .filter(|c| **c != Channel::Web)
            .map(|c| c.key())
            .collect(),
        levels: vec!["village", "township", "county"],
        i,
        error: error.map(|e| e.message(ctx.lang)),
        filed,
    }
    .into_response();
    *out.status_mut() = status;
    Ok(out)
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    render_intake(&state, &ctx, &uri, IntakeForm::default(), None, None).await
}

async fn take(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(i): Form<IntakeForm>,
) -> PageResult {
    match ops::intake(&state, &ctx, &i.input()).await {
        Ok(filed) => {
            render_intake(&state, &ctx, &uri, IntakeForm::default(), None, Some(filed)).await
        }
        Err(e) if is_access(&e) => Err(fail(&ctx, &uri)(e)),
        Err(e) => render_intake(&state, &ctx, &uri, i, Some(e), None).await,
    }
}

/// A step form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    action: String,
    text: String,
    finding: String,
    transfer_to: String,
    merge_into: String,
    department_id: String,
    /// Publication.
    basis: String,
    reason: String,
    found: String,
    done: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint/complaint.html")]
struct ComplaintPage {
    page: Page,
    r: ComplaintRecord,
    stage: Option<String>,
    due_on: Option<String>,
    days_left: Option<i64>,
    timing: Option<String>,
    /// The steps the state allows now (the complainant's recorded on their behalf included).
    actions: Vec<&'static str>,
    findings: Vec<&'static str>,
    can_publish: bool,
    can_escalate: bool,
    typed: StepForm,
    error: Option<String>,
    done: bool,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: StepForm,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let r = ops::visible(state, ctx, id).await.map_err(&f)?;
    let today = sunledger_core::day::today(state.now());
    let clock = ops::clock_of(state, &r.complaint, today);
    let st = ComplaintState::parse(&r.complaint.state).ok();
    let actions = ComplaintAction::ALL
        .iter()
        .filter(|a| **a != ComplaintAction::Escalate)
        .filter(|a| st.is_some_and(|s| s.next(**a).is_ok()))
        .map(|a| a.key())
        .collect();
    let overdue = clock.is_some_and(|k| k.0.is_units() && k.1.key() == "overdue");
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, |e| e.status());
    let mut out = ComplaintPage {
        page: Page::new(ctx, uri),
        stage: clock.map(|k| k.0.stage.key().to_string()),
        due_on: clock.map(|k| sunledger_core::day::format(k.0.due)),
        days_left: clock.map(|k| k.0.left(&state.config.calendar, today)),
        timing: clock
            .filter(|k| k.0.is_units())
            .map(|k| k.1.key().to_string()),
        actions,
        findings: Finding::ALL.iter().map(|x| x.key()).collect(),
        can_publish: r.complaint.finding.is_some() && !r.complaint.published,
        can_escalate: overdue,
        typed,
        error: error.map(|e| e.message(ctx.lang)),
        done: uri.query().is_some_and(|q| q.contains("done=1")),
        r,
    }
    .into_response();
    *out.status_mut() = status;
    Ok(out)
}

async fn complaint_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, StepForm::default(), None).await
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

async fn take_step(state: &AppState, ctx: &Ctx, id: i64, x: &StepForm) -> Result<(), WebError> {
    if x.action == "publish" {
        let i = ops::PublishInput {
            basis: x.basis.clone(),
            reason: x.reason.clone(),
            found: x.found.clone(),
            done: x.done.clone(),
        };
        ops::publish(state, ctx, id, &i).await?;
        return Ok(());
    }
    let num = |field: &'static str, s: &str| -> Result<Option<i64>, WebError> {
        opt(s)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| WebError::invalid(field, "malformed", v.clone()))
            })
            .transpose()
    };
    let i = ops::StepInput {
        action: x.action.clone(),
        text: x.text.clone(),
        finding: opt(&x.finding),
        transfer_to: opt(&x.transfer_to),
        merge_into: num("merge_into", &x.merge_into)?,
        department_id: num("department_id", &x.department_id)?,
    };
    ops::step(state, ctx, id, &i).await?;
    Ok(())
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    match take_step(&state, &ctx, id, &x).await {
        Ok(()) => Ok(Redirect::to(&format!("/complaints/{id}?done=1")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render(&state, &ctx, &uri, id, x, Some(e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LetterQuery {
    kind: String,
}

async fn letter(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Query(q): Query<LetterQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = ops::visible(&state, &ctx, id).await.map_err(&f)?;
    Ok(public::letter_of(&state, &ctx, &uri, r, &q.kind).into_response())
}

async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path((raw, position)): Path<(String, String)>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let pos = parse_id(&f, &position)?;
    ops::visible(&state, &ctx, id).await.map_err(&f)?;
    let (_, mime, bytes) = state
        .store
        .complaint_file(id, pos)
        .await
        .map_err(|e| f(e.into()))?
        .ok_or_else(|| f(WebError::NotFound))?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

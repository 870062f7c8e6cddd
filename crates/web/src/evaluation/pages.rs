//! Evaluations' pages: the list (with the overdue), one evaluation with its indicators, what the
//! system knows of them, the recording form and the review.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{is_access, parse_id};
use crate::app::page::{Page, PageResult, Pager, fail};
use crate::evaluation::ops;
use crate::i18n::{Lang, t};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use sunledger_core::acceptance::Band;
use sunledger_core::evaluation::{Basis, EvaluationState, basis, points_text};
use sunledger_core::project::hundredths;
use sunledger_store::{Evaluation, EvaluationRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/evaluations", get(list))
        .route("/evaluations/{id}", get(evaluation_page))
        .route("/evaluations/{id}/steps", post(step))
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Evaluation>,
    pager: Pager,
    q: ops::EvaluationQuery,
    query_string: String,
    states: Vec<&'static str>,
    bands: Vec<&'static str>,
    today: String,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::EvaluationQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let l = ops::list(&state, &ctx, &q).await.map_err(&f)?;
    let query_string = uri.query().unwrap_or("").to_string();
    Ok(ListPage {
        page: Page::new(&ctx, &uri),
        pager: Pager::new("/evaluations", &query_string, l.page, ops::PAGE, l.total),
        rows: l.evaluations,
        q,
        query_string,
        states: EvaluationState::ALL.iter().map(|s| s.key()).collect(),
        bands: Band::ALL.iter().map(|b| b.key()).collect(),
        today: l.today,
    }
    .into_response())
}

/// The form as typed (kept when refused): `actual_N`, `evidence_N`, `reason_N` per indicator.
#[derive(Debug, Clone, Default)]
struct StepForm {
    step: String,
    comment: String,
    summary: String,
    actual: Vec<String>,
    evidence: Vec<String>,
    reason: Vec<String>,
}

impl StepForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> StepForm {
        let mut x = StepForm::default();
        let set = |list: &mut Vec<String>, n: &str, v: String| {
            if let Ok(n) = n.parse::<usize>()
                && n < sunledger_core::acceptance::MAX_INDICATORS
            {
                if list.len() <= n {
                    list.resize(n + 1, String::new());
                }
                if let Some(slot) = list.get_mut(n) {
                    *slot = v;
                }
            }
        };
        for (k, v) in pairs {
            match k.split_once('_') {
                Some(("actual", n)) => set(&mut x.actual, n, v),
                Some(("evidence", n)) => set(&mut x.evidence, n, v),
                Some(("reason", n)) => set(&mut x.reason, n, v),
                _ => match k.as_str() {
                    "step" => x.step = v,
                    "comment" => x.comment = v,
                    "summary" => x.summary = v,
                    _ => {}
                },
            }
        }
        x
    }
    fn at(list: &[String], n: usize) -> String {
        list.get(n).cloned().unwrap_or_default()
    }
}

/// One indicator as the page shows it.
struct Row {
    n: usize,
    class: String,
    kind: String,
    name: String,
    target: String,
    weight: i64,
    core: bool,
    /// What the system knows: the value and from what (empty: it does not know it).
    system: String,
    typed_actual: String,
    typed_evidence: String,
    typed_reason: String,
    /// The latest recording's value of it: (value, source, basis, reason, points, met).
    latest: Option<(String, String, String, String, String, bool)>,
}

/// A system value's basis in words.
fn basis_text(lang: Lang, s: &str) -> String {
    match basis(s) {
        Some(Basis::Days(a, b)) => format!("{} {a} → {b}", t(lang, "evaluation.basis.days")),
        Some(Basis::Paid(fen)) => format!(
            "{} ¥{}",
            t(lang, "evaluation.basis.paid"),
            sunledger_core::money::Money::from_fen(fen)
        ),
        Some(Basis::Households(n)) => {
            format!("{} {n}", t(lang, "evaluation.basis.households"))
        }
        None => s.to_string(),
    }
}

fn unit_value(v: i64, unit: &str) -> String {
    if unit == "%" {
        format!("{}%", hundredths(v))
    } else {
        format!("{} {unit}", hundredths(v))
    }
}

fn rows(lang: Lang, r: &EvaluationRecord, typed: &StepForm) -> Vec<Row> {
    let latest = r.latest();
    r.indicators
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let system = r
                .known_of(i.position)
                .map(|k| {
                    format!(
                        "{}（{}）",
                        unit_value(k.actual, &i.unit),
                        basis_text(lang, &k.basis)
                    )
                })
                .unwrap_or_default();
            let latest = latest
                .and_then(|l| l.values.iter().find(|v| v.position == i.position))
                .map(|v| {
                    let basis = if v.source == "system" {
                        basis_text(lang, &v.basis)
                    } else {
                        v.basis.clone()
                    };
                    (
                        unit_value(v.actual, &i.unit),
                        v.source.clone(),
                        basis,
                        v.reason.clone(),
                        points_text(v.points),
                        v.met,
                    )
                });
            Row {
                n,
                class: i.class.clone(),
                kind: i.kind.clone(),
                name: i.name.clone(),
                target: i.target_shown(),
                weight: i.weight,
                core: i.core,
                system,
                typed_actual: StepForm::at(&typed.actual, n),
                typed_evidence: StepForm::at(&typed.evidence, n),
                typed_reason: StepForm::at(&typed.reason, n),
                latest,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/evaluation.html")]
struct EvaluationPage {
    page: Page,
    e: Evaluation,
    r: EvaluationRecord,
    rows: Vec<Row>,
    /// The steps this reader may take now.
    steps: Vec<&'static str>,
    typed: StepForm,
    error: Option<String>,
    done: bool,
    overdue: bool,
    total: String,
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
    let e = r.evaluation.clone();
    let has = |roles: &[sunledger_core::Role]| ctx.actor.has_role(roles, &e.region);
    let st = EvaluationState::parse(&e.state).map_err(|x| f(x.into()))?;
    let mut steps = Vec::new();
    if st != EvaluationState::Reviewed && has(ops::RECORDERS) {
        steps.push("record");
    }
    if st == EvaluationState::Recorded && has(ops::REVIEWERS) {
        steps.push("review");
        steps.push("return");
    }
    let today = sunledger_core::day::format(sunledger_core::day::today(state.now()));
    let mut typed = typed;
    if typed.summary.is_empty()
        && let Some(l) = r.latest()
    {
        typed.summary = l.summary.clone();
    }
    Ok(EvaluationPage {
        page: Page::new(ctx, uri),
        rows: rows(ctx.lang, &r, &typed),
        overdue: st != EvaluationState::Reviewed && e.due_on.as_str() < today.as_str(),
        total: e.total.map(points_text).unwrap_or_default(),
        e,
        r,
        steps,
        typed,
        error: error.map(|x| x.message(ctx.lang)),
        done: uri.query().is_some_and(|q| q.contains("done=1")),
    }
    .into_response())
}

async fn evaluation_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, StepForm::default(), None).await
}

async fn take(state: &AppState, ctx: &Ctx, id: i64, x: &StepForm) -> Result<(), WebError> {
    match x.step.as_str() {
        "record" => {
            let r = ops::visible(state, ctx, id).await?;
            let values = (0..r.indicators.len())
                .map(|n| ops::ValueInput {
                    actual: Some(StepForm::at(&x.actual, n)),
                    evidence: StepForm::at(&x.evidence, n),
                    reason: StepForm::at(&x.reason, n),
                })
                .collect();
            let i = ops::RecordInput {
                values,
                summary: x.summary.clone(),
            };
            ops::record(state, ctx, id, &i).await?;
        }
        "review" | "return" => {
            let i = ops::CommentInput {
                comment: x.comment.clone(),
            };
            if x.step == "review" {
                ops::review(state, ctx, id, &i).await?;
            } else {
                ops::send_back(state, ctx, id, &i).await?;
            }
        }
        other => {
            return Err(WebError::invalid(
                "step",
                "unknown_evaluation_action",
                other,
            ));
        }
    }
    Ok(())
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let x = StepForm::from_pairs(pairs);
    match take(&state, &ctx, id, &x).await {
        Ok(()) => Ok(Redirect::to(&format!("/evaluations/{id}?done=1")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render(&state, &ctx, &uri, id, x, Some(e)).await,
    }
}

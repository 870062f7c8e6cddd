//! The household appraisal's pages: the rounds (with the form that opens one), a round with
//! each applicant's path and the forms of the steps it is ready for (what blocks the next one in
//! words), and the cross-check lists. ID numbers are masked everywhere.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{is_access, parse_id};
use crate::app::page::{Page, PageResult, fail};
use crate::appraisal::export::masked;
use crate::appraisal::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use sunledger_core::appraisal::RoundAction;
use sunledger_store::{CrosscheckList, Round, RoundRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appraisals", get(list).post(open))
        .route("/appraisals/lists", get(lists))
        .route("/appraisals/{id}", get(round_page))
        .route("/appraisals/{id}/act", post(act))
}

/// The forms as typed (kept when refused).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct Typed {
    op: String,
    village: String,
    year: String,
    kind: String,
    notice_days: String,
    action: String,
    document: String,
    comment: String,
    household_id: String,
    reason: String,
    income_evidence: String,
    hit_id: String,
    decision: String,
    applicant_id: String,
    item_id: String,
    level: String,
    seed: String,
    passed: String,
    note: String,
    objection_id: String,
    answer: String,
    remove_applicant: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisal/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Round>,
    typed: Typed,
    error: Option<String>,
    can_open: bool,
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    typed: Typed,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let rows = ops::list(state, ctx, &ops::RoundQuery::default())
        .await
        .map_err(&f)?;
    let can_open = ctx
        .actor
        .scopes(sunledger_core::Permission::ViewInternal)
        .iter()
        .any(|s| ctx.actor.has_role(ops::VILLAGE, s));
    Ok(ListPage {
        page: Page::new(ctx, uri),
        rows,
        typed,
        error: error.map(|e| e.message(ctx.lang)),
        can_open,
    }
    .into_response())
}

async fn list(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    render_list(&state, &ctx, &uri, Typed::default(), None).await
}

async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<Typed>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let i = ops::OpenInput {
        village: x.village.clone(),
        year: x.year.clone(),
        kind: x.kind.clone(),
        notice_days: Some(x.notice_days.clone()),
    };
    match ops::open(&state, &ctx, &i).await {
        Ok(r) => Ok(Redirect::to(&format!("/appraisals/{}?done=1", r.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render_list(&state, &ctx, &uri, x, Some(e)).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisal/lists.html")]
struct ListsPage {
    page: Page,
    rows: Vec<CrosscheckList>,
}

async fn lists(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    let rows = ops::lists(&state, &ctx, &ops::RoundQuery::default())
        .await
        .map_err(&f)?;
    Ok(ListsPage {
        page: Page::new(&ctx, &uri),
        rows,
    }
    .into_response())
}

/// A hit: (id, list kind, relation, of_name, matched by, decision, reason).
type HitRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// One applicant as the page shows it.
struct Row {
    id: i64,
    head_name: String,
    id_masked: String,
    reason: String,
    income_evidence: String,
    applied_on: String,
    /// (hit id, list kind, relation, of_name, matched by, decision, reason).
    hits: Vec<HitRow>,
    vote: Option<String>,
    removed: Option<String>,
    /// (level, passed, note) of its checks.
    checks: Vec<(String, bool, String)>,
    /// Drawn in the current sample and not yet checked.
    to_check: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisal/round.html")]
struct RoundPage {
    page: Page,
    r: Round,
    rows: Vec<Row>,
    rec: RoundRecord,
    /// What blocks the next step, in words.
    blocks: Vec<String>,
    next: Option<&'static str>,
    can_next: bool,
    can_return: bool,
    village_hand: bool,
    /// The sample level the round is at, when this reader draws and checks it.
    level: Option<&'static str>,
    /// Decision items of the village's representatives' meetings: (id, label).
    items: Vec<(i64, String)>,
    /// Households of the village that may apply: (id, label).
    households: Vec<(i64, String)>,
    typed: Typed,
    error: Option<String>,
    done: bool,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: Typed,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let rec = ops::visible(state, ctx, id).await.map_err(&f)?;
    let r = rec.round.clone();
    let lang = ctx.lang;
    let has = |roles: &[sunledger_core::Role]| ctx.actor.has_role(roles, &r.region);
    let blocks = ops::blocks(&rec)
        .into_iter()
        .map(|(k, v)| {
            crate::i18n::t(lang, k)
                .replace("{n}", &v)
                .replace("{day}", &v)
        })
        .collect();
    let next = ops::next_action(&r.state);
    let level = match r.state.as_str() {
        "first_notice" if has(ops::TOWNSHIP) => Some("township"),
        "second_notice" if has(ops::COUNTY) => Some("county"),
        _ => None,
    };
    let since = rec.steps.last().map(|s| s.at).unwrap_or(0);
    let current = rec
        .samples
        .iter()
        .rev()
        .find(|s| Some(s.level.as_str()) == level && s.at >= since);
    let rows = rec
        .applicants
        .iter()
        .map(|a| Row {
            id: a.id,
            head_name: a.head_name.clone(),
            id_masked: masked(&a.id_number),
            reason: a.reason.clone(),
            income_evidence: a.income_evidence.clone(),
            applied_on: a.applied_on.clone(),
            hits: rec
                .hits
                .iter()
                .filter(|h| h.applicant_id == a.id)
                .map(|h| {
                    (
                        h.id,
                        h.kind.clone(),
                        h.entry.relation.clone(),
                        h.entry.of_name.clone(),
                        h.matched_by.clone(),
                        h.decision.clone(),
                        h.decision_reason.clone(),
                    )
                })
                .collect(),
            vote: a.vote.clone(),
            removed: a.removed_reason.clone(),
            checks: rec
                .checks
                .iter()
                .filter(|c| c.applicant_id == a.id)
                .map(|c| {
                    let level = rec
                        .samples
                        .iter()
                        .find(|s| s.id == c.sample_id)
                        .map(|s| s.level.clone())
                        .unwrap_or_default();
                    (level, c.passed, c.note.clone())
                })
                .collect(),
            to_check: a.removed_on.is_none()
                && current.is_some_and(|s| {
                    s.sample.split(',').any(|x| x == a.id.to_string())
                        && !rec
                            .checks
                            .iter()
                            .any(|c| c.sample_id == s.id && c.applicant_id == a.id)
                }),
        })
        .collect();
    let village_hand = has(ops::VILLAGE);
    let mut items = Vec::new();
    if r.state == "cross_checking" && village_hand {
        let (meetings, _) = state
            .store
            .meetings(std::slice::from_ref(&r.region), 50, 0)
            .await
            .map_err(|e| f(e.into()))?;
        for m in meetings.iter().filter(|m| m.kind == "representatives") {
            if let Some(mr) = state.store.meeting(m.id).await.map_err(|e| f(e.into()))? {
                for i in mr.items.iter().filter(|i| i.decision) {
                    let outcome = i
                        .outcome
                        .as_deref()
                        .map(|o| crate::i18n::t(lang, &format!("appraisal.outcome.{o}")))
                        .unwrap_or_default();
                    items.push((i.id, format!("{} · {} · {}", m.title, i.title, outcome)));
                }
            }
        }
    }
    let mut households = Vec::new();
    if r.state == "open" && village_hand {
        let want_poor = r.kind == "exit";
        for h in state
            .store
            .households_in(&r.region)
            .await
            .map_err(|e| f(e.into()))?
        {
            if h.poor == want_poor && !rec.applicants.iter().any(|a| a.household_id == h.id) {
                households.push((h.id, format!("{} {}", h.head_name, masked(&h.id_number))));
            }
        }
    }
    Ok(RoundPage {
        page: Page::new(ctx, uri),
        can_next: next.is_some_and(|a| has(ops::roles_of(a))),
        can_return: matches!(
            r.state.as_str(),
            "first_notice" | "township_reviewed" | "second_notice" | "county_checked"
        ) && has(ops::roles_of(RoundAction::Return)),
        next: next.map(|a| a.key()),
        r,
        rows,
        rec,
        blocks,
        village_hand,
        level,
        items,
        households,
        typed,
        error: error.map(|e| e.message(lang)),
        done: uri.query().is_some_and(|q| q.contains("done=1")),
    }
    .into_response())
}

async fn round_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, Typed::default(), None).await
}

fn num(field: &str, s: &str) -> Result<i64, WebError> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| WebError::invalid(field, "unknown_reference", s))
}

async fn take(state: &AppState, ctx: &Ctx, id: i64, x: &Typed) -> Result<(), WebError> {
    match x.op.as_str() {
        "apply" => {
            let i = ops::ApplyInput {
                household_id: x.household_id.clone(),
                reason: x.reason.clone(),
                income_evidence: x.income_evidence.clone(),
            };
            ops::apply(state, ctx, id, &i).await?;
        }
        "step" => {
            let i = ops::StepBody {
                action: x.action.clone(),
                document: x.document.clone(),
                comment: x.comment.clone(),
            };
            ops::step(state, ctx, id, &i).await?;
        }
        "decide" => {
            let i = ops::DecideInput {
                decision: x.decision.clone(),
                reason: x.reason.clone(),
            };
            ops::decide(state, ctx, id, num("hit_id", &x.hit_id)?, &i).await?;
        }
        "vote" => {
            let i = ops::VoteInput {
                item_id: x.item_id.clone(),
            };
            ops::vote(state, ctx, id, num("applicant_id", &x.applicant_id)?, &i).await?;
        }
        "draw" => {
            let i = ops::SampleInput {
                level: x.level.clone(),
                seed: x.seed.clone(),
            };
            ops::draw(state, ctx, id, &i).await?;
        }
        "check" => {
            let i = ops::CheckInput {
                applicant_id: x.applicant_id.clone(),
                passed: x.passed == "1",
                note: x.note.clone(),
            };
            ops::check(state, ctx, id, &i).await?;
        }
        "answer" => {
            let i = ops::AnswerInput {
                answer: x.answer.clone(),
                remove_applicant: Some(x.remove_applicant.clone()),
            };
            ops::answer(state, ctx, id, num("objection_id", &x.objection_id)?, &i).await?;
        }
        other => return Err(WebError::invalid("op", "unknown_round_action", other)),
    }
    Ok(())
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<Typed>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    match take(&state, &ctx, id, &x).await {
        Ok(()) => Ok(Redirect::to(&format!("/appraisals/{id}?done=1")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render(&state, &ctx, &uri, id, x, Some(e)).await,
    }
}

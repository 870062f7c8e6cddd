//! The page of one problem, its lifecycle and the actions posted from it.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{Names, is_access, parse_id, to_problem, trimmed, user_name};
use crate::app::page::{Page, PageResult, fail};
use crate::problem::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use sunledger_core::access as sv;
use sunledger_core::escalation::Step;
use sunledger_core::problem::{ProblemAction, ProblemCategory, ProblemState};
use sunledger_core::{DepartmentKind, RegionCode, Role};
use sunledger_store::{Escalation, Problem};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems/{id}", get(problem_page))
        .route("/problems/{id}/actions", post(problem_action))
}

// --- Book 3: one problem ----------------------------------------------------------------------

/// The escalation form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct EscalationForm {
    pub(crate) step: String,
    pub(crate) document_no: String,
    pub(crate) issuing_unit: String,
    pub(crate) content: String,
    pub(crate) attendees: String,
    pub(crate) new_deadline: String,
    pub(crate) responsible_person: String,
    pub(crate) deduction_points: String,
    pub(crate) proposal_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ActionForm {
    action: String,
    text: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TextForm {
    pub(crate) reason: String,
    pub(crate) outcome: String,
}

/// What a refused form sent, to show again with the reason.
#[derive(Default)]
pub(crate) struct Kept {
    pub(crate) error: Option<WebError>,
    pub(crate) action: Option<ActionForm>,
    pub(crate) escalation: Option<EscalationForm>,
    /// (escalation id, outcome typed)
    pub(crate) outcome: Option<(i64, String)>,
    /// (proposal id, reason typed)
    pub(crate) dismiss: Option<(i64, String)>,
}

pub(crate) struct Event {
    at: i64,
    what: String,
    detail: String,
    who: String,
}

pub(crate) struct StepRow {
    e: Escalation,
    can_outcome: bool,
    outcome_typed: String,
}

pub(crate) struct ProposalRow {
    id: i64,
    /// `confirmed` or `dismissed` once decided.
    decision: Option<String>,
    reason: String,
    step: String,
    proposed_on: String,
    can_decide: bool,
    reason_typed: String,
    /// What taking the step would cost the county's assessment total this year (issue 21), as
    /// points; for an informed criticism, per point it deducts.
    cost: Option<String>,
}

/// A lifecycle button: the action, and the label of its text field when it needs one.
struct ActionButton {
    key: &'static str,
    text_label: Option<String>,
    text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "problem/problem.html")]
struct ProblemPage {
    page: Page,
    p: Problem,
    place: String,
    overdue_days: i64,
    actions: Vec<ActionButton>,
    steps: Vec<&'static str>,
    esc: EscalationForm,
    /// The step of a proposal being confirmed.
    confirming: Option<String>,
    escalations: Vec<StepRow>,
    proposals: Vec<ProposalRow>,
    /// Steps the rules make due today, and whether the caller may take each.
    due: Vec<(String, bool)>,
    events: Vec<Event>,
    inspection: Option<(i64, String)>,
    review_of: Option<(i64, String)>,
    /// The complaint whose answer or escalation opened it (its id and receipt code).
    complaint: Option<(i64, String)>,
    can_record: bool,
    today: String,
    error: Option<String>,
    /// The caller submitted the rectification now awaiting verification: someone else verifies.
    awaits_other: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ProblemPageQuery {
    /// Confirm this proposal: the escalation form comes prefilled with its step.
    proposal: String,
    /// Preselect this step in the escalation form.
    step: String,
}

/// The unit an inspector of `region` issues documents as: their own department, by role.
async fn issuing_unit(state: &AppState, ctx: &Ctx, region: &RegionCode) -> String {
    for g in &ctx.actor.grants {
        if !g.covers(region) {
            continue;
        }
        let kind = match g.role {
            Role::Discipline => DepartmentKind::DisciplineCommission,
            Role::PovertyBureau | Role::MunicipalBureau => DepartmentKind::PovertyBureau,
            Role::Finance => DepartmentKind::FinanceBureau,
            _ => continue,
        };
        if let Ok(ds) = state.store.departments_in(&g.region).await
            && let Some(d) = ds.into_iter().find(|d| d.kind == kind.key())
        {
            return d.name;
        }
    }
    String::new()
}

pub(crate) async fn render_problem(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    q: ProblemPageQuery,
    kept: Kept,
) -> PageResult {
    let f = fail(ctx, uri);
    ctx.require_user().map_err(&f)?;
    let v = ops::view(state, ctx, id).await.map_err(&f)?;
    let mut page = Page::new(ctx, uri);
    page.path = format!("/problems/{id}");
    let status = kept
        .error
        .as_ref()
        .map(|e| e.status())
        .unwrap_or(StatusCode::OK);
    let error = kept.error.as_ref().map(|e| e.message(page.lang));
    let p = v.record.problem.clone();
    let region = p.region;
    let has = |roles: &[Role]| ctx.actor.has_role(roles, &region);
    let pstate = ProblemState::parse(&p.state).map_err(|e| f(e.into()))?;
    let category = ProblemCategory::parse(&p.category).map_err(|e| f(e.into()))?;

    // Four eyes: whoever submitted the rectification is not offered to verify or reject it (the
    // store refuses it anyway).
    let submitter = v
        .record
        .events
        .iter()
        .rev()
        .find(|e| e.action == "submit")
        .and_then(|e| e.actor_id);
    let own_submission = submitter.is_some() && submitter == ctx.actor.user_id;
    let awaits_other = own_submission
        && has(ProblemAction::Verify.roles())
        && pstate.next(ProblemAction::Verify).is_ok();
    let actions = ProblemAction::ALL
        .iter()
        .filter(|a| has(a.roles()) && pstate.next(**a).is_ok())
        .filter(|a| !(own_submission && matches!(a, ProblemAction::Verify | ProblemAction::Reject)))
        .map(|a| ActionButton {
            key: a.key(),
            text_label: a.needs_text().then(|| page.tp("problem.text.", a.key())),
            text: kept
                .action
                .as_ref()
                .filter(|k| k.action == a.key())
                .map(|k| k.text.clone())
                .unwrap_or_default(),
        })
        .collect();

    let taken: Vec<Step> = v
        .record
        .escalations
        .iter()
        .filter_map(|e| Step::parse(&e.step).ok())
        .collect();
    let steps: Vec<&'static str> = if pstate.is_open() {
        Step::ALL
            .iter()
            .filter(|s| has(s.roles()) && s.allowed_after(&taken, category).is_ok())
            .map(|s| s.key())
            .collect()
    } else {
        Vec::new()
    };

    // The escalation form: as sent, or prefilled for a proposal or a step asked for.
    let mut confirming = None;
    let esc = match kept.escalation {
        Some(e) => {
            if trimmed(&e.proposal_id).is_some() {
                confirming = Some(e.step.clone());
            }
            e
        }
        None => {
            let mut e = EscalationForm {
                issuing_unit: issuing_unit(state, ctx, &region).await,
                responsible_person: p.person_name.clone().unwrap_or_default(),
                step: steps
                    .iter()
                    .find(|s| v.due.iter().any(|d| d == **s))
                    .or(steps.first())
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                ..Default::default()
            };
            if let Some(pr) = trimmed(&q.proposal)
                .and_then(|x| x.parse::<i64>().ok())
                .and_then(|pid| {
                    v.record
                        .proposals
                        .iter()
                        .find(|x| x.id == pid && x.decision.is_none())
                })
            {
                e.step = pr.step.clone();
                e.proposal_id = pr.id.to_string();
                confirming = Some(pr.step.clone());
            } else if let Some(s) = trimmed(&q.step).filter(|s| steps.iter().any(|x| x == s)) {
                e.step = s.to_string();
            }
            e
        }
    };

    let escalations = v
        .record
        .escalations
        .iter()
        .map(|e| {
            let step = Step::parse(&e.step).ok();
            StepRow {
                can_outcome: e.outcome.is_none()
                    && step.is_some_and(|s| s.is_referral() && has(s.roles())),
                outcome_typed: kept
                    .outcome
                    .as_ref()
                    .filter(|(i, _)| *i == e.id)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default(),
                e: e.clone(),
            }
        })
        .collect();
    // A proposal still undecided when the ladder stopped (closed, referred) is no longer one.
    let runs = sunledger_core::escalation::ladder_runs(pstate, &taken);
    // The county's card this year, read only when a proposal waits for a decision.
    let card = if v.record.proposals.iter().any(|x| x.decision.is_none()) {
        let now = state.now();
        let year = sunledger_core::day::today_text(now)
            .get(..4)
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or(0);
        state.store.assessment_card(&region, year, now).await.ok()
    } else {
        None
    };
    let cost = |step: &str| -> Option<String> {
        let (scheme, card) = card.as_ref()?;
        let m = sunledger_core::assessment::Measure::of_step(step)?;
        let p = sunledger_core::assessment::preview(scheme, card, m, 1)?;
        (p.0 < 0).then(|| sunledger_core::assessment::Points(-p.0).text())
    };
    let proposals = v
        .record
        .proposals
        .iter()
        .filter(|x| runs || x.decision.is_some())
        .map(|x| ProposalRow {
            cost: x.decision.is_none().then(|| cost(&x.step)).flatten(),
            id: x.id,
            decision: x.decision.clone(),
            reason: x.reason.clone().unwrap_or_default(),
            can_decide: x.decision.is_none()
                && pstate.is_open()
                && Step::parse(&x.step).is_ok_and(|s| has(s.roles()))
                && steps.iter().any(|s| *s == x.step),
            step: x.step.clone(),
            proposed_on: x.proposed_on.clone(),
            reason_typed: kept
                .dismiss
                .as_ref()
                .filter(|(i, _)| *i == x.id)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
        })
        .collect();

    // The history: recording, lifecycle steps, escalation steps, decided proposals, outcomes.
    let mut users = HashMap::new();
    let mut events = vec![Event {
        at: p.created_at,
        what: page.t("problem.recorded"),
        detail: String::new(),
        who: user_name(state, &mut users, p.created_by)
            .await
            .map_err(&f)?,
    }];
    for e in &v.record.events {
        events.push(Event {
            at: e.at,
            what: format!(
                "{} · {} → {}",
                page.tp("problem.action.", &e.action),
                page.tp("problem.state.", &e.from_state),
                page.tp("problem.state.", &e.to_state)
            ),
            detail: e.text.clone(),
            who: user_name(state, &mut users, e.actor_id).await.map_err(&f)?,
        });
    }
    for e in &v.record.escalations {
        events.push(Event {
            at: e.at,
            what: format!("{} · {}", page.tp("step.", &e.step), e.document_no),
            detail: e
                .new_deadline
                .as_ref()
                .map(|d| format!("{} {d}", page.t("problem.new_deadline")))
                .unwrap_or_default(),
            who: user_name(state, &mut users, e.actor_id).await.map_err(&f)?,
        });
        if let (Some(o), Some(at)) = (&e.outcome, e.outcome_at) {
            events.push(Event {
                at,
                what: format!(
                    "{} · {}",
                    page.t("problem.outcome"),
                    page.tp("step.", &e.step)
                ),
                detail: o.clone(),
                who: String::new(),
            });
        }
    }
    events.sort_by_key(|e| e.at);

    let inspection = match p.inspection_id {
        Some(iid) => Some((
            iid,
            crate::inspection::ops::visible_inspection(state, ctx, iid)
                .await
                .map(|x| x.title)
                .unwrap_or_else(|_| format!("#{iid}")),
        )),
        None => None,
    };
    let review_of = match p.review_of {
        Some(rid) => Some((
            rid,
            ops::visible_problem(state, ctx, rid)
                .await
                .map(|x| x.title)
                .unwrap_or_else(|_| format!("#{rid}")),
        )),
        None => None,
    };
    let complaint = state
        .store
        .complaint_of_problem(p.id)
        .await
        .map_err(|e| f(e.into()))?;
    let place = Names::new(state).place(&region).await.map_err(&f)?;
    let due = v
        .due
        .iter()
        .map(|d| (d.clone(), steps.contains(&d.as_str())))
        .collect();
    Ok((
        status,
        ProblemPage {
            place,
            overdue_days: v.overdue_days,
            actions,
            awaits_other,
            steps,
            esc,
            confirming,
            escalations,
            proposals,
            due,
            events,
            inspection,
            review_of,
            complaint,
            can_record: has(sv::INSPECTORS),
            today: v.today.clone(),
            error,
            p,
            page,
        },
    )
        .into_response())
}

async fn problem_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Query(q): Query<ProblemPageQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render_problem(&state, &ctx, &uri, id, q, Kept::default()).await
}

async fn problem_action(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<ActionForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = ops::problem_action(
        &state,
        &ctx,
        id,
        &ops::ProblemActionInput {
            action: x.action.clone(),
            text: x.text.clone(),
        },
    )
    .await;
    match r {
        Ok(_) => Ok(to_problem(id)),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let kept = Kept {
                error: Some(e),
                action: Some(x),
                ..Default::default()
            };
            render_problem(&state, &ctx, &uri, id, ProblemPageQuery::default(), kept).await
        }
    }
}

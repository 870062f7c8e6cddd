//! Escalating a problem, proposals, outcomes and the printable letters.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{day, fill, is_access, long_date, opt_num, parse_id, to_problem, trimmed};
use crate::app::page::{Page, PageResult, fail};
use crate::escalation::ops;
use crate::problem::detail::{EscalationForm, Kept, ProblemPageQuery, TextForm, render_problem};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use sunledger_core::escalation::Step;
use sunledger_store::{Escalation, Inspection, Problem};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems/{id}/escalations", post(escalate))
        .route("/proposals/{id}/dismiss", post(dismiss))
        .route("/escalations/{id}/outcome", post(outcome))
        .route("/escalations/{id}/print", get(print_page))
}

async fn escalate(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<EscalationForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = match x.input() {
        Ok(i) => ops::escalate(&state, &ctx, id, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(e) => Ok(Redirect::to(&format!("/problems/{id}#step-{}", e.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let kept = Kept {
                error: Some(e),
                escalation: Some(x),
                ..Default::default()
            };
            render_problem(&state, &ctx, &uri, id, ProblemPageQuery::default(), kept).await
        }
    }
}

async fn dismiss(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<TextForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let pid = parse_id(&f, &raw)?;
    let r = ops::dismiss(
        &state,
        &ctx,
        pid,
        &ops::DismissInput {
            reason: x.reason.clone(),
        },
    )
    .await;
    match r {
        Ok(pr) => Ok(to_problem(pr.problem_id)),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let problem_id = state
                .store
                .proposal(pid)
                .await
                .map_err(|e| f(e.into()))?
                .ok_or_else(|| f(WebError::NotFound))?
                .problem_id;
            let kept = Kept {
                error: Some(e),
                dismiss: Some((pid, x.reason)),
                ..Default::default()
            };
            render_problem(
                &state,
                &ctx,
                &uri,
                problem_id,
                ProblemPageQuery::default(),
                kept,
            )
            .await
        }
    }
}

async fn outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<TextForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let eid = parse_id(&f, &raw)?;
    let r = ops::outcome(
        &state,
        &ctx,
        eid,
        &ops::OutcomeInput {
            outcome: x.outcome.clone(),
        },
    )
    .await;
    match r {
        Ok(e) => {
            Ok(Redirect::to(&format!("/problems/{}#step-{eid}", e.problem_id)).into_response())
        }
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let (esc, _) = ops::visible_escalation(&state, &ctx, eid)
                .await
                .map_err(&f)?;
            let kept = Kept {
                error: Some(e),
                outcome: Some((eid, x.outcome)),
                ..Default::default()
            };
            render_problem(
                &state,
                &ctx,
                &uri,
                esc.problem_id,
                ProblemPageQuery::default(),
                kept,
            )
            .await
        }
    }
}

// --- Printable documents ----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "escalation/escalation_print.html")]
struct PrintView {
    page: Page,
    e: Escalation,
    p: Problem,
    title: String,
    intro: String,
    /// The closing sentence: the deadline to meet, the suspension, the referral.
    closing: String,
    deadline: String,
    /// How late the document came, when the deadline had passed.
    late: String,
    /// The first deadline differs from the one in force.
    show_first: bool,
    date: String,
    inspection: Option<Inspection>,
    interview: bool,
    addressed: bool,
}

async fn print_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let id = parse_id(&f, &raw)?;
    let (e, p) = ops::visible_escalation(&state, &ctx, id)
        .await
        .map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let step = Step::parse(&e.step).map_err(|x| f(x.into()))?;
    // The deadline in force when the document was issued: the one it set, else the latest an
    // earlier interview set, else the first.
    let record = state
        .store
        .problem_record(p.id)
        .await
        .map_err(|x| f(x.into()))?
        .ok_or_else(|| f(WebError::NotFound))?;
    let deadline = e.new_deadline.clone().unwrap_or_else(|| {
        record
            .escalations
            .iter()
            .filter(|x| x.id < e.id)
            .filter_map(|x| x.new_deadline.clone())
            .next_back()
            .unwrap_or_else(|| p.first_deadline.clone())
    });
    let inspection = match p.inspection_id {
        Some(iid) => crate::inspection::ops::visible_inspection(&state, &ctx, iid)
            .await
            .ok(),
        None => None,
    };
    let kind = if step.is_letter() {
        "letter"
    } else if step.is_interview() {
        "interview"
    } else if step.is_referral() {
        "referral"
    } else if step == Step::SuspendPayment {
        "suspension"
    } else {
        "criticism"
    };
    // A letter sent after the deadline says by how much it was missed.
    let late = match (day(&deadline), day(&e.on_date)) {
        (Some(d), Some(on)) if on > d && !step.is_interview() => fill(
            &page,
            "letter.overdue_note",
            &[("n", &(on - d).to_string())],
        ),
        _ => String::new(),
    };
    let show_first = deadline != p.first_deadline;
    let deadline_long = long_date(&page, &deadline);
    let points = e.deduction_points.unwrap_or(0).to_string();
    let args = [
        ("unit", e.issuing_unit.as_str()),
        ("addressee", p.department_name.as_str()),
        ("points", points.as_str()),
    ];
    Ok(PrintView {
        title: page.tp("letter.title.", step.key()),
        intro: fill(&page, &format!("letter.intro.{kind}"), &args),
        closing: fill(&page, &format!("letter.closing.{kind}"), &args),
        deadline: deadline_long,
        late,
        show_first,
        date: long_date(&page, &e.on_date),
        interview: step.is_interview(),
        addressed: step.is_letter() || step == Step::SuspendPayment,
        inspection,
        e,
        p,
        page,
    }
    .into_response())
}

impl EscalationForm {
    fn input(&self) -> Result<ops::EscalationInput, WebError> {
        Ok(ops::EscalationInput {
            step: self.step.trim().to_string(),
            document_no: self.document_no.clone(),
            issuing_unit: self.issuing_unit.clone(),
            content: self.content.clone(),
            attendees: self.attendees.clone(),
            new_deadline: trimmed(&self.new_deadline).map(str::to_string),
            responsible_person: self.responsible_person.clone(),
            deduction_points: opt_num("deduction_points", &self.deduction_points)?,
            proposal_id: opt_num("proposal_id", &self.proposal_id)?,
        })
    }
}

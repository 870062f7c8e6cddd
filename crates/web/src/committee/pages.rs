//! The supervision committees' pages: the list of villages with their latest term, and a
//! village's committee with its members, terms, posting signatures and the recording forms.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::is_access;
use crate::app::page::{Page, PageResult, Pager, fail};
use crate::committee::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use sunledger_core::Level;
use sunledger_store::{CommitteeTerm, Meeting, Person, VillagePosting};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/committees", get(list))
        .route("/committees/{village}", get(village_page))
        .route("/committees/{village}/steps", post(step))
}

#[derive(Template, WebTemplate)]
#[template(path = "committee/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<CommitteeTerm>,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::CommitteeQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let l = ops::list(&state, &ctx, &q).await.map_err(&f)?;
    let query_string = uri.query().unwrap_or("").to_string();
    Ok(ListPage {
        page: Page::new(&ctx, &uri),
        pager: Pager::new("/committees", &query_string, l.page, ops::PAGE, l.total),
        rows: l.committees,
    }
    .into_response())
}

/// Rows of the election form.
const SLATE_ROWS: usize = 5;

/// The form as typed (kept when refused).
#[derive(Debug, Clone, Default)]
struct StepForm {
    step: String,
    meeting_id: String,
    chair: String,
    name: Vec<String>,
    id_number: Vec<String>,
    person: Vec<String>,
    accounting: Vec<bool>,
    skills: Vec<String>,
    member_id: String,
    ended_on: String,
    reason: String,
    posting_id: String,
}

impl StepForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> StepForm {
        let mut x = StepForm {
            name: vec![String::new(); SLATE_ROWS],
            id_number: vec![String::new(); SLATE_ROWS],
            person: vec![String::new(); SLATE_ROWS],
            accounting: vec![false; SLATE_ROWS],
            skills: vec![String::new(); SLATE_ROWS],
            ..StepForm::default()
        };
        for (k, v) in pairs {
            let slot = k
                .rsplit_once('_')
                .and_then(|(f, n)| Some((f.to_string(), n.parse::<usize>().ok()?)))
                .filter(|(_, n)| *n < SLATE_ROWS);
            let put = |list: &mut Vec<String>, n: usize, v: String| {
                if let Some(slot) = list.get_mut(n) {
                    *slot = v;
                }
            };
            match slot {
                Some((f, n)) if f == "name" => put(&mut x.name, n, v),
                Some((f, n)) if f == "id_number" => put(&mut x.id_number, n, v),
                Some((f, n)) if f == "person" => put(&mut x.person, n, v),
                Some((f, n)) if f == "accounting" => {
                    if let Some(slot) = x.accounting.get_mut(n) {
                        *slot = v == "1";
                    }
                }
                Some((f, n)) if f == "skills" => put(&mut x.skills, n, v),
                _ => match k.as_str() {
                    "step" => x.step = v,
                    "meeting_id" => x.meeting_id = v,
                    "chair" => x.chair = v,
                    "member_id" => x.member_id = v,
                    "ended_on" => x.ended_on = v,
                    "reason" => x.reason = v,
                    "posting_id" => x.posting_id = v,
                    _ => {}
                },
            }
        }
        x
    }

    fn member(&self, n: usize) -> ops::MemberInput {
        let at = |v: &Vec<String>| v.get(n).cloned().unwrap_or_default();
        ops::MemberInput {
            name: at(&self.name),
            id_number: at(&self.id_number),
            person_id: at(&self.person).trim().parse::<i64>().ok(),
            chair: self.chair == n.to_string(),
            accounting: self.accounting.get(n).copied().unwrap_or(false),
            skills: at(&self.skills),
        }
    }

    /// Whether a select's option was the one typed (`member_id`, `posting_id`, `meeting_id`).
    fn picked(&self, field: &str, id: &i64) -> bool {
        let v = match field {
            "member_id" => &self.member_id,
            "posting_id" => &self.posting_id,
            "meeting_id" => &self.meeting_id,
            _ => return false,
        };
        v.trim() == id.to_string()
    }

    fn chair_is(&self, n: &usize) -> bool {
        self.chair.trim() == n.to_string()
    }

    fn person_is(&self, n: &usize, id: &i64) -> bool {
        self.person
            .get(*n)
            .is_some_and(|p| p.trim() == id.to_string())
    }

    fn text(list: &[String], n: &usize) -> String {
        list.get(*n).cloned().unwrap_or_default()
    }

    fn accounting_at(&self, n: &usize) -> bool {
        self.accounting.get(*n).copied().unwrap_or(false)
    }

    /// The rows of the slate that carry anything.
    fn slate(&self) -> Vec<ops::MemberInput> {
        (0..SLATE_ROWS)
            .filter(|n| {
                let m = self.member(*n);
                !m.name.trim().is_empty() || !m.id_number.trim().is_empty()
            })
            .map(|n| self.member(n))
            .collect()
    }
}

fn id_of(field: &str, s: &str) -> Result<i64, WebError> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| WebError::invalid(field, "required", s.trim()))
}

#[derive(Template, WebTemplate)]
#[template(path = "committee/village.html")]
struct VillagePage {
    page: Page,
    code: String,
    village_name: String,
    terms: Vec<CommitteeTerm>,
    current: Option<CommitteeTerm>,
    meetings: Vec<Meeting>,
    people: Vec<Person>,
    postings: Vec<VillagePosting>,
    rows: Vec<usize>,
    typed: StepForm,
    can_record: bool,
    can_sign: bool,
    today: String,
    error: Option<String>,
    done: bool,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    code: &str,
    typed: StepForm,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let terms = ops::terms(state, ctx, code).await.map_err(&f)?;
    let v = ops::village(state, ctx, code).await.map_err(&f)?;
    let region = state
        .store
        .region(&v)
        .await
        .map_err(|e| f(e.into()))?
        .ok_or_else(|| f(WebError::NotFound))?;
    let can_record = ctx.actor.has_role(ops::RECORDERS, &v);
    let can_sign = ctx.actor.has_role(ops::SIGNERS, &v);
    let meetings = if can_record {
        let (all, _) = state
            .store
            .meetings(std::slice::from_ref(&v), 100, 0)
            .await
            .map_err(|e| f(e.into()))?;
        all.into_iter()
            .filter(|m| m.kind != "committee" && m.held_on.is_some() && m.quorum_met)
            .collect()
    } else {
        Vec::new()
    };
    let mut people = Vec::new();
    if can_record {
        for d in state
            .store
            .departments_in(&v)
            .await
            .map_err(|e| f(e.into()))?
        {
            if d.region == v && d.kind == "mass_supervision_team" {
                people.extend(
                    state
                        .store
                        .people_in_department(d.id)
                        .await
                        .map_err(|e| f(e.into()))?,
                );
            }
        }
    }
    let postings = state
        .store
        .village_postings(&v, 20)
        .await
        .map_err(|e| f(e.into()))?;
    let mut typed = typed;
    if typed.name.is_empty() {
        typed = StepForm::from_pairs(Vec::new());
    }
    Ok(VillagePage {
        page: Page::new(ctx, uri),
        code: v.as_str().to_string(),
        village_name: region.name,
        current: terms.iter().find(|t| t.current).cloned(),
        terms,
        meetings,
        people,
        postings,
        rows: (0..SLATE_ROWS).collect(),
        typed,
        can_record,
        can_sign,
        today: sunledger_core::day::today_text(state.now()),
        error: error.map(|x| x.message(ctx.lang)),
        done: uri.query().is_some_and(|q| q.contains("done=1")),
    }
    .into_response())
}

async fn village_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    if sunledger_core::RegionCode::parse(&code).map(|c| c.level()) != Ok(Level::Village) {
        return Err(fail(&ctx, &uri)(WebError::NotFound));
    }
    render(&state, &ctx, &uri, &code, StepForm::default(), None).await
}

async fn take(state: &AppState, ctx: &Ctx, code: &str, x: &StepForm) -> Result<(), WebError> {
    match x.step.as_str() {
        "elect" => {
            let i = ops::ElectInput {
                meeting_id: id_of("meeting_id", &x.meeting_id)?,
                members: x.slate(),
            };
            ops::elect(state, ctx, code, &i).await?;
        }
        "add" => {
            let terms = ops::terms(state, ctx, code).await?;
            let t = terms
                .iter()
                .find(|t| t.current)
                .ok_or_else(|| WebError::invalid("term_id", "term_not_sitting", ""))?;
            let i = ops::AddInput {
                meeting_id: id_of("meeting_id", &x.meeting_id)?,
                member: x.member(0),
            };
            ops::add(state, ctx, t.id, &i).await?;
        }
        "end" => {
            let i = ops::EndInput {
                ended_on: x.ended_on.clone(),
                reason: x.reason.clone(),
            };
            ops::end(state, ctx, id_of("member_id", &x.member_id)?, &i).await?;
        }
        "sign" => {
            let i = ops::SignInput {
                posting_id: id_of("posting_id", &x.posting_id)?,
            };
            ops::sign(state, ctx, id_of("member_id", &x.member_id)?, &i).await?;
        }
        other => {
            return Err(WebError::invalid("step", "unknown_committee_action", other));
        }
    }
    Ok(())
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let x = StepForm::from_pairs(pairs);
    match take(&state, &ctx, &code, &x).await {
        Ok(()) => Ok(Redirect::to(&format!("/committees/{code}?done=1")).into_response()),
        Err(e) if is_access(&e) => Err(fail(&ctx, &uri)(e)),
        Err(e) => render(&state, &ctx, &uri, &code, x, Some(e)).await,
    }
}

//! Pages of Book 2: assigning and ending responsibilities, the book, responsibility letters.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page;
use crate::app::page::{PAGE_SIZE, Page, PageParam, PageResult, Pager, fail};
use crate::project::detail::Person;
use crate::project::pages::{parse_id, to_project};
use crate::responsibility::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::responsibility as proj;
use sunledger_core::{DepartmentKind, Level};
use sunledger_store::{Responsibility, ResponsibilityLetter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/responsibilities", post(assign))
        .route("/responsibilities/{id}/end", post(end))
        .route("/responsibility", get(book_page))
        .route("/responsibility/letters", post(file_letter))
        .route("/responsibility/letters/{id}", get(letter_page))
}

#[derive(Deserialize)]
struct AssignForm {
    person_id: String,
    role: String,
    start_on: String,
}

async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<AssignForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let person_id = x.person_id.trim().parse().map_err(|_| {
        f(WebError::invalid(
            "person_id",
            "not_a_number",
            x.person_id.as_str(),
        ))
    })?;
    ops::assign(
        &state,
        &ctx,
        id,
        &ops::ResponsibilityInput {
            person_id,
            role: x.role,
            start_on: x.start_on,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(id))
}

#[derive(Deserialize)]
struct EndForm {
    end_on: String,
    reason: String,
}

async fn end(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<EndForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let r = ops::end(
        &state,
        &ctx,
        id,
        &ops::EndInput {
            end_on: x.end_on,
            reason: x.reason,
        },
    )
    .await
    .map_err(&f)?;
    Ok(to_project(r.project_id))
}

// --- Book 2 -----------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "responsibility/responsibility.html")]
struct BookView {
    page: Page,
    rows: Vec<Responsibility>,
    pager: Pager,
    letters: Vec<ResponsibilityLetter>,
    q: ops::BookQuery,
    query_string: String,
    person_name: Option<String>,
    /// The project filtered on, by name.
    project_name: Option<String>,
    /// The region filter as typed, its picker and its refusal.
    filter: crate::app::forms::RegionFilter,
    /// Townships where the caller may file letters, and the signatories to choose from.
    townships: Vec<(String, String)>,
    bureau_people: Vec<Person>,
    township_people: Vec<Person>,
    today: String,
}

async fn book_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::BookQuery>,
    Query(p): Query<PageParam>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let page_no = p.number();
    let mut q = q;
    let filter = crate::app::forms::region_filter(&state, &ctx, &mut q.region)
        .await
        .map_err(&f)?;
    let (rows, total) = if filter.error.is_some() {
        // A name that names nothing lists nothing (not everything).
        (Vec::new(), 0)
    } else {
        ops::book_page(&state, &ctx, &q, page_no, PAGE_SIZE)
            .await
            .map_err(&f)?
    };
    let project_name = match q
        .project
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
    {
        Some(id) => crate::project::ops::view(&state, &ctx, id)
            .await
            .ok()
            .map(|v| v.record.project.name),
        None => None,
    };
    let letters = ops::letters(
        &state,
        &ctx,
        &ops::LetterQuery {
            region: q.region.clone(),
        },
    )
    .await
    .map_err(&f)?;
    let person_name = match q
        .person
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
    {
        Some(pid) => crate::org::ops::visible_person(&state, &ctx, pid)
            .await
            .ok()
            .map(|p| p.name),
        None => None,
    };
    let mut townships = Vec::new();
    let mut bureau_people = Vec::new();
    let mut township_people = Vec::new();
    for g in &ctx.actor.grants {
        if !proj::RESPONSIBILITY_KEEPERS.contains(&g.role) {
            continue;
        }
        let Some(county) = g
            .region
            .ancestor_at(Level::County)
            .or_else(|| (g.region.level() == Level::County).then_some(g.region))
        else {
            continue;
        };
        for d in state
            .store
            .departments_in(&county)
            .await
            .map_err(|e| f(e.into()))?
        {
            if d.kind == DepartmentKind::PovertyBureau.key() {
                for p in state
                    .store
                    .people_in_department(d.id)
                    .await
                    .map_err(|e| f(e.into()))?
                {
                    bureau_people.push(Person {
                        id: p.id,
                        label: format!("{} · {}", p.name, d.name),
                    });
                }
            }
        }
        for t in state
            .store
            .region_children(&county)
            .await
            .map_err(|e| f(e.into()))?
        {
            if !t.code.is_within(&g.region) && !g.region.is_within(&t.code) {
                continue;
            }
            townships.push((t.code.as_str().to_string(), t.name.clone()));
            for d in state
                .store
                .departments_in(&t.code)
                .await
                .map_err(|e| f(e.into()))?
            {
                if d.kind == DepartmentKind::PartyCommittee.key()
                    || d.kind == DepartmentKind::Government.key()
                {
                    for p in state
                        .store
                        .people_in_department(d.id)
                        .await
                        .map_err(|e| f(e.into()))?
                    {
                        township_people.push(Person {
                            id: p.id,
                            label: format!("{} · {} · {}", t.name, p.name, d.name),
                        });
                    }
                }
            }
        }
    }
    let today = sunledger_core::day::format(sunledger_core::day::today(state.now()));
    let query_string = {
        let mut parts = Vec::new();
        for (k, v) in [
            ("region", &q.region),
            ("project", &q.project),
            ("person", &q.person),
            ("on", &q.on),
            ("year", &q.year),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
                parts.push(format!("{k}={}", page::urlencode(v)));
            }
        }
        parts.join("&")
    };
    Ok(BookView {
        page: Page::new(&ctx, &uri),
        pager: Pager::new("/responsibility", &query_string, page_no, PAGE_SIZE, total),
        rows,
        letters,
        q,
        query_string,
        person_name,
        project_name,
        filter,
        townships,
        bureau_people,
        township_people,
        today,
    }
    .into_response())
}

#[derive(Deserialize)]
struct LetterForm {
    township: String,
    fiscal_year: String,
    document_no: String,
    title: String,
    content: String,
    bureau_person_id: String,
    township_person_id: String,
    signed_on: String,
}

async fn file_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<LetterForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let n = |field: &'static str, v: &str| -> Result<i64, page::PageError> {
        v.trim()
            .parse()
            .map_err(|_| f(WebError::invalid(field, "not_a_number", v)))
    };
    let input = ops::LetterInput {
        fiscal_year: n("fiscal_year", &x.fiscal_year)?,
        bureau_person_id: n("bureau_person_id", &x.bureau_person_id)?,
        township_person_id: n("township_person_id", &x.township_person_id)?,
        township: x.township,
        document_no: x.document_no,
        title: x.title,
        content: x.content,
        signed_on: x.signed_on,
    };
    let l = ops::file_letter(&state, &ctx, &input).await.map_err(&f)?;
    Ok(Redirect::to(&format!("/responsibility/letters/{}", l.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "responsibility/letter.html")]
struct LetterView {
    page: Page,
    l: ResponsibilityLetter,
    township_name: String,
}

async fn letter_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let id = parse_id(&f, &raw)?;
    let l = ops::letter(&state, &ctx, id).await.map_err(&f)?;
    let township_name = state
        .store
        .region(&l.township)
        .await
        .map_err(|e| f(e.into()))?
        .map(|r| r.name)
        .unwrap_or_default();
    Ok(LetterView {
        page: Page::new(&ctx, &uri),
        l,
        township_name,
    }
    .into_response())
}

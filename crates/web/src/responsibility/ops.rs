//! Book 2 (the supervision responsibility ledger) and responsibility letters.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops;
use crate::app::ops::{Named, actor, opt, opt_i64, scopes};
use crate::project::ops::visible;
use serde::{Deserialize, Serialize};
use sunledger_core::Permission;
use sunledger_core::ledger::FiscalYear;
use sunledger_core::responsibility as proj;
use sunledger_core::responsibility::ResponsibleRole;
use sunledger_store::{NewLetter, Responsibility, ResponsibilityFilter, ResponsibilityLetter};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ResponsibilityInput {
    pub person_id: i64,
    /// county_leader, bureau_staff, township_official, village_cadre, work_team_captain,
    /// first_secretary.
    pub role: String,
    /// YYYY-MM-DD.
    pub start_on: String,
}

pub async fn assign(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ResponsibilityInput,
) -> Result<Responsibility, WebError> {
    let p = visible(state, ctx, id).await?;
    ctx.require_role(proj::RESPONSIBILITY_KEEPERS, &p.region)?;
    ops::own_ref(state, ctx, "person_id", Named::Person(i.person_id)).await?;
    let role = ResponsibleRole::parse(&i.role)?;
    Ok(state
        .store
        .assign_responsibility(id, i.person_id, role, &i.start_on, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EndInput {
    /// The last day of the responsibility, YYYY-MM-DD.
    pub end_on: String,
    pub reason: String,
}

pub async fn end(
    state: &AppState,
    ctx: &Ctx,
    responsibility_id: i64,
    i: &EndInput,
) -> Result<Responsibility, WebError> {
    let r = state
        .store
        .responsibility(responsibility_id)
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.project_region)?;
    ctx.require_role(proj::RESPONSIBILITY_KEEPERS, &r.project_region)?;
    Ok(state
        .store
        .end_responsibility(
            responsibility_id,
            &i.end_on,
            &i.reason,
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LetterInput {
    /// The township's 9-digit code.
    pub township: String,
    pub fiscal_year: i64,
    pub document_no: String,
    pub title: String,
    /// The letter's text (its SHA-256 goes into the log).
    pub content: String,
    /// Signatory for the county poverty alleviation bureau.
    pub bureau_person_id: i64,
    /// Signatory for the township party committee and government.
    pub township_person_id: i64,
    /// YYYY-MM-DD.
    pub signed_on: String,
}

pub async fn file_letter(
    state: &AppState,
    ctx: &Ctx,
    i: &LetterInput,
) -> Result<ResponsibilityLetter, WebError> {
    ctx.require_user()?;
    let township = ops::own_ref(state, ctx, "township", Named::Region(&i.township)).await?;
    ctx.require_role(proj::RESPONSIBILITY_KEEPERS, &township)?;
    for (field, person) in [
        ("bureau_person_id", i.bureau_person_id),
        ("township_person_id", i.township_person_id),
    ] {
        ops::own_ref(state, ctx, field, Named::Person(person)).await?;
    }
    Ok(state
        .store
        .file_letter(
            &NewLetter {
                township,
                fiscal_year: FiscalYear::new(i.fiscal_year)?,
                document_no: i.document_no.clone(),
                title: i.title.clone(),
                content: i.content.clone(),
                bureau_person_id: i.bureau_person_id,
                township_person_id: i.township_person_id,
                signed_on: i.signed_on.clone(),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

pub async fn letter(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<ResponsibilityLetter, WebError> {
    let l = state.store.letter(id).await?.ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &l.township)?;
    Ok(l)
}

/// Filters of Book 2.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookQuery {
    pub region: Option<String>,
    pub project: Option<String>,
    pub person: Option<String>,
    /// Only responsibilities covering this day (YYYY-MM-DD): "who was responsible on D".
    pub on: Option<String>,
    pub year: Option<String>,
}

impl BookQuery {
    fn filter(&self, ctx: &Ctx) -> Result<ResponsibilityFilter, WebError> {
        let scopes = scopes(ctx, opt(&self.region))?;
        if let Some(d) = opt(&self.on) {
            sunledger_core::day::parse("on", d)?;
        }
        Ok(ResponsibilityFilter {
            scopes,
            project_id: opt_i64("project", &self.project)?,
            person_id: opt_i64("person", &self.person)?,
            on_day: opt(&self.on).map(str::to_string),
            fiscal_year: opt_i64("year", &self.year)?,
        })
    }
}

pub async fn book(
    state: &AppState,
    ctx: &Ctx,
    q: &BookQuery,
) -> Result<Vec<Responsibility>, WebError> {
    Ok(state.store.responsibilities(&q.filter(ctx)?).await?)
}

/// Page `page_no` of Book 2 (`size` rows a page) and how many rows it has in all.
pub async fn book_page(
    state: &AppState,
    ctx: &Ctx,
    q: &BookQuery,
    page_no: i64,
    size: i64,
) -> Result<(Vec<Responsibility>, i64), WebError> {
    let offset = crate::app::page::Pager::offset(page_no, size);
    Ok(state
        .store
        .responsibilities_page(&q.filter(ctx)?, size, offset)
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterQuery {
    pub region: Option<String>,
}

pub async fn letters(
    state: &AppState,
    ctx: &Ctx,
    q: &LetterQuery,
) -> Result<Vec<ResponsibilityLetter>, WebError> {
    let scopes = scopes(ctx, opt(&q.region))?;
    Ok(state.store.letters(&scopes).await?)
}

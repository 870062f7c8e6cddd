//! A county's card: its items as a tree, the rows behind each leaf's points with links to their
//! records, the county's appeals (filed by its government or bureau) and the municipal bureau's
//! decisions on them.
use super::{
    YearQuery, answer, item_name, item_name_of, measure_name, query, region_name, signed,
    value_text, year_of,
};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::parse_id;
use crate::app::page::{Page, PageResult, fail};
use crate::assessment::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use serde::Deserialize;
use sunledger_core::assessment::{APPELLANTS, ASSESSORS};
use sunledger_core::{Level, RegionCode};

/// A row behind an item's points.
struct EffectRow {
    key: String,
    label: String,
    day: String,
    /// Points lost or gained, or for a rate whether the row fell short.
    effect: String,
    appealed: bool,
    link: Option<String>,
    /// The reader may appeal it (it cost points, none is pending).
    can_appeal: bool,
    /// An appeal of it awaits the bureau.
    pending: bool,
}

/// An item of the card.
struct ItemRow {
    code: String,
    name: String,
    depth: usize,
    /// Spaces before a child's name.
    indent: String,
    points: String,
    max: String,
    /// The published points when the round is published.
    published: Option<String>,
    measure: String,
    value: String,
    rows: Vec<EffectRow>,
}

/// An appeal as the list shows it.
struct AppealRow {
    id: i64,
    item: String,
    label: String,
    reason: String,
    evidence: String,
    state: String,
    at: i64,
    /// The decision: upheld or dismissed, its reasons, when.
    decision: Option<(String, String, i64)>,
    can_decide: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/card.html")]
struct CardPage {
    page: Page,
    year: i32,
    county: String,
    county_name: String,
    back: String,
    total: String,
    max: String,
    published_total: Option<String>,
    state: String,
    items: Vec<ItemRow>,
    appeals: Vec<AppealRow>,
    can_see_city: bool,
    typed: AppealForm,
    typed_decision: DecisionForm,
    error: Option<String>,
    done: bool,
}

/// A row's label as a reader sees it: a red flag's label ends with its evidence key
/// (`payee:…`, `project:65:source:…`), which its page shows in words; the rule's name stays.
fn row_label(source: &str, label: &str) -> String {
    match (source, label.rsplit_once(' ')) {
        ("flag", Some((name, key))) if key.contains(':') => name.to_string(),
        _ => label.to_string(),
    }
}

/// The page of a row's source record, when it has one.
fn source_link(source: &str, id: i64) -> Option<String> {
    let base = match source {
        "problem" => "/problems",
        "project" => "/projects",
        "evaluation" => "/evaluations",
        "notice" => "/notices",
        "complaint" => "/complaints",
        "flag" => "/flags",
        "acceptance" => "/acceptances",
        "fund" => "/funds",
        "escalation" => return Some(format!("/escalations/{id}/print")),
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    code: &str,
    year: i32,
    typed: AppealForm,
    typed_decision: DecisionForm,
    error: Option<WebError>,
    done: bool,
) -> PageResult {
    let f = fail(ctx, uri);
    let v = ops::county(state, ctx, code, year).await.map_err(&f)?;
    let lang = ctx.lang;
    let county = RegionCode::parse(&v.live.code).map_err(|e| f(e.into()))?;
    let city = county.ancestor_at(Level::City);
    let appellant = ctx.actor.has_role(APPELLANTS, &county);
    let assessor = city.is_some_and(|c| ctx.actor.has_role(ASSESSORS, &c));
    let can_see_city =
        city.is_some_and(|c| ctx.actor.can(sunledger_core::Permission::ViewInternal, &c));
    let pending: Vec<(&str, &str)> = v
        .appeals
        .iter()
        .filter(|a| a.state == "filed")
        .map(|a| (a.item.as_str(), a.row_key.as_str()))
        .collect();
    let parents: std::collections::HashMap<&str, Option<&str>> = v
        .scheme
        .items
        .iter()
        .map(|i| (i.code.as_str(), i.parent.as_deref()))
        .collect();
    let depth = |code: &str| {
        let mut d = 0;
        let mut cur = parents.get(code).copied().flatten();
        while let Some(p) = cur {
            d += 1;
            if d > 10 {
                break;
            }
            cur = parents.get(p).copied().flatten();
        }
        d
    };
    let items = v
        .live
        .card
        .items
        .iter()
        .map(|it| {
            let scheme_item = v.scheme.items.iter().find(|s| s.code == it.code);
            let rate = it.measure.is_some_and(|m| m.is_rate());
            ItemRow {
                code: it.code.clone(),
                name: scheme_item.map(|s| item_name(lang, s)).unwrap_or_default(),
                depth: depth(&it.code),
                indent: "\u{3000}".repeat(depth(&it.code)),
                points: it.points.text(),
                max: it.max.text(),
                published: v
                    .published
                    .as_ref()
                    .and_then(|p| p.card.item(&it.code))
                    .map(|p| p.points.text()),
                measure: it
                    .measure
                    .map(|m| measure_name(lang, m))
                    .unwrap_or_default(),
                value: value_text(lang, it.value),
                rows: it
                    .rows
                    .iter()
                    .map(|r| {
                        let key = r.row.key();
                        let is_pending = pending.contains(&(it.code.as_str(), key.as_str()));
                        let lost = r.points.0 < 0 || (r.points.0 == 0 && !r.met);
                        EffectRow {
                            label: row_label(&r.row.source, &r.row.label),
                            day: sunledger_core::day::format(r.row.day),
                            effect: if r.appealed {
                                String::new()
                            } else if !rate {
                                signed(r.points)
                            } else if r.met {
                                crate::i18n::t(lang, "assessment.met")
                            } else {
                                crate::i18n::t(lang, "assessment.not_met")
                            },
                            appealed: r.appealed,
                            link: source_link(&r.row.source, r.row.source_id),
                            can_appeal: appellant && lost && !r.appealed && !is_pending,
                            pending: is_pending,
                            key,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let appeals = v
        .appeals
        .iter()
        .map(|a| AppealRow {
            id: a.id,
            item: item_name_of(lang, &v.scheme, &a.item),
            label: row_label(
                a.row_key.split(':').next().unwrap_or_default(),
                &a.row_label,
            ),
            reason: a.reason.clone(),
            evidence: a.evidence.clone(),
            state: a.state.clone(),
            at: a.at,
            decision: a
                .decision
                .as_ref()
                .map(|d| (d.action.clone(), d.reason.clone(), d.at)),
            can_decide: assessor && a.state == "filed",
        })
        .collect();
    let county_name = if v.live.name.is_empty() {
        region_name(state, &county).await.map_err(&f)?
    } else {
        v.live.name.clone()
    };
    Ok(CardPage {
        page: Page::new(ctx, uri),
        year,
        back: query(year, city.as_ref().map(|c| c.as_str()).unwrap_or_default()),
        county: county.as_str().to_string(),
        county_name,
        total: v.live.card.total.text(),
        max: v.live.card.max.text(),
        published_total: v.published.as_ref().map(|p| p.card.total.text()),
        state: v.round_state.clone(),
        items,
        appeals,
        can_see_city,
        typed,
        typed_decision,
        error: error.map(|e| e.message(lang)),
        done,
    }
    .into_response())
}

pub(super) async fn county_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, q.year.as_deref()).map_err(&f)?;
    let done = q.done.as_deref() == Some("1");
    render(
        &state,
        &ctx,
        &uri,
        &code,
        year,
        AppealForm::default(),
        DecisionForm::default(),
        None,
        done,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct AppealForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    row_key: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    evidence: String,
}

pub(super) async fn appeal(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<AppealForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, Some(&x.year)).map_err(&f)?;
    let i = ops::AppealInput {
        county: x.county.clone(),
        item: x.item.clone(),
        row_key: x.row_key.clone(),
        reason: x.reason.clone(),
        evidence: x.evidence.clone(),
    };
    let booked = ops::appeal(&state, &ctx, year, &i)
        .await
        .map(|a| done(&a, year));
    let (state, ctx, uri) = (&state, &ctx, &uri);
    answer(f, booked, move |e| async move {
        let county = x.county.clone();
        again(
            state,
            ctx,
            uri,
            &county,
            year,
            x,
            DecisionForm::default(),
            e,
        )
        .await
    })
    .await
}

/// The card after a booking, saying it was done.
fn done(a: &sunledger_store::AssessmentAppeal, year: i32) -> String {
    format!(
        "/assessment/counties/{}?year={year}&done=1",
        a.county.as_str()
    )
}

/// The card of `county` again, with a refused form as typed and the reason.
#[allow(clippy::too_many_arguments)]
async fn again(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    county: &str,
    year: i32,
    appeal: AppealForm,
    decision: DecisionForm,
    e: WebError,
) -> PageResult {
    let page_uri = card_uri(county).unwrap_or_else(|| uri.clone());
    render(
        state,
        ctx,
        &page_uri,
        county,
        year,
        appeal,
        decision,
        Some(e),
        false,
    )
    .await
}

fn card_uri(county: &str) -> Option<Uri> {
    format!("/assessment/counties/{}", county.trim())
        .parse()
        .ok()
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct DecisionForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    county: String,
    /// `uphold` or `dismiss`.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    /// The appeal the form was about (set when it comes back).
    #[serde(skip)]
    id: i64,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(mut x): Form<DecisionForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let year = year_of(&state, Some(&x.year)).map_err(&f)?;
    let uphold = match x.decision.trim() {
        "uphold" => Ok(true),
        "dismiss" => Ok(false),
        other => Err(WebError::invalid("decision", "required", other)),
    };
    let r = match uphold {
        Ok(uphold) => {
            let i = ops::DecisionInput {
                uphold,
                reason: x.reason.clone(),
            };
            ops::decide(&state, &ctx, id, year, &i).await
        }
        Err(e) => Err(e),
    };
    let booked = r.map(|a| done(&a, year));
    let (state, ctx, uri) = (&state, &ctx, &uri);
    answer(f, booked, move |e| async move {
        x.id = id;
        let county = x.county.clone();
        again(state, ctx, uri, &county, year, AppealForm::default(), x, e).await
    })
    .await
}

//! The city's ranking with its round (and the round's steps), and the published ranking for
//! everyone.
use super::{YearQuery, answer, item_name, item_name_of, query, region_name, title, year_of};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::assessment::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use sunledger_core::assessment::{ASSESSORS, RoundState};
use sunledger_core::{Level, Permission};

/// A county's line of the ranking.
struct RankRow {
    rank: i64,
    code: String,
    name: String,
    total: String,
    /// The top-level items' points, in the scheme's order.
    items: Vec<String>,
    /// The bar of the chart: its width and its top.
    bar_w: i64,
    bar_y: i64,
}

/// A line that changed since the publication.
struct ChangeRow {
    county: String,
    item: String,
    published: String,
    live: String,
}

/// A step of the round.
struct StepRow {
    at: i64,
    action: String,
    to_state: String,
    reason: String,
}

/// The publication in force: when, its hash, the log size.
struct Publication {
    at: i64,
    hash: String,
    log_size: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/ranking.html")]
struct RankingPage {
    page: Page,
    year: i32,
    city: String,
    city_name: String,
    back: String,
    title: String,
    max: String,
    /// The top-level items: code, name, maximum, whether the table is sorted by it.
    heads: Vec<(String, String, String, bool)>,
    rows: Vec<RankRow>,
    sort: String,
    chart_h: i64,
    state: String,
    actions: Vec<&'static str>,
    changed: Vec<ChangeRow>,
    publication: Option<Publication>,
    steps: Vec<StepRow>,
    as_of: i64,
    typed_action: String,
    typed_reason: String,
    error: Option<String>,
    done: bool,
}

const BAR_W: i64 = 400;
const BAR_ROW: i64 = 24;

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    q: &YearQuery,
    typed: StepForm,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let year = year_of(state, q.year.as_deref()).map_err(&f)?;
    let v = match ops::scores(state, ctx, q.city.as_deref(), year).await {
        Ok(v) => v,
        // A county's people see their own card instead; a township's or village's, the
        // published ranking.
        Err(WebError::Forbidden) => {
            if let Some(c) = ctx
                .actor
                .grants
                .iter()
                .filter_map(|g| g.region.ancestor_at(Level::County))
                .find(|c| ctx.actor.can(Permission::ViewInternal, c))
            {
                return Ok(Redirect::to(&format!(
                    "/assessment/counties/{}?year={year}",
                    c.as_str()
                ))
                .into_response());
            }
            return Ok(Redirect::to(&format!("/public/assessment?year={year}")).into_response());
        }
        Err(e) => return Err(f(e)),
    };
    let lang = ctx.lang;
    let city = v.round.region;
    let city_name = region_name(state, &city).await.map_err(&f)?;
    let scheme = &v.scores.scheme;
    let tops: Vec<&sunledger_core::assessment::Item> =
        scheme.items.iter().filter(|i| i.parent.is_none()).collect();
    let sort = q.sort.clone().unwrap_or_default();
    let heads = tops
        .iter()
        .map(|i| {
            (
                i.code.clone(),
                item_name(lang, i),
                i.max.text(),
                sort == format!("item.{}", i.code),
            )
        })
        .collect();
    let max = scheme.total.0.max(1);
    let mut rows: Vec<RankRow> = v
        .ranking
        .iter()
        .filter_map(|r| {
            let c = v.scores.counties.iter().find(|c| c.code == r.county)?;
            Some(RankRow {
                rank: r.rank,
                code: c.code.clone(),
                name: c.name.clone(),
                total: r.total.text(),
                items: tops
                    .iter()
                    .map(|t| {
                        c.card
                            .item(&t.code)
                            .map(|x| x.points.text())
                            .unwrap_or_default()
                    })
                    .collect(),
                bar_w: r.total.0.clamp(0, max) * BAR_W / max,
                bar_y: 0,
            })
        })
        .collect();
    let points_of = |code: &str, item: &str| {
        v.scores
            .counties
            .iter()
            .find(|c| c.code == code)
            .and_then(|c| c.card.item(item))
            .map(|i| i.points.0)
            .unwrap_or(0)
    };
    match sort.as_str() {
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        s if s.starts_with("item.") => {
            let item = &s[5..];
            rows.sort_by(|a, b| {
                points_of(&b.code, item)
                    .cmp(&points_of(&a.code, item))
                    .then(a.rank.cmp(&b.rank))
            });
        }
        _ => {}
    }
    // The chart keeps the ranking's order whatever the table's.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows.get(i).map(|r| (r.rank, r.code.clone())));
    for (n, i) in order.into_iter().enumerate() {
        if let Some(r) = rows.get_mut(i) {
            r.bar_y = n as i64 * BAR_ROW;
        }
    }
    let name_of = |code: &str| {
        v.scores
            .counties
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let pts = |p: Option<sunledger_core::assessment::Points>| {
        p.map(|p| p.text()).unwrap_or_else(|| "—".into())
    };
    let changed = v
        .changed
        .iter()
        .map(|c| ChangeRow {
            county: name_of(&c.county),
            item: item_name_of(lang, scheme, &c.item),
            published: pts(c.published),
            live: pts(c.live),
        })
        .collect();
    let round_state = RoundState::parse(&v.round.state).unwrap_or(RoundState::Draft);
    let actions = if ctx.actor.has_role(ASSESSORS, &city) {
        round_state.actions().into_iter().map(|a| a.key()).collect()
    } else {
        Vec::new()
    };
    let publication = v
        .round
        .publications
        .first()
        .filter(|_| round_state == RoundState::Published)
        .map(|p| Publication {
            at: p.at,
            hash: p.hash.clone(),
            log_size: p.log_size,
        });
    let steps = v
        .round
        .steps
        .iter()
        .rev()
        .map(|s| StepRow {
            at: s.at,
            action: s.action.clone(),
            to_state: s.to_state.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    let chart_h = (rows.len() as i64 * BAR_ROW).max(BAR_ROW);
    Ok(RankingPage {
        page: Page::new(ctx, uri),
        year,
        back: query(year, city.as_str()),
        city: city.as_str().to_string(),
        city_name,
        title: title(lang, scheme),
        max: scheme.total.text(),
        heads,
        rows,
        sort,
        chart_h,
        state: round_state.key().to_string(),
        actions,
        changed,
        publication,
        steps,
        as_of: v.scores.as_of,
        typed_action: typed.action,
        typed_reason: typed.reason,
        error: error.map(|e| e.message(lang)),
        done: q.done.as_deref() == Some("1"),
    }
    .into_response())
}

pub(super) async fn ranking_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<YearQuery>,
) -> PageResult {
    render(&state, &ctx, &uri, &q, StepForm::default(), None).await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct StepForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, Some(&x.year)).map_err(&f)?;
    let i = ops::RoundInput {
        city: Some(x.city.clone()).filter(|c| !c.trim().is_empty()),
        action: x.action.clone(),
        reason: x.reason.clone(),
    };
    let q = YearQuery {
        year: Some(year.to_string()),
        city: i.city.clone(),
        ..Default::default()
    };
    let booked = ops::round_step(&state, &ctx, year, &i)
        .await
        .map(|r| format!("/assessment?{}&done=1", query(year, r.region.as_str())));
    let (state, ctx, uri) = (&state, &ctx, &uri);
    answer(f, booked, move |e| async move {
        let page_uri: Uri = "/assessment".parse().unwrap_or_else(|_| uri.clone());
        render(state, ctx, &page_uri, &q, x, Some(e)).await
    })
    .await
}

/// A county's line of the published ranking.
struct PublicRow {
    rank: i64,
    name: String,
    total: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/public.html")]
struct PublicPage {
    page: Page,
    year: i32,
    city: String,
    city_name: String,
    rows: Vec<PublicRow>,
    publication: Option<Publication>,
}

pub(super) async fn public_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, q.year.as_deref()).map_err(&f)?;
    // No city named: the reader's, else the tree's first (`ops::city`).
    let city = q.city.clone().filter(|c| !c.trim().is_empty());
    let r = ops::public_ranking(&state, &ctx, city.as_deref(), year)
        .await
        .map_err(&f)?;
    let city = sunledger_core::RegionCode::parse(&r.city).map_err(|e| f(e.into()))?;
    let city_name = region_name(&state, &city).await.map_err(&f)?;
    let (rows, publication) = match r.publication {
        Some(p) => (
            p.ranking
                .iter()
                .map(|x| PublicRow {
                    rank: x.rank,
                    name: p.names.get(&x.county).cloned().unwrap_or_default(),
                    total: x.total.text(),
                })
                .collect(),
            Some(Publication {
                at: p.at,
                hash: p.hash.clone(),
                log_size: p.log_size,
            }),
        ),
        None => (Vec::new(), None),
    };
    Ok(PublicPage {
        page: Page::new(&ctx, &uri),
        year,
        city: r.city,
        city_name,
        rows,
        publication,
    }
    .into_response())
}

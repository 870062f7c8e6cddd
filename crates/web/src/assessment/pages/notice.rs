//! The printable notice (通报) of the published ranking: an A4 document with the ranking and
//! each county's group points, the informed criticisms that cost points, the appeals decided,
//! the issuer's signature, and the hash and log size that let a reader check it (with a QR code
//! of the public ranking). Public, as the published ranking is.
use super::{YearQuery, item_name, region_name, title, year_of};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::assessment::ops;
use crate::i18n::{Lang, t};
use crate::notice::public::{origin, qr_svg};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::IntoResponse;
use sunledger_core::DepartmentKind;
use sunledger_core::assessment::Measure;
use sunledger_core::day;

/// A county's line of the notice's table.
struct Line {
    rank: i64,
    name: String,
    total: String,
    items: Vec<String>,
}

/// An informed criticism that cost a county points.
struct Criticism {
    county: String,
    label: String,
    points: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/notice.html")]
struct NoticePage {
    page: Page,
    issuer: String,
    heading: String,
    published_on: String,
    intro: String,
    /// The top-level items: code, name, maximum.
    heads: Vec<(String, String, String)>,
    max: String,
    lines: Vec<Line>,
    criticisms: Vec<Criticism>,
    appeals: String,
    hash: String,
    log_size: i64,
    url: String,
    qr: String,
    printed_on: String,
}

/// Fills `{name}` slots of a catalogue text.
fn fill(lang: Lang, key: &str, slots: &[(&str, String)]) -> String {
    slots
        .iter()
        .fold(t(lang, key), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

pub(super) async fn notice_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, q.year.as_deref()).map_err(&f)?;
    // No city named: the reader's, else the tree's first (`ops::city`).
    let city = q.city.clone().filter(|c| !c.trim().is_empty());
    let p = ops::published(&state, &ctx, city.as_deref(), year)
        .await
        .map_err(&f)?
        .ok_or_else(|| f(WebError::NotFound))?;
    let lang = ctx.lang;
    let city_name = region_name(&state, &p.city).await.map_err(&f)?;
    // The city's poverty-alleviation bureau issues it (its booked name), else the city's name
    // with the bureau's.
    let issuer = state
        .store
        .departments_in(&p.city)
        .await
        .map_err(|e| f(e.into()))?
        .into_iter()
        .find(|d| d.kind == DepartmentKind::PovertyBureau.key())
        .map(|d| d.name)
        .unwrap_or_else(|| format!("{city_name}{}", t(lang, "assessment.notice.bureau")));
    let published_on = day::format(day::today(p.at));
    let tops: Vec<_> = p
        .scheme
        .items
        .iter()
        .filter(|i| i.parent.is_none())
        .collect();
    let lines = p
        .ranking
        .iter()
        .filter_map(|r| {
            let c = p.cards.iter().find(|c| c.code == r.county)?;
            Some(Line {
                rank: r.rank,
                name: c.name.clone(),
                total: r.total.text(),
                items: tops
                    .iter()
                    .map(|i| {
                        c.card
                            .item(&i.code)
                            .map(|x| x.points.text())
                            .unwrap_or_default()
                    })
                    .collect(),
            })
        })
        .collect();
    let criticisms = p
        .ranking
        .iter()
        .flat_map(|r| {
            p.cards
                .iter()
                .filter(|c| c.code == r.county)
                .flat_map(|c| c.card.items.iter().map(move |i| (c, i)))
        })
        .filter(|(_, i)| i.measure == Some(Measure::InformedCriticism))
        .flat_map(|(c, i)| {
            i.rows
                .iter()
                .filter(|r| !r.appealed && r.points.0 < 0)
                .map(move |r| Criticism {
                    county: c.name.clone(),
                    label: r.row.label.clone(),
                    points: r.points.text(),
                })
        })
        .collect();
    let (upheld, dismissed) = p.appeals;
    let appeals = if upheld + dismissed == 0 {
        t(lang, "assessment.notice.no_appeals")
    } else {
        fill(
            lang,
            "assessment.notice.appeals",
            &[
                ("n", (upheld + dismissed).to_string()),
                ("upheld", upheld.to_string()),
                ("dismissed", dismissed.to_string()),
            ],
        )
    };
    let query = super::query(year, p.city.as_str());
    let url = format!("{}/public/assessment?{query}", origin(&state, &headers));
    Ok(NoticePage {
        heading: fill(
            lang,
            "assessment.notice.heading",
            &[("year", year.to_string())],
        ),
        intro: fill(
            lang,
            "assessment.notice.intro",
            &[
                ("scheme", title(lang, &p.scheme)),
                ("issuer", issuer.clone()),
                ("year", year.to_string()),
                ("as_of", day::format(day::today(p.as_of))),
            ],
        ),
        heads: tops
            .iter()
            .map(|i| (i.code.clone(), item_name(lang, i), i.max.text()))
            .collect(),
        max: p.scheme.total.text(),
        lines,
        criticisms,
        appeals,
        issuer,
        published_on,
        hash: p.hash,
        log_size: p.log_size,
        qr: qr_svg(&url),
        url,
        printed_on: day::today_text(state.now()),
        page: Page::new(&ctx, &uri),
    }
    .into_response())
}

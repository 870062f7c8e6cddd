//! The assessment's pages: the city's ranking with its round, a county's card with every point
//! traced to its record (appeals and decisions on it), the scheme with its form, and the
//! published ranking for everyone with its printable notice.
mod card;
mod notice;
mod ranking;
mod scheme;

use crate::AppState;
use crate::app::error::WebError;
use crate::app::forms::is_access;
use crate::app::page::{PageError, PageResult};
use crate::i18n::{Lang, t};
use axum::Router;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use sunledger_core::RegionCode;
use sunledger_core::assessment::{Item, Measure, Points, Scheme, Value, hundredths_text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(ranking::ranking_page))
        .route("/assessment/steps", post(ranking::step))
        .route("/assessment/counties/{code}", get(card::county_page))
        .route("/assessment/appeals", post(card::appeal))
        .route("/assessment/appeals/{id}/decision", post(card::decide))
        .route(
            "/assessment/scheme",
            get(scheme::scheme_page).post(scheme::save),
        )
        .route("/assessment/scheme.json", get(scheme::download))
        .route("/public/assessment", get(ranking::public_page))
        .route("/public/assessment/notice", get(notice::notice_page))
}

/// `?year=&city=` of the pages.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct YearQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

/// The year asked for (2000-2100), else the current year in Beijing.
pub(crate) fn year_of(state: &AppState, raw: Option<&str>) -> Result<i32, WebError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) => crate::assessment::api::year(y),
        None => Ok(this_year(state)),
    }
}

pub(crate) fn this_year(state: &AppState) -> i32 {
    sunledger_core::day::format(sunledger_core::day::today(state.now()))
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2026)
}

/// A region's name (empty when unknown).
pub(crate) async fn region_name(state: &AppState, code: &RegionCode) -> Result<String, WebError> {
    Ok(state
        .store
        .region(code)
        .await?
        .map(|r| r.name)
        .unwrap_or_default())
}

/// An item's name in the reader's language.
pub(crate) fn item_name(lang: Lang, it: &Item) -> String {
    if lang == Lang::Zh {
        it.name_zh.clone()
    } else {
        it.name_en.clone()
    }
}

/// The name of item `code` of `scheme` (the total for `*`).
pub(crate) fn item_name_of(lang: Lang, scheme: &Scheme, code: &str) -> String {
    if code == "*" {
        return t(lang, "assessment.total");
    }
    scheme
        .items
        .iter()
        .find(|i| i.code == code)
        .map(|i| format!("{} {}", i.code, item_name(lang, i)))
        .unwrap_or_else(|| code.to_string())
}

/// The scheme's title in the reader's language.
pub(crate) fn title(lang: Lang, s: &Scheme) -> String {
    if lang == Lang::Zh {
        s.title_zh.clone()
    } else {
        s.title_en.clone()
    }
}

pub(crate) fn measure_name(lang: Lang, m: Measure) -> String {
    t(lang, &format!("assessment.measure.{}", m.key()))
}

/// A measure's value: a rate as a percent, a count of rows.
pub(crate) fn value_text(lang: Lang, v: Option<Value>) -> String {
    match v {
        None => String::new(),
        Some(v @ Value::Rate { part, weight }) => match v.percent_hundredths() {
            Some(p) => format!("{}% ({part}/{weight})", hundredths_text(p)),
            None => t(lang, "assessment.no_rows"),
        },
        Some(Value::Count { rows, .. }) => {
            t(lang, "assessment.rows_counted").replace("{n}", &rows.to_string())
        }
    }
}

/// Points with their sign when they were lost or gained.
pub(crate) fn signed(p: Points) -> String {
    if p.0 > 0 {
        format!("+{}", p.text())
    } else {
        p.text()
    }
}

/// `?year=Y&city=C` for links back to a page.
pub(crate) fn query(year: i32, city: &str) -> String {
    if city.is_empty() {
        format!("year={year}")
    } else {
        format!("year={year}&city={city}")
    }
}

/// A form's answer: to `done` (a page's address) when it was booked; an access error ends the
/// request; any other error shows the page again through `again`, with what was typed, under
/// the error's status (422 for what was typed wrong, 409 for a conflict).
pub(crate) async fn answer<Fut>(
    fail: impl Fn(WebError) -> PageError,
    booked: Result<String, WebError>,
    again: impl FnOnce(WebError) -> Fut,
) -> PageResult
where
    Fut: std::future::Future<Output = PageResult>,
{
    match booked {
        Ok(done) => Ok(Redirect::to(&done).into_response()),
        Err(e) if is_access(&e) => Err(fail(e)),
        Err(e) => {
            let status = e.status();
            let mut page = again(e).await?;
            *page.status_mut() = status;
            Ok(page)
        }
    }
}

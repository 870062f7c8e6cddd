//! The scheme of a city's year: its items with their rules in words, the versions booked, the
//! document to download, and the bureau's form (every error of a refused document listed, naming
//! its item and field, with what was typed kept).
use super::{YearQuery, answer, item_name, measure_name, query, region_name, title, year_of};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::assessment::ops;
use crate::i18n::{Lang, t};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Query, State};
use axum::http::{Uri, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use sunledger_core::assessment::{ASSESSORS, SchemeError, ScoreRule, hundredths_text};

/// An item as the table shows it.
struct SchemeRow {
    code: String,
    indent: String,
    top: bool,
    name: String,
    max: String,
    measure: String,
    rule: String,
    source: String,
    department: String,
    basis: String,
}

/// An error of a refused document, in words.
struct ErrorRow {
    item: String,
    field: String,
    reason: String,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/scheme.html")]
struct SchemePage {
    page: Page,
    year: i32,
    city: String,
    city_name: String,
    back: String,
    title: String,
    total: String,
    is_default: bool,
    rows: Vec<SchemeRow>,
    /// Version, note, when.
    versions: Vec<(i64, String, i64)>,
    can_edit: bool,
    typed_body: String,
    typed_note: String,
    errors: Vec<ErrorRow>,
    error: Option<String>,
    done: bool,
}

/// A scoring rule in words.
fn rule_text(lang: Lang, r: &ScoreRule) -> String {
    match r {
        ScoreRule::Rate {
            target,
            step,
            points,
            empty_full,
        } => {
            let empty = t(
                lang,
                if *empty_full {
                    "assessment.rule.empty_full"
                } else {
                    "assessment.rule.empty_zero"
                },
            );
            t(lang, "assessment.rule.rate")
                .replace("{target}", &hundredths_text(*target))
                .replace("{step}", &hundredths_text(*step))
                .replace("{points}", &points.text())
                .replace("{empty}", &empty)
        }
        ScoreRule::Deduct { points, per } | ScoreRule::Bonus { points, per } => {
            let deduct = matches!(r, ScoreRule::Deduct { .. });
            let key = match (deduct, per) {
                (true, None) => "assessment.rule.deduct",
                (true, Some(_)) => "assessment.rule.deduct_per",
                (false, None) => "assessment.rule.bonus",
                (false, Some(_)) => "assessment.rule.bonus_per",
            };
            t(lang, key)
                .replace("{points}", &points.text())
                .replace("{per}", &per.unwrap_or(1).to_string())
        }
    }
}

/// An item's basis with the documents it cites by their short names (`seed`, `practice`) named
/// in the reader's language.
fn basis_text(lang: Lang, basis: &str) -> String {
    let mut out = String::with_capacity(basis.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match word.as_str() {
            "seed" => out.push_str(&t(lang, "assessment.basis_seed")),
            "practice" => out.push_str(&t(lang, "assessment.basis_practice")),
            w => out.push_str(w),
        }
        word.clear();
    };
    for c in basis.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A document field's name (`rule.points`, `name_zh`; a place in the text for a document that
/// does not parse).
fn field_text(lang: Lang, field: &str) -> String {
    if let Some(rest) = field.strip_prefix("line ") {
        let (line, col) = rest.split_once(", column ").unwrap_or((rest, ""));
        return t(lang, "assessment.doc_place")
            .replace("{line}", line)
            .replace("{column}", col);
    }
    let key = format!("assessment.doc_{}", field.replace('.', "_"));
    crate::i18n::lookup(lang, &key)
        .map(str::to_string)
        .unwrap_or_else(|| field.to_string())
}

/// Where an error lies: the document, an item by its code, or by its place.
fn item_text(lang: Lang, item: &str) -> String {
    if item.is_empty() {
        t(lang, "assessment.doc_document")
    } else if let Some(n) = item.strip_prefix('#') {
        t(lang, "assessment.doc_item_at").replace("{n}", n)
    } else {
        t(lang, "assessment.doc_item").replace("{code}", item)
    }
}

fn error_rows(lang: Lang, errors: &[SchemeError]) -> Vec<ErrorRow> {
    errors
        .iter()
        .map(|e| ErrorRow {
            item: item_text(lang, &e.item),
            field: field_text(lang, &e.field),
            reason: t(lang, &format!("reason.{}", e.reason)),
            value: e.value.clone(),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    city: Option<&str>,
    year: i32,
    typed: Option<SchemeForm>,
    error: Option<WebError>,
    done: bool,
) -> PageResult {
    let f = fail(ctx, uri);
    let lang = ctx.lang;
    let v = ops::scheme(state, ctx, city, year).await.map_err(&f)?;
    let city = ops::city(state, ctx, city).await.map_err(&f)?;
    let city_name = region_name(state, &city).await.map_err(&f)?;
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
    let rows = v
        .scheme
        .items
        .iter()
        .map(|i| SchemeRow {
            code: i.code.clone(),
            indent: "\u{3000}".repeat(depth(&i.code)),
            top: i.parent.is_none(),
            name: item_name(lang, i),
            max: i.max.text(),
            measure: i.measure.map(|m| measure_name(lang, m)).unwrap_or_default(),
            rule: i
                .rule
                .as_ref()
                .map(|r| rule_text(lang, r))
                .unwrap_or_default(),
            source: i.source.clone(),
            department: i.department.clone(),
            basis: basis_text(lang, &i.basis),
        })
        .collect();
    let versions = v
        .versions
        .iter()
        .map(|x| (x.version, x.note.clone(), x.at))
        .collect();
    let (typed_body, typed_note, errors, error) = match typed {
        Some(x) => {
            let errs = ops::scheme_errors(&x.body);
            let error = if errs.is_empty() {
                error.map(|e| e.message(lang))
            } else {
                error.map(|_| t(lang, "assessment.scheme_refused"))
            };
            (x.body, x.note, error_rows(lang, &errs), error)
        }
        None => (
            v.document.clone(),
            String::new(),
            Vec::new(),
            error.map(|e| e.message(lang)),
        ),
    };
    Ok(SchemePage {
        page: Page::new(ctx, uri),
        year,
        back: query(year, city.as_str()),
        city: city.as_str().to_string(),
        city_name,
        title: title(lang, &v.scheme),
        total: v.scheme.total.text(),
        is_default: v.is_default,
        rows,
        versions,
        can_edit: ctx.actor.has_role(ASSESSORS, &city),
        typed_body,
        typed_note,
        errors,
        error,
        done,
    }
    .into_response())
}

pub(super) async fn scheme_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, q.year.as_deref()).map_err(&f)?;
    let done = q.done.as_deref() == Some("1");
    render(
        &state,
        &ctx,
        &uri,
        q.city.as_deref(),
        year,
        None,
        None,
        done,
    )
    .await
}

/// The document in force, as a file to download.
pub(super) async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, q.year.as_deref()).map_err(&f)?;
    let v = ops::scheme(&state, &ctx, q.city.as_deref(), year)
        .await
        .map_err(&f)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"assessment-scheme-{year}.json\""),
            ),
        ],
        v.document,
    )
        .into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct SchemeForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<SchemeForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let year = year_of(&state, Some(&x.year)).map_err(&f)?;
    let city = Some(x.city.trim().to_string()).filter(|c| !c.is_empty());
    let i = ops::SchemeInput {
        city: city.clone(),
        body: x.body.clone(),
        note: x.note.clone(),
    };
    let booked = ops::set_scheme(&state, &ctx, &i).await.map(|v| {
        format!(
            "/assessment/scheme?{}&done=1",
            query(v.year, v.region.as_str())
        )
    });
    let (state, ctx, uri) = (&state, &ctx, &uri);
    answer(f, booked, move |e| async move {
        render(
            state,
            ctx,
            uri,
            city.as_deref(),
            year,
            Some(x),
            Some(e),
            false,
        )
        .await
    })
    .await
}

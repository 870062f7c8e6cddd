//! Red flags' pages: the queue, a flag with its evidence and its steps, the rules with their
//! citations, parameters and outcomes (with the settings form and a scan for those who may).
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{is_access, parse_id};
use crate::app::page::{Page, PageResult, Pager, fail};
use crate::flag::ops;
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::flag::{FlagState, RULES, Severity};
use sunledger_store::{Flag, FlagRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/flags", get(list))
        .route("/flags/rules", get(rules_page))
        .route("/flags/settings", post(settings))
        .route("/flags/scan", post(scan))
        .route("/flags/{id}", get(flag_page))
        .route("/flags/{id}/steps", post(step))
}

/// A rule's name in the reader's language.
fn rule_name(lang: Lang, id: &str) -> String {
    sunledger_core::flag::rule(id)
        .map(|r| if lang == Lang::Zh { r.zh } else { r.en })
        .unwrap_or_default()
        .to_string()
}

/// A flag as the queue shows it.
struct Row {
    f: Flag,
    rule: String,
    sentence: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "flag/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    pager: Pager,
    q: ops::FlagQuery,
    query_string: String,
    states: Vec<&'static str>,
    severities: Vec<&'static str>,
    rules: Vec<(&'static str, String)>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<ops::FlagQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let l = ops::list(&state, &ctx, &q).await.map_err(&f)?;
    let query_string = uri.query().unwrap_or("").to_string();
    let lang = ctx.lang;
    Ok(ListPage {
        page: Page::new(&ctx, &uri),
        pager: Pager::new("/flags", &query_string, l.page, ops::PAGE, l.total),
        rows: l
            .flags
            .into_iter()
            .map(|f| Row {
                rule: rule_name(lang, &f.rule_id),
                sentence: if lang == Lang::Zh {
                    f.evidence.zh.clone()
                } else {
                    f.evidence.en.clone()
                },
                f,
            })
            .collect(),
        q,
        query_string,
        states: FlagState::ALL.iter().map(|s| s.key()).collect(),
        severities: Severity::ALL.iter().map(|s| s.key()).collect(),
        rules: RULES
            .iter()
            .map(|r| (r.id, rule_name(lang, r.id)))
            .collect(),
    }
    .into_response())
}

/// A row of the evidence: what it is and where to see it.
struct EvidenceRow {
    table: String,
    id: i64,
    link: Option<String>,
}

/// A bar of the digit chart, scaled to the chart's height.
struct Bar {
    x: i64,
    label: String,
    observed_h: i64,
    expected_y: i64,
    observed: String,
    expected: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "flag/flag.html")]
struct FlagPage {
    page: Page,
    r: FlagRecord,
    rule: String,
    citation: String,
    sentence: String,
    figures: Vec<(String, String)>,
    rows: Vec<EvidenceRow>,
    bars: Vec<Bar>,
    steps: Vec<&'static str>,
    typed_action: String,
    typed_reason: String,
    error: Option<String>,
    done: bool,
}

const CHART_H: i64 = 160;

async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    id: i64,
    typed: StepForm,
    error: Option<WebError>,
) -> PageResult {
    let f = fail(ctx, uri);
    let r = ops::visible(state, ctx, id).await.map_err(&f)?;
    let zh = ctx.lang == Lang::Zh;
    let rule = sunledger_core::flag::rule(&r.flag.rule_id).ok();
    let ev = &r.flag.evidence;
    let rows = ev
        .rows
        .iter()
        .map(|x| EvidenceRow {
            link: match x.table.as_str() {
                "projects" => Some(format!("/projects/{}", x.id)),
                "evaluations" => Some(format!("/evaluations/{}", x.id)),
                _ => None,
            },
            table: x.table.clone(),
            id: x.id,
        })
        .collect();
    let top = ev
        .chart
        .iter()
        .map(|b| b.observed_ppm.max(b.expected_ppm))
        .max()
        .unwrap_or(1)
        .max(1);
    let bars = ev
        .chart
        .iter()
        .enumerate()
        .map(|(i, b)| Bar {
            x: i as i64 * 6,
            label: b.label.clone(),
            observed_h: b.observed_ppm * CHART_H / top,
            expected_y: CHART_H - b.expected_ppm * CHART_H / top,
            observed: format!("{:.2}%", b.observed_ppm as f64 / 10_000.0),
            expected: format!("{:.2}%", b.expected_ppm as f64 / 10_000.0),
        })
        .collect();
    Ok(FlagPage {
        page: Page::new(ctx, uri),
        rule: rule_name(ctx.lang, &r.flag.rule_id),
        citation: rule
            .map(|x| if zh { x.citation_zh } else { x.citation_en })
            .unwrap_or_default()
            .to_string(),
        sentence: if zh { ev.zh.clone() } else { ev.en.clone() },
        figures: ev
            .figures
            .iter()
            .map(|x| {
                (
                    if zh { x.zh.clone() } else { x.en.clone() },
                    x.value.clone(),
                )
            })
            .collect(),
        rows,
        bars,
        steps: ops::steps(ctx, &r.flag),
        typed_action: typed.action,
        typed_reason: typed.reason,
        error: error.map(|x| x.message(ctx.lang)),
        done: uri.query().is_some_and(|q| q.contains("done=1")),
        r,
    }
    .into_response())
}

async fn flag_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    render(&state, &ctx, &uri, id, StepForm::default(), None).await
}

#[derive(Debug, Clone, Default, Deserialize)]
struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let i = ops::StepInput {
        action: x.action.clone(),
        reason: x.reason.clone(),
    };
    match ops::step(&state, &ctx, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/flags/{id}?done=1")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => render(&state, &ctx, &uri, id, x, Some(e)).await,
    }
}

/// A rule as its page shows it, in the reader's language.
struct RuleRow {
    v: ops::RuleView,
    name: String,
    citation: String,
    params: Vec<(String, String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "flag/rules.html")]
struct RulesPage {
    page: Page,
    rules: Vec<RuleRow>,
    /// The unit whose settings the reader may change (its code and name), if any.
    settable: Option<(String, String)>,
    /// The settings in force: the region's name, when, the note, the document.
    settings: Vec<(String, i64, String, String)>,
    /// The latest scans: the day, the county's name, the hits, the new flags, the log size.
    scans: Vec<(String, String, i64, i64, i64)>,
    typed_body: String,
    typed_note: String,
    example: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RulesQuery {
    region: Option<String>,
    done: Option<String>,
    scanned: Option<String>,
}

fn unit_text(lang: Lang, unit: &str, v: i64) -> String {
    match (unit, lang) {
        ("days", Lang::Zh) => format!("{v} 天"),
        ("days", Lang::En) => format!("{v} days"),
        ("yuan", _) => format!("¥{v}"),
        ("per_ten_thousand", _) => format!("{:.4}", v as f64 / 10_000.0),
        _ => v.to_string(),
    }
}

async fn render_rules(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    region: Option<&str>,
    typed: Option<SettingsForm>,
    error: Option<WebError>,
    notice: Option<String>,
) -> PageResult {
    let f = fail(ctx, uri);
    let view = ops::rules_view(state, ctx, region).await.map_err(&f)?;
    let zh = ctx.lang == Lang::Zh;
    let rules = view
        .rules
        .iter()
        .map(|r| RuleRow {
            name: if zh { r.zh.clone() } else { r.en.clone() },
            citation: if zh {
                r.citation_zh.clone()
            } else {
                r.citation_en.clone()
            },
            params: r
                .params
                .iter()
                .map(|p| {
                    (
                        format!("{}.{}", r.id, p.key),
                        if zh { p.zh.clone() } else { p.en.clone() },
                        unit_text(ctx.lang, &p.unit, p.default),
                        unit_text(ctx.lang, &p.unit, p.value),
                    )
                })
                .collect(),
            v: r.clone(),
        })
        .collect();
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut codes: Vec<String> = view
        .settings
        .iter()
        .map(|s| s.region.as_str().to_string())
        .collect();
    codes.extend(view.scans.iter().map(|s| s.county.clone()));
    codes.extend(view.at.iter().map(|u| u.as_str().to_string()));
    for c in codes {
        if names.contains_key(&c) {
            continue;
        }
        let name = match sunledger_core::RegionCode::parse(&c) {
            Ok(code) => state
                .store
                .region(&code)
                .await
                .map_err(|e| f(e.into()))?
                .map(|r| r.name)
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        names.insert(c, name);
    }
    let name_of = |c: &str| names.get(c).cloned().unwrap_or_default();
    let settable = match &view.at {
        Some(u) if ctx.actor.has_role(ops::SETTERS, u) => {
            Some((u.as_str().to_string(), name_of(u.as_str())))
        }
        _ => None,
    };
    let settings = view
        .settings
        .iter()
        .map(|s| {
            (
                name_of(s.region.as_str()),
                s.at,
                s.note.clone(),
                s.body.clone(),
            )
        })
        .collect();
    let scans = view
        .scans
        .iter()
        .map(|s| {
            (
                s.on_date.clone(),
                name_of(&s.county),
                s.hits,
                s.raised,
                s.log_size,
            )
        })
        .collect();
    let own = view
        .settings
        .iter()
        .rev()
        .find(|s| Some(s.region) == view.at)
        .map(|s| (s.body.clone(), s.note.clone()))
        .unwrap_or_default();
    let (typed_body, typed_note) = typed.map_or(own, |t| (t.body, t.note));
    Ok(RulesPage {
        page: Page::new(ctx, uri),
        rules,
        settable,
        settings,
        scans,
        typed_body,
        typed_note,
        example: "split_payments.threshold = 30000\nunconfirmed.days = 10\n".to_string(),
        error: error.map(|x| x.message(ctx.lang)),
        notice,
    }
    .into_response())
}

async fn rules_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<RulesQuery>,
) -> PageResult {
    let notice = if q.done.as_deref() == Some("1") {
        Some(crate::i18n::t(ctx.lang, "flag.settings_saved"))
    } else {
        q.scanned
            .as_deref()
            .map(|n| crate::i18n::t(ctx.lang, "flag.scanned").replace("{n}", n.trim()))
    };
    render_rules(&state, &ctx, &uri, q.region.as_deref(), None, None, notice).await
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SettingsForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    note: String,
}

async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<SettingsForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let i = ops::SettingsInput {
        region: x.region.clone(),
        body: x.body.clone(),
        note: x.note.clone(),
    };
    match ops::set_settings(&state, &ctx, &i).await {
        Ok(s) => Ok(
            Redirect::to(&format!("/flags/rules?region={}&done=1", s.region.as_str()))
                .into_response(),
        ),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let region = x.region.clone();
            render_rules(
                &state,
                &ctx,
                &uri,
                Some(region.as_str()),
                Some(x),
                Some(e),
                None,
            )
            .await
        }
    }
}

async fn scan(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<ops::ScanInput>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    match ops::scan(&state, &ctx, &x).await {
        Ok(reports) => {
            let raised: i64 = reports.iter().map(|r| r.raised).sum();
            Ok(Redirect::to(&format!(
                "/flags/rules?region={}&scanned={raised}",
                x.region.trim()
            ))
            .into_response())
        }
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let region = x.region.clone();
            render_rules(
                &state,
                &ctx,
                &uri,
                Some(region.as_str()),
                None,
                Some(e),
                None,
            )
            .await
        }
    }
}

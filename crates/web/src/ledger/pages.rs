//! Pages of Book 1: the region ledger, a fund's flow, and the forms that book on it.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::i18n::{Lang, t};
use crate::ledger::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::Permission;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regions/{code}/ledger", get(ledger_page))
        .route("/funds/{id}", get(fund_page))
        .route("/ledger/funds", post(ledger_fund))
        .route("/ledger/transfers", post(ledger_transfer))
        .route("/ledger/transfers/{id}/receipt", post(ledger_receipt))
        .route("/ledger/transfers/{id}/payment", post(ledger_payment))
        .route("/ledger/suspensions", post(ledger_suspend))
        .route("/ledger/suspensions/{id}/resume", post(ledger_resume))
}

// --- Book 1 pages -----------------------------------------------------------------------------

pub(crate) struct TransferRow {
    transfer: sunledger_store::Transfer,
    from: String,
    to: String,
    /// A later reversal corrected this transfer: no more steps on it.
    reversed: bool,
    can_confirm: bool,
    payment_actions: Vec<&'static str>,
}

/// Labels for accounts: a region's name or a project's name.
async fn account_label(
    state: &AppState,
    cache: &mut std::collections::HashMap<i64, (String, sunledger_core::RegionCode)>,
    id: Option<i64>,
    lang: Lang,
) -> Result<(String, Option<sunledger_core::RegionCode>), WebError> {
    let Some(id) = id else {
        return Ok((t(lang, "ledger.external"), None));
    };
    if let Some((l, r)) = cache.get(&id) {
        return Ok((l.clone(), Some(*r)));
    }
    let a = state.store.account(id).await?.ok_or(WebError::NotFound)?;
    let label = match a.project_id {
        Some(p) => state
            .store
            .project(p)
            .await?
            .map(|p| format!("P{} {}", p.id, p.name))
            .unwrap_or_default(),
        None => state
            .store
            .region(&a.region)
            .await?
            .map(|r| r.name)
            .unwrap_or_else(|| a.region.to_string()),
    };
    cache.insert(id, (label.clone(), a.region));
    Ok((label, Some(a.region)))
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/ledger.html")]
pub(crate) struct LedgerView {
    page: Page,
    l: ops::RegionLedger,
    rows: Vec<TransferRow>,
    can_manage: bool,
    client_id: String,
    month_start: String,
    /// The last day of this month and the first of this year, for the period shortcuts.
    month_end: String,
    year_start: String,
    /// The period as a query (`from=…&to=…`, blank parts left out), for the downloads.
    period_query: String,
    /// The period asked for could not be read: the message naming its field.
    period_error: Option<String>,
    year: String,
    sources: Vec<&'static str>,
    kinds: Vec<&'static str>,
    fund_choices: Vec<(i64, String)>,
}

async fn ledger_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<ops::PeriodQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    // A bad period shows the whole ledger with the error, naming the field as the form does.
    let (from, to, period_error) =
        match crate::app::table::period(q.from.as_deref(), q.to.as_deref()) {
            Ok(_) => (q.from.as_deref(), q.to.as_deref(), None),
            Err(WebError::Invalid {
                field,
                reason,
                value,
            }) => {
                let label = if field == "to" {
                    "ledger.period_to"
                } else {
                    "ledger.period_from"
                };
                let sep = if ctx.lang == Lang::Zh { "：" } else { ": " };
                let msg = format!(
                    "{}{sep}{} {} ({value})",
                    t(ctx.lang, "error.invalid"),
                    t(ctx.lang, label),
                    t(ctx.lang, &format!("reason.{reason}")),
                );
                (None, None, Some(msg))
            }
            Err(e) => return Err(f(e)),
        };
    let l = ops::region_ledger(&state, &ctx, &code, from, to)
        .await
        .map_err(&f)?;
    let can_manage = ctx.actor.can(Permission::ManageFunds, &l.region.code);
    let mut cache = std::collections::HashMap::new();
    let mut rows = Vec::new();
    let reversed: std::collections::HashSet<i64> =
        l.transfers.iter().filter_map(|t| t.reverses).collect();
    for tr in &l.transfers {
        let is_reversed = reversed.contains(&tr.id);
        let (from, from_region) = account_label(&state, &mut cache, tr.from_account, ctx.lang)
            .await
            .map_err(&f)?;
        let (to, to_region) = match (&tr.payee, tr.to_account) {
            (Some(p), None) => (p.clone(), None),
            _ => account_label(&state, &mut cache, tr.to_account, ctx.lang)
                .await
                .map_err(&f)?,
        };
        // Four eyes: the receiving level's finance confirms, never the sender.
        let can_confirm = !is_reversed
            && tr.kind == "appropriate"
            && tr.state.as_deref() == Some("dispatched")
            && tr.actor_id.is_none_or(|a| Some(a) != ctx.actor.user_id)
            && to_region.is_some_and(|r| {
                ctx.actor
                    .grants
                    .iter()
                    .any(|g| g.region == r && g.role.permits(Permission::ManageFunds))
            });
        let payment_actions = if !is_reversed
            && tr.kind == "disburse"
            && from_region.is_some_and(|r| ctx.actor.can(Permission::ManageFunds, &r))
        {
            match tr.state.as_deref() {
                Some("approved") => vec!["pay", "hold", "void"],
                Some("held") => vec!["release", "void"],
                _ => vec![],
            }
        } else {
            vec![]
        };
        rows.push(TransferRow {
            transfer: tr.clone(),
            from,
            to,
            reversed: is_reversed,
            can_confirm,
            payment_actions,
        });
    }
    let mut fund_choices: Vec<(i64, String)> = l
        .accounts
        .iter()
        .map(|a| (a.fund.id, a.fund.name.clone()))
        .collect();
    fund_choices.dedup();
    let token: [u8; 8] = rand::random();
    let client_id = token.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let month_start = format!("{}01", l.today.get(..8).unwrap_or("2026-01-"));
    let year = l.today.get(..4).unwrap_or("2026").to_string();
    let month_end = sunledger_core::day::parse("today", &l.today)
        .ok()
        .map(|d| {
            let mut end = d;
            while sunledger_core::day::format(end + 1).get(..7) == l.today.get(..7) {
                end += 1;
            }
            sunledger_core::day::format(end)
        })
        .unwrap_or_else(|| l.today.clone());
    let year_start = format!("{year}-01-01");
    let period_query = [("from", &l.from), ("to", &l.to)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let status = if period_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        LedgerView {
            period_error,
            month_end,
            year_start,
            period_query,
            page: Page::new(&ctx, &uri),
            rows,
            can_manage,
            client_id,
            month_start,
            year,
            sources: sunledger_core::ledger::FundSource::ALL
                .iter()
                .map(|s| s.key())
                .collect(),
            kinds: vec!["appropriate", "arrange", "disburse", "refund"],
            fund_choices,
            l,
        },
    )
        .into_response())
}

pub(crate) struct FlowRow {
    transfer: sunledger_store::Transfer,
    from: String,
    to: String,
    depth: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/fund.html")]
struct FundView {
    page: Page,
    fund: sunledger_store::Fund,
    rows: Vec<FlowRow>,
}

/// A fund's flow from its receipt to payees, limited to the caller's areas: what lies outside them
/// is left out without a trace (not even a count).
async fn fund_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let fund = state
        .store
        .fund(id)
        .await
        .map_err(|e| f(e.into()))?
        .ok_or_else(|| f(WebError::NotFound))?;
    let mut cache = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for tr in state
        .store
        .transfers_of_fund(id)
        .await
        .map_err(|e| f(e.into()))?
    {
        let (from, fr) = account_label(&state, &mut cache, tr.from_account, ctx.lang)
            .await
            .map_err(&f)?;
        let (to, tr_region) = match (&tr.payee, tr.to_account) {
            (Some(p), None) => (p.clone(), None),
            _ => account_label(&state, &mut cache, tr.to_account, ctx.lang)
                .await
                .map_err(&f)?,
        };
        let visible = [fr, tr_region]
            .into_iter()
            .flatten()
            .any(|r| ctx.actor.can(Permission::ViewInternal, &r));
        if !visible {
            continue;
        }
        let depth = fr
            .or(tr_region)
            .map(|r| (r.level().as_i64() - fund.region.level().as_i64()).max(0) as usize)
            .unwrap_or(0);
        rows.push(FlowRow {
            transfer: tr,
            from,
            to,
            depth: depth.min(4),
        });
    }
    if rows.is_empty() {
        return Err(f(WebError::NotFound));
    }
    Ok(FundView {
        page: Page::new(&ctx, &uri),
        fund,
        rows,
    }
    .into_response())
}

#[derive(Deserialize)]
struct FundForm {
    client_id: String,
    region: String,
    source: String,
    name: String,
    fiscal_year: String,
    document_no: String,
    amount: String,
    booked_on: String,
    detention_days: Option<String>,
}

pub(crate) fn back_to_ledger(code: &str) -> Response {
    let code = code
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    Redirect::to(&format!("/regions/{code}/ledger")).into_response()
}

async fn ledger_fund(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<FundForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let fiscal_year = x.fiscal_year.trim().parse().map_err(|_| {
        f(WebError::invalid(
            "fiscal_year",
            "not_a_number",
            &x.fiscal_year,
        ))
    })?;
    let detention_days = match x
        .detention_days
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Some(
            d.parse()
                .map_err(|_| f(WebError::invalid("detention_days", "not_a_number", d)))?,
        ),
        None => None,
    };
    let region = x.region.clone();
    let input = ops::FundInput {
        client_id: x.client_id,
        region: x.region,
        source: x.source,
        fiscal_year,
        document_no: x.document_no,
        name: x.name,
        amount: x.amount,
        booked_on: x.booked_on,
        detention_days,
    };
    ops::create_fund(&state, &ctx, input).await.map_err(&f)?;
    Ok(back_to_ledger(&region))
}

#[derive(Deserialize)]
struct TransferForm {
    client_id: String,
    back: String,
    kind: String,
    fund_id: String,
    from: String,
    to: Option<String>,
    payee: Option<String>,
    amount: String,
    booked_on: String,
    document_no: String,
    purpose: String,
}

/// `529121`, `P12` or empty.
fn owner_ref(s: &str) -> Option<ops::OwnerRef> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s
        .strip_prefix('P')
        .or_else(|| s.strip_prefix('p'))
        .map(str::parse::<i64>)
    {
        Some(Ok(p)) => Some(ops::OwnerRef {
            region: None,
            project: Some(p),
        }),
        _ => Some(ops::OwnerRef {
            region: Some(s.to_string()),
            project: None,
        }),
    }
}

async fn ledger_transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<TransferForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let fund_id = x
        .fund_id
        .trim()
        .parse()
        .map_err(|_| f(WebError::invalid("fund", "not_a_number", &x.fund_id)))?;
    let input = ops::TransferInput {
        client_id: x.client_id,
        fund_id,
        kind: x.kind,
        from: owner_ref(&x.from),
        to: x.to.as_deref().and_then(owner_ref),
        payee: x.payee.filter(|p| !p.trim().is_empty()),
        amount: x.amount,
        booked_on: x.booked_on,
        document_no: x.document_no,
        purpose: x.purpose,
        reverses: None,
    };
    ops::book(&state, &ctx, input).await.map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

#[derive(Deserialize)]
pub(crate) struct StepForm {
    back: String,
    on: String,
    action: Option<String>,
    #[serde(default)]
    document_no: String,
}

async fn ledger_receipt(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    ops::confirm_receipt(&state, &ctx, id, &x.on)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

async fn ledger_payment(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let action = x.action.unwrap_or_default();
    ops::payment(&state, &ctx, id, &action, &x.on, &x.document_no)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

#[derive(Deserialize)]
struct SuspendForm {
    back: String,
    target_kind: String,
    target: String,
    reason: String,
    document_no: String,
}

async fn ledger_suspend(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<SuspendForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let input = ops::SuspensionInput {
        target_kind: x.target_kind,
        target: x.target,
        reason: x.reason,
        document_no: x.document_no,
        region: None,
    };
    ops::suspend(&state, &ctx, input).await.map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

#[derive(Deserialize)]
struct ResumeForm {
    back: String,
    document_no: String,
}

async fn ledger_resume(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<ResumeForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    ops::resume(&state, &ctx, id, &x.document_no)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

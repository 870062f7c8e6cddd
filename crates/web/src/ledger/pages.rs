//! Pages of Book 1: the region ledger, a fund's flow, and the forms that book on it.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::i18n::{Lang, t};
use crate::ledger::forms::{Sticky, owner_choices};
use crate::ledger::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sunledger_core::Permission;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regions/{code}/ledger", get(ledger_page))
        .route("/funds/{id}", get(fund_page))
        .merge(crate::ledger::forms::router())
}

// --- Book 1 pages -----------------------------------------------------------------------------

pub(crate) struct TransferRow {
    transfer: sunledger_store::Transfer,
    from: String,
    to: String,
    /// A later reversal corrected this transfer: no more steps on it.
    reversed: bool,
    can_confirm: bool,
    /// Hold, release or pay (voiding has its own form, with a document).
    payment_actions: Vec<&'static str>,
    can_void: bool,
    can_reverse: bool,
    /// The names of this row's forms (a refused one opens again) and the reversal's client id.
    vf: String,
    rvf: String,
    rowf: String,
    reverse_client: String,
}

/// What the page says after a booking (`?done=booked&id=12`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    Booked,
    Confirmed,
    Stepped,
    Reversed,
    Suspended,
    Resumed,
}

impl Notice {
    const ALL: [Notice; 6] = [
        Notice::Booked,
        Notice::Confirmed,
        Notice::Stepped,
        Notice::Reversed,
        Notice::Suspended,
        Notice::Resumed,
    ];
    pub(crate) fn key(self) -> &'static str {
        match self {
            Notice::Booked => "booked",
            Notice::Confirmed => "confirmed",
            Notice::Stepped => "stepped",
            Notice::Reversed => "reversed",
            Notice::Suspended => "suspended",
            Notice::Resumed => "resumed",
        }
    }
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
    month_start: String,
    /// The last day of this month and the first of this year, for the period shortcuts.
    month_end: String,
    year_start: String,
    /// The period as a query (`from=…&to=…`, blank parts left out), for the downloads.
    period_query: String,
    /// The period asked for could not be read: the message naming its field.
    period_error: Option<String>,
    sources: Vec<&'static str>,
    kinds: Vec<&'static str>,
    /// Funds to move: id, name, id as text (what the select sends).
    fund_choices: Vec<(i64, String, String)>,
    /// Active suspensions with what they stop, in words, and the name of their resume form.
    suspensions: Vec<(sunledger_store::Suspension, String, String)>,
    client_fund: String,
    client_transfer: String,
    /// This region's own account as the picker names it.
    fund_fields: Vec<Field>,
    transfer_fields: Vec<Field>,
    suspend_fields: Vec<Field>,
    /// The accounts one may name in the forms (the pickers' choices).
    owners: Vec<String>,
    form: Sticky,
    /// What was just booked, in words, and the row it concerns.
    notice: Option<(String, i64)>,
}

/// A text field of a booking form: its name, label, HTML attributes and default value.
pub(crate) struct Field {
    name: &'static str,
    label: String,
    attrs: &'static str,
    default: String,
}

fn field(name: &'static str, label: String, attrs: &'static str, default: &str) -> Field {
    Field {
        name,
        label,
        attrs,
        default: default.to_string(),
    }
}

/// The ledger page's query: the period shown, and what was just booked.
#[derive(Deserialize, Default)]
pub(crate) struct LedgerQuery {
    from: Option<String>,
    to: Option<String>,
    done: Option<String>,
    id: Option<String>,
}

async fn ledger_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<LedgerQuery>,
) -> PageResult {
    let notice = q.done.as_deref().and_then(|d| {
        Notice::ALL
            .into_iter()
            .find(|n| n.key() == d)
            .map(|n| (n, q.id.as_deref().and_then(|i| i.parse().ok()).unwrap_or(0)))
    });
    let period = ops::PeriodQuery {
        from: q.from,
        to: q.to,
    };
    render(
        &state,
        &ctx,
        &uri,
        &code,
        Sticky::default(),
        notice,
        &period,
    )
    .await
}

/// The ledger page of `code`, with a refused form sent back (`form`) or a note of what was just
/// booked.
pub(crate) async fn render(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    code: &str,
    form: Sticky,
    notice: Option<(Notice, i64)>,
    q: &ops::PeriodQuery,
) -> PageResult {
    let state = state.clone();
    let f = fail(ctx, uri);
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
    let l = ops::region_ledger(&state, ctx, code, from, to)
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
        let pays = from_region.is_some_and(|r| ctx.actor.can(Permission::ManageFunds, &r));
        let payment_actions = if !is_reversed && tr.kind == "disburse" && pays {
            match tr.state.as_deref() {
                Some("approved") => vec!["pay", "hold"],
                Some("held") => vec!["release"],
                _ => vec![],
            }
        } else {
            vec![]
        };
        let can_void = !is_reversed
            && tr.kind == "disburse"
            && pays
            && matches!(tr.state.as_deref(), Some("approved" | "held"));
        // A correction of what was booked: not of a reversal, not of a payment still open (void it).
        let can_reverse = !is_reversed
            && tr.kind != "reverse"
            && !matches!(tr.state.as_deref(), Some("approved" | "held" | "voided"))
            && [from_region, to_region]
                .into_iter()
                .flatten()
                .next()
                .is_some_and(|r| ctx.actor.can(Permission::ManageFunds, &r));
        rows.push(TransferRow {
            transfer: tr.clone(),
            from,
            to,
            reversed: is_reversed,
            can_confirm,
            payment_actions,
            can_void,
            can_reverse,
            vf: format!("void-{}", tr.id),
            rvf: format!("reverse-{}", tr.id),
            rowf: format!("row-{}", tr.id),
            reverse_client: String::new(),
        });
    }
    let mut fund_choices: Vec<(i64, String, String)> = l
        .accounts
        .iter()
        .map(|a| (a.fund.id, a.fund.name.clone(), a.fund.id.to_string()))
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
    let page = Page::new(ctx, uri);
    let owners = if can_manage {
        owner_choices(&state, ctx, &l.region.code)
            .await
            .map_err(&f)?
            .into_iter()
            .map(|c| c.label)
            .collect()
    } else {
        Vec::new()
    };
    let mut suspensions = Vec::new();
    let mut names = crate::app::forms::Names::new(&state);
    for s in &l.suspensions {
        let what = match s.target_kind.as_str() {
            "region" => match sunledger_core::RegionCode::parse(&s.target) {
                Ok(c) => format!("{}（{}）", names.place(&c).await.map_err(&f)?, c.prefix()),
                Err(_) => s.target.clone(),
            },
            "project" => match s.target.parse::<i64>() {
                Ok(id) => match state.store.project(id).await.map_err(|e| f(e.into()))? {
                    Some(p) => format!("{}（P{id}）", p.name),
                    None => s.target.clone(),
                },
                Err(_) => s.target.clone(),
            },
            _ => s.target.clone(),
        };
        suspensions.push((
            s.clone(),
            format!("{} {what}", page.tp("ledger.target.", &s.target_kind)),
            format!("resume-{}", s.id),
        ));
    }
    let notice = notice.map(|(n, id)| (page.tp("ledger.done.", n.key()), id));
    for r in &mut rows {
        r.reverse_client = format!("{client_id}-r{}", r.transfer.id);
    }
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
            client_fund: format!("{client_id}-f"),
            client_transfer: format!("{client_id}-t"),
            fund_fields: vec![
                field(
                    "name",
                    page.t("ledger.fund_name"),
                    r#"required maxlength="200""#,
                    "",
                ),
                field(
                    "fiscal_year",
                    page.t("field.fiscal_year"),
                    r#"inputmode="numeric" required"#,
                    &year,
                ),
                field(
                    "document_no",
                    page.t("field.document_no"),
                    r#"required maxlength="100""#,
                    "",
                ),
                field(
                    "amount",
                    page.t("ledger.amount_yuan"),
                    r#"inputmode="decimal" required"#,
                    "",
                ),
                field(
                    "booked_on",
                    page.t("field.booked_on"),
                    r#"type="date" required"#,
                    &l.today,
                ),
                field(
                    "detention_days",
                    page.t("field.detention_days"),
                    r#"inputmode="numeric""#,
                    "30",
                ),
            ],
            transfer_fields: vec![
                field(
                    "from",
                    page.t("field.from"),
                    r#"required list="owners" autocomplete="off""#,
                    &format!("{}（{}）", l.region.name, l.region.code.prefix()),
                ),
                field(
                    "to",
                    page.t("field.to"),
                    r#"list="owners" autocomplete="off""#,
                    "",
                ),
                field(
                    "payee",
                    format!("{}（{}）", page.t("field.payee"), page.t("form.optional")),
                    r#"maxlength="200""#,
                    "",
                ),
                field(
                    "amount",
                    page.t("ledger.amount_yuan"),
                    r#"inputmode="decimal" required"#,
                    "",
                ),
                field(
                    "booked_on",
                    page.t("field.booked_on"),
                    r#"type="date" required"#,
                    &l.today,
                ),
                field(
                    "document_no",
                    page.t("field.document_no"),
                    r#"required maxlength="100""#,
                    "",
                ),
                field(
                    "purpose",
                    page.t("field.purpose"),
                    r#"required maxlength="500""#,
                    "",
                ),
            ],
            suspend_fields: vec![
                field(
                    "target",
                    page.t("ledger.target_id"),
                    r#"required list="owners" autocomplete="off""#,
                    "",
                ),
                field(
                    "reason",
                    page.t("field.reason"),
                    r#"required maxlength="1000""#,
                    "",
                ),
                field(
                    "document_no",
                    page.t("field.document_no"),
                    r#"required maxlength="100""#,
                    "",
                ),
            ],
            page,
            suspensions,
            owners,
            form,
            notice,
            rows,
            can_manage,
            month_start,
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

/// The ledger of `code` (digits only are kept).
pub(crate) fn back_to_ledger(code: &str) -> Response {
    let code = crate::ledger::forms::back_code(code);
    Redirect::to(&format!("/regions/{code}/ledger")).into_response()
}

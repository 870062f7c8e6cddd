//! The forms that book on Book 1 from its pages: receive a fund, move money, suspend, void and
//! reverse. A refusal shows the ledger page again with the form open, everything typed still in
//! it and the message beside the field it names; access errors end the form as before.
//!
//! Accounts are named as people know them: the pickers offer `金坪镇（529121100）` and
//! `村道硬化（P12）`, and a bare name, a region code or `P12` typed by hand is understood too.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{Names, is_access};
use crate::app::page::{PageResult, fail};
use crate::ledger::ops;
use crate::ledger::pages::{Notice, render};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use std::collections::HashMap;
use sunledger_core::{Permission, RegionCode};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ledger/funds", post(ledger_fund))
        .route("/ledger/transfers", post(ledger_transfer))
        .route("/ledger/transfers/{id}/receipt", post(ledger_receipt))
        .route("/ledger/transfers/{id}/payment", post(ledger_payment))
        .route("/ledger/transfers/{id}/reversal", post(ledger_reversal))
        .route("/ledger/suspensions", post(ledger_suspend))
        .route("/ledger/suspensions/{id}/resume", post(ledger_resume))
}

/// What a refused form sent: which form, what was typed, the message and the field it names.
#[derive(Default)]
pub(crate) struct Sticky {
    /// `fund`, `transfer`, `suspend`, or `void-12` / `reverse-12` for a row's step.
    form: String,
    values: HashMap<String, String>,
    field: String,
    error: String,
}

impl Sticky {
    /// Whether `form` is the one sent back (it opens again).
    pub(crate) fn open(&self, form: &str) -> bool {
        self.form == form
    }

    /// What was typed in `name` of `form`, else `default`.
    pub(crate) fn v(&self, form: &str, name: &str, default: &str) -> String {
        if self.form == form {
            self.values.get(name).cloned().unwrap_or_default()
        } else {
            default.to_string()
        }
    }

    /// Whether `value` was chosen in select `name` of `form` (or is the default).
    pub(crate) fn chosen(&self, form: &str, name: &str, value: &str, default: bool) -> bool {
        if self.form == form {
            self.values.get(name).is_some_and(|v| v == value)
        } else {
            default
        }
    }

    /// The message for field `name` of `form`, empty when none.
    pub(crate) fn err(&self, form: &str, name: &str) -> String {
        if self.form == form && self.field == name {
            self.error.clone()
        } else {
            String::new()
        }
    }

    /// The message when it names none of `fields` (comma-separated; shown above the form).
    pub(crate) fn general(&self, form: &str, fields: &str) -> String {
        if self.form == form && !fields.split(',').any(|f| f == self.field) {
            self.error.clone()
        } else {
            String::new()
        }
    }
}

/// The field an error names (empty for one that names none).
fn field_of(e: &WebError) -> String {
    match e {
        WebError::Invalid { field, .. } | WebError::Conflict { field } => field.clone(),
        WebError::Suspended { .. } => "to".into(),
        _ => String::new(),
    }
}

/// Sends a refused form back on the ledger page of `back`, or ends it (access errors).
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    back: &str,
    form: &str,
    values: HashMap<String, String>,
    e: WebError,
) -> PageResult {
    if is_access(&e) {
        return Err(fail(ctx, uri)(e));
    }
    let status = e.status();
    let mut field = field_of(&e);
    // The transfer form names the fund by the select `fund_id`.
    if form == "transfer" && field == "fund" {
        field = "fund_id".into();
    }
    let sticky = Sticky {
        form: form.to_string(),
        values,
        field,
        error: e.message(ctx.lang),
    };
    let period = ops::PeriodQuery::default();
    let mut r = render(state, ctx, uri, back, sticky, None, &period).await?;
    *r.status_mut() = status;
    Ok(r)
}

fn val<'a>(x: &'a HashMap<String, String>, k: &str) -> &'a str {
    x.get(k).map(String::as_str).unwrap_or("")
}

/// The region's ledger, with a note of what was just booked.
fn to_ledger(code: &RegionCode, notice: Notice, id: i64) -> Response {
    Redirect::to(&format!(
        "/regions/{}/ledger?done={}&id={id}#t-{id}",
        code.prefix(),
        notice.key()
    ))
    .into_response()
}

/// `529121` (or any digits) from the form's `back` field, for the ledger page to show again.
pub(crate) fn back_code(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).take(12).collect()
}

/// An account one may name on the ledger of `region`: its own, its parent's and children's, and
/// the projects in its subtree.
pub(crate) struct Choice {
    /// What the picker shows and sends: `金坪镇（529121100）`.
    pub(crate) label: String,
    name: String,
    r: ops::OwnerRef,
}

pub(crate) async fn owner_choices(
    state: &AppState,
    ctx: &Ctx,
    region: &RegionCode,
) -> Result<Vec<Choice>, WebError> {
    let mut names = Names::new(state);
    let mut codes = vec![*region];
    if let Some(p) = region.parent() {
        codes.push(p);
    }
    for c in state.store.region_children(region).await? {
        names.cache.insert(c.code, c.name);
        codes.push(c.code);
    }
    let mut out = Vec::new();
    for c in codes {
        let name = names.name(&c).await?;
        out.push(Choice {
            label: format!("{name}（{}）", c.prefix()),
            name,
            r: ops::OwnerRef {
                region: Some(c.prefix().to_string()),
                project: None,
            },
        });
    }
    let filter = sunledger_store::ProjectFilter {
        scopes: vec![*region],
        ..Default::default()
    };
    if ctx.actor.can(Permission::ViewInternal, region) {
        for p in state.store.projects(&filter, 500, 0).await?.0 {
            out.push(Choice {
                label: format!("{}（P{}）", p.name, p.id),
                name: p.name,
                r: ops::OwnerRef {
                    region: None,
                    project: Some(p.id),
                },
            });
        }
    }
    Ok(out)
}

/// The account typed in `field`: a picker's label, a bare name among the choices, a region code
/// or `P12`. Empty is `None`.
pub(crate) fn owner_named(
    choices: &[Choice],
    field: &str,
    typed: &str,
) -> Result<Option<ops::OwnerRef>, WebError> {
    let s = typed.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(c) = choices.iter().find(|c| c.label == s) {
        return Ok(Some(c.r.clone()));
    }
    // `名称（code）` or `名称(code)` typed by hand: the part in brackets decides.
    let inner = crate::app::ops::bracketed(s);
    if let Some(Ok(p)) = inner
        .strip_prefix('P')
        .or_else(|| inner.strip_prefix('p'))
        .map(str::parse::<i64>)
    {
        return Ok(Some(ops::OwnerRef {
            region: None,
            project: Some(p),
        }));
    }
    if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(ops::OwnerRef {
            region: Some(inner.to_string()),
            project: None,
        }));
    }
    let found: Vec<&Choice> = choices.iter().filter(|c| c.name == s).collect();
    match found.as_slice() {
        [one] => Ok(Some(one.r.clone())),
        [] => Err(WebError::invalid(field, "unknown_name", s)),
        _ => Err(WebError::invalid(field, "ambiguous_name", s)),
    }
}

async fn ledger_fund(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let back = back_code(val(&x, "region"));
    let parsed = async {
        let fiscal_year = val(&x, "fiscal_year").trim().parse().map_err(|_| {
            WebError::invalid("fiscal_year", "not_a_number", val(&x, "fiscal_year"))
        })?;
        let detention_days =
            crate::app::forms::opt_num("detention_days", val(&x, "detention_days"))?;
        let input = ops::FundInput {
            client_id: val(&x, "client_id").to_string(),
            region: val(&x, "region").to_string(),
            source: val(&x, "source").to_string(),
            fiscal_year,
            document_no: val(&x, "document_no").to_string(),
            name: val(&x, "name").to_string(),
            amount: val(&x, "amount").to_string(),
            booked_on: val(&x, "booked_on").to_string(),
            detention_days,
        };
        ops::create_fund(&state, &ctx, input).await
    }
    .await;
    match parsed {
        Ok((fund, receipt)) => Ok(to_ledger(&fund.region, Notice::Booked, receipt.id)),
        Err(e) => refused(&state, &ctx, &uri, &back, "fund", x, e).await,
    }
}

async fn ledger_transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let back = back_code(val(&x, "back"));
    let booked = async {
        let region = RegionCode::parse(&back)
            .map_err(|_| WebError::invalid("from", "unknown_reference", &back))?;
        let choices = owner_choices(&state, &ctx, &region).await?;
        let fund_id = val(&x, "fund_id")
            .trim()
            .parse()
            .map_err(|_| WebError::invalid("fund_id", "not_a_number", val(&x, "fund_id")))?;
        let input = ops::TransferInput {
            client_id: val(&x, "client_id").to_string(),
            fund_id,
            kind: val(&x, "kind").to_string(),
            from: owner_named(&choices, "from", val(&x, "from"))?,
            to: owner_named(&choices, "to", val(&x, "to"))?,
            payee: Some(val(&x, "payee").trim().to_string()).filter(|p| !p.is_empty()),
            amount: val(&x, "amount").to_string(),
            booked_on: val(&x, "booked_on").to_string(),
            document_no: val(&x, "document_no").to_string(),
            purpose: val(&x, "purpose").to_string(),
            reverses: None,
        };
        let t = ops::book(&state, &ctx, input).await?;
        Ok::<_, WebError>((shown_at(&state, &t).await?, t.id))
    }
    .await;
    match booked {
        Ok((at, id)) => Ok(to_ledger(&at, Notice::Booked, id)),
        Err(e) => refused(&state, &ctx, &uri, &back, "transfer", x, e).await,
    }
}

/// The region whose ledger shows a transfer: the paying account's (a project's region for a
/// project account), else the receiving one's.
async fn shown_at(state: &AppState, t: &sunledger_store::Transfer) -> Result<RegionCode, WebError> {
    let acc = t.from_account.or(t.to_account).ok_or(WebError::NotFound)?;
    Ok(state
        .store
        .account(acc)
        .await?
        .ok_or(WebError::NotFound)?
        .region)
}

async fn ledger_receipt(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let back = back_code(val(&x, "back"));
    match ops::confirm_receipt(&state, &ctx, id, val(&x, "on")).await {
        Ok(t) => {
            let at = match t.to_account {
                Some(a) => state
                    .store
                    .account(a)
                    .await
                    .map_err(|e| f(e.into()))?
                    .map(|a| a.region),
                None => None,
            };
            match at {
                Some(at) => Ok(to_ledger(&at, Notice::Confirmed, id)),
                None => Ok(crate::ledger::pages::back_to_ledger(&back)),
            }
        }
        Err(e) => refused(&state, &ctx, &uri, &back, &format!("row-{id}"), x, e).await,
    }
}

async fn ledger_payment(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let back = back_code(val(&x, "back"));
    let action = val(&x, "action");
    let form = if action == "void" {
        format!("void-{id}")
    } else {
        format!("row-{id}")
    };
    match ops::payment(
        &state,
        &ctx,
        id,
        action,
        val(&x, "on"),
        val(&x, "document_no"),
    )
    .await
    {
        Ok(t) => {
            let at = shown_at(&state, &t).await.map_err(&f)?;
            Ok(to_ledger(&at, Notice::Stepped, id))
        }
        Err(e) => refused(&state, &ctx, &uri, &back, &form, x, e).await,
    }
}

/// Reverses a booked transfer (冲正): a new entry of the same amount the other way, with the
/// document and the reason on record.
async fn ledger_reversal(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let back = back_code(val(&x, "back"));
    let booked = async {
        let (orig, _) = ops::visible_transfer(&state, &ctx, id).await?;
        let input = ops::TransferInput {
            client_id: val(&x, "client_id").to_string(),
            fund_id: orig.fund_id,
            kind: "reverse".into(),
            from: None,
            to: None,
            payee: None,
            amount: orig.amount.to_string(),
            booked_on: val(&x, "booked_on").to_string(),
            document_no: val(&x, "document_no").to_string(),
            purpose: val(&x, "purpose").to_string(),
            reverses: Some(id),
        };
        let t = ops::book(&state, &ctx, input).await?;
        Ok::<_, WebError>((shown_at(&state, &t).await?, t.id))
    }
    .await;
    match booked {
        Ok((at, rid)) => Ok(to_ledger(&at, Notice::Reversed, rid)),
        Err(e) => refused(&state, &ctx, &uri, &back, &format!("reverse-{id}"), x, e).await,
    }
}

async fn ledger_suspend(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let back = back_code(val(&x, "back"));
    let done = async {
        let kind = val(&x, "target_kind").trim().to_string();
        let target = if kind == "payee" {
            val(&x, "target").trim().to_string()
        } else {
            let region = RegionCode::parse(&back)
                .map_err(|_| WebError::invalid("target", "unknown_reference", &back))?;
            let choices = owner_choices(&state, &ctx, &region).await?;
            match owner_named(&choices, "target", val(&x, "target"))? {
                Some(ops::OwnerRef {
                    project: Some(p), ..
                }) if kind == "project" => p.to_string(),
                Some(ops::OwnerRef {
                    region: Some(r), ..
                }) if kind == "region" => r,
                Some(_) => {
                    return Err(WebError::invalid(
                        "target",
                        "not_of_kind",
                        val(&x, "target"),
                    ));
                }
                None => return Err(WebError::invalid("target", "empty", "")),
            }
        };
        let input = ops::SuspensionInput {
            target_kind: kind,
            target,
            reason: val(&x, "reason").to_string(),
            document_no: val(&x, "document_no").to_string(),
            region: None,
        };
        ops::suspend(&state, &ctx, input).await
    }
    .await;
    match done {
        Ok(s) => {
            let code = RegionCode::parse(&back).or_else(|_| RegionCode::parse(&s.region));
            match code {
                Ok(c) => Ok(to_ledger(&c, Notice::Suspended, s.id)),
                Err(_) => Ok(crate::ledger::pages::back_to_ledger(&back)),
            }
        }
        Err(e) => refused(&state, &ctx, &uri, &back, "suspend", x, e).await,
    }
}

async fn ledger_resume(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let back = back_code(val(&x, "back"));
    match ops::resume(&state, &ctx, id, val(&x, "document_no")).await {
        Ok(_) => match RegionCode::parse(&back) {
            Ok(c) => Ok(to_ledger(&c, Notice::Resumed, id)),
            Err(_) => Ok(crate::ledger::pages::back_to_ledger(&back)),
        },
        Err(e) => refused(&state, &ctx, &uri, &back, &format!("resume-{id}"), x, e).await,
    }
}

//! Book 1 (the fund ledger) for the API and the pages: each operation checks the caller's role on
//! the region concerned, parses input into domain types, then calls the store.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops;
use crate::app::ops::{Named, own_ref};
use serde::{Deserialize, Serialize};
use sunledger_core::ledger::{FiscalYear, FundSource, PaymentAction, TransferKind};
use sunledger_core::money::Money;
use sunledger_core::{Permission, RegionCode};
use sunledger_store::{
    Account, Fund, NewFund, NewTransfer, Owner, Suspension, SuspensionTarget, Transfer,
};

/// An account named in a request: a region's (`{"region":"529121"}`) or a project's
/// (`{"project":12}`).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OwnerRef {
    pub region: Option<String>,
    pub project: Option<i64>,
}

/// The account an input names, checked to lie in the actor's subtree or above it (a refund goes
/// up one level) by `ops::own_ref`.
async fn owner(
    state: &AppState,
    ctx: &Ctx,
    r: &OwnerRef,
    field: &str,
) -> Result<(Owner, RegionCode), WebError> {
    match (&r.region, r.project) {
        (Some(c), None) => {
            let c = own_ref(state, ctx, field, Named::Region(c)).await?;
            Ok((Owner::Region(c), c))
        }
        (None, Some(p)) => {
            let region = own_ref(state, ctx, field, Named::Project(p)).await?;
            Ok((Owner::Project(p), region))
        }
        _ => Err(WebError::invalid(field, "missing_account", "")),
    }
}

/// A suspension refusing a payment, named with its issuing unit (region name and code).
async fn name_unit(state: &AppState, e: WebError) -> WebError {
    match e {
        WebError::Suspended {
            id,
            document_no,
            reason,
            unit,
        } if unit.is_empty() => {
            let unit = match state.store.suspension(id).await {
                Ok(Some(s)) => match RegionCode::parse(&s.region) {
                    Ok(c) => match state.store.region(&c).await {
                        Ok(Some(r)) => format!("{}（{}）", r.name, r.code),
                        _ => c.to_string(),
                    },
                    Err(_) => s.region,
                },
                _ => String::new(),
            };
            WebError::Suspended {
                id,
                document_no,
                reason,
                unit,
            }
        }
        other => other,
    }
}

pub(crate) fn amount(s: &str) -> Result<Money, WebError> {
    Ok(Money::parse_yuan(s)?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct FundInput {
    /// The client's id for this write (a retry books once).
    pub client_id: String,
    /// The region that receives the money.
    pub region: String,
    /// central_special, provincial, municipal, county_budget, integrated_agri, social_donation, other.
    pub source: String,
    pub fiscal_year: i64,
    pub document_no: String,
    pub name: String,
    /// Yuan with up to two decimals, e.g. "1200000.00".
    pub amount: String,
    /// YYYY-MM-DD.
    pub booked_on: String,
    /// Days allowed before unallocated money counts as detained (default 30).
    pub detention_days: Option<i64>,
}

pub async fn create_fund(
    state: &AppState,
    ctx: &Ctx,
    i: FundInput,
) -> Result<(Fund, Transfer), WebError> {
    let region = own_ref(state, ctx, "region", Named::Region(&i.region)).await?;
    ctx.require(Permission::ManageFunds, &region)?;
    let f = NewFund {
        client_id: client_id(&i.client_id)?,
        region,
        source: FundSource::parse(&i.source)?,
        fiscal_year: FiscalYear::new(i.fiscal_year)?,
        document_no: i.document_no,
        name: i.name,
        detention_days: i.detention_days.unwrap_or(30),
        amount: amount(&i.amount)?,
        booked_on: i.booked_on,
        actor: ctx.user.as_ref().map(|u| u.id),
    };
    Ok(state.store.create_fund(&f, state.now()).await?)
}

pub(crate) fn client_id(s: &str) -> Result<String, WebError> {
    let s = s.trim();
    if s.is_empty() || s.len() > 100 {
        return Err(WebError::invalid("client_id", "empty", ""));
    }
    Ok(s.to_string())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct TransferInput {
    pub client_id: String,
    pub fund_id: i64,
    /// appropriate, arrange, disburse, refund or reverse.
    pub kind: String,
    pub from: Option<OwnerRef>,
    pub to: Option<OwnerRef>,
    /// For disbursements: the payee (name with credit code or ID number).
    pub payee: Option<String>,
    /// Yuan, e.g. "35000.50".
    pub amount: String,
    pub booked_on: String,
    pub document_no: String,
    pub purpose: String,
    /// For reversals: the id of the transfer corrected.
    pub reverses: Option<i64>,
}

pub async fn book(state: &AppState, ctx: &Ctx, i: TransferInput) -> Result<Transfer, WebError> {
    ctx.require_user()?;
    let kind = TransferKind::parse(&i.kind)?;
    let (client, money) = (client_id(&i.client_id)?, amount(&i.amount)?);
    own_ref(state, ctx, "fund", Named::Fund(i.fund_id)).await?;
    let from = match &i.from {
        Some(r) => Some(owner(state, ctx, r, "from").await?),
        None => None,
    };
    let to = match &i.to {
        Some(r) => Some(owner(state, ctx, r, "to").await?),
        None => None,
    };
    if let Some(orig) = i.reverses {
        own_ref(state, ctx, "reverses", Named::Transfer(orig)).await?;
    }
    // The paying side decides; a reversal is booked by whoever may book on the original's source.
    let acting_region = match (kind, &from, i.reverses) {
        (TransferKind::Reverse, _, Some(orig)) => {
            let t = state
                .store
                .transfer(orig)
                .await?
                .ok_or(WebError::NotFound)?;
            let acc = t.from_account.or(t.to_account).ok_or(WebError::NotFound)?;
            state
                .store
                .account(acc)
                .await?
                .ok_or(WebError::NotFound)?
                .region
        }
        (_, Some((_, r)), _) => *r,
        _ => return Err(WebError::invalid("from", "missing_account", "")),
    };
    ctx.require(Permission::ManageFunds, &acting_region)?;
    let t = NewTransfer {
        client_id: client,
        fund_id: i.fund_id,
        kind,
        from: from.map(|(o, _)| o),
        to: to.map(|(o, _)| o),
        payee: i.payee,
        amount: money,
        booked_on: i.booked_on,
        document_no: i.document_no,
        purpose: i.purpose,
        actor: ctx.user.as_ref().map(|u| u.id),
        reverses: i.reverses,
    };
    match state.store.book_transfer(&t, state.now()).await {
        Ok(t) => Ok(t),
        Err(e) => Err(name_unit(state, e.into()).await),
    }
}

/// The transfer, if the actor may see one of its accounts.
pub async fn visible_transfer(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Transfer, Vec<Account>), WebError> {
    let t = state.store.transfer(id).await?.ok_or(WebError::NotFound)?;
    let mut accounts = Vec::new();
    for a in [t.from_account, t.to_account].into_iter().flatten() {
        if let Some(acc) = state.store.account(a).await? {
            accounts.push(acc);
        }
    }
    ctx.require_user()?;
    if !accounts
        .iter()
        .any(|a| ctx.actor.can(Permission::ViewInternal, &a.region))
    {
        return Err(WebError::NotFound);
    }
    Ok((t, accounts))
}

pub async fn confirm_receipt(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    on: &str,
) -> Result<Transfer, WebError> {
    let (t, accounts) = visible_transfer(state, ctx, id).await?;
    let to = accounts
        .iter()
        .find(|a| Some(a.id) == t.to_account)
        .ok_or(WebError::NotFound)?;
    ctx.require(Permission::ManageFunds, &to.region)?;
    Ok(state
        .store
        .confirm_receipt(id, on, ctx.user.as_ref().map(|u| u.id), state.now())
        .await?)
}

pub async fn payment(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: &str,
    on: &str,
    document_no: &str,
) -> Result<Transfer, WebError> {
    let action = match action.trim() {
        "hold" => PaymentAction::Hold,
        "release" => PaymentAction::Release,
        "pay" => PaymentAction::Pay,
        "void" => PaymentAction::Void,
        other => return Err(WebError::invalid("action", "unknown_action", other)),
    };
    let (t, accounts) = visible_transfer(state, ctx, id).await?;
    let from = accounts
        .iter()
        .find(|a| Some(a.id) == t.from_account)
        .ok_or(WebError::NotFound)?;
    ctx.require(Permission::ManageFunds, &from.region)?;
    match state
        .store
        .payment_action(
            id,
            action,
            on,
            document_no,
            ctx.user.as_ref().map(|u| u.id),
            state.now(),
        )
        .await
    {
        Ok(t) => Ok(t),
        Err(e) => Err(name_unit(state, e.into()).await),
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SuspensionInput {
    /// project, region or payee.
    pub target_kind: String,
    /// Project id, region code or payee.
    pub target: String,
    pub reason: String,
    pub document_no: String,
    /// The issuing unit: the region whose finance suspends (default: the caller's finance area
    /// holding the target; for a payee, the caller's finance area). A payee is suspended for
    /// payments booked inside it; a city-wide suspension needs a finance grant on the city.
    #[serde(default)]
    pub region: Option<String>,
}

/// The caller's finance area holding `r`.
fn finance_area(ctx: &Ctx, r: &RegionCode) -> Result<RegionCode, WebError> {
    ctx.actor
        .scopes(Permission::ManageFunds)
        .into_iter()
        .find(|s| r.is_within(s))
        .ok_or(WebError::Forbidden)
}

pub async fn suspend(
    state: &AppState,
    ctx: &Ctx,
    i: SuspensionInput,
) -> Result<Suspension, WebError> {
    ctx.require_user()?;
    let unit = match i.region.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(r) => Some(own_ref(state, ctx, "region", Named::Region(r)).await?),
        None => None,
    };
    let (target, region) = match i.target_kind.trim() {
        "project" => {
            let id: i64 = i
                .target
                .trim()
                .parse()
                .map_err(|_| WebError::invalid("target", "unknown_reference", &i.target))?;
            let r = own_ref(state, ctx, "target", Named::Project(id)).await?;
            (SuspensionTarget::Project(id), r)
        }
        "region" => {
            let c = own_ref(state, ctx, "target", Named::Region(&i.target)).await?;
            (SuspensionTarget::Region(c), c)
        }
        "payee" => {
            let scope = match unit {
                Some(u) => u,
                None => ctx
                    .actor
                    .scopes(Permission::ManageFunds)
                    .first()
                    .copied()
                    .ok_or(WebError::Forbidden)?,
            };
            (SuspensionTarget::Payee(i.target.trim().to_string()), scope)
        }
        other => return Err(WebError::invalid("target", "unknown_target_kind", other)),
    };
    ctx.require(Permission::ManageFunds, &region)?;
    // The issuing unit: named, or the caller's finance area holding the target.
    let unit = match unit {
        Some(u) => {
            ctx.require(Permission::ManageFunds, &u)?;
            if !region.is_within(&u) {
                return Err(WebError::invalid(
                    "region",
                    "outside_issuing_unit",
                    u.as_str(),
                ));
            }
            u
        }
        None => finance_area(ctx, &region)?,
    };
    Ok(state
        .store
        .suspend(
            &target,
            &unit,
            &i.reason,
            &i.document_no,
            ctx.user.as_ref().map(|u| u.id),
            state.now(),
        )
        .await?)
}

/// Whether suspension `s` concerns `area`'s subtree: issued inside it, or stopping payments
/// booked inside it (the same rule as `Store::suspensions_within`).
async fn concerns(state: &AppState, s: &Suspension, area: &RegionCode) -> Result<bool, WebError> {
    let issued = RegionCode::parse(&s.region)?;
    if issued.is_within(area) {
        return Ok(true);
    }
    Ok(match s.target_kind.as_str() {
        "payee" => area.is_within(&issued),
        "region" => match RegionCode::parse(&s.target) {
            Ok(t) => t.is_within(area) || area.is_within(&t),
            Err(_) => false,
        },
        "project" => match s.target.parse::<i64>() {
            Ok(id) => state
                .store
                .project(id)
                .await?
                .is_some_and(|p| p.region.is_within(area)),
            Err(_) => false,
        },
        _ => false,
    })
}

/// A suspension the actor may see: one that concerns one of its areas (`NotFound` otherwise).
pub async fn visible_suspension(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<Suspension, WebError> {
    ctx.require_user()?;
    let s = state
        .store
        .suspension(id)
        .await?
        .ok_or(WebError::NotFound)?;
    for area in ctx.actor.scopes(Permission::ViewInternal) {
        if concerns(state, &s, &area).await? {
            return Ok(s);
        }
    }
    Err(WebError::NotFound)
}

/// Lifts a suspension: finance of its issuing unit or of a level above it.
pub async fn resume(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    document_no: &str,
) -> Result<Suspension, WebError> {
    let s = visible_suspension(state, ctx, id).await?;
    let unit = RegionCode::parse(&s.region)?;
    ctx.require(Permission::ManageFunds, &unit)?;
    Ok(state
        .store
        .resume(
            id,
            document_no,
            ctx.user.as_ref().map(|u| u.id),
            state.now(),
        )
        .await?)
}

/// One account with what a finance official needs to see at a glance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub account: Account,
    pub fund: Fund,
    /// Project name for project accounts.
    pub project: Option<String>,
    #[schema(value_type = i64)]
    pub available: Money,
    /// Money left unallocated past the fund's deadline (滞留): amount (fen) and days past it.
    #[schema(value_type = Option<i64>)]
    pub detained: Option<Money>,
    pub detained_days: Option<i64>,
}

/// A lower region's account reconciled against what this level dispatched.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReconView {
    pub region_code: String,
    pub region_name: String,
    pub fund: Fund,
    #[schema(value_type = i64)]
    pub dispatched: Money,
    #[schema(value_type = i64)]
    pub received: Money,
    /// Dispatched but not confirmed by the lower level: a difference to explain (possible
    /// interception, 截留).
    #[schema(value_type = i64)]
    pub difference: Money,
    /// Days the oldest unconfirmed appropriation has waited.
    pub waiting_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionLedger {
    pub region: sunledger_store::Region,
    pub today: String,
    pub accounts: Vec<AccountView>,
    pub reconciliation: Vec<ReconView>,
    /// Transfers touching this region's accounts booked in the period, newest first (at most
    /// 200).
    pub transfers: Vec<Transfer>,
    /// The period shown (`from`, `to`, `YYYY-MM-DD` inclusive; blank = unbounded).
    pub from: String,
    pub to: String,
    /// Active suspensions in this region's subtree.
    pub suspensions: Vec<Suspension>,
}

/// The dashboard of a region the actor may see (internal).
pub async fn region_summary(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
) -> Result<sunledger_store::RegionSummary, WebError> {
    let region = ops::existing_region(state, code).await?;
    ctx.require(Permission::ViewInternal, &region.code)?;
    let today = sunledger_core::day::today(state.now());
    Ok(state.store.region_summary(&region.code, today).await?)
}

/// The period of a ledger view.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First booking day, `YYYY-MM-DD` (default: the beginning of the ledger).
    pub from: Option<String>,
    /// Last booking day, inclusive (default: the end of the ledger).
    pub to: Option<String>,
}

/// The ledger page of region `code`: its accounts, reconciliation, suspensions, and the transfers
/// booked between `from` and `to` (checked like an export's period: a bad day names its field).
pub async fn region_ledger(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<RegionLedger, WebError> {
    let region = ops::existing_region(state, code).await?;
    ctx.require(Permission::ViewInternal, &region.code)?;
    let (from, to) = crate::app::table::period(from, to)?;
    let (today_n, today) = sunledger_core::day::today_with_text(state.now());
    let mut funds = std::collections::HashMap::new();
    let mut accounts = Vec::new();
    for a in state.store.accounts_in(&region.code).await? {
        let fund = match funds.get(&a.fund_id) {
            Some(f) => Clone::clone(f),
            None => {
                let f = state
                    .store
                    .fund(a.fund_id)
                    .await?
                    .ok_or(WebError::NotFound)?;
                funds.insert(a.fund_id, f.clone());
                f
            }
        };
        let project = match a.project_id {
            Some(p) => state.store.project(p).await?.map(|p| p.name),
            None => None,
        };
        let credits: Vec<(i64, Money)> = state
            .store
            .account_credits(a.id)
            .await?
            .into_iter()
            .filter_map(|(d, m)| sunledger_core::day::number(&d).map(|n| (n, m)))
            .collect();
        let out = Money::from_fen(a.balance.debited.fen() + a.balance.held.fen());
        let det = sunledger_core::ledger::detention(&credits, out, today_n, fund.detention_days);
        accounts.push(AccountView {
            available: a.balance.available(),
            detained: det.map(|d| d.0),
            detained_days: det.map(|d| d.1),
            account: a,
            fund,
            project,
        });
    }
    let mut reconciliation = Vec::new();
    for r in state.store.reconciliation(&region.code).await? {
        let fund = match funds.get(&r.account.fund_id) {
            Some(f) => Clone::clone(f),
            None => {
                let f = state
                    .store
                    .fund(r.account.fund_id)
                    .await?
                    .ok_or(WebError::NotFound)?;
                funds.insert(r.account.fund_id, f.clone());
                f
            }
        };
        let name = state
            .store
            .region(&r.account.region)
            .await?
            .map(|x| x.name)
            .unwrap_or_default();
        let received = r.account.received_from_above;
        let difference = r.account.balance.in_transit;
        reconciliation.push(ReconView {
            region_code: r.account.region.to_string(),
            region_name: name,
            fund,
            dispatched: Money::from_fen(received.fen() + difference.fen()),
            received,
            difference,
            waiting_days: r
                .oldest_in_transit
                .as_deref()
                .and_then(sunledger_core::day::number)
                .map(|d| today_n - d),
        });
    }
    let transfers = state
        .store
        .transfers_of_region(&region.code, &from, &to, 200)
        .await?;
    let shown = |d: String, unbounded: &str| if d == unbounded { String::new() } else { d };
    let suspensions = state.store.suspensions_within(&region.code, true).await?;
    Ok(RegionLedger {
        region,
        today,
        accounts,
        reconciliation,
        transfers,
        suspensions,
        from: shown(from, crate::app::table::FIRST_DAY),
        to: shown(to, crate::app::table::LAST_DAY),
    })
}

//! Book 1, the fund appropriation ledger: funds, accounts, transfers, suspensions.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use std::collections::HashMap;
use sunledger_core::RegionCode;
use sunledger_core::ledger::{Balance, FiscalYear, FundSource, TransferKind};
use sunledger_core::money::Money;

/// The storage of Book 1, the fund appropriation ledger (part of [`crate::Store`]).
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Creates a fund and books its receipt at `f.region` (one `receive` transfer), once per
    /// client id: a retry with the same content returns the same fund, other content conflicts.
    async fn create_fund(&self, f: &NewFund, now: i64) -> Result<(Fund, Transfer)>;
    async fn fund(&self, id: i64) -> Result<Option<Fund>>;
    /// Funds with an account in `region`'s subtree.
    async fn funds_within(&self, region: &RegionCode) -> Result<Vec<Fund>>;
    /// Books a transfer, keeping the balances and the log in the same transaction. Idempotent on
    /// `client_id` (same content: the booked transfer; other content: `Conflict`).
    async fn book_transfer(&self, t: &NewTransfer, now: i64) -> Result<Transfer>;
    /// Confirms receipt of an appropriation by the lower level.
    async fn confirm_receipt(
        &self,
        transfer_id: i64,
        on: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer>;
    /// Holds, releases, pays or voids an approved disbursement.
    async fn payment_action(
        &self,
        transfer_id: i64,
        action: sunledger_core::ledger::PaymentAction,
        on: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Transfer>;
    /// Applies ledger steps in one transaction: all of them or, on the first failure
    /// (`StoreError::Batch` naming the step), none. Idempotent like the single operations.
    async fn apply_ledger_ops(&self, ops: &[LedgerOp], now: i64) -> Result<u64>;
    async fn transfer(&self, id: i64) -> Result<Option<Transfer>>;
    /// The transfers already booked under these client ids, with their state (`None` for
    /// entries without one): what an import finds already done. Unknown ids are left out.
    async fn transfer_states(
        &self,
        client_ids: &[String],
    ) -> Result<HashMap<String, Option<String>>>;
    /// The accounts of `region`'s direct children, with their oldest unconfirmed appropriation.
    async fn reconciliation(&self, region: &RegionCode) -> Result<Vec<ReconRow>>;
    /// The dated money that arrived in an account (for detention, first in, first out).
    async fn account_credits(
        &self,
        account_id: i64,
    ) -> Result<Vec<(String, sunledger_core::money::Money)>>;
    /// Every transfer of a fund, in booking order.
    async fn transfers_of_fund(&self, fund_id: i64) -> Result<Vec<Transfer>>;
    /// The ledger of `region` (transfers touching its own or its projects' accounts, or, with
    /// `subtree`, any account below it) booked between the dates (inclusive), oldest first.
    async fn ledger_rows(
        &self,
        region: &RegionCode,
        subtree: bool,
        from: &str,
        to: &str,
    ) -> Result<Vec<LedgerRow>>;
    async fn account(&self, id: i64) -> Result<Option<Account>>;
    async fn account_of(&self, fund_id: i64, owner: Owner) -> Result<Option<Account>>;
    /// Accounts of regions and projects in `region` itself (not below).
    async fn accounts_in(&self, region: &RegionCode) -> Result<Vec<Account>>;
    /// Transfers touching any account of `region` itself booked between the days `from` and `to`
    /// (`YYYY-MM-DD`, inclusive), newest first, at most `limit`.
    async fn transfers_of_region(
        &self,
        region: &RegionCode,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<Transfer>>;
    /// Suspends payments to a project or a region subtree inside `region` (the issuing unit), or
    /// to a payee for payments booked inside `region`.
    async fn suspend(
        &self,
        target: &SuspensionTarget,
        region: &RegionCode,
        reason: &str,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Suspension>;
    async fn suspension(&self, id: i64) -> Result<Option<Suspension>>;
    /// Resumes payments; the suspension stays in the history.
    async fn resume(
        &self,
        suspension_id: i64,
        document_no: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Suspension>;
    /// The suspensions that concern `region`'s subtree: issued inside it, or stopping payments
    /// booked inside it (whatever refuses a payment there is among them).
    async fn suspensions_within(
        &self,
        region: &RegionCode,
        active_only: bool,
    ) -> Result<Vec<Suspension>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFund {
    /// The client's id for this write: a retry books once.
    pub client_id: String,
    /// The level that receives the money (e.g. the city for central funds).
    pub region: RegionCode,
    pub source: FundSource,
    pub fiscal_year: FiscalYear,
    pub document_no: String,
    pub name: String,
    /// Days money may stay unallocated after receipt before it counts as detained.
    pub detention_days: i64,
    pub amount: Money,
    /// `YYYY-MM-DD`.
    pub booked_on: String,
    pub actor: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Fund {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub source: String,
    pub fiscal_year: i64,
    pub document_no: String,
    pub name: String,
    pub detention_days: i64,
}

/// Whose account: a region's share of a fund, or a project's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Region(RegionCode),
    Project(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: i64,
    pub fund_id: i64,
    /// `region` or `project`.
    pub owner_kind: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub project_id: Option<i64>,
    #[schema(value_type = Object)]
    pub balance: Balance,
    /// Appropriations from the level above whose receipt was confirmed (fen).
    #[schema(value_type = i64)]
    pub received_from_above: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransfer {
    pub client_id: String,
    pub fund_id: i64,
    pub kind: TransferKind,
    pub from: Option<Owner>,
    pub to: Option<Owner>,
    /// For disbursements: who is paid (name, or credit code / ID number).
    pub payee: Option<String>,
    pub amount: Money,
    pub booked_on: String,
    pub document_no: String,
    pub purpose: String,
    pub actor: Option<i64>,
    /// For reversals: the transfer corrected.
    pub reverses: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Transfer {
    pub id: i64,
    pub client_id: String,
    pub fund_id: i64,
    pub kind: String,
    pub from_account: Option<i64>,
    pub to_account: Option<i64>,
    pub payee: Option<String>,
    #[schema(value_type = i64)]
    pub amount: Money,
    pub booked_on: String,
    pub document_no: String,
    pub purpose: String,
    pub actor_id: Option<i64>,
    pub reverses: Option<i64>,
    /// Appropriations: `dispatched`/`received`; disbursements: `approved`/`held`/`paid`/`voided`.
    pub state: Option<String>,
}

/// What a suspension of payment stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuspensionTarget {
    Project(i64),
    /// A region and everything below it.
    Region(RegionCode),
    Payee(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Suspension {
    pub id: i64,
    pub target_kind: String,
    pub target: String,
    pub region: String,
    pub reason: String,
    pub document_no: String,
    pub suspended_by: Option<i64>,
    pub suspended_at: i64,
    pub resumed_at: Option<i64>,
    pub resume_document: Option<String>,
}

/// A fund or transfer named by its id or by the client id it was booked under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Id(i64),
    ClientId(String),
}

/// One step of a ledger import, applied with the others in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerOp {
    Fund(NewFund),
    /// `transfer.fund_id` and `transfer.reverses` are replaced by the resolved references.
    Transfer {
        fund: Ref,
        reverses: Option<Ref>,
        transfer: NewTransfer,
    },
    /// Confirms receipt (skipped when already received, so a re-run books nothing twice).
    Confirm {
        transfer: Ref,
        on: String,
        actor: Option<i64>,
    },
    /// Moves a payment (skipped when it is already in the target state).
    Payment {
        transfer: Ref,
        action: sunledger_core::ledger::PaymentAction,
        on: String,
        document_no: String,
        actor: Option<i64>,
    },
}

/// One line of a ledger as users file it: the same columns in CSV and XLSX exports and imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LedgerRow {
    pub client_id: String,
    /// YYYY-MM-DD.
    pub booked_on: String,
    /// receive, appropriate, arrange, disburse, refund, reverse.
    pub kind: String,
    /// The client id of the fund's `receive` row.
    pub fund_client_id: String,
    pub fund_source: String,
    pub fiscal_year: i64,
    pub fund_document_no: String,
    pub fund_name: String,
    pub detention_days: i64,
    /// A 12-digit region code, `P<project id>`, or empty.
    pub from: String,
    pub to: String,
    pub payee: String,
    /// Yuan with two decimals.
    pub amount: String,
    pub document_no: String,
    pub purpose: String,
    pub state: String,
    /// The client id of the transfer this one reverses.
    pub reverses: String,
}

impl LedgerRow {
    pub const COLUMNS: [&'static str; 17] = [
        "client_id",
        "booked_on",
        "kind",
        "fund_client_id",
        "fund_source",
        "fiscal_year",
        "fund_document_no",
        "fund_name",
        "detention_days",
        "from",
        "to",
        "payee",
        "amount",
        "document_no",
        "purpose",
        "state",
        "reverses",
    ];
}

/// A lower region's account in one fund, for reconciling a level against the one above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReconRow {
    pub account: Account,
    /// The booking day of the oldest appropriation still waiting for confirmation.
    pub oldest_in_transit: Option<String>,
}

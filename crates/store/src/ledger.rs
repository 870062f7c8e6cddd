//! Book 1, the fund appropriation ledger: funds, accounts, transfers, suspensions.
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use std::collections::HashMap;
use sunledger_core::RegionCode;

/// The storage of ledger (part of [`Store`](crate::Store)).
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
    /// Transfers touching any account of `region` itself, newest first.
    async fn transfers_of_region(&self, region: &RegionCode, limit: i64) -> Result<Vec<Transfer>>;
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

//! Book 1, the fund appropriation ledger: the rules, with no storage.
//!
//! Money enters a fund at the level that receives it (`Receive`, e.g. the city receiving central
//! special funds), is appropriated down one level at a time (`Appropriate`, city → county →
//! township → village), arranged to projects (`Arrange`), and paid to payees (`Disburse`:
//! contractors, households, cooperatives). `Refund` sends money back up one step. Every transfer
//! is double-entry: it debits one account and credits another by the same amount. A mistake is
//! corrected by a `Reverse` transfer pointing at the original; entries are never edited.
//!
//! An appropriation is *in transit* until the lower level confirms receipt; only then can the lower
//! level spend it. A disbursement is first *approved* (its amount is held on the project account),
//! then *paid* or *voided*; while approved it can be *held* and later *released*. Suspensions of a
//! project, a region or a payee stop approvals and payments that touch them.
//!
//! [`Balance::check`] is the invariant every booking keeps: no internal account pays out more
//! than it has received, counting held amounts.
use crate::error::DomainError;
use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    /// 中央财政专项扶贫资金
    CentralSpecial,
    /// 省级财政资金
    Provincial,
    /// 市级财政资金
    Municipal,
    /// 县级财政预算
    CountyBudget,
    /// 统筹整合涉农资金
    IntegratedAgri,
    /// 社会捐赠
    SocialDonation,
    Other,
}

impl FundSource {
    pub const ALL: [FundSource; 7] = [
        FundSource::CentralSpecial,
        FundSource::Provincial,
        FundSource::Municipal,
        FundSource::CountyBudget,
        FundSource::IntegratedAgri,
        FundSource::SocialDonation,
        FundSource::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            FundSource::CentralSpecial => "central_special",
            FundSource::Provincial => "provincial",
            FundSource::Municipal => "municipal",
            FundSource::CountyBudget => "county_budget",
            FundSource::IntegratedAgri => "integrated_agri",
            FundSource::SocialDonation => "social_donation",
            FundSource::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Result<FundSource, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| DomainError::invalid("source", "unknown_fund_source", s))
    }
}

/// A fiscal year, 2000 to 2100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FiscalYear(u16);

impl FiscalYear {
    pub fn new(y: i64) -> Result<FiscalYear, DomainError> {
        if (2000..=2100).contains(&y) {
            Ok(FiscalYear(y as u16))
        } else {
            Err(DomainError::invalid(
                "fiscal_year",
                "out_of_range",
                y.to_string(),
            ))
        }
    }
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    Receive,
    Appropriate,
    Arrange,
    Disburse,
    Refund,
    Reverse,
}

impl TransferKind {
    pub const ALL: [TransferKind; 6] = [
        TransferKind::Receive,
        TransferKind::Appropriate,
        TransferKind::Arrange,
        TransferKind::Disburse,
        TransferKind::Refund,
        TransferKind::Reverse,
    ];
    pub fn key(self) -> &'static str {
        match self {
            TransferKind::Receive => "receive",
            TransferKind::Appropriate => "appropriate",
            TransferKind::Arrange => "arrange",
            TransferKind::Disburse => "disburse",
            TransferKind::Refund => "refund",
            TransferKind::Reverse => "reverse",
        }
    }
    pub fn parse(s: &str) -> Result<TransferKind, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| DomainError::invalid("kind", "unknown_transfer_kind", s))
    }
}

/// The state of a disbursement (a payment to a payee).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Approved: the amount is held on the project account.
    Approved,
    /// Held back (e.g. under suspension): still held, cannot be paid until released.
    Held,
    /// Paid out: the project account is debited.
    Paid,
    /// Voided: the hold is released, nothing was paid.
    Voided,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentAction {
    Hold,
    Release,
    Pay,
    Void,
}

impl PaymentAction {
    /// Voiding an approved payment undoes a decision, so it needs the document that decided it
    /// (its number goes on record with the step); the other steps may name one.
    pub fn check_document(self, document_no: &str) -> Result<(), DomainError> {
        if self == PaymentAction::Void && document_no.trim().is_empty() {
            return Err(DomainError::invalid("document_no", "required_to_void", ""));
        }
        Ok(())
    }
}

impl PaymentState {
    pub const ALL: [PaymentState; 4] = [
        PaymentState::Approved,
        PaymentState::Held,
        PaymentState::Paid,
        PaymentState::Voided,
    ];
    pub fn key(self) -> &'static str {
        match self {
            PaymentState::Approved => "approved",
            PaymentState::Held => "held",
            PaymentState::Paid => "paid",
            PaymentState::Voided => "voided",
        }
    }
    pub fn parse(s: &str) -> Result<PaymentState, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| DomainError::invalid("state", "unknown_payment_state", s))
    }

    /// The one function that says which payment transitions are legal.
    pub fn next(self, action: PaymentAction) -> Result<PaymentState, DomainError> {
        use PaymentAction::*;
        use PaymentState::*;
        match (self, action) {
            (Approved, Hold) => Ok(Held),
            (Held, Release) => Ok(Approved),
            (Approved, Pay) => Ok(Paid),
            (Approved | Held, Void) => Ok(Voided),
            _ => Err(DomainError::invalid(
                "state",
                "transition_not_allowed",
                format!("{} → {action:?}", self.key()),
            )),
        }
    }

    /// Whether the payment's amount is still held on the project account.
    pub fn holds(self) -> bool {
        matches!(self, PaymentState::Approved | PaymentState::Held)
    }
}

/// The running totals of one internal account (a region's or a project's share of one fund).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Confirmed money in (receipts, confirmed appropriations, arrangements, refunds from below).
    pub credited: Money,
    /// Money out (appropriations dispatched, arrangements, payments, refunds up).
    pub debited: Money,
    /// Approved payments not yet paid or voided.
    pub held: Money,
    /// Appropriations dispatched to this account whose receipt is not yet confirmed.
    pub in_transit: Money,
}

impl Balance {
    /// What the account may still pay out or pass on.
    pub fn available(&self) -> Money {
        Money::from_fen(self.credited.fen() - self.debited.fen() - self.held.fen())
    }

    /// The invariant: nothing negative, and no more out (with holds) than in.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.credited.fen() < 0
            || self.debited.fen() < 0
            || self.held.fen() < 0
            || self.in_transit.fen() < 0
        {
            return Err(DomainError::invalid("amount", "negative_total", ""));
        }
        if self.available().fen() < 0 {
            return Err(DomainError::invalid(
                "amount",
                "insufficient_funds",
                self.available().to_string(),
            ));
        }
        Ok(())
    }

    fn add(a: Money, b: Money) -> Result<Money, DomainError> {
        a.checked_add(b)
            .ok_or_else(|| DomainError::invalid("amount", "too_large", ""))
    }
    fn sub(a: Money, b: Money) -> Result<Money, DomainError> {
        a.checked_sub(b)
            .ok_or_else(|| DomainError::invalid("amount", "too_large", ""))
    }

    /// Pays out `m` (debit), refusing if that would overdraw.
    pub fn debit(self, m: Money) -> Result<Balance, DomainError> {
        let b = Balance {
            debited: Self::add(self.debited, m)?,
            ..self
        };
        b.check().map_err(|_| {
            DomainError::invalid("amount", "insufficient_funds", self.available().to_string())
        })?;
        Ok(b)
    }
    pub fn credit(self, m: Money) -> Result<Balance, DomainError> {
        Ok(Balance {
            credited: Self::add(self.credited, m)?,
            ..self
        })
    }
    pub fn hold(self, m: Money) -> Result<Balance, DomainError> {
        let b = Balance {
            held: Self::add(self.held, m)?,
            ..self
        };
        b.check().map_err(|_| {
            DomainError::invalid("amount", "insufficient_funds", self.available().to_string())
        })?;
        Ok(b)
    }
    pub fn unhold(self, m: Money) -> Result<Balance, DomainError> {
        let b = Balance {
            held: Self::sub(self.held, m)?,
            ..self
        };
        b.check()?;
        Ok(b)
    }
    /// Pays a held amount: the hold becomes a debit.
    pub fn pay_held(self, m: Money) -> Result<Balance, DomainError> {
        self.unhold(m)?.debit(m)
    }
    pub fn dispatch_in(self, m: Money) -> Result<Balance, DomainError> {
        Ok(Balance {
            in_transit: Self::add(self.in_transit, m)?,
            ..self
        })
    }
    /// Confirms receipt of an appropriation in transit.
    pub fn confirm(self, m: Money) -> Result<Balance, DomainError> {
        let b = Balance {
            in_transit: Self::sub(self.in_transit, m)?,
            credited: Self::add(self.credited, m)?,
            ..self
        };
        b.check()?;
        Ok(b)
    }
}

/// Checks an amount given for a transfer: positive.
pub fn check_amount(m: Money) -> Result<(), DomainError> {
    if m.fen() <= 0 {
        return Err(DomainError::invalid(
            "amount",
            "not_positive",
            m.to_string(),
        ));
    }
    Ok(())
}

/// Money left unallocated past its deadline (detention, 滞留): given the dated credits of an
/// account (day numbers, oldest first) and everything that has left it, the amount still there
/// from credits older than `deadline_days`, and how many days past the deadline the oldest of it
/// is. Money leaves first-in, first-out.
pub fn detention(
    credits: &[(i64, Money)],
    out_total: Money,
    today: i64,
    deadline_days: i64,
) -> Option<(Money, i64)> {
    let mut out = out_total.fen();
    let mut detained = 0i64;
    let mut oldest: Option<i64> = None;
    for (day, m) in credits {
        let used = out.min(m.fen()).max(0);
        out -= used;
        let left = m.fen() - used;
        if left > 0 && today - day > deadline_days {
            detained += left;
            oldest = Some(oldest.map_or(*day, |o: i64| o.min(*day)));
        }
    }
    oldest.map(|d| (Money::from_fen(detained), today - d - deadline_days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn y(f: i64) -> Money {
        Money::from_fen(f)
    }

    #[test]
    fn payment_transitions_exhaustively() {
        use PaymentAction::*;
        use PaymentState::*;
        let legal = [
            (Approved, Hold, Held),
            (Held, Release, Approved),
            (Approved, Pay, Paid),
            (Approved, Void, Voided),
            (Held, Void, Voided),
        ];
        for s in PaymentState::ALL {
            for a in [Hold, Release, Pay, Void] {
                let want = legal
                    .iter()
                    .find(|(f, act, _)| *f == s && *act == a)
                    .map(|(_, _, t)| *t);
                assert_eq!(s.next(a).ok(), want, "{s:?} {a:?}");
            }
        }
        assert!(!Paid.holds() && !Voided.holds() && Approved.holds() && Held.holds());
    }

    #[test]
    fn balances_refuse_overdrafts() {
        let b = Balance::default().credit(y(1000)).unwrap();
        let b = b.hold(y(600)).unwrap();
        assert!(b.debit(y(500)).is_err(), "held money cannot be spent twice");
        let b = b.debit(y(400)).unwrap();
        assert_eq!(b.available(), y(0));
        let b = b.pay_held(y(600)).unwrap();
        assert_eq!((b.debited, b.held), (y(1000), y(0)));
        assert!(
            Balance::default()
                .dispatch_in(y(5))
                .unwrap()
                .debit(y(1))
                .is_err(),
            "money in transit is not spendable"
        );
        let b = Balance::default()
            .dispatch_in(y(5))
            .unwrap()
            .confirm(y(5))
            .unwrap();
        assert_eq!(b.available(), y(5));
        assert!(Balance::default().confirm(y(1)).is_err());
    }

    #[test]
    fn detention_is_first_in_first_out() {
        // 100 on day 0, 50 on day 20; 120 left by day 40; deadline 30 days.
        assert_eq!(detention(&[(0, y(100)), (20, y(50))], y(120), 40, 30), None);
        // 60 left: the day-0 credit is gone, the day-20 one has 30 left, 20 days old: not yet.
        assert_eq!(
            detention(&[(0, y(100)), (20, y(50))], y(60), 40, 30),
            Some((y(40), 10))
        );
        assert_eq!(
            detention(&[(0, y(100)), (20, y(50))], y(0), 60, 30),
            Some((y(150), 30))
        );
    }

    proptest! {
        /// Any sequence of operations on a balance either fails and changes nothing, or keeps the
        /// invariant.
        #[test]
        fn balance_invariant_holds(ops in proptest::collection::vec((0u8..6, 1i64..10_000), 1..200)) {
            let mut b = Balance::default();
            for (op, amt) in ops {
                let m = y(amt);
                let r = match op {
                    0 => b.credit(m),
                    1 => b.debit(m),
                    2 => b.hold(m),
                    3 => b.unhold(m),
                    4 => b.dispatch_in(m),
                    _ => b.confirm(m),
                };
                if let Ok(nb) = r {
                    prop_assert!(nb.check().is_ok());
                    b = nb;
                }
                prop_assert!(b.available().fen() >= 0);
            }
        }
    }
}

//! Book 3, the problem rectification ledger: the rules, with no storage and no clock.
//!
//! A problem moves open → rectifying → submitted → closed, or back from submitted to rectifying
//! when the evidence is rejected; a closed problem can be reopened with a reason
//! ([`ProblemState::next`]).
use crate::access::{INSPECTORS, Role};
use crate::error::DomainError;
use crate::keyed::keyed;

/// Who acts for a responsible unit (starts and submits rectification).
pub const RECTIFIERS: &[Role] = &[
    Role::PartyGovernment,
    Role::Finance,
    Role::PovertyBureau,
    Role::TownshipOfficial,
    Role::VillageCadre,
    Role::WorkTeam,
];

impl ProblemAction {
    /// Start and submit are the responsible unit's; verify, reject and reopen the inspectors'.
    pub fn roles(self) -> &'static [Role] {
        match self {
            ProblemAction::Start | ProblemAction::Submit => RECTIFIERS,
            _ => INSPECTORS,
        }
    }
}

keyed!(
    /// The seed's key points of supervision.
    ProblemCategory, "category", "unknown_category" {
        /// 扶贫任务落实
        TaskImplementation => "task_implementation",
        /// "四风"问题
        FourWinds => "four_winds",
        /// 腐败问题
        Corruption => "corruption",
        /// 资金管理使用
        FundManagement => "fund_management",
        /// 精准扶贫
        Targeting => "targeting",
        /// 干部作风
        CadreStyle => "cadre_style",
        /// 目标任务完成
        Objectives => "objectives",
        /// 群众反映的突出问题
        PublicComplaints => "public_complaints",
    }
);

keyed!(
    Severity, "severity", "unknown_severity" {
        Minor => "minor",
        General => "general",
        Serious => "serious",
        Critical => "critical",
    }
);

keyed!(
    /// Where a problem is in its rectification.
    ProblemState, "state", "unknown_state" {
        Open => "open",
        Rectifying => "rectifying",
        Submitted => "submitted",
        Closed => "closed",
    }
);

keyed!(
    ProblemAction, "action", "unknown_action" {
        /// The responsible unit starts rectifying.
        Start => "start",
        /// It submits the rectification with evidence.
        Submit => "submit",
        /// The inspectors verify and close it.
        Verify => "verify",
        /// The inspectors reject the evidence: back to rectifying.
        Reject => "reject",
        /// A closed problem is reopened, with a reason.
        Reopen => "reopen",
    }
);

impl ProblemState {
    pub fn next(self, a: ProblemAction) -> Result<ProblemState, DomainError> {
        use ProblemAction as A;
        use ProblemState::*;
        Ok(match (self, a) {
            (Open, A::Start) => Rectifying,
            (Open | Rectifying, A::Submit) => Submitted,
            (Submitted, A::Verify) => Closed,
            (Submitted, A::Reject) => Rectifying,
            (Closed, A::Reopen) => Rectifying,
            _ => {
                return Err(DomainError::invalid(
                    "action",
                    "not_allowed_in_state",
                    self.key(),
                ));
            }
        })
    }
    /// Still to be fixed (counts for deadlines and escalation).
    pub fn is_open(self) -> bool {
        self != ProblemState::Closed
    }
}

impl ProblemAction {
    /// Submissions need evidence; rejections and reopenings need a reason.
    pub fn needs_text(self) -> bool {
        matches!(
            self,
            ProblemAction::Submit | ProblemAction::Reject | ProblemAction::Reopen
        )
    }
}

/// A problem's deadline as set (at registration or by the ladder), with the reason when it is
/// already past. Practice: a deadline is set for rectification still to come; one already past
/// (a problem registered late, copied from an old report) is allowed only with a written reason,
/// as it makes the problem overdue, and so due for escalation, at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub day: i64,
    pub reason: Option<String>,
}

impl Deadline {
    /// Refuses, naming `field`: not a day (`bad_date`), or before `today` without a reason
    /// (`past_without_reason`); the reason (`deadline_reason`) too long (`too_long`,
    /// [`crate::text::REASON`]). A reason given is kept even when not needed.
    pub fn new(
        field: &'static str,
        s: &str,
        reason: Option<&str>,
        today: i64,
    ) -> Result<Deadline, DomainError> {
        let day = crate::day::parse(field, s)?;
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(crate::text::bounded(
                "deadline_reason",
                r,
                crate::text::REASON,
            )?),
            None => None,
        };
        if day < today && reason.is_none() {
            return Err(DomainError::invalid(field, "past_without_reason", s.trim()));
        }
        Ok(Deadline { day, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn deadlines() {
        let today = crate::day::parse("d", "2026-05-01").unwrap_or_default();
        assert_eq!(
            Deadline::new("deadline", "2026-05-01", None, today).map(|d| d.day),
            Ok(today)
        );
        assert!(matches!(
            Deadline::new("deadline", "2024-06-01", None, today),
            Err(DomainError::Invalid {
                field: "deadline",
                reason: "past_without_reason",
                ..
            })
        ));
        let late = Deadline::new("deadline", "2024-06-01", Some(" 补录 "), today);
        assert_eq!(late.ok().and_then(|d| d.reason).as_deref(), Some("补录"));
        assert!(matches!(
            Deadline::new("deadline", "2026-13-01", None, today),
            Err(DomainError::Invalid {
                reason: "bad_date",
                ..
            })
        ));
    }

    proptest! {
        /// A problem is closed only by verifying submitted evidence; every other move keeps it
        /// open; refused moves change nothing.
        #[test]
        fn problem_lifecycle(actions in proptest::collection::vec(proptest::sample::select(ProblemAction::ALL.to_vec()), 0..40)) {
            let mut s = ProblemState::Open;
            for a in actions {
                if let Ok(n) = s.next(a) {
                    if n == ProblemState::Closed {
                        prop_assert_eq!(s, ProblemState::Submitted);
                        prop_assert_eq!(a, ProblemAction::Verify);
                    }
                    if s == ProblemState::Closed {
                        prop_assert_eq!(a, ProblemAction::Reopen);
                    }
                    s = n;
                }
            }
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

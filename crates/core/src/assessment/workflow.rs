//! The assessment's workflow: a round (a scheme version, a year, an as-of day) goes draft →
//! reviewed → published; unpublishing needs a reason and returns it to draft. A county's appeal
//! of a deduction is filed with reasons and decided by the bureau: upheld (the points restored,
//! as an event, never an edit) or dismissed. Four eyes: the one who reviewed a round does not
//! publish it (`duty::Control::PublishAssessment`).
use crate::error::DomainError;
use crate::keyed::keyed;

keyed!(
    /// Where a round stands.
    RoundState, "state", "unknown_state" {
        /// Computed live from the books.
        Draft => "draft",
        /// Reviewed by the bureau; still live.
        Reviewed => "reviewed",
        /// A signed snapshot: its table and hash are in the log; later bookings do not change it.
        Published => "published",
    }
);

keyed!(
    /// A step of a round.
    RoundAction, "action", "unknown_action" {
        Review => "review",
        /// Back from reviewed to draft (to recompute after corrections).
        Reopen => "reopen",
        Publish => "publish",
        /// Needs a reason; back to draft.
        Unpublish => "unpublish",
    }
);

impl RoundState {
    /// The one transition function of a round.
    pub fn next(self, action: RoundAction, reason: &str) -> Result<RoundState, DomainError> {
        use RoundAction as A;
        use RoundState as S;
        match (self, action) {
            (S::Draft, A::Review) => Ok(S::Reviewed),
            (S::Reviewed, A::Reopen) => Ok(S::Draft),
            (S::Reviewed, A::Publish) => Ok(S::Published),
            (S::Published, A::Unpublish) if reason.trim().is_empty() => {
                Err(DomainError::invalid("reason", "required_to_unpublish", ""))
            }
            (S::Published, A::Unpublish) => Ok(S::Draft),
            _ => Err(DomainError::invalid(
                "action",
                "not_allowed_now",
                action.key(),
            )),
        }
    }

    /// The steps allowed from here.
    pub fn actions(self) -> Vec<RoundAction> {
        RoundAction::ALL
            .iter()
            .copied()
            .filter(|a| self.next(*a, "x").is_ok())
            .collect()
    }
}

keyed!(
    /// Where an appeal stands.
    AppealState, "state", "unknown_state" {
        Filed => "filed",
        /// The appeal holds: the points are restored.
        Upheld => "upheld",
        /// The deduction stands.
        Dismissed => "dismissed",
    }
);

impl AppealState {
    /// The bureau's decision on a filed appeal; both need the decision's reasons.
    pub fn decide(self, uphold: bool, reason: &str) -> Result<AppealState, DomainError> {
        if self != AppealState::Filed {
            return Err(DomainError::invalid(
                "appeal",
                "already_decided",
                self.key(),
            ));
        }
        if reason.trim().is_empty() {
            return Err(DomainError::invalid("reason", "required", ""));
        }
        Ok(if uphold {
            AppealState::Upheld
        } else {
            AppealState::Dismissed
        })
    }
}

//! Village meetings and their votes (issue 18): who must be present for a meeting to decide, and
//! what a vote decides. No storage and no clock: the roster, attendance and counts are given.
//!
//! Sources (every number a default kept in [`Rules`], which a county may change):
//! - 村民委员会组织法 art. 22: a villagers' meeting (村民会议) needs more than half of the
//!   villagers aged 18 or over, or the representatives of two thirds or more of the households
//!   (以上 includes the number itself);
//!   its decisions need more than half of those present. A villagers' meeting is called 10 days
//!   ahead (art. 22, 各省实施办法 commonly 10 days).
//! - 村民委员会组织法 art. 26: a villagers' representatives' meeting (村民代表会议) needs at least
//!   two thirds of its members present; its decisions need more than half of the members present.
//! - seed §3B: projects are "elected, evaluated, discussed, managed and decided by the people";
//!   the evaluation of poor households is "combined with mass voting".
use crate::DomainError;
use crate::keyed::keyed;

keyed!(
    /// The kind of a meeting.
    MeetingKind, "kind", "unknown_meeting_kind" {
        /// 村民会议: the villagers aged 18 or over (or the households' representatives).
        Villagers => "villagers",
        /// 村民代表会议: the villagers' representatives.
        Representatives => "representatives",
        /// 村民委员会会议 or 村务监督委员会会议: the committee's members.
        Committee => "committee",
    }
);

keyed!(
    /// Whom a villagers' meeting's roster counts.
    RosterBasis, "basis", "unknown_roster_basis" {
        /// The villagers aged 18 or over.
        Adults => "adults",
        /// One representative per household.
        Households => "households",
    }
);

/// A share as a fraction, `num / den`, compared exactly in integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub num: u32,
    pub den: u32,
    /// `true`: strictly more than the share; `false`: at least the share.
    pub strictly_more: bool,
}

impl Share {
    /// Whether `part` of `whole` reaches the share (exact integer arithmetic).
    pub fn reached(self, part: u32, whole: u32) -> bool {
        let lhs = u64::from(part) * u64::from(self.den);
        let rhs = u64::from(whole) * u64::from(self.num);
        if self.strictly_more {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }

    /// The least part of `whole` that reaches the share.
    pub fn least(self, whole: u32) -> u32 {
        let rhs = u64::from(whole) * u64::from(self.num);
        let den = u64::from(self.den.max(1));
        let n = if self.strictly_more {
            rhs / den + 1
        } else {
            rhs.div_ceil(den)
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// More than half.
pub const MORE_THAN_HALF: Share = Share {
    num: 1,
    den: 2,
    strictly_more: true,
};
/// At least two thirds.
pub const TWO_THIRDS: Share = Share {
    num: 2,
    den: 3,
    strictly_more: false,
};

/// The configurable numbers of village meetings, with their defaults and sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// A villagers' meeting counted by adults: more than half (组织法 art. 22).
    pub villagers_adults: Share,
    /// A villagers' meeting counted by households: at least two thirds (组织法 art. 22).
    pub villagers_households: Share,
    /// A representatives' meeting: at least two thirds of its members (组织法 art. 26).
    pub representatives: Share,
    /// A committee meeting: more than half of its members (practice).
    pub committee: Share,
    /// A decision: more than half of those present (组织法 art. 22, 26).
    pub decision: Share,
    /// Days a villagers' meeting is called ahead (组织法 art. 22; provincial rules: 10).
    pub call_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            villagers_adults: MORE_THAN_HALF,
            villagers_households: TWO_THIRDS,
            representatives: TWO_THIRDS,
            committee: MORE_THAN_HALF,
            decision: MORE_THAN_HALF,
            call_days: 10,
        }
    }
}

impl Rules {
    /// The share of the roster that must be present for a meeting of `kind`.
    pub fn quorum_share(&self, kind: MeetingKind, basis: RosterBasis) -> Share {
        match (kind, basis) {
            (MeetingKind::Villagers, RosterBasis::Adults) => self.villagers_adults,
            (MeetingKind::Villagers, RosterBasis::Households) => self.villagers_households,
            (MeetingKind::Representatives, _) => self.representatives,
            (MeetingKind::Committee, _) => self.committee,
        }
    }
}

/// A meeting's quorum: who must be there, who is, and whether it may decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    pub roster: u32,
    pub present: u32,
    /// The least attendance that may decide.
    pub needed: u32,
    pub met: bool,
}

/// The quorum of a meeting of `kind` with `roster` on its roster (frozen when it was called)
/// and `present` there. More present than on the roster is refused.
pub fn quorum(
    rules: &Rules,
    kind: MeetingKind,
    basis: RosterBasis,
    roster: u32,
    present: u32,
) -> Result<Quorum, DomainError> {
    if roster == 0 {
        return Err(DomainError::invalid("roster", "empty", ""));
    }
    if present > roster {
        return Err(DomainError::invalid(
            "present",
            "more_than_roster",
            format!("{present}/{roster}"),
        ));
    }
    let share = rules.quorum_share(kind, basis);
    Ok(Quorum {
        roster,
        present,
        needed: share.least(roster),
        met: share.reached(present, roster),
    })
}

keyed!(
    /// What a vote decided.
    Outcome, "outcome", "unknown_vote_outcome" {
        /// More than half of those present voted for.
        Passed => "passed",
        /// Not enough votes for.
        Failed => "failed",
        /// Taken without a quorum: void, whatever the counts.
        Void => "void",
    }
);

/// A vote's counts (blank ballots allowed: present minus the three counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
}

/// What a vote with `tally` decides at a meeting with quorum `q`. The counts may not add up to
/// more than those present (the rest are blank).
pub fn decide(rules: &Rules, q: &Quorum, tally: Tally) -> Result<Outcome, DomainError> {
    let cast = u64::from(tally.for_) + u64::from(tally.against) + u64::from(tally.abstain);
    if cast > u64::from(q.present) {
        return Err(DomainError::invalid(
            "tally",
            "more_votes_than_present",
            format!("{cast}/{}", q.present),
        ));
    }
    Ok(if !q.met {
        Outcome::Void
    } else if rules.decision.reached(tally.for_, q.present) {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}

keyed!(
    /// One member's ballot in a named vote (named-vote mode: stored apart from the tally and
    /// never public).
    Ballot, "ballot", "unknown_ballot" {
        For => "for",
        Against => "against",
        Abstain => "abstain",
    }
);

/// The tally of a named vote: its ballots counted (members who cast none are blank).
pub fn tally_of(ballots: &[Ballot]) -> Tally {
    let mut t = Tally::default();
    for b in ballots {
        match b {
            Ballot::For => t.for_ += 1,
            Ballot::Against => t.against += 1,
            Ballot::Abstain => t.abstain += 1,
        }
    }
    t
}

/// Whether a meeting called on day `called` may be held on day `held`: a villagers' meeting
/// needs the rule's days of notice; other meetings may be held from the day they are called.
pub fn check_notice(
    rules: &Rules,
    kind: MeetingKind,
    called: i64,
    held: i64,
) -> Result<(), DomainError> {
    let days = if kind == MeetingKind::Villagers {
        rules.call_days
    } else {
        0
    };
    if held < called + days {
        return Err(DomainError::invalid(
            "held_on",
            "notice_too_short",
            format!("{}", held - called),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_issue_numbers() {
        let r = Rules::default();
        let q = |present| {
            quorum(
                &r,
                MeetingKind::Representatives,
                RosterBasis::Households,
                31,
                present,
            )
            .ok()
        };
        // 20 of 31 is below two thirds; 21 is enough.
        assert_eq!(q(20).map(|q| (q.met, q.needed)), Some((false, 21)));
        assert_eq!(q(21).map(|q| q.met), Some(true));
        let at_21 = q(21).unwrap_or(Quorum {
            roster: 0,
            present: 0,
            needed: 0,
            met: false,
        });
        let vote = |f| {
            decide(
                &r,
                &at_21,
                Tally {
                    for_: f,
                    against: 21 - f,
                    abstain: 0,
                },
            )
            .ok()
        };
        // 10 for of 21 present fails, 11 passes.
        assert_eq!(vote(10), Some(Outcome::Failed));
        assert_eq!(vote(11), Some(Outcome::Passed));
        // Without a quorum the vote is void, whatever it says.
        let at_20 = q(20).unwrap_or(at_21);
        assert_eq!(
            decide(
                &r,
                &at_20,
                Tally {
                    for_: 20,
                    against: 0,
                    abstain: 0
                }
            )
            .ok(),
            Some(Outcome::Void)
        );
        // More votes than people present is refused.
        assert!(
            decide(
                &r,
                &at_21,
                Tally {
                    for_: 11,
                    against: 11,
                    abstain: 0
                }
            )
            .is_err()
        );
    }

    #[test]
    fn named_ballots_make_the_tally() {
        use Ballot::*;
        let t = tally_of(&[For, For, Against, Abstain, For]);
        assert_eq!((t.for_, t.against, t.abstain), (3, 1, 1));
        assert_eq!(tally_of(&[]), Tally::default());
    }

    #[test]
    fn villagers_meetings_count_adults_or_households() {
        let r = Rules::default();
        let adults = |p| quorum(&r, MeetingKind::Villagers, RosterBasis::Adults, 100, p).ok();
        assert_eq!(adults(50).map(|q| q.met), Some(false));
        assert_eq!(adults(51).map(|q| (q.met, q.needed)), Some((true, 51)));
        let hh = |p| quorum(&r, MeetingKind::Villagers, RosterBasis::Households, 30, p).ok();
        assert_eq!(hh(19).map(|q| q.met), Some(false));
        assert_eq!(hh(20).map(|q| (q.met, q.needed)), Some((true, 20)));
        assert!(check_notice(&r, MeetingKind::Villagers, 100, 109).is_err());
        assert!(check_notice(&r, MeetingKind::Villagers, 100, 110).is_ok());
        assert!(check_notice(&r, MeetingKind::Representatives, 100, 100).is_ok());
    }

    fn share() -> impl Strategy<Value = Share> {
        (1u32..5, 2u32..6, any::<bool>()).prop_map(|(num, den, strictly_more)| Share {
            num: num.min(den),
            den,
            strictly_more,
        })
    }

    proptest! {
        /// `least` is exactly the threshold: it reaches the share and one fewer does not.
        #[test]
        fn least_is_the_threshold(s in share(), whole in 1u32..10_000) {
            let n = s.least(whole);
            if n <= whole {
                prop_assert!(s.reached(n, whole));
            }
            if n > 0 {
                prop_assert!(!s.reached(n - 1, whole));
            }
        }

        /// A quorum is met exactly when at least `needed` are present.
        #[test]
        fn quorum_met_iff_needed(roster in 1u32..500, present in 0u32..500, rep in any::<bool>()) {
            let kind = if rep { MeetingKind::Representatives } else { MeetingKind::Villagers };
            match quorum(&Rules::default(), kind, RosterBasis::Adults, roster, present) {
                Ok(q) => prop_assert_eq!(q.met, present >= q.needed),
                Err(_) => prop_assert!(present > roster),
            }
        }

        /// A vote passes exactly when the meeting has its quorum and more than half of those
        /// present voted for; more for never turns a pass into a failure.
        #[test]
        fn votes(roster in 1u32..200, present in 0u32..200, f in 0u32..200, a in 0u32..200) {
            let r = Rules::default();
            let Ok(q) = quorum(&r, MeetingKind::Representatives, RosterBasis::Adults, roster, present) else {
                return Ok(());
            };
            let t = Tally { for_: f, against: a, abstain: 0 };
            match decide(&r, &q, t) {
                Ok(Outcome::Passed) => prop_assert!(q.met && 2 * f > present),
                Ok(Outcome::Failed) => prop_assert!(q.met && 2 * f <= present),
                Ok(Outcome::Void) => prop_assert!(!q.met),
                Err(_) => prop_assert!(f + a > present),
            }
        }
    }
}

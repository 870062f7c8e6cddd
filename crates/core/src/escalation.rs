//! The escalation ladder: from written letters through interviews to suspension of payment,
//! informed criticism and referral ([`Step`]); [`due_steps`] proposes the steps that configurable
//! [`EscalationRule`]s make due. A person confirms each one. The rules, with no storage and no
//! clock.
use crate::access::Role;
use crate::error::DomainError;
use crate::keyed::keyed;
use crate::problem::{ProblemCategory, ProblemState};
use serde::{Deserialize, Serialize};

impl Step {
    /// Who may take the step: finance suspends payment; the discipline commission, the poverty
    /// alleviation bureau and the municipal bureau take the others; referrals are the discipline
    /// commission's.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Step::SuspendPayment => &[Role::Finance],
            Step::DisciplineReferral | Step::JudicialReferral => &[Role::Discipline],
            _ => &[Role::Discipline, Role::PovertyBureau, Role::MunicipalBureau],
        }
    }
}

keyed!(
    /// The steps of the escalation ladder, in order.
    Step, "step", "unknown_step" {
        /// 书面提醒函
        ReminderLetter => "reminder_letter",
        /// 督办函
        SupervisionLetter => "supervision_letter",
        /// 建议函
        SuggestionLetter => "suggestion_letter",
        /// 工作约谈
        WorkInterview => "work_interview",
        /// 警示约谈
        WarningInterview => "warning_interview",
        /// 暂停资金拨付
        SuspendPayment => "suspend_payment",
        /// 通报批评（点名道姓 + 考核扣分）
        InformedCriticism => "informed_criticism",
        /// 移交纪委监委
        DisciplineReferral => "discipline_referral",
        /// 移送司法机关
        JudicialReferral => "judicial_referral",
    }
);

impl Step {
    /// The position on the ladder (letters 1, interviews 2, suspension 3, criticism 4,
    /// referral 5).
    pub fn rung(self) -> u8 {
        use Step::*;
        match self {
            ReminderLetter | SupervisionLetter | SuggestionLetter => 1,
            WorkInterview | WarningInterview => 2,
            SuspendPayment => 3,
            InformedCriticism => 4,
            DisciplineReferral | JudicialReferral => 5,
        }
    }
    /// Letters are printed documents.
    pub fn is_letter(self) -> bool {
        self.rung() == 1
    }
    /// Interviews record attendees, a new deadline and the responsible person.
    pub fn is_interview(self) -> bool {
        self.rung() == 2
    }
    /// Referrals record their outcome later.
    pub fn is_referral(self) -> bool {
        self.rung() == 5
    }
    /// The step may be taken given the steps already taken on the problem: the ladder is climbed
    /// in order (a step may be repeated; referrals need an earlier rung, except for corruption
    /// cases which may be referred at once).
    pub fn allowed_after(
        self,
        taken: &[Step],
        category: ProblemCategory,
    ) -> Result<(), DomainError> {
        if self.is_referral() && category == ProblemCategory::Corruption {
            return Ok(());
        }
        let top = taken.iter().map(|s| s.rung()).max().unwrap_or(0);
        if self.rung() > top + 1 {
            return Err(DomainError::invalid("step", "skips_the_ladder", self.key()));
        }
        Ok(())
    }
}

/// When a rule makes a step due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum Trigger {
    /// The problem is open at least `days` days past its deadline.
    Overdue { days: i64 },
    /// Its evidence was rejected at least `times` times.
    Rejected { times: u32 },
    /// It is open at least `days` days after step `after` was taken.
    After { after: Step, days: i64 },
}

/// A configurable escalation rule: `trigger` makes `step` due (once per problem).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRule {
    pub trigger: Trigger,
    pub step: Step,
}

/// The default rules (a county may set its own).
pub fn default_rules() -> Vec<EscalationRule> {
    use Step::*;
    use Trigger::*;
    vec![
        EscalationRule {
            trigger: Overdue { days: 7 },
            step: ReminderLetter,
        },
        EscalationRule {
            trigger: After {
                after: ReminderLetter,
                days: 14,
            },
            step: SupervisionLetter,
        },
        EscalationRule {
            trigger: Rejected { times: 2 },
            step: WarningInterview,
        },
        EscalationRule {
            trigger: After {
                after: SupervisionLetter,
                days: 14,
            },
            step: WorkInterview,
        },
        EscalationRule {
            trigger: After {
                after: WorkInterview,
                days: 14,
            },
            step: WarningInterview,
        },
        EscalationRule {
            trigger: After {
                after: WarningInterview,
                days: 7,
            },
            step: SuspendPayment,
        },
        EscalationRule {
            trigger: After {
                after: SuspendPayment,
                days: 30,
            },
            step: InformedCriticism,
        },
        EscalationRule {
            trigger: After {
                after: InformedCriticism,
                days: 30,
            },
            step: DisciplineReferral,
        },
    ]
}

/// What the rules need to know of one problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemFacts {
    pub state: ProblemState,
    pub category: ProblemCategory,
    /// The deadline in force (the latest interview may have set a new one).
    pub deadline: i64,
    pub rejections: u32,
    /// Steps taken, with their day.
    pub steps: Vec<(Step, i64)>,
}

/// Whether the ladder still runs for a problem: it is open and not referred. A referral hands
/// the case to the discipline commission or the judiciary, whose procedure replaces the ladder
/// (issue 15: proposals stayed on referred and closed problems).
pub fn ladder_runs(state: ProblemState, taken: &[Step]) -> bool {
    state.is_open() && !taken.iter().any(|s| s.is_referral())
}

/// The steps due today by the rules, in ladder order, leaving out steps already taken and steps
/// the ladder does not yet allow. Closed and referred problems have none ([`ladder_runs`]).
pub fn due_steps(p: &ProblemFacts, rules: &[EscalationRule], today: i64) -> Vec<Step> {
    let taken: Vec<Step> = p.steps.iter().map(|(s, _)| *s).collect();
    if !ladder_runs(p.state, &taken) {
        return vec![];
    }
    let mut out: Vec<Step> = rules
        .iter()
        .filter(|r| !taken.contains(&r.step))
        .filter(|r| match r.trigger {
            Trigger::Overdue { days } => today - p.deadline >= days,
            Trigger::Rejected { times } => p.rejections >= times,
            Trigger::After { after, days } => p
                .steps
                .iter()
                .filter(|(s, _)| *s == after)
                .map(|(_, d)| *d)
                .max()
                .is_some_and(|d| today - d >= days),
        })
        .map(|r| r.step)
        .filter(|s| s.allowed_after(&taken, p.category).is_ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

keyed!(
    /// Book 4 steps that fall overdue outside Book 3 and are proposed on the ladder (issue 17):
    /// an application the county team has not inspected within the county's `inspection_days`
    /// (`acceptance::Rules`, default 60, or the county's `acceptance_rules`), and an evaluation
    /// not reviewed by its `due_on` (scheduled by the county's `evaluation_years`).
    OverdueSource, "source", "unknown_overdue_source" {
        /// 验收逾期：申请后逾期未组织县级验收
        Acceptance => "acceptance",
        /// 绩效评价逾期
        Evaluation => "evaluation",
    }
);

/// The step proposed for an overdue Book 4 step: the ladder's first rung, a written reminder
/// letter to the county, as soon as the step is overdue (the county's own days are its grace).
/// A person confirms it (by opening a Book 3 problem and taking the step on it) or dismisses it.
pub const OVERDUE_STEP: Step = Step::ReminderLetter;

/// Whether a step due on day `due` (the application's day plus the inspection days, or the
/// evaluation's due day) is overdue on `today`.
pub fn is_overdue(due: i64, today: i64) -> bool {
    today > due
}

/// The deduction points of a step: an informed criticism needs 1-100 (`out_of_range`
/// otherwise); every other step carries none (whatever was given is dropped).
pub fn deduction_points(step: Step, points: Option<i64>) -> Result<Option<i64>, DomainError> {
    match (step, points) {
        (Step::InformedCriticism, Some(p)) if (1..=100).contains(&p) => Ok(Some(p)),
        (Step::InformedCriticism, p) => Err(DomainError::invalid(
            "deduction_points",
            "out_of_range",
            p.map(|x| x.to_string()).unwrap_or_default(),
        )),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day;
    use proptest::prelude::*;

    fn d(s: &str) -> i64 {
        day::parse("d", s).unwrap_or_else(|e| panic!("{e}"))
    }

    proptest! {
        /// Due steps never skip a rung and never repeat a step already taken.
        #[test]
        fn due_steps_climb_in_order(overdue in 0i64..120, rejections in 0u32..4, taken in proptest::collection::vec(proptest::sample::select(Step::ALL.to_vec()), 0..4)) {
            let p = ProblemFacts {
                state: ProblemState::Rectifying,
                category: ProblemCategory::FundManagement,
                deadline: 1000,
                rejections,
                steps: taken.iter().map(|s| (*s, 1000)).collect(),
            };
            let top = taken.iter().map(|s| s.rung()).max().unwrap_or(0);
            for s in due_steps(&p, &default_rules(), 1000 + overdue) {
                prop_assert!(!taken.contains(&s));
                prop_assert!(s.rung() <= top + 1);
            }
        }
    }

    #[test]
    fn referred_and_closed_problems_have_no_due_steps() {
        let mut p = ProblemFacts {
            state: ProblemState::Rectifying,
            category: ProblemCategory::Corruption,
            deadline: d("2026-01-01"),
            rejections: 3,
            steps: vec![],
        };
        let today = d("2026-12-01");
        assert!(!due_steps(&p, &default_rules(), today).is_empty());
        p.steps = vec![(Step::DisciplineReferral, d("2026-02-01"))];
        assert!(due_steps(&p, &default_rules(), today).is_empty());
        assert!(!ladder_runs(p.state, &[Step::JudicialReferral]));
        p.steps.clear();
        p.state = ProblemState::Closed;
        assert!(due_steps(&p, &default_rules(), today).is_empty());
        assert!(ladder_runs(ProblemState::Open, &[Step::ReminderLetter]));
    }

    #[test]
    fn the_ladder_is_proposed_step_by_step() {
        let mut p = ProblemFacts {
            state: ProblemState::Rectifying,
            category: ProblemCategory::FundManagement,
            deadline: d("2026-05-01"),
            rejections: 0,
            steps: vec![],
        };
        let rules = default_rules();
        assert!(due_steps(&p, &rules, d("2026-05-07")).is_empty());
        assert_eq!(
            due_steps(&p, &rules, d("2026-05-08")),
            vec![Step::ReminderLetter]
        );
        p.steps.push((Step::ReminderLetter, d("2026-05-08")));
        assert_eq!(
            due_steps(&p, &rules, d("2026-05-22")),
            vec![Step::SupervisionLetter]
        );
        p.rejections = 2;
        // Rejected twice: a warning interview is due, but only after the letters' rung is passed.
        p.steps.push((Step::SupervisionLetter, d("2026-05-22")));
        assert_eq!(
            due_steps(&p, &rules, d("2026-05-23")),
            vec![Step::WarningInterview]
        );
        p.steps.push((Step::WarningInterview, d("2026-05-23")));
        assert_eq!(
            due_steps(&p, &rules, d("2026-05-30")),
            vec![Step::SuspendPayment]
        );
        p.state = ProblemState::Closed;
        assert!(due_steps(&p, &rules, d("2026-12-30")).is_empty());
        assert!(
            Step::DisciplineReferral
                .allowed_after(&[], ProblemCategory::Corruption)
                .is_ok()
        );
        assert!(
            Step::DisciplineReferral
                .allowed_after(&[], ProblemCategory::FundManagement)
                .is_err()
        );
    }

    #[test]
    fn book4_steps_are_overdue_the_day_after_they_were_due() {
        let due = d("2026-03-01") + crate::acceptance::Rules::default().inspection_days;
        assert!(!is_overdue(due, due));
        assert!(is_overdue(due, due + 1));
        assert_eq!(OVERDUE_STEP.rung(), 1);
        assert_eq!(
            OverdueSource::parse("evaluation").ok(),
            Some(OverdueSource::Evaluation)
        );
        assert!(OverdueSource::parse("problem").is_err());
    }

    #[test]
    fn only_criticism_deducts_points() {
        assert_eq!(
            deduction_points(Step::InformedCriticism, Some(5)).ok(),
            Some(Some(5))
        );
        assert!(deduction_points(Step::InformedCriticism, None).is_err());
        assert!(deduction_points(Step::InformedCriticism, Some(101)).is_err());
        assert_eq!(
            deduction_points(Step::ReminderLetter, Some(5)).ok(),
            Some(None)
        );
    }
}

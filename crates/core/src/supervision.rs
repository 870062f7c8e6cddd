//! Supervision and inspection: quarterly coverage, seeded spot-check samples, Book 3 (the problem
//! rectification ledger) and the escalation ladder. The rules, with no storage and no clock.
//!
//! * Every county inspects at least [`CoverageRule::per_quarter`] times a quarter; [`coverage`]
//!   says which counties are behind, quarter by quarter, across year boundaries.
//! * A spot-check sample is a pure function of a seed, published rules and the population
//!   ([`draw`]): each candidate's rank is `SHA-256(seed ‖ 0x1f ‖ stratum ‖ 0x1f ‖ id)` and the lowest
//!   ranks are taken, so anyone can re-derive the same sample on any machine, in any language.
//! * A problem moves open → rectifying → submitted → closed, or back from submitted to
//!   rectifying when the evidence is rejected; a closed problem can be reopened with a reason
//!   ([`ProblemState::next`]).
//! * The escalation ladder goes from written letters through interviews to suspension of
//!   payment, informed criticism and referral ([`Step`]); [`due_steps`] proposes the steps that
//!   configurable [`EscalationRule`]s make due. A person confirms each one.
use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

macro_rules! keyed {
    ($(#[$m:meta])* $name:ident, $field:literal, $reason:literal { $($(#[$vm:meta])* $v:ident => $k:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$v => $k),+ }
            }
            pub fn parse(s: &str) -> Result<$name, DomainError> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|x| x.key() == s.trim())
                    .ok_or_else(|| DomainError::invalid($field, $reason, s))
            }
        }
    };
}

use crate::access::Role;

/// Who records inspections and findings, and verifies rectification: the discipline
/// commission, the poverty alleviation bureau, finance, and the municipal bureau.
pub const INSPECTORS: &[Role] = &[
    Role::Discipline,
    Role::PovertyBureau,
    Role::Finance,
    Role::MunicipalBureau,
];
/// Who acts for a responsible unit (starts and submits rectification).
pub const RECTIFIERS: &[Role] = &[
    Role::PartyGovernment,
    Role::Finance,
    Role::PovertyBureau,
    Role::TownshipOfficial,
    Role::VillageCadre,
    Role::WorkTeam,
];
/// Who draws spot-check samples.
pub const SAMPLERS: &[Role] = &[Role::MunicipalBureau];

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

impl ProblemAction {
    /// Start and submit are the responsible unit's; verify, reject and reopen the inspectors'.
    pub fn roles(self) -> &'static [Role] {
        match self {
            ProblemAction::Start | ProblemAction::Submit => RECTIFIERS,
            _ => INSPECTORS,
        }
    }
}

// --- Quarters and coverage -----------------------------------------------------------------------

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    /// 1-4.
    pub q: u8,
}

impl Quarter {
    /// The quarter of a day number (see [`crate::day`]).
    pub fn of_day(day: i64) -> Quarter {
        let d = i32::try_from(day)
            .ok()
            .and_then(|j| time::Date::from_julian_day(j).ok())
            .unwrap_or(time::Date::MIN);
        Quarter {
            year: d.year(),
            q: (u8::from(d.month()) - 1) / 3 + 1,
        }
    }
    pub fn prev(self) -> Quarter {
        if self.q <= 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }
    /// `2026Q4`.
    pub fn label(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }
    /// First and last day numbers.
    pub fn days(self) -> (i64, i64) {
        let month = |m: u8| time::Month::try_from(m).unwrap_or(time::Month::January);
        let first = time::Date::from_calendar_date(self.year, month((self.q - 1) * 3 + 1), 1)
            .map(|d| i64::from(d.to_julian_day()))
            .unwrap_or(0);
        let next = Quarter {
            year: if self.q == 4 {
                self.year + 1
            } else {
                self.year
            },
            q: if self.q == 4 { 1 } else { self.q + 1 },
        };
        let next_first = time::Date::from_calendar_date(next.year, month((next.q - 1) * 3 + 1), 1)
            .map(|d| i64::from(d.to_julian_day()))
            .unwrap_or(0);
        (first, next_first - 1)
    }
}

/// How often each county must inspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRule {
    pub per_quarter: u32,
}

impl Default for CoverageRule {
    fn default() -> Self {
        CoverageRule { per_quarter: 1 }
    }
}

/// One county in one quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageCell {
    pub quarter: Quarter,
    pub inspections: u32,
    /// Fewer inspections than the rule asks; for the current quarter this is "not yet".
    pub behind: bool,
    /// The quarter is still running.
    pub current: bool,
}

/// For each county, the current quarter and the `past` quarters before it (newest first), with
/// the inspections each had. `inspections` are (county, day) pairs.
pub fn coverage(
    counties: &[String],
    inspections: &[(String, i64)],
    today: i64,
    past: usize,
    rule: CoverageRule,
) -> Vec<(String, Vec<CoverageCell>)> {
    let mut quarters = vec![Quarter::of_day(today)];
    for _ in 0..past {
        if let Some(q) = quarters.last().copied() {
            quarters.push(q.prev());
        }
    }
    counties
        .iter()
        .map(|c| {
            let cells = quarters
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    let n = inspections
                        .iter()
                        .filter(|(k, d)| k == c && Quarter::of_day(*d) == *q && *d <= today)
                        .count();
                    let n = u32::try_from(n).unwrap_or(u32::MAX);
                    CoverageCell {
                        quarter: *q,
                        inspections: n,
                        behind: n < rule.per_quarter,
                        current: i == 0,
                    }
                })
                .collect();
            (c.clone(), cells)
        })
        .collect()
}

// --- Spot checks -------------------------------------------------------------------------------

/// The published sampling rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleRules {
    pub villages_per_county: u32,
    pub poor_per_village: u32,
    pub non_poor_per_village: u32,
}

impl Default for SampleRules {
    fn default() -> Self {
        SampleRules {
            villages_per_county: 2,
            poor_per_village: 20,
            non_poor_per_village: 5,
        }
    }
}

impl SampleRules {
    pub fn check(&self) -> Result<(), DomainError> {
        if self.villages_per_county == 0 || self.villages_per_county > 1000 {
            return Err(DomainError::invalid(
                "villages_per_county",
                "out_of_range",
                self.villages_per_county.to_string(),
            ));
        }
        if self.poor_per_village > 10_000 || self.non_poor_per_village > 10_000 {
            return Err(DomainError::invalid("households", "out_of_range", ""));
        }
        Ok(())
    }
    /// The rules as published with a draw: `villages=2;poor=20;non_poor=5`.
    pub fn describe(&self) -> String {
        format!(
            "villages={};poor={};non_poor={}",
            self.villages_per_county, self.poor_per_village, self.non_poor_per_village
        )
    }
}

/// The rank of candidate `id` in `stratum` under `seed`: lower ranks are drawn first.
pub fn rank(seed: &str, stratum: &str, id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update([0x1f]);
    h.update(stratum.as_bytes());
    h.update([0x1f]);
    h.update(id.as_bytes());
    h.finalize().into()
}

/// The `k` candidates of lowest rank (all of them when there are fewer), in rank order.
pub fn pick<'a>(seed: &str, stratum: &str, candidates: &[&'a str], k: usize) -> Vec<&'a str> {
    let mut ranked: Vec<([u8; 32], &str)> = candidates
        .iter()
        .map(|c| (rank(seed, stratum, c), *c))
        .collect();
    ranked.sort();
    ranked.dedup_by(|a, b| a.1 == b.1);
    ranked.into_iter().take(k).map(|(_, c)| c).collect()
}

/// A village's households as candidates: (household id, registered poor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillagePopulation {
    pub village: String,
    pub households: Vec<(String, bool)>,
}

/// One sampled village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledVillage {
    pub county: String,
    pub village: String,
    pub poor: Vec<String>,
    pub non_poor: Vec<String>,
}

/// Draws a round's sample: for each county, `villages_per_county` villages, and in each the
/// poor and non-poor households, skipping households already `excluded` in this round (and never
/// taking a household twice). Strata: the county code for villages, `village/poor` and
/// `village/non_poor` for households.
pub fn draw(
    seed: &str,
    rules: &SampleRules,
    counties: &[(String, Vec<VillagePopulation>)],
    excluded: &[String],
) -> Vec<SampledVillage> {
    let mut taken: std::collections::HashSet<String> = excluded.iter().cloned().collect();
    let mut out = Vec::new();
    for (county, villages) in counties {
        let codes: Vec<&str> = villages.iter().map(|v| v.village.as_str()).collect();
        let k = usize::try_from(rules.villages_per_county).unwrap_or(usize::MAX);
        for code in pick(seed, county, &codes, k) {
            let Some(v) = villages.iter().find(|v| v.village == code) else {
                continue;
            };
            let mut take = |poor: bool, n: u32| {
                let ids: Vec<&str> = v
                    .households
                    .iter()
                    .filter(|(id, p)| *p == poor && !taken.contains(id))
                    .map(|(id, _)| id.as_str())
                    .collect();
                let stratum = format!("{code}/{}", if poor { "poor" } else { "non_poor" });
                let got: Vec<String> = pick(seed, &stratum, &ids, usize::try_from(n).unwrap_or(0))
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                taken.extend(got.iter().cloned());
                got
            };
            let poor = take(true, rules.poor_per_village);
            let non_poor = take(false, rules.non_poor_per_village);
            out.push(SampledVillage {
                county: county.clone(),
                village: code.to_string(),
                poor,
                non_poor,
            });
        }
    }
    out
}

// --- Book 3: problems ----------------------------------------------------------------------------

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

// --- The escalation ladder -----------------------------------------------------------------------

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

/// The steps due today by the rules, in ladder order, leaving out steps already taken and steps
/// the ladder does not yet allow. Closed problems have none.
pub fn due_steps(p: &ProblemFacts, rules: &[EscalationRule], today: i64) -> Vec<Step> {
    if !p.state.is_open() {
        return vec![];
    }
    let taken: Vec<Step> = p.steps.iter().map(|(s, _)| *s).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day;
    use proptest::prelude::*;

    fn d(s: &str) -> i64 {
        day::parse("d", s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn quarters_cross_the_year() {
        assert_eq!(
            Quarter::of_day(d("2026-12-31")),
            Quarter { year: 2026, q: 4 }
        );
        assert_eq!(
            Quarter::of_day(d("2027-01-01")),
            Quarter { year: 2027, q: 1 }
        );
        assert_eq!(
            Quarter { year: 2027, q: 1 }.prev(),
            Quarter { year: 2026, q: 4 }
        );
        assert_eq!(
            Quarter { year: 2026, q: 4 }.days(),
            (d("2026-10-01"), d("2026-12-31"))
        );
        assert_eq!(
            Quarter { year: 2024, q: 1 }.days(),
            (d("2024-01-01"), d("2024-03-31"))
        );
    }

    #[test]
    fn coverage_flags_counties_behind_across_the_year_boundary() {
        let counties = vec!["529121".to_string(), "529122".to_string()];
        let ins = vec![
            ("529121".to_string(), d("2026-11-03")),
            ("529121".to_string(), d("2027-01-15")),
            ("529122".to_string(), d("2026-08-20")),
        ];
        let c = coverage(&counties, &ins, d("2027-02-01"), 2, CoverageRule::default());
        let a = &c[0].1;
        assert_eq!(a[0].quarter.label(), "2027Q1");
        assert!(!a[0].behind && a[0].current);
        assert_eq!(a[1].quarter.label(), "2026Q4");
        assert!(!a[1].behind);
        assert!(a[2].behind, "2026Q3 had no inspection in 云岭县");
        let b = &c[1].1;
        assert!(b[0].behind && b[1].behind && !b[2].behind);
    }

    #[test]
    fn a_draw_is_fixed_by_its_seed() {
        // The published recipe: SHA-256 of seed, 0x1f, stratum, 0x1f, id; lowest first.
        let r = rank("2026-11", "529121", "529121100201");
        assert_eq!(r.len(), 32);
        let ids = ["a", "b", "c", "d", "e"];
        let x = pick("s1", "st", &ids, 3);
        let mut rev = ids;
        rev.reverse();
        assert_eq!(
            pick("s1", "st", &rev, 3),
            x,
            "order of candidates does not matter"
        );
        assert_eq!(x.len(), 3);
        assert_ne!(pick("s2", "st", &ids, 5), pick("s1", "st", &ids, 5));
    }

    fn village(code: &str, poor: usize, non_poor: usize) -> VillagePopulation {
        let mut hs = Vec::new();
        for i in 0..poor {
            hs.push((format!("{code}-p{i}"), true));
        }
        for i in 0..non_poor {
            hs.push((format!("{code}-n{i}"), false));
        }
        VillagePopulation {
            village: code.into(),
            households: hs,
        }
    }

    #[test]
    fn the_default_rules_take_two_villages_and_25_households_each() {
        let counties = vec![(
            "529121".to_string(),
            vec![
                village("v1", 30, 10),
                village("v2", 25, 6),
                village("v3", 12, 2),
            ],
        )];
        let s = draw("seed", &SampleRules::default(), &counties, &[]);
        assert_eq!(s.len(), 2);
        for v in &s {
            let full = v.village != "v3";
            if full {
                assert_eq!((v.poor.len(), v.non_poor.len()), (20, 5));
            }
        }
        // Excluded households (already in this round) are not drawn again.
        let first: Vec<String> = s.iter().flat_map(|v| v.poor.clone()).collect();
        let again = draw("seed", &SampleRules::default(), &counties, &first);
        for v in &again {
            assert!(v.poor.iter().all(|h| !first.contains(h)));
        }
    }

    proptest! {
        #[test]
        fn samples_never_repeat_a_household(seed in "[a-z0-9]{1,12}", n in 1usize..6) {
            let villages: Vec<VillagePopulation> = (0..n).map(|i| village(&format!("v{i}"), 8 + i, 3)).collect();
            let rules = SampleRules { villages_per_county: 3, poor_per_village: 5, non_poor_per_village: 2 };
            let s = draw(&seed, &rules, &[("k".to_string(), villages)], &[]);
            let mut all: Vec<&String> = s.iter().flat_map(|v| v.poor.iter().chain(v.non_poor.iter())).collect();
            let before = all.len();
            all.sort();
            all.dedup();
            prop_assert_eq!(before, all.len());
            prop_assert_eq!(s.len(), n.min(3));
        }

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
}

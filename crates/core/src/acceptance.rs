//! Book 4's rules: project acceptance by a joint team that signs, the money retained until
//! acceptance, performance targets as an indicator tree, and evaluations scored from them.
//!
//! Sources (every number a default the county may change, kept in [`Rules`]):
//! - seed §3C.4: after completion the county finance bureau, the poverty alleviation bureau and
//!   the business departments form an acceptance team, and the acceptance person signs for the
//!   record;
//! - seed §3A: performance evaluation and tracking within 1-3 years of implementation;
//! - county practice: township preliminary check, then county acceptance within 60 days of the
//!   application; results 优质 / 合格 / 不合格, a failed project rectified by a deadline and
//!   inspected again; results posted 7 days; the last 10 % of a project's money (尾款) paid only
//!   after acceptance; evaluation bands 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60, a serious problem on
//!   the project capping it at 良.
use crate::error::DomainError;
use crate::keyed::keyed;
use crate::money::Money;
use crate::org::DepartmentKind;

/// The configurable numbers of Book 4, with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Days from the application to the county team's inspection (county practice: 60).
    pub inspection_days: i64,
    /// Percent of a project's arranged money retained until acceptance (county practice: 10).
    pub retention_percent: u32,
    /// Days an acceptance result stays posted for objections (county practice: 7).
    pub posting_days: i64,
    /// Years after acceptance at which the project is evaluated (seed §3A: 1-3 years; 0 is the
    /// evaluation on acceptance).
    pub evaluation_years: Vec<u32>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            inspection_days: 60,
            retention_percent: 10,
            posting_days: 7,
            evaluation_years: vec![0, 1, 2, 3],
        }
    }
}

keyed!(
    /// Where an acceptance is.
    AcceptanceState, "state", "unknown_acceptance_state" {
        /// Applied for by the township or the implementing unit once the project is completed.
        Applied => "applied",
        /// The township's preliminary check (初验) is done.
        Prechecked => "prechecked",
        /// The county's joint team is formed.
        TeamFormed => "team_formed",
        /// The team inspected and graded it; its members sign.
        Inspected => "inspected",
        /// Every required member signed in agreement.
        Signed => "signed",
        /// The result is posted for objections.
        Posted => "posted",
        /// Accepted: the retained money may be paid, the assets registered.
        Accepted => "accepted",
        /// Failed: rectifying by a deadline, then inspected again.
        Rectifying => "rectifying",
    }
);

keyed!(
    /// A step of an acceptance.
    AcceptanceAction, "action", "unknown_acceptance_action" {
        Precheck => "precheck",
        FormTeam => "form_team",
        Inspect => "inspect",
        CompleteSigning => "complete_signing",
        Fail => "fail",
        Post => "post",
        Accept => "accept",
    }
);

keyed!(
    /// The acceptance result.
    Grade, "grade", "unknown_grade" {
        /// 优质
        Excellent => "excellent",
        /// 合格
        Qualified => "qualified",
        /// 不合格
        Failed => "failed",
    }
);

/// What a step depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gate {
    pub today: i64,
    /// The team has every unit it must have ([`missing_unit`] is `None`).
    pub team_complete: bool,
    /// The grade of the latest inspection.
    pub grade: Option<Grade>,
    /// Every required member signed, and whether any signed "disagree".
    pub all_signed: bool,
    pub disagreement: bool,
    /// A rectification deadline given (failing needs one).
    pub deadline: Option<i64>,
    /// The posting's last day and its unanswered objections.
    pub posted_until: Option<i64>,
    pub unanswered: u32,
}

fn refuse(field: &'static str, reason: &'static str) -> DomainError {
    DomainError::invalid(field, reason, "")
}

/// The one transition function of an acceptance.
pub fn next(
    state: AcceptanceState,
    action: AcceptanceAction,
    g: &Gate,
) -> Result<AcceptanceState, DomainError> {
    use AcceptanceAction as A;
    use AcceptanceState as S;
    match (state, action) {
        (S::Applied, A::Precheck) => Ok(S::Prechecked),
        (S::Prechecked, A::FormTeam) if g.team_complete => Ok(S::TeamFormed),
        (S::Prechecked, A::FormTeam) => Err(refuse("team", "team_incomplete")),
        (S::TeamFormed | S::Rectifying, A::Inspect) if g.grade.is_some() => Ok(S::Inspected),
        (S::TeamFormed | S::Rectifying, A::Inspect) => Err(refuse("grade", "empty")),
        // A member who signed "disagree" is answered by a revised report, signed afresh.
        (S::Inspected, A::Inspect) if g.disagreement && g.grade.is_some() => Ok(S::Inspected),
        (S::Inspected, A::Inspect) if g.disagreement => Err(refuse("grade", "empty")),
        (S::Inspected, A::Fail) => match (g.grade, g.deadline) {
            (Some(Grade::Failed), Some(d)) if d > g.today => Ok(S::Rectifying),
            (Some(Grade::Failed), _) => Err(refuse("deadline", "not_in_future")),
            _ => Err(refuse("grade", "not_failed")),
        },
        (S::Inspected, A::CompleteSigning) => {
            if g.grade == Some(Grade::Failed) {
                Err(refuse("grade", "failed_is_rectified"))
            } else if g.disagreement {
                Err(refuse("signatures", "member_disagrees"))
            } else if !g.all_signed {
                Err(refuse("signatures", "signatures_missing"))
            } else {
                Ok(S::Signed)
            }
        }
        (S::Signed, A::Post) => Ok(S::Posted),
        (S::Posted, A::Accept) => match g.posted_until {
            Some(last) if g.today <= last => Err(refuse("state", "window_running")),
            None => Err(refuse("state", "not_published")),
            Some(_) if g.unanswered > 0 => Err(refuse("objections", "objections_unanswered")),
            Some(_) => Ok(S::Accepted),
        },
        _ => Err(DomainError::invalid(
            "action",
            "not_allowed_in_state",
            format!("{}:{}", state.key(), action.key()),
        )),
    }
}

keyed!(
    /// A team member's opinion on the report they sign.
    Opinion, "opinion", "unknown_opinion" {
        /// 同意
        Agree => "agree",
        /// 不同意 (with a reason): blocks acceptance until a revised report is signed.
        Disagree => "disagree",
    }
);

/// What the team checks (county practice): content and quantity against the approved version,
/// quality, funds in place, funds paid by the rules, the beneficiary list posted, changes approved.
pub const CHECKS: [&str; 6] = [
    "content_quantity",
    "quality",
    "funds_in_place",
    "funds_paid_by_rules",
    "beneficiaries_posted",
    "changes_approved",
];

/// The checklist: every item of [`CHECKS`] passed or not, in order. A grade other than 不合格
/// needs every item passed.
pub fn check_checklist(passed: &[bool], grade: Grade) -> Result<(), DomainError> {
    if passed.len() != CHECKS.len() {
        return Err(refuse("checklist", "checklist_incomplete"));
    }
    if grade != Grade::Failed
        && let Some(i) = passed.iter().position(|p| !p)
    {
        return Err(DomainError::invalid(
            "checklist",
            "failed_item_needs_failed_grade",
            CHECKS.get(i).copied().unwrap_or(""),
        ));
    }
    Ok(())
}

/// The acceptance report's canonical text, whose SHA-256 each member signs: the project, the
/// inspection round and day, the checklist, the grade, the findings, the deadline (when failed)
/// and the team (user ids in order).
#[allow(clippy::too_many_arguments)]
pub fn report_text(
    project_id: i64,
    round: i64,
    inspected_on: &str,
    passed: &[bool],
    grade: Grade,
    findings: &str,
    deadline: Option<&str>,
    team: &[i64],
) -> String {
    let checklist: Vec<(&str, bool)> = CHECKS.iter().copied().zip(passed.iter().copied()).collect();
    serde_json::json!({
        "project_id": project_id,
        "round": round,
        "inspected_on": inspected_on,
        "checklist": checklist,
        "grade": grade.key(),
        "findings": findings,
        "deadline": deadline,
        "team": team,
    })
    .to_string()
}

/// The units an acceptance team must have (seed §3C.4): county finance, the poverty alleviation
/// bureau and a business department; a village supervision committee member may join.
pub const REQUIRED_UNITS: [DepartmentKind; 3] = [
    DepartmentKind::FinanceBureau,
    DepartmentKind::PovertyBureau,
    DepartmentKind::BusinessDepartment,
];

/// The first required unit a team lacks, given its members' units.
pub fn missing_unit(members: &[DepartmentKind]) -> Option<DepartmentKind> {
    REQUIRED_UNITS
        .iter()
        .copied()
        .find(|u| !members.contains(u))
}

/// The money held back until acceptance: `percent` of what was arranged, rounded up to the fen.
pub fn retained(arranged: Money, percent: u32) -> Money {
    let a = i128::from(arranged.fen().max(0));
    let r = (a * i128::from(percent.min(100)) + 99) / 100;
    Money::from_fen(i64::try_from(r).unwrap_or(i64::MAX))
}

/// Refuses a payment of a project not yet accepted that would reach into the retained money,
/// naming the rule (`retention_until_acceptance`) and what may still be paid.
pub fn check_retention(
    arranged: Money,
    paid: Money,
    amount: Money,
    percent: u32,
    accepted: bool,
) -> Result<(), DomainError> {
    if accepted {
        return Ok(());
    }
    let limit = arranged
        .fen()
        .saturating_sub(retained(arranged, percent).fen());
    let after = paid.fen().saturating_add(amount.fen());
    if after > limit {
        let left = Money::from_fen(limit.saturating_sub(paid.fen()).max(0));
        return Err(DomainError::invalid(
            "amount",
            "retention_until_acceptance",
            left.to_string(),
        ));
    }
    Ok(())
}

keyed!(
    /// The first level of the indicator tree (绩效目标).
    IndicatorClass, "class", "unknown_indicator_class" {
        /// 产出
        Output => "output",
        /// 效益
        Benefit => "benefit",
        /// 满意度
        Satisfaction => "satisfaction",
    }
);

keyed!(
    /// The second level of the indicator tree.
    IndicatorKind, "kind", "unknown_indicator_kind" {
        Quantity => "quantity",
        Quality => "quality",
        Timeliness => "timeliness",
        Cost => "cost",
        Economic => "economic",
        Social => "social",
        Ecological => "ecological",
        Sustainability => "sustainability",
        Satisfied => "satisfied",
    }
);

impl IndicatorKind {
    /// The class the kind belongs to.
    pub fn class(self) -> IndicatorClass {
        use IndicatorKind as K;
        match self {
            K::Quantity | K::Quality | K::Timeliness | K::Cost => IndicatorClass::Output,
            K::Economic | K::Social | K::Ecological | K::Sustainability => IndicatorClass::Benefit,
            K::Satisfied => IndicatorClass::Satisfaction,
        }
    }
}

keyed!(
    /// How the actual value is compared with the target.
    Operator, "operator", "unknown_operator" {
        /// At least the target (≥).
        AtLeast => "ge",
        /// At most the target (≤), e.g. cost, days.
        AtMost => "le",
        /// Exactly the target (=), e.g. a yes/no indicator as 1.
        Equal => "eq",
    }
);

/// One performance indicator: values in hundredths of its unit (no floating point).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Indicator {
    pub kind: IndicatorKind,
    pub name: String,
    pub operator: Operator,
    pub target: i64,
    pub unit: String,
    /// Points out of 100 the indicator carries.
    pub weight: u32,
    /// A core indicator: missing it opens a problem.
    pub core: bool,
}

/// At most this many indicators a project (county practice: a performance target table has
/// 3-10 rows; 20 leaves room for a large project's).
pub const MAX_INDICATORS: usize = 20;

/// The largest target, in hundredths (a hundred billion units: beyond any count, day or sum in
/// 万元 a village project has).
pub const MAX_TARGET: i64 = 10_000_000_000_000;

/// The fields of one indicator, in the order of [`row_field`]'s names.
pub const INDICATOR_FIELDS: [&str; 7] = [
    "kind", "name", "operator", "target", "unit", "weight", "core",
];

macro_rules! row_fields {
    ($($n:literal)*) => {
        [$([
            concat!("targets[", $n, "].kind"),
            concat!("targets[", $n, "].name"),
            concat!("targets[", $n, "].operator"),
            concat!("targets[", $n, "].target"),
            concat!("targets[", $n, "].unit"),
            concat!("targets[", $n, "].weight"),
            concat!("targets[", $n, "].core"),
        ]),*]
    };
}

const ROW_FIELDS: [[&str; 7]; MAX_INDICATORS] =
    row_fields!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19);

/// The name of field `field` (one of [`INDICATOR_FIELDS`]) of indicator row `row` (from 0), as
/// refusals name it: `targets[2].weight`. A row past [`MAX_INDICATORS`] is `targets.rows`.
pub fn row_field(row: usize, field: &str) -> &'static str {
    let col = INDICATOR_FIELDS.iter().position(|f| *f == field);
    match (ROW_FIELDS.get(row), col) {
        (Some(r), Some(c)) => r.get(c).copied().unwrap_or("targets.rows"),
        _ => "targets.rows",
    }
}

/// Checks a project's targets: one to [`MAX_INDICATORS`] indicators, each with a name and a
/// unit, a target in 0..=[`MAX_TARGET`] and a weight in 1..=100; the weights sum to 100; a
/// satisfaction indicator among them. A refusal names the row and field (`targets[2].weight`),
/// or the table (`targets.rows`, `targets.weight`, `targets.satisfaction`).
pub fn check_targets(targets: &[Indicator]) -> Result<(), DomainError> {
    if targets.is_empty() {
        return Err(refuse("targets.rows", "empty"));
    }
    if targets.len() > MAX_INDICATORS {
        return Err(DomainError::invalid(
            "targets.rows",
            "too_many_indicators",
            format!("{}/{MAX_INDICATORS}", targets.len()),
        ));
    }
    for (n, i) in targets.iter().enumerate() {
        crate::text::nonempty(row_field(n, "name"), &i.name, crate::text::NAME)?;
        crate::text::nonempty(row_field(n, "unit"), &i.unit, crate::text::UNIT)?;
        if i.weight == 0 || i.weight > 100 {
            return Err(DomainError::invalid(
                row_field(n, "weight"),
                "out_of_range",
                i.weight.to_string(),
            ));
        }
        if i.target < 0 {
            return Err(DomainError::invalid(
                row_field(n, "target"),
                "negative",
                i.target.to_string(),
            ));
        }
        if i.target > MAX_TARGET {
            return Err(DomainError::invalid(
                row_field(n, "target"),
                "too_large",
                i.target.to_string(),
            ));
        }
    }
    let total: u32 = targets.iter().map(|i| i.weight).sum();
    if total != 100 {
        return Err(DomainError::invalid(
            "targets.weight",
            "weights_not_100",
            total.to_string(),
        ));
    }
    if !targets
        .iter()
        .any(|i| i.kind.class() == IndicatorClass::Satisfaction)
    {
        return Err(refuse("targets.satisfaction", "satisfaction_missing"));
    }
    Ok(())
}

/// The points (hundredths) an indicator earns for `actual`: its weight when the target is met,
/// in proportion to how near it came otherwise, never more than its weight nor less than 0.
pub fn points(i: &Indicator, actual: i64) -> i64 {
    let w = i64::from(i.weight) * 100;
    let (t, a) = (i.target.max(0), actual.max(0));
    let earned = match i.operator {
        Operator::AtLeast if a >= t => w,
        Operator::AtLeast => w * a / t.max(1),
        Operator::AtMost if a <= t => w,
        Operator::AtMost => w * t / a.max(1),
        Operator::Equal if a == t => w,
        Operator::Equal => w * a.min(t) / a.max(t).max(1),
    };
    earned.clamp(0, w)
}

/// Whether `actual` meets the indicator's target.
pub fn met(i: &Indicator, actual: i64) -> bool {
    match i.operator {
        Operator::AtLeast => actual >= i.target,
        Operator::AtMost => actual <= i.target,
        Operator::Equal => actual == i.target,
    }
}

keyed!(
    /// An evaluation's band.
    Band, "band", "unknown_band" {
        /// 优 ≥ 90
        Excellent => "excellent",
        /// 良 ≥ 80
        Good => "good",
        /// 中 ≥ 60
        Fair => "fair",
        /// 差 < 60
        Poor => "poor",
    }
);

/// An evaluation's score: points (hundredths, out of 10 000) traced to each indicator, its band
/// (capped at 良 when the project has a serious problem) and the core indicators missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub points: Vec<i64>,
    pub total: i64,
    pub band: Band,
    pub capped: bool,
    pub core_missed: Vec<usize>,
}

/// Scores `actuals` (one per indicator, in order) against `targets`.
pub fn score(
    targets: &[Indicator],
    actuals: &[i64],
    serious_problem: bool,
) -> Result<Score, DomainError> {
    if actuals.len() != targets.len() {
        return Err(DomainError::invalid(
            "actuals",
            "one_per_indicator",
            format!("{}/{}", actuals.len(), targets.len()),
        ));
    }
    let points: Vec<i64> = targets
        .iter()
        .zip(actuals)
        .map(|(i, a)| points(i, *a))
        .collect();
    let total: i64 = points.iter().sum();
    let band = match total {
        t if t >= 9000 => Band::Excellent,
        t if t >= 8000 => Band::Good,
        t if t >= 6000 => Band::Fair,
        _ => Band::Poor,
    };
    let capped = serious_problem && band == Band::Excellent;
    let core_missed = targets
        .iter()
        .zip(actuals)
        .enumerate()
        .filter(|(_, (i, a))| i.core && !met(i, **a))
        .map(|(n, _)| n)
        .collect();
    Ok(Score {
        points,
        total,
        band: if capped { Band::Good } else { band },
        capped,
        core_missed,
    })
}

/// The days evaluations fall due: on acceptance and on each anniversary in `years` (29 February
/// falls on 28 February in common years).
pub fn schedule(accepted_on: i64, years: &[u32]) -> Vec<i64> {
    let Some(d) = i32::try_from(accepted_on)
        .ok()
        .and_then(|j| time::Date::from_julian_day(j).ok())
    else {
        return Vec::new();
    };
    years
        .iter()
        .filter_map(|y| {
            let year = d.year() + i32::try_from(*y).ok()?;
            let day = time::Date::from_calendar_date(year, d.month(), d.day())
                .or_else(|_| time::Date::from_calendar_date(year, d.month(), 28))
                .ok()?;
            Some(i64::from(day.to_julian_day()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ind(op: Operator, target: i64, weight: u32, core: bool) -> Indicator {
        Indicator {
            kind: IndicatorKind::Quantity,
            name: "x".into(),
            operator: op,
            target,
            unit: "个".into(),
            weight,
            core,
        }
    }

    #[test]
    fn the_team_needs_finance_the_bureau_and_a_business_department() {
        use DepartmentKind as D;
        assert_eq!(
            missing_unit(&[D::FinanceBureau, D::PovertyBureau]),
            Some(D::BusinessDepartment)
        );
        assert_eq!(
            missing_unit(&[
                D::BusinessDepartment,
                D::PovertyBureau,
                D::FinanceBureau,
                D::MassSupervisionTeam
            ]),
            None
        );
    }

    #[test]
    fn the_last_tenth_waits_for_acceptance() {
        let arranged = Money::from_fen(1_000_000);
        assert_eq!(retained(arranged, 10), Money::from_fen(100_000));
        assert!(
            check_retention(arranged, Money::ZERO, Money::from_fen(900_000), 10, false).is_ok()
        );
        let e = check_retention(
            arranged,
            Money::from_fen(900_000),
            Money::from_fen(1),
            10,
            false,
        );
        assert!(matches!(
            e,
            Err(DomainError::Invalid {
                reason: "retention_until_acceptance",
                ..
            })
        ));
        assert!(
            check_retention(
                arranged,
                Money::from_fen(900_000),
                Money::from_fen(100_000),
                10,
                true
            )
            .is_ok()
        );
    }

    #[test]
    fn bands_and_the_cap() {
        let t = vec![
            ind(Operator::AtLeast, 100, 60, true),
            ind(Operator::AtMost, 100, 40, false),
        ];
        let s = score(&t, &[100, 100], false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band), (10_000, Band::Excellent));
        let s = score(&t, &[100, 100], true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.band, s.capped), (Band::Good, true));
        // Half the core target: 30 + 40 points, 中; the core indicator is missed.
        let s = score(&t, &[50, 80], false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.total, s.band, s.core_missed.clone()),
            (7000, Band::Fair, vec![0])
        );
        // Twice the cost: half its points.
        let s = score(&t, &[100, 200], false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.total, 8000);
        assert!(score(&t, &[1], false).is_err());
    }

    #[test]
    fn targets_weigh_100_with_a_satisfaction_indicator() {
        let field = |r: Result<(), DomainError>| match r {
            Err(DomainError::Invalid { field, .. }) => field,
            _ => "accepted",
        };
        let sat = Indicator {
            kind: IndicatorKind::Satisfied,
            ..ind(Operator::AtLeast, 9000, 50, false)
        };
        assert_eq!(field(check_targets(&[])), "targets.rows");
        assert_eq!(
            field(check_targets(&[ind(Operator::AtLeast, 1, 50, false)])),
            "targets.weight"
        );
        assert_eq!(
            field(check_targets(&[ind(Operator::AtLeast, 1, 100, false)])),
            "targets.satisfaction"
        );
        let ok = [ind(Operator::AtLeast, 1, 50, false), sat.clone()];
        assert_eq!(field(check_targets(&ok)), "accepted");
        let mut bad = ok.clone();
        bad[1].weight = 0;
        assert_eq!(field(check_targets(&bad)), "targets[1].weight");
        let mut bad = ok.clone();
        bad[1].unit = " ".into();
        assert_eq!(field(check_targets(&bad)), "targets[1].unit");
        let mut bad = ok.clone();
        bad[0].target = -1;
        assert_eq!(field(check_targets(&bad)), "targets[0].target");
        let many = vec![sat; MAX_INDICATORS + 1];
        assert_eq!(field(check_targets(&many)), "targets.rows");
        assert_eq!(row_field(19, "core"), "targets[19].core");
        assert_eq!(row_field(20, "core"), "targets.rows");
    }

    #[test]
    fn evaluations_fall_on_anniversaries() {
        let d = |s: &str| crate::day::number(s).unwrap_or(0);
        let days: Vec<String> = schedule(d("2024-02-29"), &[0, 1, 4])
            .into_iter()
            .map(crate::day::format)
            .collect();
        assert_eq!(days, ["2024-02-29", "2025-02-28", "2028-02-29"]);
    }

    fn any_state() -> impl Strategy<Value = AcceptanceState> {
        (0..AcceptanceState::ALL.len()).prop_map(|i| AcceptanceState::ALL[i])
    }

    proptest! {
        /// Accepted is reached only from a posting whose window ended with every objection
        /// answered; signing completes only with every signature and no disagreement; a failed
        /// grade never signs.
        #[test]
        fn acceptance_steps_keep_the_rules(state in any_state(), a in 0..AcceptanceAction::ALL.len(),
            team in any::<bool>(), grade in prop::option::of(0..3usize), all in any::<bool>(),
            dis in any::<bool>(), today in 0i64..20, until in prop::option::of(0i64..20),
            unanswered in 0u32..2, deadline in prop::option::of(0i64..20)) {
            let action = AcceptanceAction::ALL[a];
            let g = Gate { today, team_complete: team, grade: grade.map(|i| Grade::ALL[i]), all_signed: all,
                disagreement: dis, deadline, posted_until: until, unanswered };
            if let Ok(s) = next(state, action, &g) {
                match s {
                    AcceptanceState::Accepted => {
                        prop_assert_eq!(state, AcceptanceState::Posted);
                        prop_assert!(until.is_some_and(|u| today > u) && unanswered == 0);
                    }
                    AcceptanceState::Signed => {
                        prop_assert!(all && !dis && g.grade != Some(Grade::Failed));
                    }
                    AcceptanceState::TeamFormed => prop_assert!(team),
                    AcceptanceState::Rectifying => {
                        prop_assert_eq!(g.grade, Some(Grade::Failed));
                        prop_assert!(deadline.is_some_and(|d| d > today));
                    }
                    _ => {}
                }
            }
        }

        /// Points never exceed an indicator's weight nor fall below 0; the total lies in
        /// 0..=10 000; meeting every target earns everything.
        #[test]
        fn scores_are_bounded(specs in prop::collection::vec((0..3usize, 0i64..10_000, 1u32..40, 0i64..20_000), 1..8)) {
            let targets: Vec<Indicator> = specs.iter().map(|(o, t, w, _)| ind(Operator::ALL[*o], *t, *w, true)).collect();
            let actuals: Vec<i64> = specs.iter().map(|s| s.3).collect();
            let total_w: i64 = targets.iter().map(|i| i64::from(i.weight) * 100).sum();
            let s = score(&targets, &actuals, false).unwrap_or_else(|e| panic!("{e}"));
            for (p, i) in s.points.iter().zip(&targets) {
                prop_assert!(*p >= 0 && *p <= i64::from(i.weight) * 100);
            }
            prop_assert!(s.total <= total_w);
            let perfect: Vec<i64> = targets.iter().map(|i| i.target).collect();
            let p = score(&targets, &perfect, false).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(p.total, total_w);
            prop_assert!(p.core_missed.is_empty());
        }

        /// Before acceptance, the payments allowed never reach into the retained money.
        #[test]
        fn retention_holds(arranged in 0i64..10_000_000, pct in 0u32..=100, pays in prop::collection::vec(1i64..2_000_000, 0..12)) {
            let arranged = Money::from_fen(arranged);
            let mut paid = Money::ZERO;
            for p in pays {
                let amount = Money::from_fen(p);
                if check_retention(arranged, paid, amount, pct, false).is_ok() {
                    paid = Money::from_fen(paid.fen() + p);
                }
            }
            prop_assert!(paid.fen() <= arranged.fen() - retained(arranged, pct).fen());
        }
    }
}

//! Book 4's performance evaluations, 1-3 years on (seed §3A: "conduct performance evaluation and
//! tracking within 1-3 years, analyze and evaluate the benefits, and strictly pursue the
//! responsibility for problematic projects").
//!
//! An evaluation is scheduled when the project is accepted (the county's `evaluation_years`,
//! default on acceptance and at 1, 2 and 3 years: [`crate::acceptance::schedule`]). Someone records
//! the actual value of every indicator of the approved version, with evidence and, for any
//! shortfall, a reason; where the system knows the value ([`known`]) it fills it in and says from
//! what. The county poverty bureau reviews it (not the one who recorded it: four eyes) or returns
//! it to be recorded again. The score, band and cap are [`crate::acceptance::score`]'s; a review
//! rated 差 or with a core indicator missed opens a Book 3 problem ([`pursuit`]).
use crate::DomainError;
use crate::acceptance::{Band, Indicator, IndicatorKind, MAX_INDICATORS, MAX_TARGET, Score, met};
use crate::keyed::keyed;

keyed!(
    /// Where an evaluation is.
    EvaluationState, "state", "unknown_evaluation_state" {
        /// Scheduled: its values are to be recorded (due on its day).
        Due => "due",
        /// Recorded; the county bureau reviews it.
        Recorded => "recorded",
        /// Reviewed: its score stands.
        Reviewed => "reviewed",
    }
);

keyed!(
    /// A step of an evaluation.
    EvaluationAction, "action", "unknown_evaluation_action" {
        /// Record (or, before the review, record again) the actual values.
        Record => "record",
        /// The reviewer sends it back to be recorded again, with a reason.
        Return => "return",
        /// The county bureau confirms it.
        Review => "review",
    }
);

keyed!(
    /// Where an actual value comes from.
    Source, "source", "unknown_value_source" {
        /// The system computed it from the project's own records (`basis` says from what).
        System => "system",
        /// Reported with evidence (`basis` is the evidence).
        Reported => "reported",
    }
);

/// The one transition function of an evaluation.
pub fn next(
    state: EvaluationState,
    action: EvaluationAction,
) -> Result<EvaluationState, DomainError> {
    use EvaluationAction as A;
    use EvaluationState as S;
    match (state, action) {
        (S::Due | S::Recorded, A::Record) => Ok(S::Recorded),
        (S::Recorded, A::Return) => Ok(S::Due),
        (S::Recorded, A::Review) => Ok(S::Reviewed),
        (S::Reviewed, _) => Err(DomainError::invalid("state", "evaluation_reviewed", "")),
        (S::Due, A::Return | A::Review) => {
            Err(DomainError::invalid("state", "evaluation_not_recorded", ""))
        }
    }
}

/// What the system knows of a project, to fill in the values it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Known {
    /// The days the project started and was completed (its `start` and `complete` steps).
    pub started_on: Option<i64>,
    pub completed_on: Option<i64>,
    /// The money the ledger paid out for the project (paid disbursements not reversed), fen.
    pub paid_fen: Option<i64>,
    /// The households on its beneficiary list (none when the list is empty).
    pub households: Option<i64>,
}

/// The value the system knows for an indicator, in hundredths of its unit, with what it was
/// computed from (a [`basis`] text):
/// - timeliness in 天: the days from the start to the completion;
/// - cost in 万元 or 元: the ledger's payments (万元 rounded to the hundredth);
/// - anything counted in 户: the households on the beneficiary list.
pub fn known(i: &Indicator, k: &Known) -> Option<(i64, String)> {
    match (i.kind, i.unit.trim()) {
        (IndicatorKind::Timeliness, "天") => {
            let (from, to) = (k.started_on?, k.completed_on?);
            let days = (to - from).max(0);
            Some((days.saturating_mul(100), basis_days(from, to)))
        }
        (IndicatorKind::Cost, unit @ ("万元" | "元")) => {
            let fen = k.paid_fen?.max(0);
            let actual = if unit == "元" {
                fen
            } else {
                fen.saturating_add(5_000) / 10_000
            };
            Some((actual, format!("paid:{fen}")))
        }
        (_, "户") => {
            let n = k.households.filter(|n| *n > 0)?;
            Some((n.saturating_mul(100), format!("households:{n}")))
        }
        _ => None,
    }
}

fn basis_days(from: i64, to: i64) -> String {
    format!(
        "days:{}:{}",
        crate::day::format(from),
        crate::day::format(to)
    )
}

/// What a system-computed basis says, parsed from [`known`]'s text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// From the start to the completion (`YYYY-MM-DD`).
    Days(String, String),
    /// The ledger's payments, fen.
    Paid(i64),
    /// The households on the beneficiary list.
    Households(i64),
}

/// Reads a system value's basis (`None` for a reported value's evidence).
pub fn basis(s: &str) -> Option<Basis> {
    let mut parts = s.split(':');
    match (parts.next()?, parts.next(), parts.next(), parts.next()) {
        ("days", Some(a), Some(b), None) if crate::day::is_day(a) && crate::day::is_day(b) => {
            Some(Basis::Days(a.to_string(), b.to_string()))
        }
        ("paid", Some(n), None, None) => n.parse().ok().map(Basis::Paid),
        ("households", Some(n), None, None) => n.parse().ok().map(Basis::Households),
        _ => None,
    }
}

/// One indicator's actual value as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Value {
    /// Hundredths of the indicator's unit.
    pub actual: i64,
    pub source: Source,
    /// The system's basis ([`known`]) or the evidence (a document, a survey, a photo record).
    pub basis: String,
    /// Why the target was missed (required then).
    pub reason: String,
}

/// The fields of one value, in the order of [`value_field`]'s names.
pub const VALUE_FIELDS: [&str; 3] = ["actual", "basis", "reason"];

macro_rules! value_fields {
    ($($n:literal)*) => {
        [$([
            concat!("values[", $n, "].actual"),
            concat!("values[", $n, "].basis"),
            concat!("values[", $n, "].reason"),
        ]),*]
    };
}

const FIELDS: [[&str; 3]; MAX_INDICATORS] =
    value_fields!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19);

/// The name of field `field` (one of [`VALUE_FIELDS`]) of value row `row` (from 0), as refusals
/// name it: `values[2].reason`. A row past [`MAX_INDICATORS`] is `values.rows`.
pub fn value_field(row: usize, field: &str) -> &'static str {
    let col = VALUE_FIELDS.iter().position(|f| *f == field);
    match (FIELDS.get(row), col) {
        (Some(r), Some(c)) => r.get(c).copied().unwrap_or("values.rows"),
        _ => "values.rows",
    }
}

/// Checks the values of an evaluation against the indicators: one per indicator, each in
/// 0..=[`MAX_TARGET`]; a system value must be the one the system knows (`known`, same order);
/// a reported one needs its evidence; a missed target needs its reason. A refusal names the row
/// and field (`values[1].reason`).
pub fn check_values(
    targets: &[Indicator],
    values: &[Value],
    known: &[Option<(i64, String)>],
) -> Result<(), DomainError> {
    if values.len() != targets.len() {
        return Err(DomainError::invalid(
            "values.rows",
            "one_per_indicator",
            format!("{}/{}", values.len(), targets.len()),
        ));
    }
    for (n, (i, v)) in targets.iter().zip(values).enumerate() {
        if !(0..=MAX_TARGET).contains(&v.actual) {
            return Err(DomainError::invalid(
                value_field(n, "actual"),
                "out_of_range",
                v.actual.to_string(),
            ));
        }
        crate::text::bounded(value_field(n, "basis"), &v.basis, crate::text::REASON)?;
        crate::text::bounded(value_field(n, "reason"), &v.reason, crate::text::REASON)?;
        match (v.source, known.get(n).and_then(Option::as_ref)) {
            (Source::System, Some((actual, basis))) if *actual == v.actual && *basis == v.basis => {
            }
            (Source::System, _) => {
                return Err(DomainError::invalid(
                    value_field(n, "actual"),
                    "not_the_system_value",
                    v.actual.to_string(),
                ));
            }
            (Source::Reported, _) if v.basis.trim().is_empty() => {
                return Err(DomainError::invalid(
                    value_field(n, "basis"),
                    "evidence_missing",
                    "",
                ));
            }
            (Source::Reported, _) => {}
        }
        if !met(i, v.actual) && v.reason.trim().is_empty() {
            return Err(DomainError::invalid(
                value_field(n, "reason"),
                "shortfall_reason_missing",
                "",
            ));
        }
    }
    Ok(())
}

/// Whether a reviewed evaluation calls for strict pursuit of responsibility (a Book 3 problem):
/// rated 差, or a core indicator missed (their positions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pursuit {
    Poor,
    CoreMissed(Vec<usize>),
}

/// The pursuit a score calls for, if any (差 first: it names the whole evaluation).
pub fn pursuit(s: &Score) -> Option<Pursuit> {
    if s.band == Band::Poor {
        Some(Pursuit::Poor)
    } else if !s.core_missed.is_empty() {
        Some(Pursuit::CoreMissed(s.core_missed.clone()))
    } else {
        None
    }
}

/// A score's points as text (hundredths to two places: 8750 is `87.50`).
pub fn points_text(p: i64) -> String {
    format!("{}.{:02}", p / 100, (p % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acceptance::{IndicatorKind as K, Operator as O, score};
    use proptest::prelude::*;

    fn ind(kind: K, op: O, target: i64, unit: &str, weight: u32, core: bool) -> Indicator {
        Indicator {
            kind,
            name: "x".into(),
            operator: op,
            target,
            unit: unit.into(),
            weight,
            core,
        }
    }

    #[test]
    fn the_system_knows_days_payments_and_households() {
        let start = crate::day::number("2025-03-01");
        let k = Known {
            started_on: start,
            completed_on: start.map(|d| d + 190),
            paid_fen: Some(123_456_789),
            households: Some(42),
        };
        let t = ind(K::Timeliness, O::AtMost, 18_000, "天", 10, false);
        assert_eq!(known(&t, &k).map(|v| v.0), Some(19_000));
        let c = ind(K::Cost, O::AtMost, 12_000, "万元", 10, true);
        // 1 234 567.89 元 is 123.46 万元.
        assert_eq!(known(&c, &k), Some((12_346, "paid:123456789".to_string())));
        let h = ind(K::Social, O::AtLeast, 4_000, "户", 10, false);
        assert_eq!(known(&h, &k).map(|v| v.0), Some(4_200));
        let q = ind(K::Quality, O::AtLeast, 9_500, "%", 10, false);
        assert_eq!(known(&q, &k), None);
        // An empty beneficiary list, or no dates, is not known.
        let none = Known::default();
        assert_eq!(known(&h, &none), None);
        assert_eq!(known(&t, &none), None);
        assert_eq!(
            basis(&known(&t, &k).map(|v| v.1).unwrap_or_default()),
            Some(Basis::Days("2025-03-01".into(), "2025-09-07".into()))
        );
    }

    #[test]
    fn values_name_the_row_and_field() {
        let targets = vec![
            ind(K::Quantity, O::AtLeast, 1_000, "公里", 60, true),
            ind(K::Satisfied, O::AtLeast, 9_000, "%", 40, false),
        ];
        let v = |actual, source, basis: &str, reason: &str| Value {
            actual,
            source,
            basis: basis.into(),
            reason: reason.into(),
        };
        let known = vec![None, None];
        let err = |vals: &[Value]| {
            check_values(&targets, vals, &known)
                .err()
                .and_then(|e| match e {
                    DomainError::Invalid { field, reason, .. } => {
                        Some((field.to_string(), reason.to_string()))
                    }
                    _ => None,
                })
        };
        assert_eq!(
            err(&[v(1_000, Source::Reported, "验收报告", "")]),
            Some(("values.rows".into(), "one_per_indicator".into()))
        );
        assert_eq!(
            err(&[
                v(1_000, Source::Reported, "验收报告", ""),
                v(8_000, Source::Reported, "问卷", "")
            ]),
            Some(("values[1].reason".into(), "shortfall_reason_missing".into()))
        );
        assert_eq!(
            err(&[
                v(1_000, Source::Reported, " ", ""),
                v(9_500, Source::Reported, "问卷", "")
            ]),
            Some(("values[0].basis".into(), "evidence_missing".into()))
        );
        assert_eq!(
            err(&[
                v(1_000, Source::System, "paid:1", ""),
                v(9_500, Source::Reported, "问卷", "")
            ]),
            Some(("values[0].actual".into(), "not_the_system_value".into()))
        );
        assert_eq!(
            err(&[
                v(-1, Source::Reported, "x", ""),
                v(9_500, Source::Reported, "问卷", "")
            ]),
            Some(("values[0].actual".into(), "out_of_range".into()))
        );
        assert_eq!(
            err(&[
                v(1_000, Source::Reported, "验收报告", ""),
                v(9_500, Source::Reported, "问卷", "")
            ]),
            None
        );
    }

    #[test]
    fn pursuit_follows_the_band_and_the_core() {
        let targets = vec![
            ind(K::Quantity, O::AtLeast, 1_000, "公里", 50, true),
            ind(K::Satisfied, O::AtLeast, 100, "%", 50, false),
        ];
        let s = score(&targets, &[900, 100], false).ok();
        assert_eq!(
            s.as_ref().and_then(pursuit),
            Some(Pursuit::CoreMissed(vec![0]))
        );
        let s = score(&targets, &[0, 0], false).ok();
        assert_eq!(s.as_ref().and_then(pursuit), Some(Pursuit::Poor));
        let s = score(&targets, &[1_000, 100], false).ok();
        assert_eq!(s.as_ref().and_then(pursuit), None);
        assert_eq!(points_text(8_750), "87.50");
        assert_eq!(points_text(5), "0.05");
    }

    fn state() -> impl Strategy<Value = EvaluationState> {
        prop::sample::select(EvaluationState::ALL.to_vec())
    }
    fn action() -> impl Strategy<Value = EvaluationAction> {
        prop::sample::select(EvaluationAction::ALL.to_vec())
    }

    proptest! {
        /// A reviewed evaluation never moves; a review follows a recording; a return goes back
        /// to due; recording is always possible before the review.
        #[test]
        fn the_state_machine(s in state(), a in action()) {
            let r = next(s, a);
            match (s, a) {
                (EvaluationState::Reviewed, _) => prop_assert!(r.is_err()),
                (_, EvaluationAction::Record) => prop_assert_eq!(r.ok(), Some(EvaluationState::Recorded)),
                (EvaluationState::Due, _) => prop_assert!(r.is_err()),
                (_, EvaluationAction::Return) => prop_assert_eq!(r.ok(), Some(EvaluationState::Due)),
                (_, EvaluationAction::Review) => prop_assert_eq!(r.ok(), Some(EvaluationState::Reviewed)),
            }
        }

        /// Random walks: the number of reviews is at most one and it is the last step taken.
        #[test]
        fn walks_end_at_most_once_reviewed(actions in prop::collection::vec(action(), 0..30)) {
            let mut s = EvaluationState::Due;
            let mut reviewed = 0;
            for a in actions {
                if let Ok(n) = next(s, a) {
                    if n == EvaluationState::Reviewed { reviewed += 1; }
                    s = n;
                }
            }
            prop_assert!(reviewed <= 1);
            prop_assert_eq!(reviewed == 1, s == EvaluationState::Reviewed);
        }

        /// A system value is accepted exactly when it is what the system knows.
        #[test]
        fn system_values_must_match(actual in 0i64..1_000_000, other in 0i64..1_000_000) {
            let t = vec![ind(K::Satisfied, O::AtLeast, 0, "%", 100, false)];
            let known = vec![Some((actual, "households:1".to_string()))];
            let v = Value { actual: other, source: Source::System, basis: "households:1".into(), reason: String::new() };
            prop_assert_eq!(check_values(&t, &[v], &known).is_ok(), actual == other);
        }
    }
}

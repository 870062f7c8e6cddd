//! The measures an assessment scheme can score: each a named function of one county's booked
//! records of one year, computed in the store "as of" a moment (records booked after it are not
//! read). A measure returns the rows it counted; its value is derived from them here.
use crate::keyed::keyed;
use serde::{Deserialize, Serialize};

keyed!(
    /// A measure of a county's year. Each is documented with what a row is, what `weight` and
    /// `part` hold, and whether it is a rate (Σpart ÷ Σweight) or a count of events.
    Measure, "measure", "unknown_measure" {
        /// Rate: a row per quarter of the year ended by the as-of day, and the running quarter
        /// once inspected (it is not short before it is over); part 1 when the county had at
        /// least one inspection in it. Seed §3: inspections every quarter.
        InspectionQuarters => "inspection_quarters",
        /// Rate: a row per problem whose deadline fell in the year by the as-of day; part 1 when
        /// it was rectified (verified) by that deadline. Seed §3A.
        ProblemsRectifiedOnTime => "problems_rectified_on_time",
        /// Count: a row per problem of the year still open past its deadline on the as-of day.
        ProblemsOverdue => "problems_overdue",
        /// Count: a row per reminder letter issued in the year (the escalation ladder, seed §3A).
        Reminders => "reminders",
        /// Count: a row per interview (约谈) held in the year.
        Interviews => "interviews",
        /// Count: a row per suspension of payment booked by the ladder in the year.
        Suspensions => "suspensions",
        /// Count: a row per informed criticism (通报批评) in the year; weight: its deduction
        /// points. Seed §4: "the annual assessment score will be deducted".
        InformedCriticism => "informed_criticism",
        /// Count: a row per referral to the discipline inspection body in the year.
        Referrals => "referrals",
        /// Count: a row per double investigation (一案双查) in the year.
        DoubleInvestigations => "double_investigations",
        /// Count: a row per fund of the county held past its deadline on the as-of day; weight:
        /// the detained amount in fen; part: the days past the deadline. Seed §4: detention.
        FundsDetained => "funds_detained",
        /// Count: a row per appropriation to the county's units dispatched and not confirmed on
        /// the as-of day; weight: its amount in fen.
        AppropriationsUnconfirmed => "appropriations_unconfirmed",
        /// Rate by money: a row per project of the county with money arranged in the year;
        /// weight: fen arranged; part: fen paid (at most the weight).
        PaidOfArranged => "paid_of_arranged",
        /// Rate: a row per completed project whose acceptance fell due in the year by the as-of
        /// day; part 1 when it was accepted on time (Book 4).
        AcceptanceOnTime => "acceptance_on_time",
        /// Rate: a row per evaluation due in the year by the as-of day; part 1 when it was
        /// reviewed by its due date (Book 4).
        EvaluationsOnTime => "evaluations_on_time",
        /// Rate: a row per public notice due in the year by the as-of day; part 1 when it was
        /// published by its due date (seed §3: openness).
        NoticesOnTime => "notices_on_time",
        /// Rate: a row per complaint whose answer fell due in the year by the as-of day; part 1
        /// when it was answered by then.
        ComplaintsOnTime => "complaints_on_time",
        /// Rate: a row per red flag raised in the year by the as-of day; part 1 when it was
        /// triaged, dismissed with a reason or made a case by then.
        FlagsHandled => "flags_handled",
    }
);

impl Measure {
    /// The measure an escalation step (core `escalation::Step` key) counts under, if any.
    pub fn of_step(step: &str) -> Option<Measure> {
        Some(match step {
            "reminder_letter" | "supervision_letter" | "suggestion_letter" => Measure::Reminders,
            "work_interview" | "warning_interview" => Measure::Interviews,
            "suspend_payment" => Measure::Suspensions,
            "informed_criticism" => Measure::InformedCriticism,
            "discipline_referral" | "judicial_referral" => Measure::Referrals,
            _ => return None,
        })
    }

    /// Whether the measure is a rate (Σpart ÷ Σweight) rather than a count of events.
    pub fn is_rate(self) -> bool {
        matches!(
            self,
            Measure::InspectionQuarters
                | Measure::ProblemsRectifiedOnTime
                | Measure::PaidOfArranged
                | Measure::AcceptanceOnTime
                | Measure::EvaluationsOnTime
                | Measure::NoticesOnTime
                | Measure::ComplaintsOnTime
                | Measure::FlagsHandled
        )
    }
}

/// A row a measure counted: the source record (its kind, id and a label such as a document
/// number or a name), its day, and the figures the measure's doc comment describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureRow {
    pub measure: Measure,
    /// The kind of source record: `quarter` (id 1-4), `problem`, `escalation`, `fund`,
    /// `transfer`, `project`, `acceptance`, `evaluation`, `notice`, `complaint` or `flag`.
    pub source: String,
    /// The source record's id (for `quarter`, the quarter 1-4).
    pub source_id: i64,
    /// What a reader sees of it: a document number, a title, a name.
    pub label: String,
    /// The day (Julian day number) that placed it in the year.
    pub day: i64,
    pub weight: i64,
    pub part: i64,
}

impl MeasureRow {
    /// The key an appeal names: `source:source_id`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.source, self.source_id)
    }
}

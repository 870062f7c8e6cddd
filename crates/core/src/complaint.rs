//! Complaints and reports from the masses (issue 19): categories, channels, routing away from the
//! accused, the one transition function, and clocks counted in working days. No storage and no
//! clock: days and random bytes are given.
//!
//! Sources (every number a default kept in [`Rules`], which the city may change):
//! - seed §1: "outstanding problems reflected by the masses" are a key point of supervision; §4:
//!   detention, interception, misappropriation, abuse of power, favouring relatives and friends,
//!   false claims and bribes are to be investigated.
//! - 《信访工作条例》(2022): 15 days to decide whether to accept or to refer a matter, 60 days to
//!   handle an accepted one (30 more with reasons), 30 days for the complainant to ask for a review
//!   and 30 for the review, the same for a re-review. Sunledger counts these numbers in working
//!   days ([`crate::day::Calendar`]), as provincial 12317 rules count theirs (10 working days for
//!   a consultation, 20 for an investigation); a city that wants the stricter reading sets
//!   smaller numbers.
//! - 12317 practice: a complaint is routed to the unit with authority over the region and the
//!   matter, never to the unit it accuses, and a report naming an official goes at least one
//!   level above the official's unit; the accused's unit never learns who complained.
use crate::DomainError;
use crate::day::Calendar;
use crate::keyed::keyed;
use crate::problem::ProblemCategory;
use crate::region::{Level, RegionCode};

keyed!(
    /// What a complaint is about: the seed's key points, §4's violations named one by one.
    ComplaintCategory, "category", "unknown_complaint_category" {
        /// 截留：money held back from those it is for.
        Detention => "detention",
        /// 克扣：money taken off a payment.
        Interception => "interception",
        /// 挪用：money used for another purpose.
        Misappropriation => "misappropriation",
        /// 优亲厚友：favouring relatives and friends.
        Favouritism => "favouritism",
        /// 虚报冒领：false claims.
        FalseClaims => "false_claims",
        /// 吃拿卡要、索贿受贿：asking for money, bribes.
        Bribery => "bribery",
        /// 滥用职权：abuse of power.
        AbuseOfPower => "abuse_of_power",
        /// 识别不精准：who is counted as poor.
        Targeting => "targeting",
        /// 项目质量、进度：a project's quality or progress.
        Project => "project",
        /// 资金管理：how a fund is managed and disclosed.
        FundManagement => "fund_management",
        /// 作风：officials' conduct ("four winds").
        WorkStyle => "work_style",
        /// 其他
        Other => "other",
    }
);

impl ComplaintCategory {
    /// A matter of discipline (seed §4): it goes to the discipline commission.
    pub fn is_discipline(self) -> bool {
        use ComplaintCategory::*;
        matches!(
            self,
            Detention
                | Interception
                | Misappropriation
                | Favouritism
                | FalseClaims
                | Bribery
                | AbuseOfPower
        )
    }

    /// The category of the Book 3 problem a substantiated complaint opens.
    pub fn problem_category(self) -> ProblemCategory {
        use ComplaintCategory::*;
        match self {
            Detention | Interception | Misappropriation | FundManagement => {
                ProblemCategory::FundManagement
            }
            Favouritism | FalseClaims | Bribery | AbuseOfPower => ProblemCategory::Corruption,
            Targeting => ProblemCategory::Targeting,
            Project => ProblemCategory::TaskImplementation,
            WorkStyle => ProblemCategory::FourWinds,
            Other => ProblemCategory::PublicComplaints,
        }
    }
}

keyed!(
    /// How a complaint arrived.
    Channel, "channel", "unknown_channel" {
        /// The public form, without an account.
        Web => "web",
        /// The 12317 poverty-alleviation supervision hotline.
        Hotline => "hotline",
        /// Another telephone line.
        Phone => "phone",
        /// A letter.
        Letter => "letter",
        /// A visit in person.
        Visit => "visit",
    }
);

keyed!(
    /// The kind of unit that handles a complaint at its region.
    HandlerUnit, "unit", "unknown_handler_unit" {
        /// 纪委监委: matters of discipline.
        Discipline => "discipline",
        /// 扶贫移民局 (county or city): other matters.
        PovertyBureau => "poverty_bureau",
        /// 乡镇人民政府: other matters about its villages.
        Township => "township",
    }
);

impl HandlerUnit {
    /// The unit that handles `category` at `handler`'s level: the discipline commission for
    /// matters of discipline, else the township government or, above it, the poverty bureau.
    pub fn at(handler: &RegionCode, category: ComplaintCategory) -> HandlerUnit {
        if category.is_discipline() {
            HandlerUnit::Discipline
        } else if handler.level() == Level::Township {
            HandlerUnit::Township
        } else {
            HandlerUnit::PovertyBureau
        }
    }
}

/// Where a complaint goes: the region of the handling unit, and the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routing {
    pub handler: RegionCode,
    pub unit: HandlerUnit,
}

/// Routes a complaint about `region` in `category`, naming (when `accused` is given) a unit or
/// official of that region. The city's region (`city`) is the highest the system holds.
///
/// - Matters of discipline go to the discipline commission of the county (of the city for a
///   complaint about the city itself); other matters to the township government for a village or
///   township, to the poverty bureau for a county or the city.
/// - The handler is always strictly above the accused's region, and holds it: a complaint naming
///   a village cadre goes to the township at least, one naming a township official to the county,
///   one naming a county official to the city.
/// - A complaint accusing the city's own units is refused (`accused_is_the_city`): it goes to the
///   province, outside the system.
pub fn route(
    region: RegionCode,
    category: ComplaintCategory,
    accused: Option<RegionCode>,
    city: RegionCode,
) -> Result<Routing, DomainError> {
    if !region.is_within(&city) {
        return Err(DomainError::invalid(
            "region_code",
            "region_not_held",
            region.as_str(),
        ));
    }
    let base = if category.is_discipline() {
        Level::County
    } else {
        Level::Township
    };
    let mut level = region.level().min(base).max(city.level());
    if let Some(a) = accused {
        if !a.is_within(&city) {
            return Err(DomainError::invalid(
                "accused_region",
                "region_not_held",
                a.as_str(),
            ));
        }
        if a.level() <= city.level() {
            return Err(DomainError::invalid(
                "accused_region",
                "accused_is_the_city",
                a.as_str(),
            ));
        }
        // Strictly above the accused, and an ancestor of both regions.
        let above = Level::from_i64(a.level().as_i64() - 1).unwrap_or(Level::City);
        level = level.min(above);
        while level > city.level() {
            let both = region
                .ancestor_at(level)
                .filter(|h| a.is_within(h) && region.is_within(h));
            if both.is_some() {
                break;
            }
            level = Level::from_i64(level.as_i64() - 1).unwrap_or(Level::City);
        }
    }
    let handler = region.ancestor_at(level).unwrap_or(city);
    Ok(Routing {
        handler,
        unit: HandlerUnit::at(&handler, category),
    })
}

keyed!(
    /// Where a complaint is.
    ComplaintState, "state", "unknown_state" {
        /// Received, not yet accepted or referred.
        Received => "received",
        /// Accepted for handling.
        Accepted => "accepted",
        /// Being investigated.
        Investigating => "investigating",
        /// Waiting for the complainant (the clock is paused).
        Waiting => "waiting",
        /// Answered; the complainant may accept it or ask for a review.
        Answered => "answered",
        /// The complainant asked for a review.
        InReview => "in_review",
        /// The review answered; the complainant may accept it or ask for a re-review.
        Reviewed => "reviewed",
        /// The complainant asked for a re-review (the last).
        InRereview => "in_rereview",
        /// Done with.
        Closed => "closed",
        /// Referred to a body outside the system (a court, the police, another city).
        Referred => "referred",
        /// A duplicate, linked to the complaint it repeats.
        Merged => "merged",
    }
);

keyed!(
    ComplaintAction, "action", "unknown_action" {
        /// The handling unit accepts the complaint.
        Accept => "accept",
        /// It refers it to a body outside the system, with a reason.
        Refer => "refer",
        /// It hands it to another unit of the city (a handover, logged).
        Transfer => "transfer",
        /// It starts investigating.
        Investigate => "investigate",
        /// It waits for the complainant: the clock stops.
        Pause => "pause",
        /// The complainant answered: the clock runs again.
        Resume => "resume",
        /// It extends the answer deadline once, with a reason.
        Extend => "extend",
        /// It answers, with a finding.
        Answer => "answer",
        /// The complainant accepts the answer, or the window for a review has passed.
        Close => "close",
        /// The complainant asks for a review.
        RequestReview => "request_review",
        /// The reviewing unit answers.
        AnswerReview => "answer_review",
        /// The complainant asks for a re-review.
        RequestRereview => "request_rereview",
        /// The re-reviewing unit answers; that closes it.
        AnswerRereview => "answer_rereview",
        /// A duplicate is merged into the complaint it repeats (linked, not deleted).
        Merge => "merge",
        /// An overdue complaint is proposed on the escalation ladder: a Book 3 problem is
        /// opened against the handling unit (the complaint's state does not change).
        Escalate => "escalate",
    }
);

keyed!(
    /// What an answer found.
    Finding, "finding", "unknown_finding" {
        /// 属实
        Substantiated => "substantiated",
        /// 部分属实
        Partly => "partly",
        /// 不属实
        NotSubstantiated => "not_substantiated",
    }
);

impl Finding {
    /// Whether the answer opens a Book 3 problem (the facts were found, in whole or in part).
    pub fn opens_problem(self) -> bool {
        self != Finding::NotSubstantiated
    }
}

impl ComplaintAction {
    /// The complainant's own steps (taken with the receipt code and PIN, or recorded for them).
    pub fn is_complainants(self) -> bool {
        matches!(
            self,
            ComplaintAction::Resume
                | ComplaintAction::RequestReview
                | ComplaintAction::RequestRereview
        )
    }

    /// Steps that need a written text (a reason, an answer).
    pub fn needs_text(self) -> bool {
        matches!(
            self,
            ComplaintAction::Refer
                | ComplaintAction::Escalate
                | ComplaintAction::Transfer
                | ComplaintAction::Pause
                | ComplaintAction::Extend
                | ComplaintAction::Answer
                | ComplaintAction::AnswerReview
                | ComplaintAction::AnswerRereview
                | ComplaintAction::RequestReview
                | ComplaintAction::RequestRereview
        )
    }

    /// Steps that carry a finding.
    pub fn needs_finding(self) -> bool {
        matches!(
            self,
            ComplaintAction::Answer
                | ComplaintAction::AnswerReview
                | ComplaintAction::AnswerRereview
        )
    }
}

impl ComplaintState {
    /// The one transition function.
    pub fn next(self, a: ComplaintAction) -> Result<ComplaintState, DomainError> {
        use ComplaintAction as A;
        use ComplaintState::*;
        Ok(match (self, a) {
            (Received, A::Accept) => Accepted,
            (Received, A::Refer) => Referred,
            (Received | Accepted | Investigating, A::Transfer) => self,
            (Received | Accepted | Investigating | Waiting, A::Merge) => Merged,
            (Received | Accepted | Investigating | InReview | InRereview, A::Escalate) => self,
            (Accepted, A::Investigate) => Investigating,
            (Investigating, A::Pause) => Waiting,
            (Waiting, A::Resume) => Investigating,
            (Investigating, A::Extend) => Investigating,
            (Accepted | Investigating, A::Answer) => Answered,
            (Answered | Reviewed, A::Close) => Closed,
            (Answered, A::RequestReview) => InReview,
            (InReview, A::AnswerReview) => Reviewed,
            (Reviewed, A::RequestRereview) => InRereview,
            (InRereview, A::AnswerRereview) => Closed,
            _ => {
                return Err(DomainError::invalid(
                    "action",
                    "not_allowed_in_state",
                    self.key(),
                ));
            }
        })
    }

    /// Still with a unit or the complainant (not closed, referred or merged).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ComplaintState::Closed | ComplaintState::Referred | ComplaintState::Merged
        )
    }
}

/// The configurable numbers of complaints, with their defaults and sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Working days to accept or refer a received complaint (信访工作条例: 15).
    pub accept_days: u32,
    /// Working days to answer an accepted complaint (信访工作条例: 60).
    pub answer_days: u32,
    /// Working days one extension adds (信访工作条例: 30 more, with reasons).
    pub extend_days: u32,
    /// Working days the complainant has to ask for a review or re-review (信访工作条例: 30).
    pub request_days: u32,
    /// Working days to answer a review or a re-review (信访工作条例: 30).
    pub review_days: u32,
    /// A clock is at risk when less than `1 / at_risk_den` of its time is left (issue 19: a
    /// quarter).
    pub at_risk_den: u32,
    /// Files a complainant may attach (practice: a few photos), and the size of each.
    pub max_files: usize,
    pub max_file_bytes: usize,
    /// Public submissions accepted from one address per window (practice, without a captcha).
    pub submissions_per_address: u32,
    /// Failed lookups allowed per receipt code and per address per window.
    pub lookups_per_code: u32,
    pub lookups_per_address: u32,
    /// The window of those limits, in seconds.
    pub limit_window_secs: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            accept_days: 15,
            answer_days: 60,
            extend_days: 30,
            request_days: 30,
            review_days: 30,
            at_risk_den: 4,
            max_files: 3,
            max_file_bytes: 2 * 1024 * 1024,
            submissions_per_address: 5,
            lookups_per_code: 5,
            lookups_per_address: 30,
            limit_window_secs: 600,
        }
    }
}

/// The file types a complainant may attach: photos and PDF, by their first bytes (the name and
/// the declared type are not believed).
pub fn file_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// The receipt code's alphabet: Crockford's base 32 (no I, L, O or U to misread).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A receipt code, `SL-2026-` and 8 characters made of 40 random bits.
pub fn receipt_code(year: i32, random: [u8; 5]) -> String {
    let mut n: u64 = 0;
    for b in random {
        n = (n << 8) | u64::from(b);
    }
    let mut s = String::with_capacity(16);
    s.push_str(&format!("SL-{year}-"));
    for i in (0..8).rev() {
        let idx = ((n >> (i * 5)) & 31) as usize;
        s.push(ALPHABET.get(idx).map(|c| *c as char).unwrap_or('0'));
    }
    s
}

/// A receipt code as typed: trimmed, upper case, with the letters people misread mapped
/// (`O` → `0`, `I`/`L` → `1`); `None` when it cannot be one.
pub fn normalise_code(typed: &str) -> Option<String> {
    let t: String = typed
        .trim()
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let rest = t.strip_prefix("SL-")?;
    let (year, tail) = rest.split_once('-')?;
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) || tail.chars().count() != 8 {
        return None;
    }
    let tail: String = tail
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if !tail.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("SL-{year}-{tail}"))
}

/// A six-digit PIN from random bytes.
pub fn pin(random: [u8; 4]) -> String {
    format!("{:06}", u32::from_be_bytes(random) % 1_000_000)
}

keyed!(
    /// Whose clock runs.
    Stage, "stage", "unknown_stage" {
        /// The unit is to accept or refer it.
        Accept => "accept",
        /// The unit is to answer it.
        Answer => "answer",
        /// The complainant may ask for a review (not the unit's clock).
        Request => "request",
        /// The unit is to answer the review or re-review.
        Review => "review",
    }
);

/// One step of a complaint's history, as the clock needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub action: ComplaintAction,
    pub day: i64,
}

/// A running clock: the stage, when it started, the working days allowed (with extensions), the
/// working days it stood paused, and the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub stage: Stage,
    pub start: i64,
    pub allowed: u32,
    pub paused: u32,
    /// The day a pause began, while it lasts.
    pub paused_since: Option<i64>,
    pub due: i64,
}

keyed!(
    /// How a clock stands on a day.
    Timing, "timing", "unknown_timing" {
        OnTime => "on_time",
        /// Less than a quarter of its time left.
        AtRisk => "at_risk",
        Overdue => "overdue",
        /// Paused while waiting for the complainant.
        Paused => "paused",
    }
);

/// What a complaint's steps add up to on `today`: its state, the clock running (none when it is
/// closed, referred or merged), and whether its first answer came in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub state: ComplaintState,
    pub clock: Option<Clock>,
    /// `Some(true)` when the first answer was given by its deadline, `Some(false)` when late,
    /// `None` before it is answered (or when it never needed one: referred, merged).
    pub answered_on_time: Option<bool>,
}

/// Replays `steps` (in order) from a complaint received on `received`. A paused clock's deadline
/// moves by the working days it stood paused, counted up to `today` while the pause lasts.
pub fn progress(
    rules: &Rules,
    cal: &Calendar,
    received: i64,
    steps: &[Step],
    today: i64,
) -> Result<Progress, DomainError> {
    let mut state = ComplaintState::Received;
    let mut stage = Some((Stage::Accept, received, rules.accept_days));
    let mut paused: u32 = 0;
    let mut paused_since: Option<i64> = None;
    let mut answered_on_time = None;
    for s in steps {
        let next = state.next(s.action)?;
        use ComplaintAction as A;
        match s.action {
            A::Accept => {
                stage = Some((Stage::Answer, s.day, rules.answer_days));
                paused = 0;
            }
            A::Pause => paused_since = Some(s.day),
            A::Resume => {
                if let Some(p) = paused_since.take() {
                    paused = paused.saturating_add(days_u32(cal.working_days_between(p, s.day)));
                }
            }
            A::Extend => {
                if let Some((st, start, allowed)) = stage {
                    stage = Some((st, start, allowed.saturating_add(rules.extend_days)));
                }
            }
            A::Answer => {
                if answered_on_time.is_none()
                    && let Some((_, start, allowed)) = stage
                {
                    let due = cal.add_working_days(start, allowed.saturating_add(paused));
                    answered_on_time = Some(s.day <= due);
                }
                stage = Some((Stage::Request, s.day, rules.request_days));
                paused = 0;
            }
            A::AnswerReview => {
                stage = Some((Stage::Request, s.day, rules.request_days));
            }
            A::RequestReview | A::RequestRereview => {
                stage = Some((Stage::Review, s.day, rules.review_days));
            }
            A::Close | A::Refer | A::Merge | A::AnswerRereview => stage = None,
            A::Transfer | A::Investigate | A::Escalate => {}
        }
        state = next;
    }
    let clock = stage.map(|(stage, start, allowed)| {
        let running_pause = paused_since
            .map(|p| days_u32(cal.working_days_between(p, today)))
            .unwrap_or(0);
        let total_paused = paused.saturating_add(running_pause);
        Clock {
            stage,
            start,
            allowed,
            paused: total_paused,
            paused_since,
            due: cal.add_working_days(start, allowed.saturating_add(total_paused)),
        }
    });
    Ok(Progress {
        state,
        clock,
        answered_on_time,
    })
}

fn days_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl Clock {
    /// Working days left on `today` (0 when due or past).
    pub fn left(&self, cal: &Calendar, today: i64) -> i64 {
        cal.working_days_between(today, self.due)
    }

    /// How the clock stands on `today`: paused, overdue (past its deadline), at risk (less than
    /// `1 / at_risk_den` of the time allowed left), or on time.
    pub fn timing(&self, rules: &Rules, cal: &Calendar, today: i64) -> Timing {
        if self.paused_since.is_some() {
            Timing::Paused
        } else if today > self.due {
            Timing::Overdue
        } else if self.left(cal, today) * i64::from(rules.at_risk_den.max(1))
            < i64::from(self.allowed)
        {
            Timing::AtRisk
        } else {
            Timing::OnTime
        }
    }

    /// The unit's own clock (the complainant's window to ask for a review is not).
    pub fn is_units(&self) -> bool {
        self.stage != Stage::Request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day::number;
    use proptest::prelude::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    const CITY: &str = "522300000000";
    const COUNTY: &str = "522301000000";
    const TOWNSHIP: &str = "522301100000";
    const VILLAGE: &str = "522301100201";

    #[test]
    fn routing_goes_above_the_accused() {
        let city = code(CITY);
        let v = code(VILLAGE);
        // An ordinary matter about a village: its township.
        let r = route(v, ComplaintCategory::Targeting, None, city).unwrap();
        assert_eq!(r.handler, code(TOWNSHIP));
        assert_eq!(r.unit, HandlerUnit::Township);
        // Discipline: the county's commission.
        let r = route(v, ComplaintCategory::Detention, None, city).unwrap();
        assert_eq!(r.handler, code(COUNTY));
        assert_eq!(r.unit, HandlerUnit::Discipline);
        // Naming the township head: the county, not the township.
        let r = route(v, ComplaintCategory::Targeting, Some(code(TOWNSHIP)), city).unwrap();
        assert_eq!(r.handler, code(COUNTY));
        assert_eq!(r.unit, HandlerUnit::PovertyBureau);
        // Naming a county official: the city.
        let r = route(v, ComplaintCategory::Bribery, Some(code(COUNTY)), city).unwrap();
        assert_eq!(r.handler, city);
        // The city's own units: refused.
        assert!(route(v, ComplaintCategory::Bribery, Some(city), city).is_err());
        // A region the city does not hold.
        let e = route(code("530102000000"), ComplaintCategory::Other, None, city).unwrap_err();
        assert!(format!("{e:?}").contains("region_not_held"));
    }

    fn arb_region() -> impl Strategy<Value = RegionCode> {
        prop_oneof![
            Just(code(COUNTY)),
            Just(code(TOWNSHIP)),
            Just(code(VILLAGE)),
            Just(code("522301100202")),
            Just(code("522301101000")),
            Just(code("522301101201")),
            Just(code("522302000000")),
            Just(code("522302100201")),
        ]
    }

    proptest! {
        /// The handler holds the region complained about, sits strictly above the accused and
        /// holds it too, and is never below the level the category asks for.
        #[test]
        fn the_handler_is_above_the_accused(
            region in arb_region(),
            accused in proptest::option::of(arb_region()),
            cat in proptest::sample::select(ComplaintCategory::ALL.to_vec()),
        ) {
            let city = code(CITY);
            let r = route(region, cat, accused, city).unwrap();
            prop_assert!(region.is_within(&r.handler));
            if let Some(a) = accused {
                prop_assert!(r.handler.level() < a.level());
                prop_assert!(a.is_within(&r.handler));
            }
            if cat.is_discipline() {
                prop_assert!(r.handler.level() <= Level::County);
            }
            prop_assert!(r.handler.level() <= Level::Township);
        }

        /// Every sequence of actions either follows the transition function or is refused by
        /// it, and a refused step leaves the state as it was.
        #[test]
        fn replay_follows_the_transition_function(
            actions in proptest::collection::vec(
                proptest::sample::select(ComplaintAction::ALL.to_vec()), 0..12),
        ) {
            let cal = Calendar::china();
            let start = number("2026-09-01").unwrap();
            let mut state = ComplaintState::Received;
            let mut steps = Vec::new();
            for (i, a) in actions.into_iter().enumerate() {
                match state.next(a) {
                    Ok(n) => {
                        steps.push(Step { action: a, day: start + i as i64 });
                        state = n;
                    }
                    Err(_) => continue,
                }
            }
            let p = progress(&Rules::default(), &cal, start, &steps, start + 40).unwrap();
            prop_assert_eq!(p.state, state);
            prop_assert_eq!(p.clock.is_some(), state.is_open());
        }

        /// A pause moves the deadline by exactly the working days it lasted, and the deadline
        /// is always a working day after the start.
        #[test]
        fn a_pause_moves_the_deadline_by_its_working_days(
            offset in 0i64..400, pause_at in 0i64..30, pause_len in 0i64..30,
        ) {
            let cal = Calendar::china();
            let rules = Rules::default();
            let received = number("2025-06-01").unwrap() + offset;
            let accepted = received + 1;
            let base = [
                Step { action: ComplaintAction::Accept, day: accepted },
                Step { action: ComplaintAction::Investigate, day: accepted },
            ];
            let plain = progress(&rules, &cal, received, &base, accepted).unwrap();
            let mut steps = base.to_vec();
            let p = accepted + pause_at;
            let r = p + pause_len;
            steps.push(Step { action: ComplaintAction::Pause, day: p });
            steps.push(Step { action: ComplaintAction::Resume, day: r });
            let paused = progress(&rules, &cal, received, &steps, r).unwrap();
            let (a, b) = (plain.clock.unwrap(), paused.clock.unwrap());
            prop_assert!(cal.is_working(a.due));
            prop_assert!(a.due > accepted);
            let moved = cal.working_days_between(a.due, b.due);
            prop_assert_eq!(moved, cal.working_days_between(p, r));
            prop_assert_eq!(b.paused as i64, moved);
        }

        #[test]
        fn receipt_codes_read_back(year in 2020i32..2100, bytes in any::<[u8; 5]>()) {
            let c = receipt_code(year, bytes);
            prop_assert_eq!(c.len(), 16);
            prop_assert_eq!(normalise_code(&c.to_lowercase()), Some(c.clone()));
        }
    }

    #[test]
    fn the_answer_deadline_skips_national_day() {
        // Accepted on Monday 2026-09-28, 10 working days to answer. National Day is 1-7 October
        // and Saturday 10 October is worked (国务院办公厅 2026 arrangement).
        let cal = Calendar::china();
        let rules = Rules {
            answer_days: 10,
            ..Rules::default()
        };
        let received = number("2026-09-24").unwrap();
        let steps = [Step {
            action: ComplaintAction::Accept,
            day: number("2026-09-28").unwrap(),
        }];
        let p = progress(&rules, &cal, received, &steps, received).unwrap();
        // Counted from the 29th: 29, 30 September, then 8, 9, 10 (Saturday, worked), 12, 13,
        // 14, 15, 16 October; a plain Monday-to-Friday count would give 12 October.
        assert_eq!(crate::day::format(p.clock.unwrap().due), "2026-10-16");
    }

    #[test]
    fn timing_flags_a_quarter_left_and_overdue() {
        let cal = Calendar::china();
        let rules = Rules::default();
        let received = number("2026-03-02").unwrap();
        let p = progress(&rules, &cal, received, &[], received).unwrap();
        let c = p.clock.unwrap();
        assert_eq!(c.stage, Stage::Accept);
        assert_eq!(c.timing(&rules, &cal, received), Timing::OnTime);
        assert_eq!(c.timing(&rules, &cal, c.due), Timing::AtRisk);
        assert_eq!(c.timing(&rules, &cal, c.due + 1), Timing::Overdue);
    }
}

//! The project library: the rules, with no storage.
//!
//! A project is declared by its village after the villagers' meeting decided it, reviewed by the
//! township, publicly noticed for at least [`NOTICE_DAYS`] days, approved by the county into the
//! county project library and recorded with the city ([`Stage`]). Each reviewer may return it one
//! level down with a comment; an approval may be revoked with a reason. Once approved, the project
//! is carried out ([`Status`]): planned → in progress → completed → accepted → evaluated, with
//! progress rolled up from weighted milestones.
//!
//! Who answers for a project (Book 2) is in [`crate::responsibility`].
use crate::access::Role;
use crate::error::DomainError;
use crate::keyed::keyed;
use crate::ledger::{FiscalYear, FundSource};
use crate::money::Money;
use crate::region::{Level, RegionCode};
use serde::{Deserialize, Serialize};

/// A project is publicly noticed for at least this many days before the county may approve it.
pub const NOTICE_DAYS: i64 = 10;

keyed!(
    /// Project categories of the project library.
    Category, "category", "unknown_category" {
        /// 产业发展
        Industry => "industry",
        /// 基础设施
        Infrastructure => "infrastructure",
        /// 易地扶贫搬迁住房和安置点
        Relocation => "relocation",
        /// 教育
        Education => "education",
        /// 健康
        Health => "health",
        /// 就业和培训
        Employment => "employment",
        /// 生态保护
        Ecology => "ecology",
        /// 其他
        Other => "other",
    }
);

keyed!(
    /// Where a project is on the bottom-up declaration path.
    Stage, "stage", "unknown_stage" {
        /// Registered but not declared (a draft, or a record made outside the declaration path).
        Draft => "draft",
        /// Declared by the village; the township reviews.
        Declared => "declared",
        /// Returned by the township to the village with a comment.
        ReturnedToVillage => "returned_to_village",
        /// Approved by the township and under public notice; the county approves after it.
        Noticed => "noticed",
        /// Returned by the county to the township with a comment.
        ReturnedToTownship => "returned_to_township",
        /// Approved by the county into the county project library.
        Approved => "approved",
        /// Approved, and recorded with the city.
        Recorded => "recorded",
        /// The county's approval was revoked with a reason; the village may declare it again.
        Revoked => "revoked",
    }
);

keyed!(
    /// A step on the declaration path.
    StageAction, "action", "unknown_action" {
        Declare => "declare",
        TownshipApprove => "township_approve",
        TownshipReturn => "township_return",
        CountyApprove => "county_approve",
        CountyReturn => "county_return",
        Record => "record",
        Revoke => "revoke",
    }
);

keyed!(
    /// Implementation status of an approved project.
    Status, "status", "unknown_status" {
        Planned => "planned",
        InProgress => "in_progress",
        Completed => "completed",
        Accepted => "accepted",
        Evaluated => "evaluated",
    }
);

keyed!(
    StatusAction, "action", "unknown_action" {
        Start => "start",
        Complete => "complete",
        Accept => "accept",
        Evaluate => "evaluate",
    }
);

/// What the county must know before approving: the notice and the objections raised in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeState {
    /// First day of the notice (the township's approval).
    pub from: i64,
    /// Objections recorded and not yet answered.
    pub unanswered: u32,
}

impl NoticeState {
    /// The last day of the notice window.
    pub fn until(&self) -> i64 {
        self.from + NOTICE_DAYS - 1
    }
    /// The county may approve from this day on: the notice stood for [`NOTICE_DAYS`] full days.
    pub fn approvable_from(&self) -> i64 {
        self.from + NOTICE_DAYS
    }
}

impl Stage {
    /// The stage after `action` on `today`, checking the notice for a county approval.
    pub fn next(
        self,
        action: StageAction,
        notice: Option<NoticeState>,
        today: i64,
    ) -> Result<Stage, DomainError> {
        use Stage::*;
        use StageAction as A;
        let bad = || DomainError::invalid("action", "not_allowed_in_stage", self.key());
        Ok(match (self, action) {
            (Draft | ReturnedToVillage | Revoked, A::Declare) => Declared,
            (Declared | ReturnedToTownship, A::TownshipApprove) => Noticed,
            (Declared | ReturnedToTownship, A::TownshipReturn) => ReturnedToVillage,
            (Noticed, A::CountyApprove) => {
                let n = notice.ok_or_else(bad)?;
                if today < n.approvable_from() {
                    return Err(DomainError::invalid(
                        "action",
                        "notice_period_running",
                        crate::day::format(n.approvable_from()),
                    ));
                }
                if n.unanswered > 0 {
                    return Err(DomainError::invalid(
                        "action",
                        "objections_unanswered",
                        n.unanswered.to_string(),
                    ));
                }
                Approved
            }
            (Noticed, A::CountyReturn) => ReturnedToTownship,
            (Approved, A::Record) => Recorded,
            (Approved | Recorded, A::Revoke) => Revoked,
            _ => return Err(bad()),
        })
    }

    /// The roles that may edit the project's content in this stage (none while under review).
    pub fn editors(self) -> &'static [Role] {
        use Stage::*;
        match self {
            Draft | ReturnedToVillage | Revoked => &[Role::VillageCadre, Role::WorkTeam],
            ReturnedToTownship => &[Role::TownshipOfficial],
            Approved | Recorded => &[Role::PovertyBureau, Role::PartyGovernment],
            Declared | Noticed => &[],
        }
    }

    /// In the county project library (approved, whether or not recorded with the city yet).
    pub fn in_library(self) -> bool {
        matches!(self, Stage::Approved | Stage::Recorded)
    }
}

impl StageAction {
    /// Roles that may take this step (on a grant covering the project).
    pub fn roles(self) -> &'static [Role] {
        use StageAction::*;
        match self {
            Declare => &[Role::VillageCadre, Role::WorkTeam],
            TownshipApprove | TownshipReturn => &[Role::TownshipOfficial],
            CountyApprove | CountyReturn | Revoke => &[Role::PovertyBureau, Role::PartyGovernment],
            Record => &[Role::MunicipalBureau],
        }
    }
    /// Returns and revocations must say why.
    pub fn needs_comment(self) -> bool {
        matches!(
            self,
            StageAction::TownshipReturn | StageAction::CountyReturn | StageAction::Revoke
        )
    }
}

/// Roles that report progress: record milestones and updates, beneficiaries and objections.
pub const TRACKERS: &[Role] = &[
    Role::VillageCadre,
    Role::WorkTeam,
    Role::TownshipOfficial,
    Role::PovertyBureau,
];
/// Roles that answer objections raised during the notice.
pub const ANSWERERS: &[Role] = &[Role::TownshipOfficial, Role::PovertyBureau];

impl Status {
    /// The status after `action`; completing needs every milestone at 100 %.
    pub fn next(self, action: StatusAction, progress: u8) -> Result<Status, DomainError> {
        use Status::*;
        use StatusAction as A;
        Ok(match (self, action) {
            (Planned, A::Start) => InProgress,
            (InProgress, A::Complete) => {
                if progress < 100 {
                    return Err(DomainError::invalid(
                        "action",
                        "progress_incomplete",
                        progress.to_string(),
                    ));
                }
                Completed
            }
            (Completed, A::Accept) => Accepted,
            (Accepted, A::Evaluate) => Evaluated,
            _ => {
                return Err(DomainError::invalid(
                    "action",
                    "not_allowed_in_status",
                    self.key(),
                ));
            }
        })
    }
}

impl StatusAction {
    pub fn roles(self) -> &'static [Role] {
        match self {
            StatusAction::Start | StatusAction::Complete => TRACKERS,
            StatusAction::Accept | StatusAction::Evaluate => &[Role::PovertyBureau],
        }
    }
}

/// Performance targets. A project without them does not enter the project library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Targets {
    /// Outputs: what is built or delivered (e.g. "硬化道路 3.2 公里").
    pub outputs: String,
    /// Households benefiting.
    pub households: i64,
    /// Income effect (e.g. "户均年增收 1500 元").
    pub income_effect: String,
    /// Beneficiary satisfaction target, percent (1-100).
    pub satisfaction: i64,
}

impl Targets {
    pub fn check(&self) -> Result<(), DomainError> {
        text("targets.outputs", &self.outputs, 1000)?;
        text("targets.income_effect", &self.income_effect, 1000)?;
        if !(1..=10_000_000).contains(&self.households) {
            return Err(DomainError::invalid(
                "targets.households",
                "out_of_range",
                self.households.to_string(),
            ));
        }
        if !(1..=100).contains(&self.satisfaction) {
            return Err(DomainError::invalid(
                "targets.satisfaction",
                "out_of_range",
                self.satisfaction.to_string(),
            ));
        }
        Ok(())
    }
}

fn text(field: &'static str, s: &str, max: usize) -> Result<(), DomainError> {
    let n = s.trim().chars().count();
    if n == 0 {
        return Err(DomainError::invalid(field, "empty", s));
    }
    if n > max {
        return Err(crate::text::too_long(field, n, max));
    }
    Ok(())
}

/// Planned budget by fund source: one line per source, each positive.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Budget(Vec<(FundSource, Money)>);

impl Budget {
    pub fn new(mut lines: Vec<(FundSource, Money)>) -> Result<Budget, DomainError> {
        if lines.is_empty() {
            return Err(DomainError::invalid("budget", "empty", ""));
        }
        lines.sort_by_key(|(s, _)| FundSource::ALL.iter().position(|x| x == s));
        for w in lines.windows(2) {
            if let [(a, _), (b, _)] = w
                && a == b
            {
                return Err(DomainError::invalid("budget", "duplicate_source", a.key()));
            }
        }
        for (s, m) in &lines {
            if m.fen() <= 0 {
                return Err(DomainError::invalid("budget", "not_positive", s.key()));
            }
        }
        let b = Budget(lines);
        b.total()?;
        Ok(b)
    }
    pub fn lines(&self) -> &[(FundSource, Money)] {
        &self.0
    }
    pub fn total(&self) -> Result<Money, DomainError> {
        self.0.iter().try_fold(Money::from_fen(0), |acc, (_, m)| {
            acc.checked_add(*m)
                .ok_or_else(|| DomainError::invalid("budget", "too_large", ""))
        })
    }
    /// Stored form: `source:fen` pairs joined by `,` in source order.
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(s, m)| format!("{}:{}", s.key(), m.fen()))
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn decode(s: &str) -> Result<Budget, DomainError> {
        let mut lines = Vec::new();
        for part in s.split(',').filter(|p| !p.is_empty()) {
            let (src, fen) = part
                .split_once(':')
                .ok_or_else(|| DomainError::invalid("budget", "bad_format", part))?;
            let fen: i64 = fen
                .parse()
                .map_err(|_| DomainError::invalid("budget", "bad_format", part))?;
            lines.push((FundSource::parse(src)?, Money::from_fen(fen)));
        }
        Budget::new(lines)
    }
}

/// What the village declares (and every later version changes): the project's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub name: String,
    pub category: Category,
    /// The village the project is in (its township is the village's parent).
    pub village: RegionCode,
    pub fiscal_year: FiscalYear,
    pub budget: Budget,
    pub targets: Targets,
    /// The villagers' meeting that decided the project: its date and minutes reference.
    pub meeting_on: String,
    pub meeting_ref: String,
    pub description: String,
}

impl Content {
    /// Checks every field; `today` bounds the meeting date (a meeting cannot be in the future).
    pub fn check(&self, today: i64) -> Result<(), DomainError> {
        text("name", &self.name, 200)?;
        if self.village.level() != Level::Village {
            return Err(DomainError::invalid(
                "village",
                "not_a_village",
                self.village.as_str(),
            ));
        }
        self.targets.check()?;
        let met = crate::day::parse("meeting_on", &self.meeting_on)?;
        if met > today {
            return Err(DomainError::invalid(
                "meeting_on",
                "in_future",
                &self.meeting_on,
            ));
        }
        text("meeting_ref", &self.meeting_ref, 200)?;
        if self.description.chars().count() > 4000 {
            return Err(crate::text::too_long(
                "description",
                self.description.chars().count(),
                4000,
            ));
        }
        Ok(())
    }

    /// The fields that differ between two versions: (field, before, after), in display form.
    pub fn diff(&self, after: &Content) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        let mut cmp = |f: &'static str, a: String, b: String| {
            if a != b {
                out.push((f, a, b));
            }
        };
        cmp("name", self.name.clone(), after.name.clone());
        cmp(
            "category",
            self.category.key().into(),
            after.category.key().into(),
        );
        cmp(
            "village",
            self.village.as_str().into(),
            after.village.as_str().into(),
        );
        cmp(
            "fiscal_year",
            self.fiscal_year.get().to_string(),
            after.fiscal_year.get().to_string(),
        );
        cmp(
            "budget",
            budget_text(&self.budget),
            budget_text(&after.budget),
        );
        cmp(
            "targets.outputs",
            self.targets.outputs.clone(),
            after.targets.outputs.clone(),
        );
        cmp(
            "targets.households",
            self.targets.households.to_string(),
            after.targets.households.to_string(),
        );
        cmp(
            "targets.income_effect",
            self.targets.income_effect.clone(),
            after.targets.income_effect.clone(),
        );
        cmp(
            "targets.satisfaction",
            self.targets.satisfaction.to_string(),
            after.targets.satisfaction.to_string(),
        );
        cmp(
            "meeting_on",
            self.meeting_on.clone(),
            after.meeting_on.clone(),
        );
        cmp(
            "meeting_ref",
            self.meeting_ref.clone(),
            after.meeting_ref.clone(),
        );
        cmp(
            "description",
            self.description.clone(),
            after.description.clone(),
        );
        out
    }
}

fn budget_text(b: &Budget) -> String {
    b.lines()
        .iter()
        .map(|(s, m)| format!("{} {}", s.key(), m))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Progress of a project, percent, from its milestones' (weight, latest progress) pairs: the
/// weighted mean, rounded down. No milestones: 0.
pub fn rollup(milestones: &[(i64, i64)]) -> u8 {
    let total: i64 = milestones.iter().map(|(w, _)| (*w).max(0)).sum();
    if total == 0 {
        return 0;
    }
    let done: i64 = milestones
        .iter()
        .map(|(w, p)| (*w).max(0) * (*p).clamp(0, 100))
        .sum();
    u8::try_from((done / total).clamp(0, 100)).unwrap_or(0)
}

/// Checks a milestone's weight (1-100) and a progress value (0-100).
pub fn check_weight(w: i64) -> Result<(), DomainError> {
    if (1..=100).contains(&w) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "weight",
            "out_of_range",
            w.to_string(),
        ))
    }
}
pub fn check_progress(p: i64) -> Result<(), DomainError> {
    if (0..=100).contains(&p) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "progress",
            "out_of_range",
            p.to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn content() -> Content {
        Content {
            name: "村组道路硬化".into(),
            category: Category::Infrastructure,
            village: c("529121101201"),
            fiscal_year: FiscalYear::new(2026).unwrap_or_else(|e| panic!("{e}")),
            budget: Budget::new(vec![(FundSource::CentralSpecial, Money::from_fen(100))])
                .unwrap_or_else(|e| panic!("{e}")),
            targets: Targets {
                outputs: "道路 3 公里".into(),
                households: 120,
                income_effect: "户均增收 800 元".into(),
                satisfaction: 90,
            },
            meeting_on: "2026-03-01".into(),
            meeting_ref: "村民大会纪要 2026-3".into(),
            description: String::new(),
        }
    }

    #[test]
    fn a_project_without_targets_is_refused() {
        let today = crate::day::parse("d", "2026-04-01").unwrap_or_default();
        assert!(content().check(today).is_ok());
        let mut p = content();
        p.targets = Targets::default();
        assert!(matches!(
            p.check(today),
            Err(DomainError::Invalid {
                field: "targets.outputs",
                ..
            })
        ));
        let mut p = content();
        p.targets.satisfaction = 0;
        assert!(p.check(today).is_err());
        let mut p = content();
        p.village = c("529121101");
        assert!(p.check(today).is_err());
        let mut p = content();
        p.meeting_on = "2026-04-02".into();
        assert!(p.check(today).is_err());
    }

    #[test]
    fn budget_round_trips_and_refuses_duplicates() {
        let b = Budget::new(vec![
            (FundSource::Provincial, Money::from_fen(5)),
            (FundSource::CentralSpecial, Money::from_fen(7)),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.encode(), "central_special:7,provincial:5");
        assert_eq!(Budget::decode(&b.encode()).ok(), Some(b));
        assert!(
            Budget::new(vec![
                (FundSource::Provincial, Money::from_fen(5)),
                (FundSource::Provincial, Money::from_fen(7)),
            ])
            .is_err()
        );
        assert!(Budget::new(vec![]).is_err());
    }

    #[test]
    fn diff_names_changed_fields() {
        let a = content();
        let mut b = content();
        b.targets.households = 130;
        b.name = "村组道路硬化二期".into();
        let d = a.diff(&b);
        assert_eq!(
            d.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec!["name", "targets.households"]
        );
    }

    #[test]
    fn county_approval_waits_for_the_notice_and_answers() {
        let n = NoticeState {
            from: 100,
            unanswered: 0,
        };
        assert!(
            Stage::Noticed
                .next(StageAction::CountyApprove, Some(n), 109)
                .is_err()
        );
        assert_eq!(
            Stage::Noticed
                .next(StageAction::CountyApprove, Some(n), 110)
                .ok(),
            Some(Stage::Approved)
        );
        let n = NoticeState {
            from: 100,
            unanswered: 1,
        };
        assert!(
            Stage::Noticed
                .next(StageAction::CountyApprove, Some(n), 200)
                .is_err()
        );
    }

    fn any_stage_action() -> impl Strategy<Value = StageAction> {
        proptest::sample::select(StageAction::ALL.to_vec())
    }
    fn any_status_action() -> impl Strategy<Value = StatusAction> {
        proptest::sample::select(StatusAction::ALL.to_vec())
    }

    proptest! {
        /// Any sequence of steps: a project reaches the library only through a township approval
        /// followed by a full notice with every objection answered; only approved projects are
        /// recorded or revoked; a refused step changes nothing.
        #[test]
        fn declaration_path(steps in proptest::collection::vec((any_stage_action(), 0u32..3, 0i64..30), 0..40)) {
            let mut stage = Stage::Draft;
            let mut notice: Option<NoticeState> = None;
            let mut today = 0i64;
            for (action, unanswered, wait) in steps {
                today += wait;
                let n = notice.map(|n| NoticeState { unanswered, ..n });
                if let Ok(next) = stage.next(action, n, today) {
                    {
                        match next {
                            Stage::Approved if stage == Stage::Noticed => {
                                let n = n.unwrap_or(NoticeState { from: i64::MAX, unanswered: 1 });
                                prop_assert!(today >= n.from + NOTICE_DAYS);
                                prop_assert_eq!(n.unanswered, 0);
                            }
                            Stage::Noticed => {
                                prop_assert!(matches!(stage, Stage::Declared | Stage::ReturnedToTownship));
                                notice = Some(NoticeState { from: today, unanswered: 0 });
                            }
                            Stage::Recorded => prop_assert_eq!(stage, Stage::Approved),
                            Stage::Revoked => prop_assert!(stage.in_library()),
                            Stage::Declared => prop_assert!(matches!(stage, Stage::Draft | Stage::ReturnedToVillage | Stage::Revoked)),
                            _ => {}
                        }
                        if next.in_library() {
                            prop_assert!(stage.in_library() || stage == Stage::Noticed);
                        }
                        stage = next;
                    }
                }
            }
        }

        /// Status only moves forward, one step at a time, and completion needs full progress.
        #[test]
        fn status_moves_forward(steps in proptest::collection::vec((any_status_action(), 0u8..=100), 0..30)) {
            let mut s = Status::Planned;
            for (a, progress) in steps {
                let pos = |x: Status| Status::ALL.iter().position(|y| *y == x).unwrap_or(0);
                if let Ok(n) = s.next(a, progress) {
                    prop_assert_eq!(pos(n), pos(s) + 1);
                    if n == Status::Completed {
                        prop_assert_eq!(progress, 100);
                    }
                    s = n;
                }
            }
        }

        #[test]
        fn rollup_is_bounded_and_full_only_when_all_full(ms in proptest::collection::vec((1i64..=100, 0i64..=100), 0..8)) {
            let r = rollup(&ms);
            prop_assert!(r <= 100);
            if !ms.is_empty() {
                prop_assert_eq!(r == 100, ms.iter().all(|(_, p)| *p == 100));
            }
        }
    }
}

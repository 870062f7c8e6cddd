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

/// Performance targets (绩效目标) are an indicator tree ([`crate::acceptance::Indicator`], checked
/// by [`crate::acceptance::check_targets`]). A project without them does not enter the library.
pub use crate::acceptance::Indicator;

/// A value in hundredths of its unit as written: `3.2`, `90`, `0.05`, `-1.5`.
pub fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    match a % 100 {
        0 => format!("{sign}{}", a / 100),
        f if f % 10 == 0 => format!("{sign}{}.{}", a / 100, f / 10),
        f => format!("{sign}{}.{f:02}", a / 100),
    }
}

/// A number with at most two decimals (`3.2`, `1,200`, `90%`) in hundredths; `field` names it in
/// the refusal.
pub fn parse_hundredths(field: &'static str, s: &str) -> Result<i64, DomainError> {
    let t = s.trim().trim_end_matches(['%', '％']).trim();
    crate::money::Money::parse_yuan(t)
        .map(crate::money::Money::fen)
        .map_err(|e| match e {
            DomainError::Invalid { reason, .. } => DomainError::invalid(field, reason, s.trim()),
            other => other,
        })
}

/// The unit a target reads in: `%` directly after the number, any other after a space.
pub fn target_text(i: &Indicator) -> String {
    let v = hundredths(i.target);
    if i.unit == "%" {
        format!("{} {v}%", i.operator_symbol())
    } else {
        format!("{} {v} {}", i.operator_symbol(), i.unit)
    }
}

impl Indicator {
    /// `≥`, `≤` or `=`.
    pub fn operator_symbol(&self) -> &'static str {
        use crate::acceptance::Operator;
        match self.operator {
            Operator::AtLeast => "≥",
            Operator::AtMost => "≤",
            Operator::Equal => "=",
        }
    }
}

/// Indicators as one line of text, the import's and the export's `targets` cell: each
/// `kind|name|operator|target|unit|weight[|core]`, separated by `;` (e.g.
/// `quantity|硬化村组道路|ge|3.2|公里|30|core; satisfied|受益群众满意度|ge|90|%|20`). A `|` or
/// `;` inside a name or unit is written as `｜` or `；`.
pub fn encode_targets(targets: &[Indicator]) -> String {
    let clean = |s: &str| s.replace('|', "｜").replace(';', "；");
    targets
        .iter()
        .map(|i| {
            let mut s = format!(
                "{}|{}|{}|{}|{}|{}",
                i.kind.key(),
                clean(&i.name),
                i.operator.key(),
                hundredths(i.target),
                clean(&i.unit),
                i.weight
            );
            if i.core {
                s.push_str("|core");
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads [`encode_targets`]' text (entries also a line each), refusing with the row and field
/// (`targets[1].operator`); the operator may also be `≥`, `>=`, `≤`, `<=`, `=`, the last part
/// `core`, `核心` or empty. The list is not checked as a whole here ([`Content::check`] does).
pub fn parse_targets(s: &str) -> Result<Vec<Indicator>, DomainError> {
    use crate::acceptance::{IndicatorKind, Operator, row_field};
    let mut out = Vec::new();
    for (n, entry) in s
        .split([';', '；', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = entry.split(['|', '｜']).map(str::trim).collect();
        if !(6..=7).contains(&parts.len()) {
            return Err(DomainError::invalid(
                row_field(n, "kind"),
                "bad_indicator",
                entry,
            ));
        }
        let part = |k: usize| parts.get(k).copied().unwrap_or("");
        let kind = IndicatorKind::parse(part(0)).map_err(|_| {
            DomainError::invalid(row_field(n, "kind"), "unknown_indicator_kind", part(0))
        })?;
        let operator = match part(2) {
            "≥" | ">=" => Ok(Operator::AtLeast),
            "≤" | "<=" => Ok(Operator::AtMost),
            "=" | "==" => Ok(Operator::Equal),
            o => Operator::parse(o),
        }
        .map_err(|_| DomainError::invalid(row_field(n, "operator"), "unknown_operator", part(2)))?;
        let target = parse_hundredths(row_field(n, "target"), part(3))?;
        let weight = part(5)
            .parse::<u32>()
            .map_err(|_| DomainError::invalid(row_field(n, "weight"), "not_a_number", part(5)))?;
        let core = match part(6) {
            "" => false,
            "core" | "核心" | "是" | "yes" | "1" => true,
            other => {
                return Err(DomainError::invalid(
                    row_field(n, "core"),
                    "bad_core",
                    other,
                ));
            }
        };
        out.push(Indicator {
            kind,
            name: part(1).to_string(),
            operator,
            target,
            unit: part(4).to_string(),
            weight,
            core,
        });
    }
    Ok(out)
}

/// The indicators a version made before indicators (migration 0013) has, from its four fields:
/// the outputs as a core quantity indicator (delivered: ≥ 1 项, 30 points), the households as a
/// social indicator (受益户数 ≥ N 户, 20), the income effect as an economic indicator (≥ 1 项,
/// 30) and the satisfaction as a satisfaction indicator (受益群众满意度 ≥ N %, 20). The
/// migration's SQL writes exactly these rows, and `verify` re-derives them from the version's
/// booked fields.
pub fn legacy_targets(
    outputs: &str,
    households: i64,
    income_effect: &str,
    satisfaction: i64,
) -> Vec<Indicator> {
    use crate::acceptance::{IndicatorKind as K, Operator};
    let row = |kind, name: &str, target: i64, unit: &str, weight, core| Indicator {
        kind,
        name: name.to_string(),
        operator: Operator::AtLeast,
        target,
        unit: unit.to_string(),
        weight,
        core,
    };
    vec![
        row(K::Quantity, outputs, 100, "项", 30, true),
        row(
            K::Social,
            "受益户数",
            households.saturating_mul(100),
            "户",
            20,
            false,
        ),
        row(K::Economic, income_effect, 100, "项", 30, false),
        row(
            K::Satisfied,
            "受益群众满意度",
            satisfaction.saturating_mul(100),
            "%",
            20,
            false,
        ),
    ]
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
    /// The performance targets, in the order shown (weights summing to 100).
    pub targets: Vec<Indicator>,
    /// The villagers' meeting that decided the project: its date and minutes reference (filled
    /// from the meeting when `meeting_item_id` names it).
    pub meeting_on: String,
    pub meeting_ref: String,
    pub description: String,
    /// The meeting decision that approved the declaration (issue 18): a decision item of a
    /// villagers' or representatives' meeting of the same village that passed. Versions made
    /// before meetings were records carry only the free-text date and reference.
    #[serde(default)]
    pub meeting_item_id: Option<i64>,
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
        crate::acceptance::check_targets(&self.targets)?;
        // A draft may name no meeting yet (its declaration then needs the meeting's decision);
        // a free-text date and reference, when given, are checked as before.
        let no_meeting = self.meeting_item_id.is_none()
            && self.meeting_on.trim().is_empty()
            && self.meeting_ref.trim().is_empty();
        if !no_meeting {
            let met = crate::day::parse("meeting_on", &self.meeting_on)?;
            if met > today {
                return Err(DomainError::invalid(
                    "meeting_on",
                    "in_future",
                    &self.meeting_on,
                ));
            }
            text("meeting_ref", &self.meeting_ref, 200)?;
        }
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
            "targets.rows",
            encode_targets(&self.targets),
            encode_targets(&after.targets),
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
            targets: legacy_targets("道路 3 公里", 120, "户均增收 800 元", 90),
            meeting_on: "2026-03-01".into(),
            meeting_ref: "村民大会纪要 2026-3".into(),
            description: String::new(),
            meeting_item_id: None,
        }
    }

    #[test]
    fn a_project_without_targets_is_refused() {
        let today = crate::day::parse("d", "2026-04-01").unwrap_or_default();
        assert!(content().check(today).is_ok());
        let mut p = content();
        p.targets = Vec::new();
        assert!(matches!(
            p.check(today),
            Err(DomainError::Invalid {
                field: "targets.rows",
                ..
            })
        ));
        let mut p = content();
        p.targets[2].name = " ".into();
        assert!(matches!(
            p.check(today),
            Err(DomainError::Invalid {
                field: "targets[2].name",
                ..
            })
        ));
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
        b.targets[1].target = 13_000;
        b.name = "村组道路硬化二期".into();
        let d = a.diff(&b);
        assert_eq!(
            d.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec!["name", "targets.rows"]
        );
    }

    #[test]
    fn legacy_targets_weigh_100_and_pass() {
        let t = legacy_targets("道路 3 公里", 120, "户均增收 800 元", 90);
        assert_eq!(crate::acceptance::check_targets(&t), Ok(()));
        assert_eq!(target_text(&t[1]), "≥ 120 户");
        assert_eq!(target_text(&t[3]), "≥ 90%");
    }

    #[test]
    fn targets_text_round_trips_and_names_the_row() {
        let t = legacy_targets("道路 3 公里", 120, "户均增收 800 元", 90);
        assert_eq!(parse_targets(&encode_targets(&t)), Ok(t));
        let e = parse_targets("quantity|路|ge|3|公里|50; satisfied|满意度|gt|90|%|50");
        assert!(matches!(
            e,
            Err(DomainError::Invalid {
                field: "targets[1].operator",
                ..
            })
        ));
        let e = parse_targets("quantity|路|≥|3.123|公里|50");
        assert!(matches!(
            e,
            Err(DomainError::Invalid {
                field: "targets[0].target",
                ..
            })
        ));
        let e = parse_targets("quantity|路|≥|3");
        assert!(matches!(
            e,
            Err(DomainError::Invalid {
                field: "targets[0].kind",
                reason: "bad_indicator",
                ..
            })
        ));
        assert_eq!(parse_hundredths("t", "90%"), Ok(9000));
        assert_eq!(hundredths(320), "3.2");
        assert_eq!(hundredths(5), "0.05");
        assert_eq!(hundredths(-150), "-1.5");
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
        fn hundredths_round_trip(v in -10_000_000_000i64..10_000_000_000) {
            prop_assert_eq!(parse_hundredths("t", &hundredths(v)), Ok(v));
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

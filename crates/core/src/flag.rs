//! Red flags: cited, parameterised rules that scan the books for signs of the violations seed §4
//! names (detention, interception, misappropriation, favouritism, false claims), each hit with
//! its evidence, and the flag's one transition function.
//!
//! A rule is a pure function over [`Input`] (the rows of one county the store reads) and its
//! parameters, in a file of its own under `flag/`, registered once in [`RULES`]. It returns
//! [`Hit`]s: the region the flag belongs to, a stable evidence key (the same rule and key give the
//! same flag on every scan), the rows and figures behind it and a sentence in both languages.
//! Parameters have defaults with their source; a city or county overrides them with a settings
//! document ([`Settings::parse`]), which the store books in the log.
use crate::error::DomainError;
use crate::keyed::keyed;
use crate::ledger::{FundSource, PaymentState};
use crate::money::Money;
use crate::problem::ProblemCategory;
use crate::region::RegionCode;
use serde::Serialize;
use std::collections::BTreeMap;

mod benford;
mod deceased;
mod detention;
mod duplicate_beneficiary;
mod invalid_id;
mod late_pass_down;
mod official_payee;
mod over_budget;
mod overdue_evaluation;
mod paid_after_completion;
mod payroll_beneficiary;
mod shared_payee;
mod short_receipt;
mod split_payments;
mod stalled_project;
mod unaccepted;
mod unapproved_project;
mod unconfirmed;

/// Every rule, in the order the rules' page lists them.
pub const RULES: &[&Rule] = &[
    &detention::RULE,
    &late_pass_down::RULE,
    &unconfirmed::RULE,
    &short_receipt::RULE,
    &over_budget::RULE,
    &paid_after_completion::RULE,
    &unapproved_project::RULE,
    &shared_payee::RULE,
    &official_payee::RULE,
    &payroll_beneficiary::RULE,
    &duplicate_beneficiary::RULE,
    &invalid_id::RULE,
    &deceased::RULE,
    &split_payments::RULE,
    &stalled_project::RULE,
    &unaccepted::RULE,
    &overdue_evaluation::RULE,
    &benford::RULE,
];

/// The rule of an id.
pub fn rule(id: &str) -> Result<&'static Rule, DomainError> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id == id.trim())
        .ok_or_else(|| DomainError::invalid("rule", "unknown_rule", id))
}

keyed!(
    /// How serious a flag is, the order of the queue.
    Severity, "severity", "unknown_severity" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

keyed!(
    /// The violation of seed §4 a rule looks for.
    Group, "group", "unknown_group" {
        /// 滞留
        Detention => "detention",
        /// 截留
        Interception => "interception",
        /// 挪用
        Misappropriation => "misappropriation",
        /// 一人多领
        SharedPayee => "shared_payee",
        /// 优亲厚友
        Favouritism => "favouritism",
        /// 虚报冒领
        FalseClaims => "false_claims",
        /// 拆分支付
        SplitPayments => "split_payments",
        /// 项目停滞
        Stalled => "stalled",
        /// 数字规律
        Digits => "digits",
    }
);

keyed!(
    /// Where a flag is in its handling.
    FlagState, "state", "unknown_flag_state" {
        /// Raised by a scan, nobody has looked.
        Open => "open",
        /// Looked at and kept for a decision.
        Triaged => "triaged",
        /// Not a violation, with the reason why.
        Dismissed => "dismissed",
        /// A Book 3 problem was opened from it.
        CaseOpened => "case_opened",
    }
);

keyed!(
    FlagAction, "action", "unknown_flag_action" {
        Triage => "triage",
        Dismiss => "dismiss",
        OpenCase => "open_case",
    }
);

impl FlagState {
    /// The one transition function: open → triaged; open or triaged → dismissed (with a reason)
    /// or → case opened. Dismissed and case opened are final.
    pub fn next(self, action: FlagAction, reason: &str) -> Result<FlagState, DomainError> {
        use FlagAction as A;
        use FlagState::*;
        let next = match (self, action) {
            (Open, A::Triage) => Triaged,
            (Open | Triaged, A::Dismiss) => {
                if reason.trim().is_empty() {
                    return Err(DomainError::invalid("reason", "required_to_dismiss", ""));
                }
                Dismissed
            }
            (Open | Triaged, A::OpenCase) => CaseOpened,
            _ => {
                return Err(DomainError::invalid(
                    "action",
                    "not_allowed_in_state",
                    self.key(),
                ));
            }
        };
        Ok(next)
    }

    pub fn is_open(self) -> bool {
        matches!(self, FlagState::Open | FlagState::Triaged)
    }
}

keyed!(
    /// The unit of a parameter's value.
    Unit, "unit", "unknown_unit" {
        Days => "days",
        /// Whole yuan (the rule works in fen).
        Yuan => "yuan",
        Count => "count",
        /// Parts per ten thousand (a MAD of 0.0022 is 22).
        PerTenThousand => "per_ten_thousand",
    }
);

/// A parameter of a rule, with its default and where the default comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Param {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub unit: Unit,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    pub source: &'static str,
}

/// A rule: what it looks for, where the rule comes from, its parameters and its scan.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub group: Group,
    pub zh: &'static str,
    pub en: &'static str,
    /// The seed section, law or practice the rule rests on.
    pub citation_zh: &'static str,
    pub citation_en: &'static str,
    pub severity: Severity,
    /// The Book 3 category a case opened from its flag has.
    pub category: ProblemCategory,
    pub params: &'static [Param],
    pub scan: fn(&Input, &Values) -> Vec<Hit>,
}

impl Rule {
    /// Runs the rule with its values; hits come sorted by evidence key, one per key.
    pub fn run(&self, input: &Input, values: &Values) -> Vec<Hit> {
        let mut hits = (self.scan)(input, values);
        hits.sort_by(|a, b| a.key.cmp(&b.key));
        hits.dedup_by(|a, b| a.key == b.key);
        hits
    }
}

/// The values of one rule's parameters in force (defaults overridden by settings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Values(pub BTreeMap<&'static str, i64>);

impl Values {
    /// The value of `key`, else 0 (every rule names its own keys, so 0 never happens in use).
    pub fn get(&self, key: &str) -> i64 {
        self.0.get(key).copied().unwrap_or(0)
    }
    /// A yuan parameter in fen.
    pub fn fen(&self, key: &str) -> Money {
        Money::from_fen(self.get(key).saturating_mul(100))
    }
    /// `key=value` pairs in key order: the values a flag was computed with.
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A settings document: `rule.param = value` lines, `#` comments and blank lines ignored.
/// Every line is checked against [`RULES`]: the rule, the parameter and its range, once each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settings(pub BTreeMap<(String, String), i64>);

impl Settings {
    pub fn parse(text: &str) -> Result<Settings, DomainError> {
        let mut out = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line_no = (n + 1).to_string();
            let t = line.split('#').next().unwrap_or("").trim();
            if t.is_empty() {
                continue;
            }
            let bad = |reason: &'static str| {
                DomainError::invalid("settings", reason, format!("{line_no}: {}", line.trim()))
            };
            let (name, value) = t
                .split_once('=')
                .ok_or_else(|| bad("expected_rule_param_value"))?;
            let (rule_id, key) = name
                .trim()
                .split_once('.')
                .ok_or_else(|| bad("expected_rule_param_value"))?;
            let r = rule(rule_id).map_err(|_| bad("unknown_rule"))?;
            let p = r
                .params
                .iter()
                .find(|p| p.key == key.trim())
                .ok_or_else(|| bad("unknown_param"))?;
            let v: i64 = value
                .trim()
                .replace('_', "")
                .parse()
                .map_err(|_| bad("not_a_whole_number"))?;
            if v < p.min || v > p.max {
                return Err(bad("out_of_range"));
            }
            if out
                .insert((r.id.to_string(), p.key.to_string()), v)
                .is_some()
            {
                return Err(bad("duplicate_param"));
            }
        }
        Ok(Settings(out))
    }

    /// The document again, one line per value, in rule and parameter order.
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|((r, p), v)| format!("{r}.{p} = {v}\n"))
            .collect()
    }
}

/// The values of `rule` in force: its defaults, then each settings document in order (the city's,
/// then the county's), later ones winning.
pub fn values(rule: &Rule, layers: &[&Settings]) -> Values {
    let mut v: BTreeMap<&'static str, i64> =
        rule.params.iter().map(|p| (p.key, p.default)).collect();
    for s in layers {
        for p in rule.params {
            if let Some(x) = s.0.get(&(rule.id.to_string(), p.key.to_string())) {
                v.insert(p.key, *x);
            }
        }
    }
    Values(v)
}

// ---- The rows a scan reads (one county's). ----

/// What the rules read: the rows of one county on one day.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The day scanned (days since 1970-01-01, Beijing).
    pub today: i64,
    pub accounts: Vec<Account>,
    pub appropriations: Vec<Appropriation>,
    pub payments: Vec<Payment>,
    pub projects: Vec<Project>,
    pub beneficiaries: Vec<Beneficiary>,
    pub officials: Vec<Official>,
    pub lists: Vec<ListEntry>,
    pub evaluations: Vec<Evaluation>,
    /// The names of the regions the rows name, for the sentences (pages show names, not codes).
    pub names: BTreeMap<RegionCode, String>,
}

impl Input {
    /// A region's name, else its code.
    pub fn name(&self, r: &RegionCode) -> String {
        self.names
            .get(r)
            .cloned()
            .unwrap_or_else(|| r.as_str().to_string())
    }
}

/// A region's account of a fund (project accounts are not read), with the money into it
/// (confirmed appropriations and receipts) and out of it (passed down, arranged, paid or held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub fund_id: i64,
    pub fund: String,
    pub source: FundSource,
    pub region: RegionCode,
    /// The fund's deadline: days money may sit unspent (the fund's document).
    pub detention_days: i64,
    /// (day, amount, transfer id), oldest first.
    pub credits: Vec<(i64, Money, i64)>,
    /// (day, amount), oldest first.
    pub outflows: Vec<(i64, Money)>,
}

/// An appropriation from one level to the one below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appropriation {
    pub id: i64,
    pub fund_id: i64,
    pub fund: String,
    pub from: RegionCode,
    pub to: RegionCode,
    pub amount: Money,
    pub booked_on: i64,
    /// The day the lower level confirmed receipt.
    pub received_on: Option<i64>,
    /// Reversed (a correction): not counted.
    pub reversed: bool,
}

/// A payment (disbursement) from a project account, not voided and not reversed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    /// The project's region (a village, or the township or county for their own projects).
    pub region: RegionCode,
    pub source: FundSource,
    pub payee: String,
    pub amount: Money,
    pub booked_on: i64,
    pub state: PaymentState,
}

/// A project as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub region: RegionCode,
    /// Approved into the county library (its approved version exists).
    pub approved: bool,
    /// The approved budget by fund source.
    pub budget: Vec<(FundSource, Money)>,
    pub started_on: Option<i64>,
    pub completed_on: Option<i64>,
    pub accepted_on: Option<i64>,
    /// The last progress report (a milestone update or a status step).
    pub last_progress_on: Option<i64>,
}

/// A beneficiary of a project (a household head), as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beneficiary {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    pub region: RegionCode,
    pub name: String,
    /// As recorded, unchecked (the rules check it).
    pub id_number: String,
}

/// A person on the region's roll of officials (village committee, township, county units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    pub person_id: i64,
    pub name: String,
    pub region: RegionCode,
    pub department: String,
    pub position: String,
}

keyed!(
    /// The imported lists the rules match against.
    ListKind, "kind", "unknown_list_kind" {
        /// 财政供养人员
        PublicPayroll => "public_payroll",
        /// 村干部及其近亲属
        CadreRelatives => "cadre_relatives",
        /// 死亡人员（民政、公安）
        Deceased => "deceased",
    }
);

/// A row of an imported list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub id: i64,
    pub kind: ListKind,
    pub name: String,
    /// '' when the list gives none.
    pub id_number: String,
    /// On the cadre list: `本人` or the relation to `of_name`.
    pub relation: String,
    pub of_name: String,
}

/// A Book 4 evaluation due (scheduled at acceptance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    pub region: RegionCode,
    pub due_on: i64,
    pub done: bool,
}

// ---- What a rule returns. ----

/// A row of the books a hit rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Row {
    /// The table: `transfers`, `projects`, `project_beneficiaries`, `people`,
    /// `crosscheck_entries`, `evaluations`, `ledger_accounts`.
    pub table: String,
    pub id: i64,
}

/// A figure of the evidence with its label in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Figure {
    pub zh: String,
    pub en: String,
    pub value: String,
}

/// A bar of a chart (the digit test): label, expected and observed in parts per million.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Bar {
    pub label: String,
    pub expected_ppm: i64,
    pub observed_ppm: i64,
}

/// The evidence of a hit, kept with its flag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Evidence {
    pub zh: String,
    pub en: String,
    pub rows: Vec<Row>,
    pub figures: Vec<Figure>,
    pub chart: Vec<Bar>,
}

/// One hit of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Stable across scans: the same rule and key are the same flag.
    pub key: String,
    /// The region the flag belongs to (who sees it).
    pub region: RegionCode,
    pub project_id: Option<i64>,
    /// The money concerned (0 when none).
    pub amount: Money,
    pub evidence: Evidence,
}

impl Hit {
    pub fn new(key: impl Into<String>, region: RegionCode, zh: String, en: String) -> Hit {
        Hit {
            key: key.into(),
            region,
            project_id: None,
            amount: Money::ZERO,
            evidence: Evidence {
                zh,
                en,
                ..Evidence::default()
            },
        }
    }
    pub fn project(mut self, id: i64) -> Hit {
        self.project_id = Some(id);
        self
    }
    pub fn amount(mut self, m: Money) -> Hit {
        self.amount = m;
        self
    }
    pub fn row(mut self, table: &str, id: i64) -> Hit {
        self.evidence.rows.push(Row {
            table: table.to_string(),
            id,
        });
        self
    }
    pub fn figure(mut self, zh: &str, en: &str, value: impl Into<String>) -> Hit {
        self.evidence.figures.push(Figure {
            zh: zh.to_string(),
            en: en.to_string(),
            value: value.into(),
        });
        self
    }
}

/// Money as yuan with two decimals, for sentences (`12,345.67`).
pub fn yuan(m: Money) -> String {
    let f = m.fen();
    let (sign, f) = if f < 0 { ("-", -f) } else { ("", f) };
    let whole = (f / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", f % 100)
}

/// A day number as `YYYY-MM-DD`.
pub fn day(d: i64) -> String {
    crate::day::format(d)
}

/// A name as matched: trimmed, inner spaces (half and full width) removed.
pub fn normal_name(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '·' && *c != '•')
        .collect()
}

/// An ID number as matched: trimmed, upper case.
pub fn normal_id(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

#[cfg(test)]
pub(crate) mod fixture {
    //! Small builders the rules' hit and miss fixtures share.
    use super::*;

    pub fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    pub fn d(s: &str) -> i64 {
        crate::day::parse("day", s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    pub fn y(yuan: i64) -> Money {
        Money::from_fen(yuan * 100)
    }
    /// The defaults of a rule.
    pub fn defaults(r: &Rule) -> Values {
        values(r, &[])
    }
    /// Values with one parameter changed.
    pub fn with(r: &Rule, key: &str, v: i64) -> Values {
        let mut s = Settings::default();
        s.0.insert((r.id.to_string(), key.to_string()), v);
        values(r, &[&s])
    }
    pub const VILLAGE: &str = "529121100201";
    pub const VILLAGE2: &str = "529121100202";
    pub const TOWNSHIP: &str = "529121100";
    pub const COUNTY: &str = "529121";
    pub fn project(id: i64, region: &str) -> Project {
        Project {
            id,
            name: format!("项目{id}"),
            region: code(region),
            approved: true,
            budget: vec![(FundSource::CentralSpecial, y(100_000))],
            started_on: Some(d("2026-03-01")),
            completed_on: None,
            accepted_on: None,
            last_progress_on: Some(d("2026-05-01")),
        }
    }
    pub fn payment(
        id: i64,
        project_id: i64,
        region: &str,
        payee: &str,
        yuan: i64,
        on: &str,
    ) -> Payment {
        Payment {
            id,
            project_id,
            project: format!("项目{project_id}"),
            region: code(region),
            source: FundSource::CentralSpecial,
            payee: payee.to_string(),
            amount: y(yuan),
            booked_on: d(on),
            state: PaymentState::Paid,
        }
    }
    pub fn beneficiary(
        id: i64,
        project_id: i64,
        region: &str,
        name: &str,
        id_number: &str,
    ) -> Beneficiary {
        Beneficiary {
            id,
            project_id,
            project: format!("项目{project_id}"),
            region: code(region),
            name: name.to_string(),
            id_number: id_number.to_string(),
        }
    }
    /// A valid ID number ending in the check character of its 17 digits.
    pub fn id_number(first17: &str) -> String {
        let c = crate::ids::IdNumber::check_char(first17).unwrap_or('0');
        format!("{first17}{c}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_rule_is_registered_once_with_its_citation_and_valid_defaults() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for r in RULES {
            assert!(
                !r.zh.is_empty()
                    && !r.en.is_empty()
                    && !r.citation_zh.is_empty()
                    && !r.citation_en.is_empty(),
                "{}",
                r.id
            );
            for p in r.params {
                assert!(
                    p.min <= p.default && p.default <= p.max,
                    "{}.{}",
                    r.id,
                    p.key
                );
                assert!(!p.source.is_empty(), "{}.{}", r.id, p.key);
            }
        }
    }

    #[test]
    fn settings_name_the_line_that_is_wrong() {
        let s = Settings::parse("# county\nsplit_payments.threshold = 30000\n").unwrap_or_default();
        assert_eq!(s.0.len(), 1);
        for (text, reason) in [
            ("nope", "expected_rule_param_value"),
            ("x.y = 1", "unknown_rule"),
            ("split_payments.nope = 1", "unknown_param"),
            ("split_payments.threshold = ten", "not_a_whole_number"),
            ("split_payments.threshold = -1", "out_of_range"),
            (
                "split_payments.threshold = 1\nsplit_payments.threshold = 2",
                "duplicate_param",
            ),
        ] {
            match Settings::parse(text) {
                Err(DomainError::Invalid {
                    reason: r, value, ..
                }) => {
                    assert_eq!(r, reason, "{text}");
                    assert!(value.contains(':'), "{value}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn later_settings_win() {
        let r = rule("split_payments").unwrap_or_else(|e| panic!("{e}"));
        let city = Settings::parse("split_payments.threshold = 40000").unwrap_or_default();
        let county = Settings::parse("split_payments.threshold = 20000").unwrap_or_default();
        assert_eq!(values(r, &[&city]).get("threshold"), 40000);
        assert_eq!(values(r, &[&city, &county]).get("threshold"), 20000);
        assert_eq!(
            values(r, &[]).get("threshold"),
            r.params
                .iter()
                .find(|p| p.key == "threshold")
                .map_or(0, |p| p.default)
        );
    }

    #[test]
    fn yuan_groups_thousands() {
        assert_eq!(yuan(Money::from_fen(123_456_789)), "1,234,567.89");
        assert_eq!(yuan(Money::from_fen(5)), "0.05");
    }

    fn any_action() -> impl Strategy<Value = FlagAction> {
        proptest::sample::select(FlagAction::ALL.to_vec())
    }

    proptest! {
        /// Any sequence of steps follows the transition function: final states stay final, a
        /// dismissal always has a reason, and nothing returns to open.
        #[test]
        fn flag_path(steps in proptest::collection::vec((any_action(), any::<bool>()), 0..20)) {
            let mut s = FlagState::Open;
            for (a, with_reason) in steps {
                let reason = if with_reason { "核实为正常支付" } else { " " };
                match s.next(a, reason) {
                    Ok(n) => {
                        prop_assert!(s.is_open());
                        prop_assert!(n != FlagState::Open);
                        if n == FlagState::Dismissed { prop_assert!(with_reason); }
                        s = n;
                    }
                    Err(_) => prop_assert!(!s.is_open() || (a == FlagAction::Triage && s == FlagState::Triaged) || (a == FlagAction::Dismiss && !with_reason)),
                }
            }
        }
    }
}

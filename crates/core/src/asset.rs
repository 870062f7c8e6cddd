//! Project assets (项目资产, issue 17): the rules, with no storage and no clock.
//!
//! On acceptance the county registers the assets a project produced: a class (经营性 / 公益性 /
//! 到户类), an owner level and owner, a custodian (管护主体), the original value split by fund
//! source, and for productive assets an income distribution plan. An asset then moves
//! registered → transferred (owner or custodian changed; again and again) → disposed, each move
//! only on a recorded decision (a meeting with its date and minutes, or a document number) and a
//! reason ([`AssetState::next`]).
//!
//! Source of the classes, the ownership by level, the custodian, the income distribution and the
//! disposal by recorded decision: 国务院扶贫办、中央农办、财政部等《关于加强扶贫项目资产后续管理的
//! 指导意见》(2021), sections 2-5 (确权登记, 落实管护责任, 规范收益分配, 严格处置).
use crate::access::Role;
use crate::error::DomainError;
use crate::keyed::keyed;
use crate::ledger::FundSource;
use crate::money::Money;
use crate::region::{Level, RegionCode};

/// Who registers, transfers and disposes of project assets: the county poverty alleviation
/// bureau (the guidance's 县级扶贫部门 keeps the county's asset register).
pub const ASSET_KEEPERS: &[Role] = &[Role::PovertyBureau];

/// Who approves a disposal: the county bureau or the county party committee and government
/// (the guidance: disposals are approved at the level that owns the asset's oversight, 县级审批);
/// never the person who registered the asset ([`crate::duty::Control::DisposeAsset`]).
pub const ASSET_DISPOSERS: &[Role] = &[Role::PovertyBureau, Role::PartyGovernment];

/// Digits of the sequence in an asset number (`530121-2026-0007`): a county registers well
/// under 10 000 assets a year (default; the sequence simply grows wider beyond it).
pub const NUMBER_DIGITS: usize = 4;

/// The project statuses at which assets may be registered: the guidance registers assets "on
/// completion and acceptance" (项目竣工验收后), so an accepted or later evaluated project.
pub const REGISTERABLE_STATUSES: &[&str] = &["accepted", "evaluated"];

keyed!(
    /// The guidance's three classes of project assets.
    AssetClass, "class", "unknown_class" {
        /// 经营性资产: yields income (a greenhouse, a processing plant, a PV station).
        Productive => "productive",
        /// 公益性资产: public infrastructure (a road, a water supply, a bridge).
        PublicWelfare => "public_welfare",
        /// 到户类资产: given to a household (livestock, a cowshed, equipment).
        Household => "household",
    }
);

keyed!(
    /// Who owns an asset.
    OwnerLevel, "owner_level", "unknown_owner_level" {
        County => "county",
        Township => "township",
        Village => "village",
        Household => "household",
    }
);

keyed!(
    /// Where an asset is in its life.
    AssetState, "state", "unknown_state" {
        /// Registered, with its first owner and custodian.
        Registered => "registered",
        /// Its owner or custodian changed at least once.
        Transferred => "transferred",
        /// Scrapped, auctioned, given away or lost: off the register.
        Disposed => "disposed",
    }
);

keyed!(
    /// A step in an asset's life after registration.
    AssetAction, "action", "unknown_action" {
        /// Owner or custodian changed (移交, 变更管护主体).
        Transfer => "transfer",
        /// Taken off the register (处置).
        Dispose => "dispose",
    }
);

keyed!(
    /// How an asset is disposed of.
    DisposalKind, "disposal_kind", "unknown_disposal_kind" {
        /// 报废
        Scrap => "scrap",
        /// 拍卖
        Auction => "auction",
        /// 转让 (sold by agreement)
        Sale => "sale",
        /// 无偿划转 (given to another body)
        Allocation => "allocation",
        /// 损毁 / 灭失 (destroyed or lost)
        Loss => "loss",
    }
);

keyed!(
    /// What recorded the decision behind a transfer or a disposal.
    DecisionKind, "decision_kind", "unknown_decision_kind" {
        /// A meeting (村民代表大会, 党委会...): its date and minutes reference.
        Meeting => "meeting",
        /// A document with its number (县扶贫开发领导小组文件...).
        Document => "document",
    }
);

keyed!(
    /// Who receives a share of a productive asset's income.
    ShareHolder, "share", "unknown_share" {
        /// 村集体经济
        VillageCollective => "village_collective",
        /// 脱贫户 / 监测户
        PoorHouseholds => "poor_households",
        /// 管护资金
        MaintenanceFund => "maintenance_fund",
        /// 公益岗位 / 小型公益事业
        PublicWorks => "public_works",
        /// 经营主体
        Operator => "operator",
    }
);

impl AssetState {
    /// The one transition function: transfers keep an asset on the register, a disposal takes
    /// it off for good.
    pub fn next(self, a: AssetAction) -> Result<AssetState, DomainError> {
        match (self, a) {
            (AssetState::Registered | AssetState::Transferred, AssetAction::Transfer) => {
                Ok(AssetState::Transferred)
            }
            (AssetState::Registered | AssetState::Transferred, AssetAction::Dispose) => {
                Ok(AssetState::Disposed)
            }
            _ => Err(DomainError::invalid(
                "action",
                "not_allowed_in_state",
                self.key(),
            )),
        }
    }
    /// On the register (counts in the totals).
    pub fn in_service(self) -> bool {
        self != AssetState::Disposed
    }
}

impl OwnerLevel {
    /// The region level an owner of this level is (a household lives in a village).
    pub fn region_level(self) -> Level {
        match self {
            OwnerLevel::County => Level::County,
            OwnerLevel::Township => Level::Township,
            OwnerLevel::Village | OwnerLevel::Household => Level::Village,
        }
    }
    /// Checks the owner region's level and that it lies in `county`.
    pub fn check_owner(self, owner: &RegionCode, county: &str) -> Result<(), DomainError> {
        if owner.county_code() != county {
            return Err(DomainError::invalid(
                "owner",
                "outside_county",
                owner.as_str(),
            ));
        }
        if owner.level() != self.region_level() {
            return Err(DomainError::invalid("owner", "wrong_level", owner.as_str()));
        }
        Ok(())
    }
}

/// An asset's original value by fund source: each source once, each amount positive, at least
/// one line. Stored as `source:fen` pairs in source order, like a project's budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSplit(Vec<(FundSource, Money)>);

impl ValueSplit {
    pub fn new(mut lines: Vec<(FundSource, Money)>) -> Result<ValueSplit, DomainError> {
        if lines.is_empty() {
            return Err(DomainError::invalid("value", "empty", ""));
        }
        lines.sort_by_key(|(s, _)| FundSource::ALL.iter().position(|x| x == s));
        for w in lines.windows(2) {
            if let [(a, _), (b, _)] = w
                && a == b
            {
                return Err(DomainError::invalid("value", "duplicate_source", a.key()));
            }
        }
        for (s, m) in &lines {
            if m.fen() <= 0 {
                return Err(DomainError::invalid("value", "not_positive", s.key()));
            }
        }
        let v = ValueSplit(lines);
        v.total()?;
        Ok(v)
    }
    pub fn lines(&self) -> &[(FundSource, Money)] {
        &self.0
    }
    pub fn total(&self) -> Result<Money, DomainError> {
        self.0.iter().try_fold(Money::ZERO, |acc, (_, m)| {
            acc.checked_add(*m)
                .ok_or_else(|| DomainError::invalid("value", "too_large", ""))
        })
    }
    /// `central_special:5000000,county_budget:80000`.
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|(s, m)| format!("{}:{}", s.key(), m.fen()))
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn parse_text(s: &str) -> Result<ValueSplit, DomainError> {
        ValueSplit::new(
            pairs(s, "value")?
                .into_iter()
                .try_fold(Vec::new(), |mut v, (k, n)| {
                    v.push((FundSource::parse(k)?, Money::from_fen(n)));
                    Ok::<_, DomainError>(v)
                })?,
        )
    }
}

/// The split limit: per fund source, the assets of a project together (those registered and
/// this one, disposed ones included: disposing of an asset does not un-spend its money) may not
/// exceed the project's budget line of that source in its approved version.
///
/// Why the budget and not the ledger's payments: assets are registered on acceptance, and the
/// retention (尾款) is paid only after acceptance (issue 17, rule 4), so at registration the
/// ledger has not yet paid everything the project cost; the approved budget is the ceiling the
/// county itself set. `budget` and `registered` are per source; a source missing from the
/// budget has a limit of zero.
pub fn check_split(
    split: &ValueSplit,
    budget: &[(FundSource, Money)],
    registered: &[(FundSource, Money)],
) -> Result<(), DomainError> {
    for (src, m) in split.lines() {
        let limit: i64 = budget
            .iter()
            .filter(|(s, _)| s == src)
            .map(|(_, m)| m.fen())
            .sum();
        let before: i64 = registered
            .iter()
            .filter(|(s, _)| s == src)
            .map(|(_, m)| m.fen())
            .sum();
        if before.saturating_add(m.fen()) > limit {
            return Err(DomainError::invalid(
                "value",
                "over_budget",
                format!("{}:{}>{}", src.key(), before.saturating_add(m.fen()), limit),
            ));
        }
    }
    Ok(())
}

/// A productive asset's income distribution plan: whole percents, each holder once, each share
/// positive, summing to 100 (the guidance: 收益分配方案 decided democratically; the shares are
/// the village's, only the sum is a rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution(Vec<(ShareHolder, i64)>);

impl Distribution {
    pub fn new(mut shares: Vec<(ShareHolder, i64)>) -> Result<Distribution, DomainError> {
        if shares.is_empty() {
            return Err(DomainError::invalid("distribution", "empty", ""));
        }
        shares.sort_by_key(|(h, _)| *h);
        for w in shares.windows(2) {
            if let [(a, _), (b, _)] = w
                && a == b
            {
                return Err(DomainError::invalid(
                    "distribution",
                    "duplicate_share",
                    a.key(),
                ));
            }
        }
        for (h, p) in &shares {
            if !(1..=100).contains(p) {
                return Err(DomainError::invalid(
                    "distribution",
                    "share_out_of_range",
                    h.key(),
                ));
            }
        }
        let sum: i64 = shares.iter().map(|(_, p)| p).sum();
        if sum != 100 {
            return Err(DomainError::invalid(
                "distribution",
                "shares_not_100",
                sum.to_string(),
            ));
        }
        Ok(Distribution(shares))
    }
    pub fn shares(&self) -> &[(ShareHolder, i64)] {
        &self.0
    }
    /// `village_collective:60,poor_households:30,maintenance_fund:10`.
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|(h, p)| format!("{}:{}", h.key(), p))
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn parse_text(s: &str) -> Result<Distribution, DomainError> {
        Distribution::new(pairs(s, "distribution")?.into_iter().try_fold(
            Vec::new(),
            |mut v, (k, n)| {
                v.push((ShareHolder::parse(k)?, n));
                Ok::<_, DomainError>(v)
            },
        )?)
    }
}

/// A productive asset needs a distribution plan; the others have none.
pub fn check_distribution(
    class: AssetClass,
    plan: Option<&Distribution>,
) -> Result<(), DomainError> {
    match (class, plan) {
        (AssetClass::Productive, None) => Err(DomainError::invalid("distribution", "required", "")),
        (AssetClass::PublicWelfare | AssetClass::Household, Some(_)) => Err(DomainError::invalid(
            "distribution",
            "only_productive",
            class.key(),
        )),
        _ => Ok(()),
    }
}

/// A household asset is owned by a household; no other class is.
pub fn check_class_owner(class: AssetClass, owner: OwnerLevel) -> Result<(), DomainError> {
    if (class == AssetClass::Household) != (owner == OwnerLevel::Household) {
        return Err(DomainError::invalid(
            "owner_level",
            "class_mismatch",
            owner.key(),
        ));
    }
    Ok(())
}

fn pairs<'a>(s: &'a str, field: &'static str) -> Result<Vec<(&'a str, i64)>, DomainError> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, n) = p
                .split_once(':')
                .ok_or_else(|| DomainError::invalid(field, "bad_format", p))?;
            let n = n
                .trim()
                .parse::<i64>()
                .map_err(|_| DomainError::invalid(field, "bad_format", p))?;
            Ok((k.trim(), n))
        })
        .collect()
}

/// The asset number: the county code, the year and the county's sequence in that year, e.g.
/// `530121-2026-0007`.
pub fn number(county: &str, year: i64, seq: i64) -> String {
    format!("{county}-{year}-{seq:0w$}", w = NUMBER_DIGITS)
}

/// A quantity: a positive decimal with at most three places (`1`, `200`, `3.5`).
pub fn quantity(s: &str) -> Result<String, DomainError> {
    let t = s.trim();
    let bad = || DomainError::invalid("quantity", "bad_quantity", t);
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty()
        || int.len() > 12
        || frac.len() > 3
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (t.contains('.') && frac.is_empty())
    {
        return Err(bad());
    }
    if t.bytes().all(|b| b == b'0' || b == b'.') {
        return Err(DomainError::invalid("quantity", "not_positive", t));
    }
    Ok(t.to_string())
}

/// The recorded decision behind a transfer or disposal: a meeting needs its date and a minutes
/// reference, a document its number; both need the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub kind: DecisionKind,
    /// The meeting's day (`YYYY-MM-DD`), or the document's date when given.
    pub on: Option<i64>,
    /// The minutes reference or the document number.
    pub reference: String,
    pub reason: String,
}

impl Decision {
    pub fn new(
        kind: &str,
        on: &str,
        reference: &str,
        reason: &str,
        today: i64,
    ) -> Result<Decision, DomainError> {
        if kind.trim().is_empty() {
            return Err(DomainError::invalid("decision_kind", "required", ""));
        }
        let kind = DecisionKind::parse(kind)?;
        let on = if on.trim().is_empty() {
            if kind == DecisionKind::Meeting {
                return Err(DomainError::invalid("decision_on", "required", ""));
            }
            None
        } else {
            Some(crate::day::parse_past("decision_on", on, today)?)
        };
        let reference = crate::text::nonempty("decision_ref", reference, crate::text::DOCUMENT_NO)?;
        let reason = crate::text::nonempty("reason", reason, crate::text::REASON)?;
        Ok(Decision {
            kind,
            on,
            reference,
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_and_quantities() {
        assert_eq!(number("530121", 2026, 7), "530121-2026-0007");
        assert_eq!(number("530121", 2026, 12345), "530121-2026-12345");
        assert_eq!(quantity(" 3.5 "), Ok("3.5".into()));
        for bad in ["", "0", "0.0", "-1", "1.", ".5", "1.2345", "1e3", "一"] {
            assert!(quantity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn splits_and_limits() {
        let m = Money::from_fen;
        let s = ValueSplit::new(vec![
            (FundSource::CountyBudget, m(100)),
            (FundSource::CentralSpecial, m(500)),
        ]);
        let Ok(s) = s else { panic!("split") };
        assert_eq!(s.to_text(), "central_special:500,county_budget:100");
        assert_eq!(ValueSplit::parse_text(&s.to_text()), Ok(s.clone()));
        let budget = [
            (FundSource::CentralSpecial, m(800)),
            (FundSource::CountyBudget, m(100)),
        ];
        assert!(check_split(&s, &budget, &[]).is_ok());
        assert!(matches!(
            check_split(&s, &budget, &[(FundSource::CentralSpecial, m(301))]),
            Err(DomainError::Invalid {
                reason: "over_budget",
                ..
            })
        ));
        assert!(check_split(&s, &budget[..1], &[]).is_err());
        assert!(ValueSplit::new(vec![]).is_err());
        assert!(ValueSplit::new(vec![(FundSource::Other, m(0))]).is_err());
    }

    #[test]
    fn distributions() {
        use ShareHolder::*;
        let d = Distribution::new(vec![
            (PoorHouseholds, 30),
            (VillageCollective, 60),
            (MaintenanceFund, 10),
        ]);
        let Ok(d) = d else { panic!("plan") };
        assert_eq!(Distribution::parse_text(&d.to_text()), Ok(d.clone()));
        assert!(matches!(
            Distribution::new(vec![(PoorHouseholds, 30), (VillageCollective, 60)]),
            Err(DomainError::Invalid {
                reason: "shares_not_100",
                ..
            })
        ));
        assert!(Distribution::new(vec![(PoorHouseholds, 50), (PoorHouseholds, 50)]).is_err());
        assert!(Distribution::new(vec![(PoorHouseholds, 0), (Operator, 100)]).is_err());
        assert!(check_distribution(AssetClass::Productive, None).is_err());
        assert!(check_distribution(AssetClass::PublicWelfare, Some(&d)).is_err());
        assert!(check_distribution(AssetClass::Productive, Some(&d)).is_ok());
        assert!(check_class_owner(AssetClass::Household, OwnerLevel::Village).is_err());
        assert!(check_class_owner(AssetClass::Productive, OwnerLevel::Household).is_err());
        assert!(check_class_owner(AssetClass::Household, OwnerLevel::Household).is_ok());
    }

    #[test]
    fn decisions() {
        let today = crate::day::parse("d", "2026-05-01").unwrap_or_default();
        assert!(Decision::new("meeting", "", "纪要3号", "报废", today).is_err());
        assert!(Decision::new("meeting", "2026-04-20", "纪要3号", " ", today).is_err());
        assert!(Decision::new("document", "", "", "拍卖", today).is_err());
        assert!(Decision::new("", "", "x", "y", today).is_err());
        assert!(Decision::new("document", "", "县扶发〔2026〕3号", "拍卖", today).is_ok());
    }

    proptest! {
        /// Nothing leaves the disposed state; transfers keep an asset in service.
        #[test]
        fn asset_lifecycle(actions in proptest::collection::vec(proptest::sample::select(AssetAction::ALL.to_vec()), 0..30)) {
            let mut s = AssetState::Registered;
            for a in actions {
                match s.next(a) {
                    Ok(n) => {
                        prop_assert!(s.in_service());
                        prop_assert_eq!(n.in_service(), a == AssetAction::Transfer);
                        s = n;
                    }
                    Err(_) => prop_assert_eq!(s, AssetState::Disposed),
                }
            }
        }

        /// A plan is accepted exactly when its shares are distinct, positive and sum to 100.
        #[test]
        fn shares_sum_to_100(ps in proptest::collection::vec(1i64..=100, 1..5)) {
            let shares: Vec<_> = ps.iter().zip(ShareHolder::ALL).map(|(p, h)| (*h, *p)).collect();
            let sum: i64 = shares.iter().map(|(_, p)| p).sum();
            prop_assert_eq!(Distribution::new(shares).is_ok(), sum == 100);
        }
    }
}

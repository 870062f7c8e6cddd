//! The household democratic appraisal (issue 18): a round (one village, one year) of poor-household
//! identification by "two notices and one announcement" (两公示一公告). No storage and no clock.
//!
//! Sources (every number a default in [`Rules`]):
//! - seed §3B: the evaluation of poor households with filing cards is "combined with mass voting";
//! - 扶贫开发建档立卡工作方案 (国开办发〔2014〕24号) and provincial practice: application →
//!   democratic appraisal by the villagers' representatives' meeting → village check → first
//!   notice in the village (5-7 days) → township review (a sample of at least 20 %) → second
//!   notice → county check (a sample of at least 10 %) and announcement; applicants cross-checked
//!   against public-payroll staff, village cadres and their close relatives, registered vehicles
//!   and commercial housing.
use crate::DomainError;
use crate::keyed::keyed;

/// The configurable numbers of the appraisal, with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Days each notice stays up for objections (practice: 5-7; default 7).
    pub notice_days: i64,
    /// Percent of the approved applicants the township reviews (practice: at least 20).
    pub township_sample_percent: u32,
    /// Percent the county checks (practice: at least 10).
    pub county_sample_percent: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            notice_days: 7,
            township_sample_percent: 20,
            county_sample_percent: 10,
        }
    }
}

keyed!(
    /// Where a round is.
    RoundState, "state", "unknown_round_state" {
        /// Taking applications.
        Open => "open",
        /// Applications closed; the cross-check hits are being decided.
        CrossChecking => "cross_checking",
        /// The representatives' meeting voted on every applicant.
        Voted => "voted",
        /// The village committee checked the result.
        VillageChecked => "village_checked",
        /// The first notice is up in the village.
        FirstNotice => "first_notice",
        /// The township reviewed its sample.
        TownshipReviewed => "township_reviewed",
        /// The second notice is up.
        SecondNotice => "second_notice",
        /// The county checked its sample.
        CountyChecked => "county_checked",
        /// Announced: the households' `poor` flags follow.
        Announced => "announced",
    }
);

keyed!(
    /// A step of a round.
    RoundAction, "action", "unknown_round_action" {
        CloseApplications => "close_applications",
        Vote => "vote",
        VillageCheck => "village_check",
        PostFirstNotice => "post_first_notice",
        TownshipReview => "township_review",
        PostSecondNotice => "post_second_notice",
        CountyCheck => "county_check",
        Announce => "announce",
        /// The township or the county sends the round back to the village's vote.
        Return => "return",
    }
);

/// What a step depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gate {
    pub applicants: u32,
    /// Cross-check hits without a recorded decision.
    pub undecided_hits: u32,
    /// Applicants without a valid vote of the representatives' meeting.
    pub unvoted: u32,
    /// The current notice's window is over.
    pub window_over: bool,
    /// Objections to the current notice not answered.
    pub unanswered: u32,
    /// Sampled applicants not yet checked (by the township or the county).
    pub unchecked_sample: u32,
}

fn refuse(field: &'static str, reason: &'static str, value: impl Into<String>) -> DomainError {
    DomainError::invalid(field, reason, value)
}

/// The one transition function of a round.
pub fn next(state: RoundState, action: RoundAction, g: &Gate) -> Result<RoundState, DomainError> {
    use RoundAction as A;
    use RoundState as S;
    let notice_done = |g: &Gate| {
        if !g.window_over {
            Err(refuse("notice", "notice_window_open", ""))
        } else if g.unanswered > 0 {
            Err(refuse(
                "objections",
                "objections_unanswered",
                g.unanswered.to_string(),
            ))
        } else {
            Ok(())
        }
    };
    let sample_done = |g: &Gate| {
        if g.unchecked_sample > 0 {
            Err(refuse(
                "sample",
                "sample_unchecked",
                g.unchecked_sample.to_string(),
            ))
        } else {
            Ok(())
        }
    };
    match (state, action) {
        (S::Open, A::CloseApplications) => {
            if g.applicants == 0 {
                return Err(refuse("applicants", "empty", ""));
            }
            Ok(S::CrossChecking)
        }
        (S::CrossChecking, A::Vote) => {
            if g.undecided_hits > 0 {
                return Err(refuse(
                    "hits",
                    "hits_undecided",
                    g.undecided_hits.to_string(),
                ));
            }
            if g.unvoted > 0 {
                return Err(refuse("votes", "applicants_unvoted", g.unvoted.to_string()));
            }
            Ok(S::Voted)
        }
        (S::Voted, A::VillageCheck) => Ok(S::VillageChecked),
        (S::VillageChecked, A::PostFirstNotice) => Ok(S::FirstNotice),
        (S::FirstNotice, A::TownshipReview) => {
            notice_done(g)?;
            sample_done(g)?;
            Ok(S::TownshipReviewed)
        }
        (S::TownshipReviewed, A::PostSecondNotice) => Ok(S::SecondNotice),
        (S::SecondNotice, A::CountyCheck) => {
            notice_done(g)?;
            sample_done(g)?;
            Ok(S::CountyChecked)
        }
        (S::CountyChecked, A::Announce) => Ok(S::Announced),
        (S::FirstNotice | S::TownshipReviewed | S::SecondNotice | S::CountyChecked, A::Return) => {
            Ok(S::CrossChecking)
        }
        (s, a) => Err(refuse(
            "action",
            "not_allowed_now",
            format!("{}:{}", s.key(), a.key()),
        )),
    }
}

/// The size of a sample of `percent` of `n`, rounded up, at least one when there is anyone.
pub fn sample_size(n: usize, percent: u32) -> usize {
    let p = usize::try_from(percent.min(100)).unwrap_or(100);
    let k = (n * p).div_ceil(100);
    if n > 0 { k.max(1) } else { 0 }
}

/// The applicants a level checks: the `percent` sample of `ids` drawn with the published recipe
/// of [`crate::inspection::pick`] (SHA-256 of seed, stratum, id; lowest first), the stratum naming
/// the round and the level (`appraisal:<round>:township`).
pub fn sample<'a>(
    seed: &str,
    round: i64,
    level: &str,
    ids: &[&'a str],
    percent: u32,
) -> Vec<&'a str> {
    let stratum = format!("appraisal:{round}:{level}");
    crate::inspection::pick(seed, &stratum, ids, sample_size(ids.len(), percent))
}

keyed!(
    /// The lists an applicant is cross-checked against.
    CheckList, "list", "unknown_check_list" {
        /// 财政供养人员
        PublicPayroll => "public_payroll",
        /// 村干部及其近亲属
        CadreRelatives => "cadre_relatives",
        /// 登记车辆
        Vehicles => "vehicles",
        /// 商品房
        Housing => "housing",
        /// 死亡人员（民政、公安的死亡记录；红旗规则 `deceased` 也比对它）
        Deceased => "deceased",
    }
);

keyed!(
    /// What a round decides: identification (识别) or exit from poverty (脱贫); both run the same
    /// path, and the announcement sets the households' `poor` flag (identify) or clears it (exit).
    RoundKind, "kind", "unknown_round_kind" {
        Identify => "identify",
        Exit => "exit",
    }
);

impl RoundKind {
    /// The `poor` flag the announcement gives an approved applicant's household.
    pub fn poor_after(self) -> bool {
        self == RoundKind::Identify
    }
}

keyed!(
    /// What was decided on a cross-check hit, with its reason.
    HitDecision, "decision", "unknown_hit_decision" {
        /// The hit does not disqualify (another person of the same name, a relative the rule
        /// does not bar, a vehicle used for farming): the applicant stays.
        Cleared => "cleared",
        /// The hit disqualifies: the applicant is removed from the round.
        Excluded => "excluded",
    }
);

/// The relation a row of the cadre list gives: the cadre's own row (`本人`) or a close relative
/// of the cadre it names (婚姻法/民法典 1045: spouse, parents, children, siblings, grandparents
/// and grandchildren).
pub const RELATIONS: &[&str] = &[
    "本人",
    "配偶",
    "父母",
    "子女",
    "兄弟姐妹",
    "祖父母",
    "外祖父母",
    "孙子女",
    "外孙子女",
];

/// The cadre's own row of the cadre list.
pub const SELF: &str = "本人";

/// Checks a row of a cross-check list: a name; on the cadre list a relation of [`RELATIONS`] and,
/// for a relative, the cadre's name (`of_name`). Returns the relation and `of_name` as stored
/// (the cadre's own row names the cadre as `of_name`).
pub fn check_entry(
    list: CheckList,
    name: &str,
    relation: &str,
    of_name: &str,
) -> Result<(String, String), DomainError> {
    let name = crate::text::nonempty("name", name, 100)?;
    let relation = relation.trim();
    let of_name = of_name.trim();
    if list != CheckList::CadreRelatives {
        return Ok((
            crate::text::bounded("relation", relation, 20)?,
            crate::text::bounded("of_name", of_name, 100)?,
        ));
    }
    if relation.is_empty() {
        return Err(refuse("relation", "missing", ""));
    }
    if !RELATIONS.contains(&relation) {
        return Err(refuse("relation", "unknown_relation", relation));
    }
    if relation == SELF {
        if !of_name.is_empty() && of_name != name {
            return Err(refuse("of_name", "self_names_another", of_name));
        }
        return Ok((relation.to_string(), name));
    }
    if of_name.is_empty() {
        return Err(refuse("of_name", "missing", ""));
    }
    Ok((
        relation.to_string(),
        crate::text::nonempty("of_name", of_name, 100)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_path_and_its_gates() {
        use RoundAction as A;
        use RoundState as S;
        let ok = Gate {
            applicants: 5,
            window_over: true,
            ..Gate::default()
        };
        let mut s = S::Open;
        for a in [
            A::CloseApplications,
            A::Vote,
            A::VillageCheck,
            A::PostFirstNotice,
            A::TownshipReview,
            A::PostSecondNotice,
            A::CountyCheck,
            A::Announce,
        ] {
            s = next(s, a, &ok).unwrap_or(s);
        }
        assert_eq!(s, S::Announced);
        // A hit without a decision blocks the vote; an unanswered objection the township.
        let hit = Gate {
            undecided_hits: 1,
            ..ok
        };
        assert!(next(S::CrossChecking, A::Vote, &hit).is_err());
        let objection = Gate {
            unanswered: 1,
            ..ok
        };
        assert!(next(S::FirstNotice, A::TownshipReview, &objection).is_err());
        let open = Gate {
            window_over: false,
            ..ok
        };
        assert!(next(S::SecondNotice, A::CountyCheck, &open).is_err());
    }

    #[test]
    fn samples_are_at_least_the_share_and_fixed_by_the_seed() {
        assert_eq!(sample_size(0, 20), 0);
        assert_eq!(sample_size(3, 20), 1);
        assert_eq!(sample_size(10, 20), 2);
        assert_eq!(sample_size(11, 20), 3);
        assert_eq!(sample_size(11, 10), 2);
        let ids = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
        let a = sample("种子", 7, "township", &ids, 20);
        assert_eq!(a, sample("种子", 7, "township", &ids, 20));
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn cadre_rows_name_the_relation() {
        let c = CheckList::CadreRelatives;
        assert_eq!(
            check_entry(c, "王五", "本人", "").ok(),
            Some(("本人".into(), "王五".into()))
        );
        assert!(check_entry(c, "王六", "配偶", "").is_err());
        assert!(check_entry(c, "王六", "表亲", "王五").is_err());
        assert!(check_entry(c, "王六", "配偶", "王五").is_ok());
        assert!(check_entry(CheckList::Vehicles, "王六", "", "").is_ok());
        assert!(RoundKind::Identify.poor_after() && !RoundKind::Exit.poor_after());
    }

    fn state() -> impl Strategy<Value = RoundState> {
        prop::sample::select(RoundState::ALL.to_vec())
    }
    fn action() -> impl Strategy<Value = RoundAction> {
        prop::sample::select(RoundAction::ALL.to_vec())
    }

    proptest! {
        /// Nothing leaves an announced round; no step skips a notice.
        #[test]
        fn transitions(s in state(), a in action(), hits in 0u32..3, unanswered in 0u32..3, window in any::<bool>()) {
            let g = Gate { applicants: 3, undecided_hits: hits, unanswered, window_over: window, ..Gate::default() };
            if let Ok(n) = next(s, a, &g) {
                prop_assert_ne!(s, RoundState::Announced);
                if n == RoundState::TownshipReviewed { prop_assert_eq!(s, RoundState::FirstNotice); prop_assert!(window && unanswered == 0); }
                if n == RoundState::CountyChecked { prop_assert_eq!(s, RoundState::SecondNotice); prop_assert!(window && unanswered == 0); }
                if n == RoundState::Voted { prop_assert_eq!(hits, 0); }
            }
        }

        /// A sample is the share rounded up and a subset of the applicants, without repeats.
        #[test]
        fn samples(n in 0usize..200, p in 1u32..=100, seed in "[a-z0-9]{1,8}") {
            let ids: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let s = sample(&seed, 1, "county", &refs, p);
            prop_assert_eq!(s.len(), sample_size(n, p));
            prop_assert!(s.len() * 100 >= n * p as usize);
            let mut u = s.clone();
            u.sort_unstable();
            u.dedup();
            prop_assert_eq!(u.len(), s.len());
        }
    }
}

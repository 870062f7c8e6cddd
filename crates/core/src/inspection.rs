//! Inspections: quarterly coverage and seeded spot-check samples. The rules, with no storage and
//! no clock.
//!
//! * Every county inspects at least [`CoverageRule::per_quarter`] times a quarter; [`coverage`]
//!   says which counties are behind, quarter by quarter, across year boundaries.
//! * A spot-check sample is a pure function of a seed, published rules and the population
//!   ([`draw`]): each candidate's rank is `SHA-256(seed ‖ 0x1f ‖ stratum ‖ 0x1f ‖ id)` and the lowest
//!   ranks are taken, so anyone can re-derive the same sample on any machine, in any language.
//!
//! Who records inspections is [`crate::access::INSPECTORS`].
use crate::access::Role;
use crate::error::DomainError;
use crate::keyed::keyed;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Who draws spot-check samples.
pub const SAMPLERS: &[Role] = &[Role::MunicipalBureau];

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

// --- Completion ---------------------------------------------------------------------------------

/// An inspection recorded as done: the day, the findings and, for a day before the planned one,
/// the reason. Practice (the quarterly coverage counts inspections by the day they were done):
/// an inspection is recorded after it happened, so its day is never after today; one done
/// earlier than planned counts in another quarter than planned, so it needs a written reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub done_on: i64,
    pub findings: String,
    pub reason: Option<String>,
}

impl Completion {
    /// Refuses, naming the field: `done_on` not a day (`bad_date`), after `today` (`in_future`),
    /// or before `planned_on` without a reason (`before_planned`); `findings` empty (`empty`)
    /// or too long (`too_long`, [`crate::text::REPORT`]); `done_reason` too long
    /// ([`crate::text::REASON`]). A reason given is kept even when not needed.
    pub fn new(
        done_on: &str,
        findings: &str,
        reason: Option<&str>,
        planned_on: i64,
        today: i64,
    ) -> Result<Completion, DomainError> {
        let day = crate::day::parse_past("done_on", done_on, today)?;
        let findings = crate::text::nonempty("findings", findings, crate::text::REPORT)?;
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(crate::text::bounded("done_reason", r, crate::text::REASON)?),
            None => None,
        };
        if day < planned_on && reason.is_none() {
            return Err(DomainError::invalid(
                "done_on",
                "before_planned",
                done_on.trim(),
            ));
        }
        Ok(Completion {
            done_on: day,
            findings,
            reason,
        })
    }
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

/// The population a draw drew from, as canonical text published beside it: one line per
/// village, `county village poor-ids | non-poor-ids` (household numbers in register order, no
/// names), so anyone can re-derive the sample with [`draw`].
pub fn encode_population(counties: &[(String, Vec<VillagePopulation>)]) -> String {
    let mut out = String::new();
    for (county, villages) in counties {
        for v in villages {
            let ids = |poor: bool| {
                v.households
                    .iter()
                    .filter(|(_, p)| *p == poor)
                    .map(|(id, _)| id.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            out.push_str(&format!(
                "{county} {} {} | {}\n",
                v.village,
                ids(true),
                ids(false)
            ));
        }
    }
    out
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

// --- Inspections -------------------------------------------------------------------------------

keyed!(
    /// The kind of an inspection: a routine one, or a spot check on a drawn sample.
    InspectionKind, "kind", "unknown_inspection_kind" {
        Routine => "routine",
        SpotCheck => "spot_check",
    }
);

/// Checks a household's size (people, 1-30), naming `field`.
pub fn check_household_size(field: &'static str, size: i64) -> Result<(), DomainError> {
    if (1..=30).contains(&size) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "out_of_range",
            size.to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn completions() {
        let d = |s| crate::day::parse("d", s).unwrap_or_default();
        let (planned, today) = (d("2026-03-10"), d("2026-05-01"));
        let field = |r: Result<Completion, DomainError>| match r {
            Err(DomainError::Invalid { field, reason, .. }) => (field, reason),
            Ok(_) => ("", "accepted"),
            Err(_) => ("", "other"),
        };
        let ok = Completion::new("2026-04-01", " 无问题 ", None, planned, today);
        assert_eq!(ok.map(|c| c.findings).ok().as_deref(), Some("无问题"));
        assert_eq!(
            field(Completion::new("2026-05-02", "x", None, planned, today)),
            ("done_on", "in_future")
        );
        assert_eq!(
            field(Completion::new("2026-01-01", "x", None, planned, today)),
            ("done_on", "before_planned")
        );
        assert_eq!(
            field(Completion::new("2026-04-01", "  ", None, planned, today)),
            ("findings", "empty")
        );
        let early = Completion::new("2026-01-01", "x", Some(" 提前 "), planned, today);
        assert_eq!(early.ok().and_then(|c| c.reason).as_deref(), Some("提前"));
        assert_eq!(
            field(Completion::new(
                "2026-01-01",
                "x",
                Some("  "),
                planned,
                today
            )),
            ("done_on", "before_planned")
        );
    }
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
    }

    #[test]
    fn inspection_kinds_and_household_sizes() {
        assert_eq!(
            InspectionKind::parse("spot_check").ok(),
            Some(InspectionKind::SpotCheck)
        );
        assert_eq!(InspectionKind::Routine.key(), "routine");
        assert!(matches!(
            InspectionKind::parse("audit"),
            Err(DomainError::Invalid {
                field: "kind",
                reason: "unknown_inspection_kind",
                ..
            })
        ));
        assert!(
            check_household_size("size", 1).is_ok() && check_household_size("size", 30).is_ok()
        );
        assert!(
            check_household_size("size", 0).is_err() && check_household_size("size", 31).is_err()
        );
    }
}

//! The digit test (数字规律): the first two digits of a county's payments in a year against
//! Benford's law, measured by the mean absolute deviation (MAD) and Nigrini's conformity bands.
//! A nonconforming year is a sign to look closer (invented or adjusted amounts), not a finding.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "benford",
    group: Group::Digits,
    zh: "支付金额首两位数字不符合本福特定律",
    en: "Payment amounts whose first two digits do not follow Benford's law",
    citation_zh: "Nigrini《Benford's Law》（2012）：首两位数字检验，平均绝对偏差（MAD）符合性区间",
    citation_en: "Nigrini, Benford's Law (2012): the first-two digits test and its MAD conformity bands",
    severity: Severity::Low,
    category: ProblemCategory::FundManagement,
    params: &[
        Param {
            key: "min_amounts",
            zh: "最少金额笔数",
            en: "Fewest amounts",
            unit: Unit::Count,
            default: 1000,
            min: 100,
            max: 10_000_000,
            source: "Nigrini (2012): the first-two digits test needs about 1,000 records or more",
        },
        Param {
            key: "mad_limit",
            zh: "平均绝对偏差上限（万分之）",
            en: "MAD limit (per ten thousand)",
            unit: Unit::PerTenThousand,
            default: 22,
            min: 1,
            max: 200,
            source: "Nigrini (2012): a first-two digits MAD above 0.0022 is nonconformity",
        },
    ],
    scan,
};

/// Nigrini's first-two digits bands: (MAD below which, zh, en) for close, acceptable and marginal
/// conformity; at or above the last limit the data do not conform.
pub const NIGRINI_BANDS: [(f64, &str, &str); 3] = [
    (0.0012, "接近符合", "close conformity"),
    (0.0018, "可接受的符合", "acceptable conformity"),
    (
        0.0022,
        "勉强可接受的符合",
        "marginally acceptable conformity",
    ),
];

/// The band of a MAD, in both languages.
fn band(mad: f64) -> (&'static str, &'static str) {
    NIGRINI_BANDS
        .iter()
        .find(|b| mad < b.0)
        .map_or(("不符合", "nonconformity"), |b| (b.1, b.2))
}

/// The first two digits of an amount in fen (equal to those of the amount in yuan); `None` below
/// 10.
pub fn first_two_digits(fen: i64) -> Option<u8> {
    if fen < 10 {
        return None;
    }
    let mut n = fen;
    while n >= 100 {
        n /= 10;
    }
    u8::try_from(n).ok()
}

/// Benford's expected share of the first two digits `d` (10 to 99).
fn expected(d: u8) -> f64 {
    (1.0 + 1.0 / f64::from(d)).log10()
}

/// Counts of the first two digits 10 to 99 (index `d - 10`) and the number counted.
fn counts(amounts: &[i64]) -> ([u64; 90], u64) {
    let mut c = [0u64; 90];
    let mut n = 0u64;
    for a in amounts {
        if let Some(slot) = first_two_digits(*a).and_then(|d| c.get_mut(usize::from(d) - 10)) {
            *slot += 1;
            n += 1;
        }
    }
    (c, n)
}

/// Observed share of each of the 90 first-two digits, with the digits.
fn shares(c: &[u64; 90], n: u64) -> impl Iterator<Item = (u8, f64)> + '_ {
    (10u8..=99)
        .zip(c.iter())
        .map(move |(d, k)| (d, *k as f64 / n as f64))
}

/// The mean absolute deviation of the first two digits of `amounts` (fen) from Benford's law;
/// `None` when no amount is 10 or more.
pub fn mad(amounts: &[i64]) -> Option<f64> {
    let (c, n) = counts(amounts);
    if n == 0 {
        return None;
    }
    let sum: f64 = shares(&c, n).map(|(d, s)| (s - expected(d)).abs()).sum();
    Some(sum / 90.0)
}

fn ppm(share: f64) -> i64 {
    (share * 1_000_000.0).round() as i64
}

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let min = u64::try_from(v.get("min_amounts")).unwrap_or(0);
    let limit = v.get("mad_limit") as f64 / 10_000.0;
    // Amounts (fen, 10 or more) by (county, year).
    let mut by: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for p in &input.payments {
        let fen = p.amount.fen();
        if fen < 10 {
            continue;
        }
        let date = day(p.booked_on);
        let year = date.get(..4).unwrap_or("").to_string();
        by.entry((p.region.county_code().to_string(), year))
            .or_default()
            .push(fen);
    }
    let mut out = Vec::new();
    for ((county, year), amounts) in by {
        let (c, n) = counts(&amounts);
        if n == 0 || n < min {
            continue;
        }
        let Some(m) = mad(&amounts) else {
            continue;
        };
        if m < limit {
            continue;
        }
        let Ok(region) = RegionCode::parse(&county) else {
            continue;
        };
        let (band_zh, band_en) = band(m);
        let chart: Vec<Bar> = shares(&c, n)
            .map(|(d, s)| Bar {
                label: d.to_string(),
                expected_ppm: ppm(expected(d)),
                observed_ppm: ppm(s),
            })
            .collect();
        // The digits most over-represented, for the sentence.
        let top = chart.iter().max_by_key(|b| {
            (
                b.observed_ppm - b.expected_ppm,
                std::cmp::Reverse(b.label.clone()),
            )
        });
        let (top_zh, top_en) = top.map_or((String::new(), String::new()), |b| {
            (
                format!(
                    "；偏高最多的是首两位 {}（实际 {:.2}%，应为 {:.2}%）",
                    b.label,
                    b.observed_ppm as f64 / 10_000.0,
                    b.expected_ppm as f64 / 10_000.0
                ),
                format!(
                    "; the first two digits most over-represented are {} ({:.2}% against {:.2}% expected)",
                    b.label,
                    b.observed_ppm as f64 / 10_000.0,
                    b.expected_ppm as f64 / 10_000.0
                ),
            )
        });
        let total = amounts.iter().fold(Money::ZERO, |s, a| {
            s.checked_add(Money::from_fen(*a)).unwrap_or(s)
        });
        let mut h = Hit::new(
            format!("county:{county}:year:{year}"),
            region,
            format!(
                "{} 在 {} 年的 {} 笔支付（共 {} 元）金额的首两位数字与本福特定律的平均绝对偏差为 {:.5}，属 Nigrini 区间中的“{}”（0.0022 及以上为不符合）{}。",
                input.name(&region),
                year,
                n,
                yuan(total),
                m,
                band_zh,
                top_zh
            ),
            format!(
                "The first two digits of {} payments ({} yuan in all) booked in {} in {} deviate from Benford's law with a mean absolute deviation of {:.5}, in Nigrini's band of {} (0.0022 and above is nonconformity){}.",
                n,
                yuan(total),
                input.name(&region),
                year,
                m,
                band_en,
                top_en
            ),
        )
        .figure("金额笔数", "Amounts counted", n.to_string())
        .figure("平均绝对偏差（MAD）", "Mean absolute deviation (MAD)", format!("{m:.5}"))
        .figure("符合程度", "Conformity", format!("{band_zh} / {band_en}"))
        .figure("合计（元）", "Total (yuan)", yuan(total));
        h.evidence.chart = chart;
        out.push(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use proptest::prelude::*;

    fn pay(id: i64, fen: i64) -> Payment {
        let mut p = payment(id, 5, VILLAGE, "供应商", 0, "2026-04-01");
        p.amount = Money::from_fen(fen);
        p
    }

    /// `n` amounts all starting with 50 to 59.
    fn fives(n: i64) -> Vec<Payment> {
        (0..n)
            .map(|i| pay(i, (50 + i % 10) * 10_000 + i % 1000))
            .collect()
    }

    /// About 1,200 amounts following Benford's law: for each d, round(1200 log10(1 + 1/d))
    /// amounts starting with d.
    fn benford_like() -> Vec<Payment> {
        let mut out = Vec::new();
        let mut id = 0;
        for d in 10u8..=99 {
            let k = (1200.0 * expected(d)).round() as i64;
            for j in 0..k {
                id += 1;
                out.push(pay(id, i64::from(d) * 1_000 + j % 1000));
            }
        }
        out
    }

    fn input(payments: Vec<Payment>) -> Input {
        Input {
            today: d("2026-06-01"),
            payments,
            ..Input::default()
        }
    }

    #[test]
    fn hit_amounts_that_all_start_with_five() {
        let hits = RULE.run(&input(fives(1200)), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!(h.key, "county:529121:year:2026");
        assert_eq!(h.region, code(COUNTY));
        assert_eq!(h.evidence.chart.len(), 90);
        assert_eq!(h.evidence.chart[0].label, "10");
        assert_eq!(h.evidence.chart[89].label, "99");
        assert_eq!(h.evidence.chart[40].observed_ppm, 100_000);
        assert_eq!(h.evidence.chart[0].expected_ppm, 41_393);
        let observed: i64 = h.evidence.chart.iter().map(|b| b.observed_ppm).sum();
        assert_eq!(observed, 1_000_000);
        assert!(
            h.evidence
                .figures
                .iter()
                .any(|f| f.value.contains("nonconformity"))
        );
        assert!(h.evidence.figures.iter().any(|f| f.value == "1200"));
    }

    #[test]
    fn miss_amounts_that_follow_benford() {
        let ps = benford_like();
        assert!(ps.len() >= 1000);
        let amounts: Vec<i64> = ps.iter().map(|p| p.amount.fen()).collect();
        let m = mad(&amounts).unwrap_or(1.0);
        assert!(m < 0.0012, "{m}");
        assert_eq!(band(m).1, "close conformity");
        assert!(RULE.run(&input(ps), &defaults(&RULE)).is_empty());
    }

    #[test]
    fn skip_a_year_under_the_fewest_amounts_unless_lowered() {
        assert!(RULE.run(&input(fives(999)), &defaults(&RULE)).is_empty());
        assert_eq!(
            RULE.run(&input(fives(999)), &with(&RULE, "min_amounts", 500))
                .len(),
            1
        );
    }

    #[test]
    fn years_and_counties_are_separate_groups() {
        let mut ps = fives(1200);
        for p in ps.iter_mut().skip(600) {
            p.booked_on = d("2025-12-31");
        }
        assert!(RULE.run(&input(ps.clone()), &defaults(&RULE)).is_empty());
        let hits = RULE.run(&input(ps), &with(&RULE, "min_amounts", 600));
        let keys: Vec<&str> = hits.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["county:529121:year:2025", "county:529121:year:2026"]);
    }

    #[test]
    fn a_higher_limit_lets_a_marginal_year_pass() {
        // Benford-like amounts with a block of 5x amounts added: a MAD between the bands.
        let mut ps = benford_like();
        let extra = fives(120);
        let start = ps.len() as i64;
        ps.extend(extra.into_iter().map(|mut p| {
            p.id += start + 1;
            p
        }));
        let amounts: Vec<i64> = ps.iter().map(|p| p.amount.fen()).collect();
        let m = mad(&amounts).unwrap_or(0.0);
        let limit = (m * 10_000.0).floor() as i64;
        assert_eq!(
            RULE.run(&input(ps.clone()), &with(&RULE, "mad_limit", limit))
                .len(),
            1
        );
        assert!(
            RULE.run(&input(ps), &with(&RULE, "mad_limit", limit + 1))
                .is_empty()
        );
    }

    #[test]
    fn digits_and_bands() {
        assert_eq!(first_two_digits(9), None);
        assert_eq!(first_two_digits(-500), None);
        assert_eq!(first_two_digits(10), Some(10));
        assert_eq!(first_two_digits(123_456), Some(12));
        assert_eq!(mad(&[1, 2, 9]), None);
        assert_eq!(band(0.0011).1, "close conformity");
        assert_eq!(band(0.0015).1, "acceptable conformity");
        assert_eq!(band(0.0020).1, "marginally acceptable conformity");
        assert_eq!(band(0.0022).1, "nonconformity");
    }

    proptest! {
        #[test]
        fn mad_is_bounded(amounts in proptest::collection::vec(0i64..1_000_000_000_000, 1..300)) {
            if let Some(m) = mad(&amounts) {
                prop_assert!((0.0..=2.0 / 90.0 + 1e-12).contains(&m), "{}", m);
            } else {
                prop_assert!(amounts.iter().all(|a| *a < 10));
            }
        }

        #[test]
        fn first_two_digits_of_d_times_a_power_of_ten(d in 10i64..=99, k in 0u32..=16) {
            prop_assert_eq!(first_two_digits(d * 10i64.pow(k)), u8::try_from(d).ok());
        }
    }
}

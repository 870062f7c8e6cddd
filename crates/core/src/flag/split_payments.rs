//! Split payments (拆分支付): several payments to one payee within a few days, each under the
//! amount that needs a collective decision, together over it.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "split_payments",
    group: Group::SplitPayments,
    zh: "拆分支付规避审批",
    en: "Payments split to stay under an approval threshold",
    citation_zh: "通知第四条：严肃查处挪用等违纪违规问题；“四议两公开”与大额资金集体决策（实践：拆分规避）",
    citation_en: "Seed §4; collective decision on large sums (\"four deliberations, two disclosures\"); practice: splitting to evade it",
    severity: Severity::Medium,
    category: ProblemCategory::FundManagement,
    params: &[
        Param {
            key: "threshold",
            zh: "需集体决策的金额（元）",
            en: "Amount needing a collective decision (yuan)",
            unit: Unit::Yuan,
            default: 50_000,
            min: 1,
            max: 100_000_000,
            source: "practice: the county's large-sum rule (often 50,000 yuan at village level)",
        },
        Param {
            key: "window_days",
            zh: "时间窗口（天）",
            en: "Window (days)",
            unit: Unit::Days,
            default: 30,
            min: 1,
            max: 365,
            source: "practice: payments within a month",
        },
        Param {
            key: "min_payments",
            zh: "最少笔数",
            en: "Fewest payments",
            unit: Unit::Count,
            default: 2,
            min: 2,
            max: 50,
            source: "practice",
        },
    ],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let threshold = v.fen("threshold");
    let window = v.get("window_days");
    let min = usize::try_from(v.get("min_payments")).unwrap_or(2);
    // Payments under the threshold, by (project, payee), in day order.
    let mut by: BTreeMap<(i64, String), Vec<&Payment>> = BTreeMap::new();
    for p in &input.payments {
        if p.amount < threshold {
            by.entry((p.project_id, normal_name(&p.payee)))
                .or_default()
                .push(p);
        }
    }
    let mut out = Vec::new();
    for ((project_id, payee), mut ps) in by {
        ps.sort_by_key(|p| (p.booked_on, p.id));
        // The first window (from a payment, `window` days on) whose sum passes the threshold.
        let mut i = 0;
        while i < ps.len() {
            let start = ps.get(i).map_or(0, |p| p.booked_on);
            let group: Vec<&Payment> = ps
                .iter()
                .skip(i)
                .take_while(|p| p.booked_on - start < window)
                .copied()
                .collect();
            let total = group
                .iter()
                .fold(Money::ZERO, |s, p| s.checked_add(p.amount).unwrap_or(s));
            if group.len() >= min && total > threshold {
                let (Some(first), Some(last)) = (group.first(), group.last()) else {
                    break;
                };
                let mut h = Hit::new(
                    format!("project:{project_id}:payee:{payee}:from:{}", first.id),
                    first.region,
                    format!(
                        "{} 在 {} 至 {} 向 {} 分 {} 笔支付共 {} 元，每笔均低于 {} 元的集体决策金额。",
                        first.project,
                        day(first.booked_on),
                        day(last.booked_on),
                        first.payee,
                        group.len(),
                        yuan(total),
                        yuan(threshold)
                    ),
                    format!(
                        "{} paid {} {} times between {} and {}, {} yuan in all, each under the {} yuan that needs a collective decision.",
                        first.project,
                        first.payee,
                        group.len(),
                        day(first.booked_on),
                        day(last.booked_on),
                        yuan(total),
                        yuan(threshold)
                    ),
                )
                .project(project_id)
                .amount(total)
                .figure("笔数", "Payments", group.len().to_string())
                .figure("合计（元）", "Total (yuan)", yuan(total))
                .figure("审批金额（元）", "Threshold (yuan)", yuan(threshold));
                for p in &group {
                    h = h.row("transfers", p.id);
                }
                out.push(h);
                i += group.len();
            } else {
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn input() -> Input {
        Input {
            today: d("2026-06-01"),
            payments: vec![
                payment(1, 5, VILLAGE, "云岭建筑队", 30_000, "2026-04-01"),
                payment(2, 5, VILLAGE, "云岭建筑队 ", 30_000, "2026-04-10"),
                payment(3, 5, VILLAGE, "其他供应商", 30_000, "2026-04-11"),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_two_payments_under_the_threshold_together_over_it() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].amount, y(60_000));
        assert_eq!(hits[0].evidence.rows.len(), 2);
    }

    #[test]
    fn miss_with_a_higher_threshold_or_a_shorter_window() {
        assert!(
            RULE.run(&input(), &with(&RULE, "threshold", 70_000))
                .is_empty()
        );
        assert!(
            RULE.run(&input(), &with(&RULE, "window_days", 5))
                .is_empty()
        );
    }
}

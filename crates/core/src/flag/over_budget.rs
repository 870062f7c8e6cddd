//! Over budget (挪用): an approved project that has paid more from a fund source than its
//! approved budget gives that source, money that must have come from somewhere else.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "over_budget",
    group: Group::Misappropriation,
    zh: "项目支出超过批复预算",
    en: "Project spending over its approved budget",
    citation_zh: "通知第四条：严肃查处挪用等违纪违规问题；项目资金按批复的预算和用途使用",
    citation_en: "Seed §4: investigate misappropriation of funds; project money is spent within the approved budget and purpose",
    severity: Severity::High,
    category: ProblemCategory::FundManagement,
    params: &[Param {
        key: "tolerance_percent",
        zh: "允许超出预算的百分比",
        en: "Percent over the budget tolerated",
        unit: Unit::Count,
        default: 0,
        min: 0,
        max: 50,
        source: "practice: none; a county may tolerate small overruns settled by a budget adjustment",
    }],
    scan,
};

/// The name of a fund source in Chinese and in English.
fn source_name(s: FundSource) -> (&'static str, &'static str) {
    match s {
        FundSource::CentralSpecial => ("中央财政专项扶贫资金", "central special funds"),
        FundSource::Provincial => ("省级财政资金", "provincial funds"),
        FundSource::Municipal => ("市级财政资金", "municipal funds"),
        FundSource::CountyBudget => ("县级财政预算", "the county budget"),
        FundSource::IntegratedAgri => ("统筹整合涉农资金", "integrated agricultural funds"),
        FundSource::SocialDonation => ("社会捐赠", "social donations"),
        FundSource::Other => ("其他资金", "other sources"),
    }
}

fn sum<'a>(ms: impl Iterator<Item = &'a Money>) -> Money {
    ms.fold(Money::ZERO, |s, m| s.checked_add(*m).unwrap_or(s))
}

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let tolerance = v.get("tolerance_percent");
    let mut out = Vec::new();
    // Payments by (project, source), in one pass over the books.
    let mut by: BTreeMap<(i64, &str), Vec<&Payment>> = BTreeMap::new();
    for p in input
        .payments
        .iter()
        .filter(|p| p.state != PaymentState::Voided)
    {
        by.entry((p.project_id, p.source.key()))
            .or_default()
            .push(p);
    }
    for project in input.projects.iter().filter(|p| p.approved) {
        for source in FundSource::ALL {
            let Some(payments) = by.get(&(project.id, source.key())) else {
                continue;
            };
            let paid = sum(payments.iter().map(|p| &p.amount));
            let budget = sum(project
                .budget
                .iter()
                .filter(|b| b.0 == source)
                .map(|b| &b.1));
            let allowed = budget
                .fen()
                .checked_mul(100i64.saturating_add(tolerance))
                .map_or(i64::MAX, |f| f / 100);
            if paid.fen() <= allowed {
                continue;
            }
            let Some(excess) = paid.checked_sub(budget) else {
                continue;
            };
            let (source_zh, source_en) = source_name(source);
            let mut h = Hit::new(
                format!("project:{}:source:{}", project.id, source.key()),
                project.region,
                format!(
                    "{} 已从{}支付 {} 元，超过批复预算 {} 元，超出 {} 元。",
                    project.name,
                    source_zh,
                    yuan(paid),
                    yuan(budget),
                    yuan(excess)
                ),
                format!(
                    "{} has paid {} yuan from {}, {} yuan over its approved budget of {} yuan for that source.",
                    project.name,
                    yuan(paid),
                    source_en,
                    yuan(excess),
                    yuan(budget)
                ),
            )
            .project(project.id)
            .amount(excess)
            .figure("已支付（元）", "Paid (yuan)", yuan(paid))
            .figure("批复预算（元）", "Approved budget (yuan)", yuan(budget))
            .figure("超出（元）", "Over (yuan)", yuan(excess));
            for p in payments {
                h = h.row("transfers", p.id);
            }
            out.push(h);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn input() -> Input {
        let mut donated = payment(3, 5, VILLAGE, "云岭建筑队", 1_000, "2026-05-01");
        donated.source = FundSource::SocialDonation;
        Input {
            today: d("2026-06-01"),
            projects: vec![project(5, VILLAGE)],
            payments: vec![
                payment(1, 5, VILLAGE, "云岭建筑队", 60_000, "2026-04-01"),
                payment(2, 5, VILLAGE, "云岭建筑队", 45_000, "2026-05-01"),
                donated,
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_payments_over_the_budget_line_and_from_a_source_without_one() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].key, "project:5:source:central_special");
        assert_eq!(hits[0].amount, y(5_000));
        assert_eq!(hits[0].project_id, Some(5));
        assert_eq!(hits[0].evidence.rows.len(), 2);
        assert_eq!(hits[1].key, "project:5:source:social_donation");
        assert_eq!(hits[1].amount, y(1_000));
    }

    #[test]
    fn miss_within_the_budget_or_for_an_unapproved_project() {
        let mut within = input();
        within.payments.retain(|p| p.id != 2 && p.id != 3);
        assert!(RULE.run(&within, &defaults(&RULE)).is_empty());
        let mut unapproved = input();
        for p in &mut unapproved.projects {
            p.approved = false;
        }
        assert!(RULE.run(&unapproved, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn a_tolerance_clears_a_small_overrun() {
        let mut input = input();
        input.payments.retain(|p| p.id != 3);
        assert_eq!(RULE.run(&input, &defaults(&RULE)).len(), 1);
        assert!(
            RULE.run(&input, &with(&RULE, "tolerance_percent", 5))
                .is_empty()
        );
    }
}

//! Paid after completion (挪用): payments from a project's account long after the project was
//! completed (or accepted), when only its final settlement should remain.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "paid_after_completion",
    group: Group::Misappropriation,
    zh: "项目完工后长期仍有支付",
    en: "Payments long after the project was completed",
    citation_zh: "通知第四条：严肃查处挪用等违纪违规问题（实践：完工后及时办理竣工结算，质保金后付的核实后说明理由撤销）",
    citation_en: "Seed §4: investigate misappropriation of funds; practice: final settlement follows completion, retention money paid later is dismissed with its reason",
    severity: Severity::Medium,
    category: ProblemCategory::FundManagement,
    params: &[Param {
        key: "grace_days",
        zh: "完工后结算天数",
        en: "Days after completion for the final settlement",
        unit: Unit::Days,
        default: 90,
        min: 0,
        max: 1095,
        source: "practice: final settlement after completion; retention money paid later is dismissed with its reason",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let grace = v.get("grace_days");
    let ends: BTreeMap<i64, i64> = input
        .projects
        .iter()
        .filter_map(|p| p.completed_on.or(p.accepted_on).map(|e| (p.id, e)))
        .collect();
    let mut out = Vec::new();
    for p in &input.payments {
        let Some(&end) = ends.get(&p.project_id) else {
            continue;
        };
        let after = p.booked_on - end;
        if p.state == PaymentState::Voided || after <= grace {
            continue;
        }
        out.push(
            Hit::new(
                format!("transfer:{}", p.id),
                p.region,
                format!(
                    "{} 于 {} 完工，{} 仍向 {} 支付 {} 元，距完工 {} 天（结算期 {} 天）。",
                    p.project,
                    day(end),
                    day(p.booked_on),
                    p.payee,
                    yuan(p.amount),
                    after,
                    grace
                ),
                format!(
                    "{} was completed on {} but paid {} yuan to {} on {}, {} days later (settlement period {} days).",
                    p.project,
                    day(end),
                    yuan(p.amount),
                    p.payee,
                    day(p.booked_on),
                    after,
                    grace
                ),
            )
            .project(p.project_id)
            .amount(p.amount)
            .row("transfers", p.id)
            .figure("支付金额（元）", "Paid (yuan)", yuan(p.amount))
            .figure("完工后天数", "Days after completion", after.to_string())
            .figure("结算期（天）", "Settlement period (days)", grace.to_string()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn input() -> Input {
        let mut done = project(5, VILLAGE);
        done.completed_on = Some(d("2026-01-10"));
        let mut accepted = project(6, VILLAGE);
        accepted.accepted_on = Some(d("2026-01-10"));
        Input {
            today: d("2026-06-01"),
            projects: vec![done, accepted, project(7, VILLAGE)],
            payments: vec![
                payment(1, 5, VILLAGE, "云岭建筑队", 8_000, "2026-02-01"),
                payment(2, 5, VILLAGE, "云岭建筑队", 5_000, "2026-05-20"),
                payment(3, 6, VILLAGE, "云岭建筑队", 3_000, "2026-05-20"),
                payment(4, 7, VILLAGE, "云岭建筑队", 3_000, "2026-05-20"),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_payments_long_after_completion_or_acceptance() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].key, "transfer:2");
        assert_eq!(hits[0].project_id, Some(5));
        assert_eq!(hits[0].amount, y(5_000));
        assert_eq!(hits[1].key, "transfer:3");
        assert_eq!(hits[1].project_id, Some(6));
    }

    #[test]
    fn miss_within_the_settlement_period_or_before_completion() {
        let mut input = input();
        input.payments.retain(|p| p.id == 1 || p.id == 4);
        assert!(RULE.run(&input, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn a_longer_settlement_period_clears_it() {
        assert!(
            RULE.run(&input(), &with(&RULE, "grace_days", 180))
                .is_empty()
        );
    }
}

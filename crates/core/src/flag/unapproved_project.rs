//! Unapproved project (挪用): money paid from a project that was never approved into the county
//! library, or that the library does not know at all.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "unapproved_project",
    group: Group::Misappropriation,
    zh: "未经批准入库的项目支出资金",
    en: "Payments from a project not approved into the library",
    citation_zh: "通知第四条：严肃查处挪用等违纪违规问题；项目须经审批纳入县级项目库后方可安排资金",
    citation_en: "Seed §4: investigate misappropriation of funds; money is arranged only for projects approved into the county library",
    severity: Severity::High,
    category: ProblemCategory::FundManagement,
    params: &[],
    scan,
};

fn scan(input: &Input, _v: &Values) -> Vec<Hit> {
    let known: BTreeMap<i64, &Project> = input.projects.iter().map(|p| (p.id, p)).collect();
    let mut by: BTreeMap<i64, Vec<&Payment>> = BTreeMap::new();
    for p in &input.payments {
        let approved = known.get(&p.project_id).is_some_and(|pr| pr.approved);
        if !approved && p.state != PaymentState::Voided {
            by.entry(p.project_id).or_default().push(p);
        }
    }
    let mut out = Vec::new();
    for (project_id, mut payments) in by {
        payments.sort_by_key(|p| (p.booked_on, p.id));
        let Some(first) = payments.first() else {
            continue;
        };
        let project = known.get(&project_id);
        let name = project.map_or(first.project.as_str(), |p| p.name.as_str());
        let region = project.map_or(first.region, |p| p.region);
        let total = payments
            .iter()
            .fold(Money::ZERO, |s, p| s.checked_add(p.amount).unwrap_or(s));
        let (why_zh, why_en) = if project.is_some() {
            (
                "未经批准入库",
                "has not been approved into the county library",
            )
        } else {
            ("不在县级项目库中", "is not in the county library")
        };
        let mut h = Hit::new(
            format!("project:{project_id}"),
            region,
            format!(
                "{}{}，却已支付 {} 笔共 {} 元（首笔 {}）。",
                name,
                why_zh,
                payments.len(),
                yuan(total),
                day(first.booked_on)
            ),
            format!(
                "{} {} yet has made {} payments totalling {} yuan (the first on {}).",
                name,
                why_en,
                payments.len(),
                yuan(total),
                day(first.booked_on)
            ),
        )
        .project(project_id)
        .amount(total)
        .figure("笔数", "Payments", payments.len().to_string())
        .figure("合计（元）", "Total (yuan)", yuan(total));
        for p in &payments {
            h = h.row("transfers", p.id);
        }
        out.push(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn input() -> Input {
        let mut pending = project(6, VILLAGE);
        pending.approved = false;
        Input {
            today: d("2026-06-01"),
            projects: vec![project(5, VILLAGE), pending],
            payments: vec![
                payment(1, 5, VILLAGE, "云岭建筑队", 8_000, "2026-04-01"),
                payment(2, 6, VILLAGE, "云岭建筑队", 5_000, "2026-04-02"),
                payment(3, 6, VILLAGE, "云岭建筑队", 4_000, "2026-04-03"),
                payment(4, 9, VILLAGE2, "某供应商", 2_000, "2026-04-04"),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_payments_from_an_unapproved_or_unknown_project() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].key, "project:6");
        assert_eq!(hits[0].amount, y(9_000));
        assert_eq!(hits[0].evidence.rows.len(), 2);
        assert_eq!(hits[1].key, "project:9");
        assert_eq!(hits[1].region, code(VILLAGE2));
        assert_eq!(hits[1].amount, y(2_000));
    }

    #[test]
    fn miss_payments_from_an_approved_project() {
        let mut input = input();
        input.payments.retain(|p| p.project_id == 5);
        assert!(RULE.run(&input, &defaults(&RULE)).is_empty());
    }
}

//! Unaccepted projects (项目停滞): a project completed but not accepted within the days the city's
//! acceptance rule allows, so its assets are not handed over and its money not settled.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "unaccepted",
    group: Group::Stalled,
    zh: "项目完工后逾期未验收",
    en: "Project completed but not accepted in time",
    citation_zh: "扶贫项目资金绩效管理实践；市项目验收办法：项目完工后 60 日内组织验收",
    citation_en: "Performance management of poverty-alleviation project funds (practice); the city's acceptance rule: accept a project within 60 days of completion",
    severity: Severity::Medium,
    category: ProblemCategory::TaskImplementation,
    params: &[Param {
        key: "days",
        zh: "完工后验收期限（天）",
        en: "Days allowed from completion to acceptance",
        unit: Unit::Days,
        default: 60,
        min: 1,
        max: 730,
        source: "the city's acceptance rule: acceptance within 60 days of completion",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let limit = v.get("days");
    let mut out = Vec::new();
    for p in &input.projects {
        let Some(done) = p.completed_on else {
            continue;
        };
        if p.accepted_on.is_some() {
            continue;
        }
        let waited = input.today - done;
        if waited <= limit {
            continue;
        }
        let budget = p
            .budget
            .iter()
            .fold(Money::ZERO, |s, b| s.checked_add(b.1).unwrap_or(s));
        out.push(
            Hit::new(
                format!("project:{}", p.id),
                p.region,
                format!(
                    "{} 于 {} 完工，至 {} 已 {} 天仍未验收，超过完工后 {} 天内验收的期限；项目预算 {} 元。",
                    p.name,
                    day(done),
                    day(input.today),
                    waited,
                    limit,
                    yuan(budget)
                ),
                format!(
                    "{} was completed on {} and by {}, {} days later, has still not been accepted, past the {} days allowed; its budget is {} yuan.",
                    p.name,
                    day(done),
                    day(input.today),
                    waited,
                    limit,
                    yuan(budget)
                ),
            )
            .project(p.id)
            .amount(budget)
            .row("projects", p.id)
            .figure("完工日期", "Completed on", day(done))
            .figure("完工后天数", "Days since completion", waited.to_string())
            .figure("验收期限（天）", "Days allowed", limit.to_string())
            .figure("预算（元）", "Budget (yuan)", yuan(budget)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn input() -> Input {
        let mut late = project(5, VILLAGE);
        late.completed_on = Some(d("2026-03-01"));
        let mut accepted = project(6, VILLAGE);
        accepted.completed_on = Some(d("2026-01-01"));
        accepted.accepted_on = Some(d("2026-02-01"));
        let mut recent = project(7, VILLAGE);
        recent.completed_on = Some(d("2026-05-01"));
        Input {
            today: d("2026-06-01"),
            projects: vec![late, accepted, recent, project(8, VILLAGE)],
            ..Input::default()
        }
    }

    #[test]
    fn hit_completed_92_days_ago_and_not_accepted() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "project:5");
        assert_eq!(hits[0].project_id, Some(5));
        assert_eq!(hits[0].amount, y(100_000));
        assert!(hits[0].evidence.zh.contains("2026-03-01"));
    }

    #[test]
    fn miss_accepted_recent_or_with_more_days_allowed() {
        let mut i = input();
        i.projects.retain(|p| p.id != 5);
        assert!(RULE.run(&i, &defaults(&RULE)).is_empty());
        assert!(RULE.run(&input(), &with(&RULE, "days", 92)).is_empty());
        assert_eq!(RULE.run(&input(), &with(&RULE, "days", 91)).len(), 1);
    }
}

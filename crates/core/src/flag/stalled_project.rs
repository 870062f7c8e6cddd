//! Stalled project (项目停滞): a project that started, is neither completed nor accepted, and has
//! reported no progress for months.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "stalled_project",
    group: Group::Stalled,
    zh: "项目开工后长期无进展",
    en: "Project with no progress for months",
    citation_zh: "通知第四条：推动项目按期实施；项目进度按季度报告（实践）",
    citation_en: "Seed §4: projects implemented on schedule; practice: quarterly progress reporting",
    severity: Severity::Low,
    category: ProblemCategory::TaskImplementation,
    params: &[Param {
        key: "days",
        zh: "无进展天数",
        en: "Days without progress",
        unit: Unit::Days,
        default: 90,
        min: 1,
        max: 730,
        source: "practice: quarterly progress reporting",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let limit = v.get("days");
    let mut out = Vec::new();
    for p in &input.projects {
        let Some(started) = p.started_on else {
            continue;
        };
        if p.completed_on.is_some() || p.accepted_on.is_some() {
            continue;
        }
        let last = p.last_progress_on.unwrap_or(started);
        let idle = input.today - last;
        if idle <= limit {
            continue;
        }
        out.push(
            Hit::new(
                format!("project:{}", p.id),
                p.region,
                format!(
                    "{} 于 {} 开工，自 {} 起 {} 天没有进展报告，至今未完工。",
                    p.name,
                    day(started),
                    day(last),
                    idle
                ),
                format!(
                    "{}, started on {}, has reported no progress for {} days since {} and is not completed.",
                    p.name,
                    day(started),
                    idle,
                    day(last)
                ),
            )
            .project(p.id)
            .row("projects", p.id)
            .figure("无进展天数", "Days without progress", idle.to_string())
            .figure("期限（天）", "Limit (days)", limit.to_string()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn input() -> Input {
        let mut quiet = project(5, VILLAGE);
        quiet.last_progress_on = None;
        quiet.started_on = Some(d("2026-01-05"));
        let mut done = project(6, VILLAGE);
        done.last_progress_on = Some(d("2026-01-05"));
        done.completed_on = Some(d("2026-01-05"));
        let mut unstarted = project(7, VILLAGE);
        unstarted.started_on = None;
        unstarted.last_progress_on = None;
        Input {
            today: d("2026-06-01"),
            projects: vec![quiet, done, unstarted, project(8, VILLAGE)],
            ..Input::default()
        }
    }

    #[test]
    fn hit_a_started_project_quiet_for_months() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "project:5");
        assert_eq!(hits[0].project_id, Some(5));
        assert!(hits[0].evidence.figures.iter().any(|f| f.value == "147"));
    }

    #[test]
    fn miss_completed_unstarted_or_recently_reported() {
        let mut input = input();
        input.projects.retain(|p| p.id != 5);
        assert!(RULE.run(&input, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn a_longer_limit_clears_it() {
        assert!(RULE.run(&input(), &with(&RULE, "days", 180)).is_empty());
    }
}

//! Overdue evaluations (项目停滞): a Book 4 performance evaluation, scheduled at acceptance, not
//! done by the day it was due.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "overdue_evaluation",
    group: Group::Stalled,
    zh: "项目绩效评价逾期未完成",
    en: "Project evaluation overdue",
    citation_zh: "台账四（项目绩效评价）：项目验收后 1 至 3 年内开展绩效评价，评价日期在验收时确定",
    citation_en: "Book 4 (project evaluation): evaluations 1 to 3 years after acceptance, scheduled when the project is accepted",
    severity: Severity::Low,
    category: ProblemCategory::Objectives,
    params: &[Param {
        key: "grace_days",
        zh: "到期后宽限天数",
        en: "Days of grace after the due day",
        unit: Unit::Days,
        default: 0,
        min: 0,
        max: 365,
        source: "Book 4: the due day is set at acceptance, no grace; a county may allow days for a report in process",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let grace = v.get("grace_days");
    let mut out = Vec::new();
    for e in &input.evaluations {
        if e.done || e.due_on + grace >= input.today {
            continue;
        }
        let over = input.today - e.due_on;
        out.push(
            Hit::new(
                format!("evaluation:{}", e.id),
                e.region,
                format!(
                    "{} 的绩效评价应于 {} 完成，至 {} 已逾期 {} 天仍未完成。",
                    e.project,
                    day(e.due_on),
                    day(input.today),
                    over
                ),
                format!(
                    "The evaluation of {} was due on {} and by {} is {} days overdue.",
                    e.project,
                    day(e.due_on),
                    day(input.today),
                    over
                ),
            )
            .project(e.project_id)
            .row("evaluations", e.id)
            .figure("应完成日期", "Due on", day(e.due_on))
            .figure("逾期天数", "Days overdue", over.to_string()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn evaluation(id: i64, due: &str, done: bool) -> Evaluation {
        Evaluation {
            id,
            project_id: 5,
            project: "项目5".into(),
            region: code(VILLAGE),
            due_on: d(due),
            done,
        }
    }

    fn input() -> Input {
        Input {
            today: d("2026-06-01"),
            evaluations: vec![
                evaluation(1, "2026-05-01", false),
                evaluation(2, "2026-04-01", true),
                evaluation(3, "2026-06-01", false),
                evaluation(4, "2027-06-01", false),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_an_evaluation_past_its_due_day() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "evaluation:1");
        assert_eq!(hits[0].project_id, Some(5));
        assert_eq!(
            hits[0].evidence.rows,
            vec![Row {
                table: "evaluations".into(),
                id: 1
            }]
        );
        assert!(hits[0].evidence.en.contains("31 days"));
    }

    #[test]
    fn miss_done_due_today_or_within_grace() {
        let mut i = input();
        i.evaluations.retain(|e| e.id != 1);
        assert!(RULE.run(&i, &defaults(&RULE)).is_empty());
        assert!(
            RULE.run(&input(), &with(&RULE, "grace_days", 31))
                .is_empty()
        );
        assert_eq!(RULE.run(&input(), &with(&RULE, "grace_days", 30)).len(), 1);
    }
}

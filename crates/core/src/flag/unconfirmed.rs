//! Unconfirmed appropriations (截留): money appropriated to the level below whose receipt the lower
//! level has not confirmed within days, a sign it was held back on the way.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "unconfirmed",
    group: Group::Interception,
    zh: "拨付资金下级未确认到账",
    en: "Appropriation not confirmed as received by the level below",
    citation_zh: "通知第四条：严肃查处截留等违纪违规问题（实践：下级应在数日内确认到账）",
    citation_en: "Seed §4: investigate interception of funds; practice: the lower level confirms receipt within days",
    severity: Severity::High,
    category: ProblemCategory::FundManagement,
    params: &[Param {
        key: "days",
        zh: "确认到账期限（天）",
        en: "Days allowed to confirm receipt",
        unit: Unit::Days,
        default: 15,
        min: 1,
        max: 365,
        source: "practice: a lower level confirms receipt within days; seed §4 interception",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let limit = v.get("days");
    let mut out = Vec::new();
    for a in &input.appropriations {
        let waited = input.today - a.booked_on;
        if a.reversed || a.received_on.is_some() || waited <= limit {
            continue;
        }
        out.push(
            Hit::new(
                format!("transfer:{}", a.id),
                a.to,
                format!(
                    "{} 于 {} 由 {} 拨付 {} 的 {} 元，{} 天后仍未确认到账（期限 {} 天）。",
                    a.fund,
                    day(a.booked_on),
                    input.name(&a.from),
                    input.name(&a.to),
                    yuan(a.amount),
                    waited,
                    limit
                ),
                format!(
                    "{} yuan of {} appropriated by {} to {} on {} have not been confirmed as received after {} days (limit {} days).",
                    yuan(a.amount),
                    a.fund,
                    input.name(&a.from),
                    input.name(&a.to),
                    day(a.booked_on),
                    waited,
                    limit
                ),
            )
            .amount(a.amount)
            .row("transfers", a.id)
            .figure("拨付金额（元）", "Appropriated (yuan)", yuan(a.amount))
            .figure("未确认天数", "Days unconfirmed", waited.to_string())
            .figure("确认期限（天）", "Limit (days)", limit.to_string()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn appropriation(id: i64, on: &str, received_on: Option<i64>, reversed: bool) -> Appropriation {
        Appropriation {
            id,
            fund_id: 1,
            fund: "2026年中央专项".into(),
            from: code(COUNTY),
            to: code(TOWNSHIP),
            amount: y(20_000),
            booked_on: d(on),
            received_on,
            reversed,
        }
    }

    fn input() -> Input {
        Input {
            today: d("2026-06-01"),
            appropriations: vec![
                appropriation(1, "2026-05-01", None, false),
                appropriation(2, "2026-05-01", Some(d("2026-05-03")), false),
                appropriation(3, "2026-05-01", None, true),
                appropriation(4, "2026-05-25", None, false),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_an_old_appropriation_never_confirmed() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "transfer:1");
        assert_eq!(hits[0].region, code(TOWNSHIP));
        assert_eq!(hits[0].amount, y(20_000));
        assert_eq!(
            hits[0].evidence.rows,
            vec![Row {
                table: "transfers".into(),
                id: 1
            }]
        );
    }

    #[test]
    fn miss_when_confirmed_reversed_or_recent() {
        let input = Input {
            appropriations: input().appropriations.into_iter().skip(1).collect(),
            ..input()
        };
        assert!(RULE.run(&input, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn a_longer_limit_clears_it() {
        assert!(RULE.run(&input(), &with(&RULE, "days", 45)).is_empty());
    }
}

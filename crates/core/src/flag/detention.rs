//! Detention (滞留): money that sits unspent on a region's account past its fund's deadline,
//! first in, first out ([`crate::ledger::detention`]).
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "detention",
    group: Group::Detention,
    zh: "资金滞留超过期限",
    en: "Funds unspent past their deadline",
    citation_zh: "通知第四条：严肃查处滞留等违纪违规问题；资金文件规定的支出期限",
    citation_en: "Seed §4: investigate detention of funds; the spending deadline of the fund's document",
    severity: Severity::High,
    category: ProblemCategory::FundManagement,
    params: &[Param {
        key: "grace_days",
        zh: "期限后宽限天数",
        en: "Days of grace after the deadline",
        unit: Unit::Days,
        default: 0,
        min: 0,
        max: 365,
        source: "practice: none; a county may allow days for payments in process",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let grace = v.get("grace_days");
    let mut out = Vec::new();
    for a in &input.accounts {
        let credits: Vec<(i64, Money)> = a.credits.iter().map(|c| (c.0, c.1)).collect();
        let spent = a
            .outflows
            .iter()
            .fold(Money::ZERO, |s, o| s.checked_add(o.1).unwrap_or(s));
        let Some((detained, over)) =
            crate::ledger::detention(&credits, spent, input.today, a.detention_days + grace)
        else {
            continue;
        };
        let mut h = Hit::new(
            format!("account:{}", a.id),
            a.region,
            format!(
                "{} 账户上 {} 元超过资金期限（{} 天）仍未支出，最长超期 {} 天。",
                a.fund,
                yuan(detained),
                a.detention_days,
                over
            ),
            format!(
                "{} yuan of {} sit unspent past the fund's deadline ({} days), up to {} days over.",
                yuan(detained),
                a.fund,
                a.detention_days,
                over
            ),
        )
        .amount(detained)
        .row("ledger_accounts", a.id)
        .figure("滞留金额（元）", "Detained (yuan)", yuan(detained))
        .figure(
            "资金期限（天）",
            "Deadline (days)",
            a.detention_days.to_string(),
        )
        .figure("最长超期（天）", "Most days over", over.to_string());
        for c in &a.credits {
            if input.today - c.0 > a.detention_days + grace {
                h = h.row("transfers", c.2);
            }
        }
        out.push(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn account(out_yuan: i64) -> Account {
        Account {
            id: 7,
            fund_id: 1,
            fund: "2026年中央专项".into(),
            source: FundSource::CentralSpecial,
            region: code(TOWNSHIP),
            detention_days: 90,
            credits: vec![
                (d("2026-01-10"), y(1000), 11),
                (d("2026-05-01"), y(500), 12),
            ],
            outflows: vec![(d("2026-02-01"), y(out_yuan))],
        }
    }

    #[test]
    fn hit_money_older_than_the_deadline_left_unspent() {
        let input = Input {
            today: d("2026-06-01"),
            accounts: vec![account(600)],
            ..Input::default()
        };
        let hits = RULE.run(&input, &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "account:7");
        assert_eq!(hits[0].amount, y(400));
        assert!(hits[0].evidence.rows.contains(&Row {
            table: "transfers".into(),
            id: 11
        }));
    }

    #[test]
    fn miss_when_spent_or_within_grace() {
        let spent = Input {
            today: d("2026-06-01"),
            accounts: vec![account(1000)],
            ..Input::default()
        };
        assert!(RULE.run(&spent, &defaults(&RULE)).is_empty());
        let graced = Input {
            today: d("2026-06-01"),
            accounts: vec![account(600)],
            ..Input::default()
        };
        assert!(RULE.run(&graced, &with(&RULE, "grace_days", 60)).is_empty());
    }
}

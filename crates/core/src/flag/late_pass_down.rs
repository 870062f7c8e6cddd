//! Late pass-down (迟拨): special transfers a county received and did not pass down to the levels
//! below within the limit, first in, first out.
use super::*;
use crate::region::Level;

pub(super) const RULE: Rule = Rule {
    id: "late_pass_down",
    group: Group::Detention,
    zh: "县级未按期分解下达专项资金",
    en: "Special transfers not passed down by the county in time",
    citation_zh: "《预算法》第五十二条：上级转移支付应当按照规定时限及时分解下达；通知第四条：严肃查处滞留等违纪违规问题",
    citation_en: "Budget Law of the PRC art. 52: transfers are passed down within the set time limit; seed §4: investigate detention of funds",
    severity: Severity::High,
    category: ProblemCategory::FundManagement,
    params: &[Param {
        key: "days",
        zh: "收到后下达期限（天）",
        en: "Days to pass a transfer down after receipt",
        unit: Unit::Days,
        default: 60,
        min: 1,
        max: 365,
        source: "law: Budget Law art. 52 (pass transfers down within the set limit); 60 days as the county's limit",
    }],
    scan,
};

/// The late part of each credit of an account: (transfer id, late money, most days late).
fn late_credits(a: &Account, today: i64, limit: i64) -> Vec<(i64, Money, i64)> {
    let mut credits: Vec<(i64, Money, i64)> = a.credits.clone();
    credits.sort_by_key(|c| (c.0, c.2));
    let mut outflows: Vec<(i64, Money)> = a
        .outflows
        .iter()
        .copied()
        .filter(|o| o.1 > Money::ZERO)
        .collect();
    outflows.sort_by_key(|o| o.0);
    let mut outs = outflows.into_iter();
    let mut current = outs.next();
    let mut late = Vec::new();
    for (credit_day, amount, transfer_id) in credits {
        let mut left = amount;
        let mut late_money = Money::ZERO;
        let mut most = 0i64;
        while left > Money::ZERO {
            let Some((out_day, out_amount)) = current else {
                break;
            };
            let used = left.min(out_amount);
            let over = out_day - credit_day - limit;
            if over > 0 {
                late_money = late_money.checked_add(used).unwrap_or(late_money);
                most = most.max(over);
            }
            left = left.checked_sub(used).unwrap_or(Money::ZERO);
            let rest = out_amount.checked_sub(used).unwrap_or(Money::ZERO);
            current = if rest > Money::ZERO {
                Some((out_day, rest))
            } else {
                outs.next()
            };
        }
        let over = today - credit_day - limit;
        if left > Money::ZERO && over > 0 {
            late_money = late_money.checked_add(left).unwrap_or(late_money);
            most = most.max(over);
        }
        if late_money > Money::ZERO {
            late.push((transfer_id, late_money, most));
        }
    }
    late
}

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let limit = v.get("days");
    let mut out = Vec::new();
    for a in &input.accounts {
        if a.region.level() != Level::County
            || !matches!(
                a.source,
                FundSource::CentralSpecial | FundSource::Provincial
            )
        {
            continue;
        }
        let late = late_credits(a, input.today, limit);
        if late.is_empty() {
            continue;
        }
        let total = late
            .iter()
            .fold(Money::ZERO, |s, c| s.checked_add(c.1).unwrap_or(s));
        let most = late.iter().map(|c| c.2).max().unwrap_or(0);
        let mut h = Hit::new(
            format!("account:{}", a.id),
            a.region,
            format!(
                "{} 县级账户上 {} 元未在收到后 {} 天内分解下达，最长超期 {} 天。",
                a.fund,
                yuan(total),
                limit,
                most
            ),
            format!(
                "{} yuan of {} were not passed down by the county within {} days of receipt, up to {} days late.",
                yuan(total),
                a.fund,
                limit,
                most
            ),
        )
        .amount(total)
        .row("ledger_accounts", a.id)
        .figure("迟拨金额（元）", "Passed down late (yuan)", yuan(total))
        .figure("最长超期（天）", "Most days late", most.to_string())
        .figure("下达期限（天）", "Limit (days)", limit.to_string());
        for c in &late {
            h = h.row("transfers", c.0);
        }
        out.push(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn account(region: &str, outflows: Vec<(i64, Money)>) -> Account {
        Account {
            id: 3,
            fund_id: 1,
            fund: "2026年中央专项".into(),
            source: FundSource::CentralSpecial,
            region: code(region),
            detention_days: 365,
            credits: vec![
                (d("2026-01-10"), y(1000), 21),
                (d("2026-04-20"), y(500), 22),
            ],
            outflows,
        }
    }

    fn input(a: Account) -> Input {
        Input {
            today: d("2026-06-01"),
            accounts: vec![a],
            ..Input::default()
        }
    }

    #[test]
    fn hit_money_passed_down_late_or_still_held() {
        // 600 out on day 21 (in time), 300 on day 80 (late), 100 of the first credit still held.
        let a = account(
            COUNTY,
            vec![(d("2026-01-31"), y(600)), (d("2026-03-31"), y(300))],
        );
        let hits = RULE.run(&input(a), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "account:3");
        assert_eq!(hits[0].amount, y(400));
        assert_eq!(hits[0].region, code(COUNTY));
        let rows = &hits[0].evidence.rows;
        assert!(rows.contains(&Row {
            table: "ledger_accounts".into(),
            id: 3
        }));
        assert!(rows.contains(&Row {
            table: "transfers".into(),
            id: 21
        }));
        assert!(!rows.contains(&Row {
            table: "transfers".into(),
            id: 22
        }));
        // Held 142 days, 82 over the limit.
        assert!(hits[0].evidence.figures.iter().any(|f| f.value == "82"));
    }

    #[test]
    fn miss_when_passed_down_in_time_or_not_a_county_transfer() {
        let in_time = account(COUNTY, vec![(d("2026-02-01"), y(1000))]);
        assert!(RULE.run(&input(in_time), &defaults(&RULE)).is_empty());
        let township = account(TOWNSHIP, vec![]);
        assert!(RULE.run(&input(township), &defaults(&RULE)).is_empty());
        let mut own = account(COUNTY, vec![]);
        own.source = FundSource::CountyBudget;
        assert!(RULE.run(&input(own), &defaults(&RULE)).is_empty());
    }

    #[test]
    fn a_longer_limit_clears_it() {
        let a = account(
            COUNTY,
            vec![(d("2026-01-31"), y(600)), (d("2026-03-31"), y(300))],
        );
        assert!(RULE.run(&input(a), &with(&RULE, "days", 150)).is_empty());
    }
}

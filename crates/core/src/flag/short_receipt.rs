//! Short receipt (截留): of the money one fund appropriated to a region more than a month ago,
//! less has been confirmed as received than was sent.
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "short_receipt",
    group: Group::Interception,
    zh: "下级到账金额少于拨付金额",
    en: "Less confirmed as received than was appropriated",
    citation_zh: "通知第四条：严肃查处截留等违纪违规问题（实践：拨付与到账逐笔核对）",
    citation_en: "Seed §4: investigate interception of funds; practice: appropriations reconciled with receipts",
    severity: Severity::Medium,
    category: ProblemCategory::FundManagement,
    params: &[Param {
        key: "days",
        zh: "拨付后核对天数",
        en: "Days after appropriation before reconciling",
        unit: Unit::Days,
        default: 30,
        min: 1,
        max: 365,
        source: "practice: appropriations reconciled with receipts monthly; seed §4 interception",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let limit = v.get("days");
    let mut by: BTreeMap<(i64, RegionCode), Vec<&Appropriation>> = BTreeMap::new();
    for a in &input.appropriations {
        if !a.reversed && input.today - a.booked_on > limit {
            by.entry((a.fund_id, a.to)).or_default().push(a);
        }
    }
    let mut out = Vec::new();
    for ((fund_id, to), mut apps) in by {
        apps.sort_by_key(|a| (a.booked_on, a.id));
        let sum = |only_received: bool| {
            apps.iter()
                .filter(|a| !only_received || a.received_on.is_some())
                .fold(Money::ZERO, |s, a| s.checked_add(a.amount).unwrap_or(s))
        };
        let dispatched = sum(false);
        let received = sum(true);
        let gap = dispatched.checked_sub(received).unwrap_or(Money::ZERO);
        if gap <= Money::ZERO {
            continue;
        }
        let fund = apps.first().map_or("", |a| a.fund.as_str());
        let mut h = Hit::new(
            format!("fund:{fund_id}:region:{to}"),
            to,
            format!(
                "{} 拨付 {} 超过 {} 天的 {} 元中，仅 {} 元确认到账，{} 元未到账。",
                fund,
                input.name(&to),
                limit,
                yuan(dispatched),
                yuan(received),
                yuan(gap)
            ),
            format!(
                "Of the {} yuan of {} appropriated to {} more than {} days ago, only {} yuan were confirmed as received; {} yuan are missing.",
                yuan(dispatched),
                fund,
                input.name(&to),
                limit,
                yuan(received),
                yuan(gap)
            ),
        )
        .amount(gap)
        .figure("拨付金额（元）", "Appropriated (yuan)", yuan(dispatched))
        .figure("到账金额（元）", "Received (yuan)", yuan(received))
        .figure("差额（元）", "Gap (yuan)", yuan(gap));
        for a in apps.iter().filter(|a| a.received_on.is_none()) {
            h = h.row("transfers", a.id);
        }
        out.push(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn appropriation(id: i64, to: &str, yuan: i64, on: &str, received: bool) -> Appropriation {
        Appropriation {
            id,
            fund_id: 1,
            fund: "2026年中央专项".into(),
            from: code(COUNTY),
            to: code(to),
            amount: y(yuan),
            booked_on: d(on),
            received_on: received.then(|| d(on) + 2),
            reversed: false,
        }
    }

    fn input() -> Input {
        Input {
            today: d("2026-06-01"),
            appropriations: vec![
                appropriation(1, TOWNSHIP, 50_000, "2026-03-01", true),
                appropriation(2, TOWNSHIP, 30_000, "2026-04-01", false),
                appropriation(3, TOWNSHIP, 10_000, "2026-05-20", false),
                appropriation(4, VILLAGE, 10_000, "2026-03-01", true),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_a_region_that_received_less_than_was_sent() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, format!("fund:1:region:{}", code(TOWNSHIP)));
        assert_eq!(hits[0].region, code(TOWNSHIP));
        assert_eq!(hits[0].amount, y(30_000));
        assert_eq!(
            hits[0].evidence.rows,
            vec![Row {
                table: "transfers".into(),
                id: 2
            }]
        );
    }

    #[test]
    fn miss_when_everything_old_was_received_or_reversed() {
        let mut input = input();
        for a in &mut input.appropriations {
            if a.id == 2 {
                a.reversed = true;
            }
        }
        assert!(RULE.run(&input, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn a_longer_window_clears_it() {
        assert!(RULE.run(&input(), &with(&RULE, "days", 70)).is_empty());
    }
}

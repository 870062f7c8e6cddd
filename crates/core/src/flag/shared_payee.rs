//! Shared payee (一人多领): one person paid by projects in several villages, where a person is
//! normally paid in their own village. Organisations (contractors, co-operatives) are left out:
//! they legitimately work in several villages.
use super::*;
use std::collections::BTreeSet;

pub(super) const RULE: Rule = Rule {
    id: "shared_payee",
    group: Group::SharedPayee,
    zh: "同一人在多个村的项目中领取资金",
    en: "One person paid by projects in several villages",
    citation_zh: "通知第四条：严肃查处虚报冒领、一人多领等违纪违规问题",
    citation_en: "Seed §4: investigate false claims and one person drawing several times",
    severity: Severity::Medium,
    category: ProblemCategory::Targeting,
    params: &[Param {
        key: "max_villages",
        zh: "允许领取的村数",
        en: "Villages a person may be paid in",
        unit: Unit::Count,
        default: 1,
        min: 1,
        max: 50,
        source: "practice: a person is paid in the village of their household registration",
    }],
    scan,
};

/// Words that mark a payee as an organisation rather than a person.
const ORGANISATION_WORDS: &[&str] = &[
    "公司",
    "合作社",
    "工程队",
    "建筑队",
    "施工队",
    "厂",
    "站",
    "中心",
    "局",
    "委员会",
    "银行",
    "医院",
    "学校",
];

fn is_organisation(name: &str) -> bool {
    ORGANISATION_WORDS.iter().any(|w| name.contains(w))
}

/// The deepest region that contains every one of `regions`.
fn common_ancestor(regions: &BTreeSet<RegionCode>) -> Option<RegionCode> {
    let mut iter = regions.iter();
    let mut common = iter.next()?.lineage();
    for r in iter {
        let lineage = r.lineage();
        let shared = common
            .iter()
            .zip(lineage.iter())
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(shared);
    }
    common.last().copied()
}

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let max = usize::try_from(v.get("max_villages")).unwrap_or(1);
    let mut by: BTreeMap<String, Vec<&Payment>> = BTreeMap::new();
    for p in &input.payments {
        let name = normal_name(&p.payee);
        if name.is_empty() || is_organisation(&name) || p.state == PaymentState::Voided {
            continue;
        }
        by.entry(name).or_default().push(p);
    }
    let mut out = Vec::new();
    for (name, mut payments) in by {
        let villages: BTreeSet<RegionCode> = payments.iter().map(|p| p.region).collect();
        if villages.len() <= max {
            continue;
        }
        let Some(region) = common_ancestor(&villages) else {
            continue;
        };
        payments.sort_by_key(|p| (p.booked_on, p.id));
        let total = payments
            .iter()
            .fold(Money::ZERO, |s, p| s.checked_add(p.amount).unwrap_or(s));
        let projects: BTreeSet<&str> = payments.iter().map(|p| p.project.as_str()).collect();
        let projects = projects.into_iter().collect::<Vec<_>>();
        let mut h = Hit::new(
            format!("payee:{name}"),
            region,
            format!(
                "{} 在 {} 个村的项目（{}）中收款 {} 笔，共 {} 元。",
                name,
                villages.len(),
                projects.join("、"),
                payments.len(),
                yuan(total)
            ),
            format!(
                "{} was paid {} yuan in {} payments by projects in {} villages ({}).",
                name,
                yuan(total),
                payments.len(),
                villages.len(),
                projects.join(", ")
            ),
        )
        .amount(total)
        .figure("村数", "Villages", villages.len().to_string())
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
        Input {
            today: d("2026-06-01"),
            payments: vec![
                payment(1, 5, VILLAGE, "张三", 3_000, "2026-04-01"),
                payment(2, 6, VILLAGE2, "张 三", 2_000, "2026-04-02"),
                payment(3, 5, VILLAGE, "云岭建筑队", 40_000, "2026-04-03"),
                payment(4, 6, VILLAGE2, "云岭建筑队", 40_000, "2026-04-04"),
                payment(5, 5, VILLAGE, "李四", 1_000, "2026-04-05"),
                payment(6, 5, VILLAGE, "李四", 1_000, "2026-04-06"),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_a_person_paid_in_two_villages() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "payee:张三");
        assert_eq!(hits[0].region, code(TOWNSHIP));
        assert_eq!(hits[0].amount, y(5_000));
        assert_eq!(hits[0].evidence.rows.len(), 2);
    }

    #[test]
    fn miss_organisations_and_people_paid_in_one_village() {
        let mut input = input();
        input.payments.retain(|p| p.id > 2);
        assert!(RULE.run(&input, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn more_villages_allowed_clears_it() {
        assert!(
            RULE.run(&input(), &with(&RULE, "max_villages", 2))
                .is_empty()
        );
    }

    #[test]
    fn common_ancestor_of_villages_in_two_townships_is_the_county() {
        let set: BTreeSet<RegionCode> = [code(VILLAGE), code("529121101201")].into_iter().collect();
        assert_eq!(common_ancestor(&set), Some(code(COUNTY)));
        let one: BTreeSet<RegionCode> = [code(VILLAGE)].into_iter().collect();
        assert_eq!(common_ancestor(&one), Some(code(VILLAGE)));
    }
}

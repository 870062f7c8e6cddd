//! Public-payroll beneficiaries (优亲厚友): a beneficiary who is on the imported list of people paid
//! from public funds (财政供养人员), whom identification of poor households excludes.
use super::invalid_id::masked_id;
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "payroll_beneficiary",
    group: Group::Favouritism,
    zh: "财政供养人员登记为受益户",
    en: "Public-payroll staff recorded as a beneficiary",
    citation_zh: "通知第四条：严肃查处优亲厚友等违纪违规问题；国务院扶贫办建档立卡实践：财政供养人员家庭不得识别为贫困户",
    citation_en: "Seed §4: investigate favouritism; State Council Poverty Alleviation Office registration practice: households of public-payroll staff are excluded from identification",
    severity: Severity::High,
    category: ProblemCategory::Targeting,
    params: &[Param {
        key: "match_by_name",
        zh: "名单无身份证号时按姓名匹配（1 是，0 否）",
        en: "Match by name when the list gives no ID number (1 yes, 0 no)",
        unit: Unit::Count,
        default: 0,
        min: 0,
        max: 1,
        source: "practice: the ID number is the match; names repeat within a county, so a name-only match is the county's choice",
    }],
    scan,
};

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let by_name = v.get("match_by_name") == 1;
    let payroll: Vec<&ListEntry> = input
        .lists
        .iter()
        .filter(|e| e.kind == ListKind::PublicPayroll)
        .collect();
    // The first entry of the list with each ID number, and with each name among the entries
    // without one (the list's order decides between the two).
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in payroll.iter().enumerate() {
        let eid = normal_id(&e.id_number);
        if eid.is_empty() {
            names.entry(normal_name(&e.name)).or_insert(i);
        } else {
            ids.entry(eid).or_insert(i);
        }
    }
    let mut out = Vec::new();
    for b in &input.beneficiaries {
        let id = normal_id(&b.id_number);
        let name = normal_name(&b.name);
        let by_id_at = (!id.is_empty()).then(|| ids.get(&id)).flatten();
        let by_name_at = (by_name && !name.is_empty())
            .then(|| names.get(&name))
            .flatten();
        let found = match (by_id_at, by_name_at) {
            (Some(i), Some(j)) if j < i => payroll.get(*j).map(|e| (e, false)),
            (Some(i), _) => payroll.get(*i).map(|e| (e, true)),
            (None, Some(j)) => payroll.get(*j).map(|e| (e, false)),
            (None, None) => None,
        };
        let Some((e, by_id)) = found else {
            continue;
        };
        let masked = masked_id(&b.id_number);
        let (how_zh, how_en) = if by_id {
            ("身份证号相同", "by ID number")
        } else {
            (
                "按姓名匹配，名单未载身份证号",
                "by name; the list gives no ID number",
            )
        };
        out.push(
            Hit::new(
                format!("beneficiary:{}", b.id),
                b.region,
                format!(
                    "{} 的受益户 {}（身份证号 {}）在财政供养人员名单上（{}，名单姓名 {}）。",
                    b.project, b.name, masked, how_zh, e.name
                ),
                format!(
                    "{}, a beneficiary of {} (ID number {}), is on the public-payroll list ({}, listed as {}).",
                    b.name, b.project, masked, how_en, e.name
                ),
            )
            .project(b.project_id)
            .row("project_beneficiaries", b.id)
            .row("crosscheck_entries", e.id)
            .figure("受益户", "Beneficiary", b.name.clone())
            .figure("身份证号（遮蔽）", "ID number (masked)", masked)
            .figure("匹配方式", "Matched", if by_id { "id_number" } else { "name" }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn entry(id: i64, name: &str, id_number: &str) -> ListEntry {
        ListEntry {
            id,
            kind: ListKind::PublicPayroll,
            name: name.into(),
            id_number: id_number.into(),
            relation: String::new(),
            of_name: String::new(),
        }
    }

    fn input() -> Input {
        let a = id_number("53292119800101001");
        let b = id_number("53292119810101002");
        Input {
            today: d("2026-06-01"),
            beneficiaries: vec![
                beneficiary(3, 5, VILLAGE, "李四", &a),
                beneficiary(4, 5, VILLAGE, "王 五", &b),
                beneficiary(6, 5, VILLAGE, "赵六", &id_number("53292119820101003")),
            ],
            lists: vec![
                entry(21, "李四", &format!(" {} ", a.to_lowercase())),
                entry(22, "王五", ""),
                // Same name, another person: the ID numbers differ, so no match.
                entry(23, "赵六", &id_number("53292119820101999")),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_by_id_number() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "beneficiary:3");
        assert!(hits[0].evidence.rows.contains(&Row {
            table: "crosscheck_entries".into(),
            id: 21
        }));
        let a = id_number("53292119800101001");
        assert!(!hits[0].evidence.zh.contains(&a) && !hits[0].evidence.en.contains(&a));
    }

    #[test]
    fn miss_name_only_unless_the_county_turns_it_on() {
        let mut i = input();
        i.lists.retain(|e| e.id != 21);
        assert!(RULE.run(&i, &defaults(&RULE)).is_empty());
        let hits = RULE.run(&i, &with(&RULE, "match_by_name", 1));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "beneficiary:4");
    }
}

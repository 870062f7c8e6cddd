//! Deceased beneficiaries (虚报冒领): a beneficiary whose ID number is on the imported list of
//! deceased persons (civil affairs and public security death records).
use super::invalid_id::masked_id;
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "deceased",
    group: Group::FalseClaims,
    zh: "已死亡人员仍登记为受益户",
    en: "Deceased person recorded as a beneficiary",
    citation_zh: "通知第四条：严肃查处虚报冒领等违纪违规问题；实践：受益对象与民政、公安死亡人员信息比对",
    citation_en: "Seed §4: investigate false claims; practice: matching beneficiaries against civil-affairs and public-security death records",
    severity: Severity::High,
    category: ProblemCategory::Targeting,
    params: &[],
    scan,
};

fn scan(input: &Input, _v: &Values) -> Vec<Hit> {
    let mut dead: BTreeMap<String, &ListEntry> = BTreeMap::new();
    for e in &input.lists {
        let id = normal_id(&e.id_number);
        if e.kind == ListKind::Deceased && !id.is_empty() {
            dead.entry(id).or_insert(e);
        }
    }
    let mut out = Vec::new();
    for b in &input.beneficiaries {
        let id = normal_id(&b.id_number);
        if id.is_empty() {
            continue;
        }
        let Some(e) = dead.get(&id) else {
            continue;
        };
        let masked = masked_id(&b.id_number);
        out.push(
            Hit::new(
                format!("beneficiary:{}", b.id),
                b.region,
                format!(
                    "{} 的受益户 {}（身份证号 {}）在死亡人员名单上（名单姓名 {}），仍登记为受益对象。",
                    b.project, b.name, masked, e.name
                ),
                format!(
                    "{}, a beneficiary of {} (ID number {}), is on the list of deceased persons (listed as {}) and is still recorded as a beneficiary.",
                    b.name, b.project, masked, e.name
                ),
            )
            .project(b.project_id)
            .row("project_beneficiaries", b.id)
            .row("crosscheck_entries", e.id)
            .figure("受益户", "Beneficiary", b.name.clone())
            .figure("身份证号（遮蔽）", "ID number (masked)", masked)
            .figure("名单姓名", "Name on the list", e.name.clone()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn entry(id: i64, kind: ListKind, name: &str, id_number: &str) -> ListEntry {
        ListEntry {
            id,
            kind,
            name: name.into(),
            id_number: id_number.into(),
            relation: String::new(),
            of_name: String::new(),
        }
    }

    fn input(list_kind: ListKind, list_id: &str) -> Input {
        let a = id_number("53292119400101001");
        let b = id_number("53292119500101002");
        Input {
            today: d("2026-06-01"),
            beneficiaries: vec![
                beneficiary(3, 5, VILLAGE, "李四", &a),
                beneficiary(4, 5, VILLAGE, "王五", &b),
                beneficiary(6, 5, VILLAGE, "赵六", ""),
            ],
            lists: vec![
                entry(21, list_kind, "李四", &list_id.to_lowercase()),
                entry(22, ListKind::Deceased, "赵六", ""),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_a_beneficiary_on_the_death_list() {
        let a = id_number("53292119400101001");
        let hits = RULE.run(&input(ListKind::Deceased, &a), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key, "beneficiary:3");
        assert_eq!(hits[0].project_id, Some(5));
        assert!(hits[0].evidence.rows.contains(&Row {
            table: "crosscheck_entries".into(),
            id: 21
        }));
        assert!(!hits[0].evidence.zh.contains(&a) && !hits[0].evidence.en.contains(&a));
        assert!(hits[0].evidence.zh.contains("532921**********"));
    }

    #[test]
    fn miss_other_lists_other_numbers_and_empty_numbers() {
        let a = id_number("53292119400101001");
        assert!(
            RULE.run(&input(ListKind::PublicPayroll, &a), &defaults(&RULE))
                .is_empty()
        );
        let other = id_number("53292119400101009");
        assert!(
            RULE.run(&input(ListKind::Deceased, &other), &defaults(&RULE))
                .is_empty()
        );
    }
}

//! Officials and their relatives as payees or beneficiaries (优亲厚友): a payment to a person who has
//! the name of an official of the payment's region (or a region above it), or of someone on the
//! imported list of village cadres and their close relatives; and a beneficiary who matches an
//! official or that list.
use super::invalid_id::masked_id;
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "official_payee",
    group: Group::Favouritism,
    zh: "干部或其亲属收款、受益",
    en: "Officials or their relatives as payees or beneficiaries",
    citation_zh: "通知第四条：严肃查处优亲厚友等违纪违规问题；《中国共产党纪律处分条例》：利用职权或者职务上的影响为亲属谋取利益",
    citation_en: "Seed §4: investigate favouritism (优亲厚友); CPC Regulations on Disciplinary Actions: using one's office or its influence to seek benefits for relatives",
    severity: Severity::High,
    category: ProblemCategory::Corruption,
    params: &[],
    scan,
};

/// One match behind a hit: the row it rests on and the phrase that names the relation.
struct Match {
    table: &'static str,
    id: i64,
    zh: String,
    en: String,
    relation: String,
}

fn official_match(input: &Input, o: &Official) -> Match {
    Match {
        table: "people",
        id: o.person_id,
        zh: format!(
            "与{}（{}）的{}同名",
            o.department,
            input.name(&o.region),
            o.name
        ),
        en: format!(
            "has the name of {} of {} ({})",
            o.name,
            o.department,
            input.name(&o.region)
        ),
        relation: o.department.clone(),
    }
}

/// The person an entry of the cadre list is, in both languages.
fn cadre_who(e: &ListEntry) -> (String, String, String) {
    let relation = e.relation.trim();
    if relation == "本人" {
        (
            format!("村干部{}本人", e.name),
            format!("the village cadre {} himself or herself", e.name),
            "本人".to_string(),
        )
    } else {
        let rel = if relation.is_empty() {
            "近亲属"
        } else {
            relation
        };
        (
            format!("村干部{}的{}{}", e.of_name, rel, e.name),
            format!("{}, the {} of the village cadre {}", e.name, rel, e.of_name),
            format!("{}的{}", e.of_name, rel),
        )
    }
}

fn cadre_match(e: &ListEntry, by_id: Option<&str>) -> Match {
    let (who_zh, who_en, relation) = cadre_who(e);
    let (zh, en) = match by_id {
        Some(raw) => (
            format!(
                "身份证号（{}）与村干部及其近亲属名单上{}的身份证号相同",
                masked_id(raw),
                who_zh
            ),
            format!(
                "has the ID number ({}) of {} on the list of village cadres and their close relatives",
                masked_id(raw),
                who_en
            ),
        ),
        None => (
            format!("与村干部及其近亲属名单上的{who_zh}同名"),
            format!(
                "has the name of {who_en} on the list of village cadres and their close relatives"
            ),
        ),
    };
    Match {
        table: "crosscheck_entries",
        id: e.id,
        zh,
        en,
        relation,
    }
}

/// Officials of `region` or a region above it with the name `name` (already normalised).
fn officials(input: &Input, name: &str, region: &RegionCode) -> Vec<Match> {
    if name.is_empty() {
        return Vec::new();
    }
    input
        .officials
        .iter()
        .filter(|o| region.is_within(&o.region) && normal_name(&o.name) == name)
        .map(|o| official_match(input, o))
        .collect()
}

/// Entries of the cadre list that match: by ID number when both sides have one, else by name.
fn cadres(input: &Input, name: &str, id_number: &str) -> Vec<Match> {
    let id = normal_id(id_number);
    input
        .lists
        .iter()
        .filter(|e| e.kind == ListKind::CadreRelatives)
        .filter_map(|e| {
            let eid = normal_id(&e.id_number);
            if !id.is_empty() && !eid.is_empty() {
                (eid == id).then(|| cadre_match(e, Some(id_number)))
            } else {
                (!name.is_empty() && normal_name(&e.name) == name).then(|| cadre_match(e, None))
            }
        })
        .collect()
}

/// A hit on the row `first` (the payment or the beneficiary) and the rows of its matches.
fn hit(
    key: String,
    region: RegionCode,
    (zh, en): (String, String),
    first: (&str, i64),
    matches: &[Match],
) -> Hit {
    let mut h = Hit::new(key, region, zh, en).row(first.0, first.1);
    for m in matches {
        h = h
            .row(m.table, m.id)
            .figure("关系", "Relation", m.relation.clone());
    }
    h
}

fn scan(input: &Input, _v: &Values) -> Vec<Hit> {
    // The names a payment can match (officials and the cadre list): most payees match none,
    // and are passed over without looking at anyone.
    let known: std::collections::BTreeSet<String> = input
        .officials
        .iter()
        .map(|o| normal_name(&o.name))
        .chain(
            input
                .lists
                .iter()
                .filter(|e| e.kind == ListKind::CadreRelatives)
                .map(|e| normal_name(&e.name)),
        )
        .filter(|n| !n.is_empty())
        .collect();
    let mut out = Vec::new();
    for p in &input.payments {
        let name = normal_name(&p.payee);
        if !known.contains(&name) {
            continue;
        }
        let mut ms = officials(input, &name, &p.region);
        ms.extend(cadres(input, &name, ""));
        if ms.is_empty() {
            continue;
        }
        let zh: Vec<&str> = ms.iter().map(|m| m.zh.as_str()).collect();
        let en: Vec<&str> = ms.iter().map(|m| m.en.as_str()).collect();
        let h = hit(
            format!("payment:{}", p.id),
            p.region,
            (
                format!(
                    "{} 于 {} 向 {} 支付 {} 元，收款人{}。",
                    p.project,
                    day(p.booked_on),
                    p.payee,
                    yuan(p.amount),
                    zh.join("；")
                ),
                format!(
                    "{} paid {} yuan to {} on {}, and the payee {}.",
                    p.project,
                    yuan(p.amount),
                    p.payee,
                    day(p.booked_on),
                    en.join(" and ")
                ),
            ),
            ("transfers", p.id),
            &ms,
        );
        out.push(
            h.project(p.project_id)
                .amount(p.amount)
                .figure("收款人", "Payee", p.payee.clone())
                .figure("金额（元）", "Amount (yuan)", yuan(p.amount)),
        );
    }
    for b in &input.beneficiaries {
        let name = normal_name(&b.name);
        let mut ms = officials(input, &name, &b.region);
        ms.extend(cadres(input, &name, &b.id_number));
        if ms.is_empty() {
            continue;
        }
        let zh: Vec<&str> = ms.iter().map(|m| m.zh.as_str()).collect();
        let en: Vec<&str> = ms.iter().map(|m| m.en.as_str()).collect();
        let h = hit(
            format!("beneficiary:{}", b.id),
            b.region,
            (
                format!("{} 的受益户 {}，{}。", b.project, b.name, zh.join("；")),
                format!(
                    "{}, a beneficiary of {}, {}.",
                    b.name,
                    b.project,
                    en.join(" and ")
                ),
            ),
            ("project_beneficiaries", b.id),
            &ms,
        );
        out.push(
            h.project(b.project_id)
                .figure("受益户", "Beneficiary", b.name.clone()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn official(person_id: i64, name: &str, region: &str) -> Official {
        Official {
            person_id,
            name: name.into(),
            region: code(region),
            department: "村民委员会".into(),
            position: "主任".into(),
        }
    }

    fn cadre(id: i64, name: &str, id_number: &str, relation: &str, of_name: &str) -> ListEntry {
        ListEntry {
            id,
            kind: ListKind::CadreRelatives,
            name: name.into(),
            id_number: id_number.into(),
            relation: relation.into(),
            of_name: of_name.into(),
        }
    }

    fn input() -> Input {
        Input {
            today: d("2026-06-01"),
            payments: vec![
                payment(1, 5, VILLAGE, "张 三", 8_000, "2026-04-01"),
                payment(2, 6, VILLAGE2, "张三", 9_000, "2026-04-02"),
                payment(3, 5, VILLAGE, "李梅", 3_000, "2026-04-03"),
                payment(4, 5, VILLAGE, "云岭建筑队", 50_000, "2026-04-04"),
            ],
            beneficiaries: vec![
                beneficiary(11, 5, VILLAGE, "王五", &id_number("53292119800101001")),
                beneficiary(12, 5, VILLAGE, "王五", &id_number("53292119800101002")),
                beneficiary(13, 5, VILLAGE2, "张三", ""),
            ],
            officials: vec![
                official(31, "张三", VILLAGE),
                official(32, "周七", TOWNSHIP),
            ],
            lists: vec![
                cadre(41, "李梅", "", "妻子", "张三"),
                cadre(42, "王五", &id_number("53292119800101001"), "儿子", "张三"),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_payments_and_beneficiaries_of_officials_and_relatives() {
        let hits = RULE.run(&input(), &defaults(&RULE));
        let keys: Vec<&str> = hits.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["beneficiary:11", "payment:1", "payment:3"]);
        let p1 = &hits[1];
        assert_eq!(p1.amount, y(8_000));
        assert_eq!(p1.project_id, Some(5));
        assert!(p1.evidence.rows.contains(&Row {
            table: "people".into(),
            id: 31
        }));
        assert!(p1.evidence.rows.contains(&Row {
            table: "transfers".into(),
            id: 1
        }));
        let p3 = &hits[2];
        assert!(p3.evidence.zh.contains("妻子") && p3.evidence.en.contains("妻子"));
        assert!(p3.evidence.rows.contains(&Row {
            table: "crosscheck_entries".into(),
            id: 41
        }));
        let b11 = &hits[0];
        assert_eq!(b11.amount, Money::ZERO);
        let raw = id_number("53292119800101001");
        assert!(!b11.evidence.zh.contains(&raw) && !b11.evidence.en.contains(&raw));
        assert!(b11.evidence.zh.contains("儿子"));
    }

    #[test]
    fn miss_an_official_of_another_village_or_another_id_number() {
        let mut i = input();
        i.payments.retain(|p| p.id == 2 || p.id == 4);
        i.beneficiaries.retain(|b| b.id != 11);
        assert!(RULE.run(&i, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn hit_an_official_of_the_township_above() {
        let mut i = input();
        i.payments = vec![payment(9, 5, VILLAGE2, "周七", 1_000, "2026-04-05")];
        i.beneficiaries.clear();
        let hits = RULE.run(&i, &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        assert!(hits[0].evidence.rows.contains(&Row {
            table: "people".into(),
            id: 32
        }));
        assert_eq!(hits[0].region, code(VILLAGE2));
    }
}

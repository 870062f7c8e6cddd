//! Duplicate beneficiaries (虚报冒领): one ID number recorded as a beneficiary in several projects.
//! The flag is keyed by a hash of the number and belongs to the deepest region all the records
//! share.
use super::invalid_id::{id_key, masked_id};
use super::*;

pub(super) const RULE: Rule = Rule {
    id: "duplicate_beneficiary",
    group: Group::FalseClaims,
    zh: "同一身份证号在多个项目中登记为受益户",
    en: "One ID number recorded as a beneficiary in several projects",
    citation_zh: "通知第四条：严肃查处虚报冒领等违纪违规问题",
    citation_en: "Seed §4: investigate false and duplicate claims (虚报冒领)",
    severity: Severity::High,
    category: ProblemCategory::Targeting,
    params: &[Param {
        key: "min_projects",
        zh: "最少项目数",
        en: "Fewest projects",
        unit: Unit::Count,
        default: 2,
        min: 2,
        max: 50,
        source: "seed §4 虚报冒领: one household recorded in two projects is to be checked; a county whose projects overlap by design may raise it",
    }],
    scan,
};

/// The deepest region every code lies within (the first code's when none is shared).
fn common_region(codes: &[RegionCode]) -> Option<RegionCode> {
    let first = codes.first()?;
    let shared = first
        .lineage()
        .into_iter()
        .take_while(|r| codes.iter().all(|c| c.is_within(r)))
        .last();
    Some(shared.unwrap_or(*first))
}

fn scan(input: &Input, v: &Values) -> Vec<Hit> {
    let min = usize::try_from(v.get("min_projects")).unwrap_or(2);
    let mut by: BTreeMap<String, Vec<&Beneficiary>> = BTreeMap::new();
    for b in &input.beneficiaries {
        let id = normal_id(&b.id_number);
        if !id.is_empty() {
            by.entry(id).or_default().push(b);
        }
    }
    let mut out = Vec::new();
    for (id, mut bs) in by {
        bs.sort_by_key(|b| (b.project_id, b.id));
        let mut projects: Vec<(i64, &str)> = bs
            .iter()
            .map(|b| (b.project_id, b.project.as_str()))
            .collect();
        projects.dedup_by_key(|p| p.0);
        if projects.len() < min {
            continue;
        }
        let codes: Vec<RegionCode> = bs.iter().map(|b| b.region).collect();
        let Some(region) = common_region(&codes) else {
            continue;
        };
        let mut villages: Vec<String> = codes.iter().map(|c| input.name(c)).collect();
        villages.sort_unstable();
        villages.dedup();
        let mut names: Vec<&str> = bs.iter().map(|b| b.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let masked = masked_id(&id);
        let project_list: Vec<&str> = projects.iter().map(|p| p.1).collect();
        let mut h = Hit::new(
            id_key(&id),
            region,
            format!(
                "身份证号 {}（{}）在 {} 个项目中登记为受益户：{}；所在村：{}。",
                masked,
                names.join("、"),
                projects.len(),
                project_list.join("、"),
                villages.join("、")
            ),
            format!(
                "The ID number {} ({}) is recorded as a beneficiary in {} projects: {}; in the villages {}.",
                masked,
                names.join(", "),
                projects.len(),
                project_list.join(", "),
                villages.join(", ")
            ),
        )
        .figure("身份证号（遮蔽）", "ID number (masked)", masked)
        .figure("项目数", "Projects", projects.len().to_string())
        .figure("所在村", "Villages", villages.join(" "))
        .figure("共同区划", "Common region", input.name(&region));
        for b in &bs {
            h = h.row("project_beneficiaries", b.id);
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
        let a = id_number("53292119800101001");
        let b = id_number("53292119810101002");
        Input {
            today: d("2026-06-01"),
            beneficiaries: vec![
                beneficiary(3, 5, VILLAGE, "李四", &a),
                beneficiary(4, 6, VILLAGE2, "李 四", &a.to_lowercase()),
                beneficiary(7, 5, VILLAGE, "王五", &b),
                beneficiary(8, 6, VILLAGE, "", ""),
                beneficiary(9, 7, VILLAGE, "", ""),
            ],
            ..Input::default()
        }
    }

    #[test]
    fn hit_one_number_in_two_projects_of_two_villages() {
        let a = id_number("53292119800101001");
        let hits = RULE.run(&input(), &defaults(&RULE));
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!(h.key, id_key(&a));
        assert!(h.key.starts_with("id:") && !h.key.contains(&a));
        assert_eq!(h.region, code(TOWNSHIP));
        assert_eq!(h.evidence.rows.len(), 2);
        assert!(!h.evidence.zh.contains(&a) && !h.evidence.en.contains(&a));
        assert!(h.evidence.figures.iter().all(|f| !f.value.contains(&a)));
        assert!(h.evidence.en.contains(VILLAGE2));
    }

    #[test]
    fn miss_with_three_projects_needed_or_two_records_in_one_project() {
        assert!(
            RULE.run(&input(), &with(&RULE, "min_projects", 3))
                .is_empty()
        );
        let mut i = input();
        for b in &mut i.beneficiaries {
            b.project_id = 5;
        }
        assert!(RULE.run(&i, &defaults(&RULE)).is_empty());
    }

    #[test]
    fn common_region_is_the_deepest_shared() {
        assert_eq!(
            common_region(&[code(VILLAGE), code(VILLAGE)]),
            Some(code(VILLAGE))
        );
        assert_eq!(
            common_region(&[code(VILLAGE), code(VILLAGE2)]),
            Some(code(TOWNSHIP))
        );
        assert_eq!(
            common_region(&[code(VILLAGE), code("529121101201")]),
            Some(code(COUNTY))
        );
        assert_eq!(common_region(&[]), None);
    }
}

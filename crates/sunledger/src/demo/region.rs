//! The demo's region tree: province, city, seven counties, their townships and villages.
use super::{CITY, COUNTIES, City, Rng};
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_store::{NewRegion, Store};

const SYL1: [&str; 24] = [
    "大", "小", "上", "下", "东", "西", "南", "北", "新", "老", "高", "长", "黄", "白", "青", "红",
    "金", "石", "沙", "马", "龙", "凤", "桃", "柳",
];
const SYL2: [&str; 24] = [
    "坝", "坪", "寨", "沟", "岭", "山", "河", "湾", "塘", "田", "冲", "坡", "林", "桥", "庄", "营",
    "溪", "岩", "屯", "堡", "关", "峰", "洞", "口",
];

fn place_name(rng: &mut Rng, used: &mut std::collections::HashSet<String>) -> String {
    loop {
        let n = format!("{}{}", rng.pick(&SYL1), rng.pick(&SYL2));
        if used.insert(n.clone()) {
            return n;
        }
    }
}

/// The demo's regions: province, city, counties, townships and villages.
pub fn regions() -> Result<Vec<NewRegion>> {
    let mut rng = Rng(2026);
    let mut out = vec![
        NewRegion {
            code: RegionCode::parse("52")?,
            name: "黔山省".into(),
        },
        NewRegion {
            code: RegionCode::parse(CITY)?,
            name: "青山市".into(),
        },
    ];
    for (county, county_name, townships) in COUNTIES {
        out.push(NewRegion {
            code: RegionCode::parse(county)?,
            name: county_name.into(),
        });
        let mut used = std::collections::HashSet::new();
        for t in 0..townships {
            // A few sub-districts in the urban district, towns and townships elsewhere.
            let (seg, suffix) = if county == "529102" && t < 4 {
                (1 + t, "街道")
            } else if t % 3 == 2 {
                (200 + t, "乡")
            } else {
                (100 + t, "镇")
            };
            let tcode = RegionCode::parse(&format!("{county}{seg:03}"))?;
            out.push(NewRegion {
                code: tcode,
                name: format!("{}{suffix}", place_name(&mut rng, &mut used)),
            });
            let villages = 11 + (rng.next() % 7) as usize;
            let mut vused = std::collections::HashSet::new();
            for v in 0..villages {
                let (vseg, vsuffix) = if v == 0 {
                    (1, "社区")
                } else {
                    (200 + v, "村")
                };
                let vcode = RegionCode::parse(&format!("{}{vseg:03}", tcode.prefix()))?;
                out.push(NewRegion {
                    code: vcode,
                    name: format!("{}{vsuffix}", place_name(&mut rng, &mut vused)),
                });
            }
        }
    }
    Ok(out)
}

/// Books the regions.
pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    store
        .upsert_regions(&city.regions, city.now)
        .await
        .context("loading demo regions")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::ACCOUNTS;
    use super::*;
    use sunledger_core::Level;

    #[test]
    fn demo_city_has_the_promised_shape() {
        let rs = regions().unwrap_or_default();
        let count = |l: Level| rs.iter().filter(|r| r.code.level() == l).count();
        assert_eq!(count(Level::County), 7);
        assert!(
            (90..=110).contains(&count(Level::Township)),
            "{}",
            count(Level::Township)
        );
        assert!(
            (1300..=1500).contains(&count(Level::Village)),
            "{}",
            count(Level::Village)
        );
        let mut codes: Vec<_> = rs.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), rs.len(), "codes are unique");
        for r in &rs {
            if let Some(p) = r.code.parent() {
                assert!(
                    codes.binary_search(&p).is_ok(),
                    "parent of {} missing",
                    r.code
                );
            }
        }
        for a in &ACCOUNTS {
            let c = RegionCode::parse(a.region).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                codes.binary_search(&c).is_ok(),
                "{} has no region",
                a.username
            );
        }
    }
}

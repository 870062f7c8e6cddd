//! The demo's household register (two townships of each featured county), quarterly
//! inspections (with two counties behind) and the municipal spot-check draw.
use super::{City, DAY};
use anyhow::{Context, Result};
use sunledger_core::day;
use sunledger_core::inspection::{Quarter, SampleRules};
use sunledger_core::{DepartmentKind, IdNumber, Level, RegionCode};
use sunledger_store::{NewHousehold, NewInspection, Store};

/// The counties whose officials have demo accounts: 云岭县 first (its township and village have
/// the demo's township and village accounts), then 石门县.
const FEATURED: [&str; 2] = ["529121", "529122"];
const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "罗",
];
const GIVEN: [&str; 16] = [
    "德明", "秀英", "建国", "玉兰", "志强", "桂芳", "国华", "春梅", "永福", "金凤", "正清", "兰英",
    "有才", "翠花", "文忠", "小红",
];

fn pick<'a>(xs: &[&'a str], n: usize) -> &'a str {
    xs.get(n % xs.len().max(1)).copied().unwrap_or("")
}

/// A valid resident ID number of someone born in the county, from a serial.
fn id_number(county: &str, serial: u64) -> Result<IdNumber> {
    let year = 1950 + serial % 50;
    let month = 1 + serial % 12;
    let dayn = 1 + serial % 28;
    let first17 = format!(
        "{county}{year:04}{month:02}{dayn:02}{:03}",
        (serial / 7) % 1000
    );
    let c = IdNumber::check_char(&first17).context("check character")?;
    Ok(IdNumber::parse(&format!("{first17}{c}"))?)
}

/// What the later parts of the supervision record build on.
pub(super) struct Inspected {
    /// The featured counties (see [`FEATURED`]).
    pub(super) featured: Vec<RegionCode>,
    /// The featured county's inspection that found the Book 3 problems.
    pub(super) featured_inspection: Option<i64>,
}

/// Loads the household register, the inspections and the draw (after the regions,
/// departments, people and projects). Everything is dated before `now`.
pub(super) async fn load(store: &dyn Store, city: &City) -> Result<Inspected> {
    let now = city.now;
    let today = day::today(now);
    let city = city.code;
    let counties: Vec<RegionCode> = store
        .region_children(&city)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();

    // The household register: every village of two townships in the featured counties.
    let mut households = Vec::new();
    let mut serial = 0u64;
    // The featured counties: those of the demo accounts (云岭县 and 石门县), not the city's
    // district that happens to sort first.
    let featured: Vec<RegionCode> = counties
        .iter()
        .copied()
        .filter(|c| FEATURED.contains(&c.county_code()))
        .collect();
    for county in &featured {
        for township in store.region_children(county).await?.iter().take(2) {
            for v in store.region_children(&township.code).await? {
                if v.level != Level::Village {
                    continue;
                }
                for i in 0..31u64 {
                    serial += 1;
                    households.push(NewHousehold {
                        village: v.code,
                        head_name: format!(
                            "{}{}",
                            pick(&SURNAMES, serial as usize * 7),
                            pick(&GIVEN, serial as usize * 3 + i as usize)
                        ),
                        id_number: id_number(county.county_code(), serial)?,
                        poor: i < 24,
                        size: 1 + (serial % 6) as i64,
                    });
                }
            }
        }
    }
    store
        .create_households(&households, now - 200 * DAY)
        .await
        .context("demo households")?;

    // Quarterly inspections: the last three quarters and the current one; 县 3 missed the last
    // quarter and 县 5 the one before.
    let current = Quarter::of_day(today);
    let quarters = [
        current.prev().prev().prev(),
        current.prev().prev(),
        current.prev(),
        current,
    ];
    let mut featured_inspection = None;
    for (ci, county) in counties.iter().enumerate() {
        for (qi, q) in quarters.iter().enumerate() {
            let behind = (ci == 3 && qi == 2) || (ci == 5 && qi == 1) || (qi == 3 && ci % 2 == 1);
            if behind {
                continue;
            }
            let (first, last) = q.days();
            let done = (first + 40).min(last).min(today - 1);
            if done < first {
                continue;
            }
            let at = now - (today - done) * DAY;
            let ins = store
                .create_inspection(
                    &NewInspection {
                        region: *county,
                        kind: "routine".into(),
                        title: format!("{}年第{}季度扶贫项目资金监督检查", q.year, q.q),
                        team: "县纪委监委（组长单位）、县扶贫移民局、县财政局".into(),
                        lead_departments: vec![
                            DepartmentKind::DisciplineCommission,
                            DepartmentKind::PovertyBureau,
                            DepartmentKind::FinanceBureau,
                        ],
                        targets: format!("region:{}", county.prefix()),
                        planned_on: day::format(done - 5),
                        draw_id: None,
                    },
                    None,
                    at - 3 * DAY,
                )
                .await
                .context("demo inspection")?;
            store
                .complete_inspection(
                    ins.id,
                    &day::format(done),
                    "抽查项目 6 个、农户 40 户；发现资金滞留、公示不到位等问题，已逐一交办。",
                    None,
                    None,
                    at,
                )
                .await?;
            if featured.first() == Some(county) && qi == 2 {
                featured_inspection = Some(ins.id);
            }
        }
    }

    // The municipal bureau's spot-check draw of this month.
    let round = day::format(today).get(..7).unwrap_or("").to_string();
    store
        .create_draw(
            &city,
            &round,
            &format!("青山市{round}公开摇号0457"),
            &SampleRules::default(),
            None,
            None,
            now - DAY,
        )
        .await
        .context("demo spot-check draw")?;
    Ok(Inspected {
        featured,
        featured_inspection,
    })
}

//! The demo city: a fictional but realistically shaped prefecture (青山市, code 5291) with seven
//! counties, about 100 townships and 1,400 villages, their departments and people, resident work
//! teams, and one demo account per role. Everything is derived deterministically, so every demo
//! database is the same.
use anyhow::{Context, Result};
use sunledger_core::department::Position;
use sunledger_core::{DepartmentKind, Level, RegionCode, Role};
use sunledger_store::{
    AuthEventKind, NewAuthEvent, NewDepartment, NewGrant, NewPerson, NewRegion, NewUser, Store,
};

pub const CITY: &str = "529100000000";
/// The password of every demo account (printed at start).
pub const DEMO_PASSWORD: &str = "sunledger-demo";

const COUNTIES: [(&str, &str, usize); 7] = [
    ("529102", "青山区", 10),
    ("529121", "云岭县", 16),
    ("529122", "石门县", 15),
    ("529123", "清水县", 14),
    ("529124", "白岩县", 15),
    ("529125", "松林县", 14),
    ("529126", "龙泉县", 16),
];

const SYL1: [&str; 24] = [
    "大", "小", "上", "下", "东", "西", "南", "北", "新", "老", "高", "长", "黄", "白", "青", "红",
    "金", "石", "沙", "马", "龙", "凤", "桃", "柳",
];
const SYL2: [&str; 24] = [
    "坝", "坪", "寨", "沟", "岭", "山", "河", "湾", "塘", "田", "冲", "坡", "林", "桥", "庄", "营",
    "溪", "岩", "屯", "堡", "关", "峰", "洞", "口",
];

/// A small deterministic generator (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        let n = xs.len().max(1) as u64;
        xs.get((self.next() % n) as usize).copied().unwrap_or("")
    }
}

fn place_name(rng: &mut Rng, used: &mut std::collections::HashSet<String>) -> String {
    loop {
        let n = format!("{}{}", rng.pick(&SYL1), rng.pick(&SYL2));
        if used.insert(n.clone()) {
            return n;
        }
    }
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "龙", "杜",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "华", "平", "刚", "桂英",
];

fn person_name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
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

fn department_name(kind: DepartmentKind, region_name: &str, level: Level) -> String {
    let township = level == Level::Township;
    match kind {
        DepartmentKind::PartyCommittee => format!("中共{region_name}委员会"),
        DepartmentKind::Government => format!("{region_name}人民政府"),
        DepartmentKind::DisciplineCommission => format!("{region_name}纪委监委"),
        DepartmentKind::FinanceBureau if township => format!("{region_name}财政所"),
        DepartmentKind::FinanceBureau => format!("{region_name}财政局"),
        DepartmentKind::PovertyBureau if township => format!("{region_name}扶贫工作站"),
        DepartmentKind::PovertyBureau => format!("{region_name}扶贫移民局"),
        DepartmentKind::BusinessDepartment if township => format!("{region_name}农业服务中心"),
        DepartmentKind::BusinessDepartment => format!("{region_name}农业农村局"),
        DepartmentKind::VillageCommittee => format!("{region_name}村民委员会"),
        DepartmentKind::VillageDisciplineTeam => format!("{region_name}纪检小组"),
        DepartmentKind::MassSupervisionTeam => format!("{region_name}群众监督小组"),
        DepartmentKind::ResidentWorkTeam => format!("驻{region_name}工作队"),
    }
}

/// A demo account: username, display name, role and the region code it is granted on.
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub region: &'static str,
}

pub const ACCOUNTS: [DemoAccount; 12] = [
    DemoAccount {
        username: "admin",
        display_name: "系统管理员",
        role: Role::Admin,
        region: CITY,
    },
    DemoAccount {
        username: "city.bureau",
        display_name: "市扶贫移民局 周敏",
        role: Role::MunicipalBureau,
        region: CITY,
    },
    DemoAccount {
        username: "city.discipline",
        display_name: "市纪委 何强",
        role: Role::Discipline,
        region: CITY,
    },
    DemoAccount {
        username: "yunling.admin",
        display_name: "云岭县管理员",
        role: Role::Admin,
        region: "529121",
    },
    DemoAccount {
        username: "yunling.party",
        display_name: "云岭县委 王伟",
        role: Role::PartyGovernment,
        region: "529121",
    },
    DemoAccount {
        username: "yunling.discipline",
        display_name: "云岭县纪委 李静",
        role: Role::Discipline,
        region: "529121",
    },
    DemoAccount {
        username: "yunling.finance",
        display_name: "云岭县财政局 张芳",
        role: Role::Finance,
        region: "529121",
    },
    DemoAccount {
        username: "yunling.bureau",
        display_name: "云岭县扶贫移民局 刘洋",
        role: Role::PovertyBureau,
        region: "529121",
    },
    DemoAccount {
        username: "yunling.township",
        display_name: "云岭县乡镇干部 陈杰",
        role: Role::TownshipOfficial,
        region: "529121100",
    },
    DemoAccount {
        username: "yunling.village",
        display_name: "村干部 杨勇",
        role: Role::VillageCadre,
        region: "529121100201",
    },
    DemoAccount {
        username: "yunling.workteam",
        display_name: "第一书记 黄华",
        role: Role::WorkTeam,
        region: "529121100201",
    },
    DemoAccount {
        username: "shimen.finance",
        display_name: "石门县财政局 赵娟",
        role: Role::Finance,
        region: "529122",
    },
];

/// Loads the demo city into `store` unless it is already there. Returns whether it loaded.
pub async fn load(store: &dyn Store, now: i64) -> Result<bool> {
    let city = RegionCode::parse(CITY)?;
    if store.region(&city).await?.is_some() && store.user_by_username("admin").await?.is_some() {
        return Ok(false);
    }
    let regions = regions()?;
    store
        .upsert_regions(&regions, now)
        .await
        .context("loading demo regions")?;

    let mut rng = Rng(7);
    let mut departments = Vec::new();
    for (i, r) in regions.iter().enumerate() {
        let level = r.code.level();
        if level == Level::Province {
            continue;
        }
        for kind in DepartmentKind::standard_for(level) {
            departments.push(NewDepartment {
                region: r.code,
                kind,
                name: department_name(kind, &r.name, level),
                credit_code: None,
                stationed_by: None,
            });
        }
        // Every first 村 of a township and every fourth village have a resident work team sent by a
        // city or county unit.
        if level == Level::Village && (i % 4 == 0 || r.code.as_str().ends_with("201")) {
            departments.push(NewDepartment {
                region: r.code,
                kind: DepartmentKind::ResidentWorkTeam,
                name: department_name(DepartmentKind::ResidentWorkTeam, &r.name, level),
                credit_code: None,
                stationed_by: Some(
                    rng.pick(&[
                        "青山市财政局",
                        "青山市交通运输局",
                        "青山市卫生健康委",
                        "县农业农村局",
                        "县自然资源局",
                    ])
                    .into(),
                ),
            });
        }
    }
    let ids = store
        .create_departments(&departments, now)
        .await
        .context("loading demo departments")?;
    let mut people = Vec::new();
    for (d, id) in departments.iter().zip(&ids) {
        let positions: &[Position] = match d.kind {
            DepartmentKind::ResidentWorkTeam => &[Position::Captain, Position::FirstSecretary],
            DepartmentKind::VillageCommittee => &[Position::Secretary, Position::Director],
            DepartmentKind::VillageDisciplineTeam | DepartmentKind::MassSupervisionTeam => {
                &[Position::Leader]
            }
            _ if d.region.level() == Level::Township => &[Position::Head],
            _ => &[Position::Head, Position::Staff],
        };
        for p in positions {
            people.push(NewPerson {
                department_id: *id,
                name: person_name(&mut rng),
                position: *p,
                phone: None,
            });
        }
    }
    store
        .create_people(&people, now)
        .await
        .context("loading demo people")?;

    let hash =
        sunledger_web::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for a in &ACCOUNTS {
        let region = RegionCode::parse(a.region)?;
        let ev = NewAuthEvent {
            at: now,
            kind: AuthEventKind::UserAdded,
            region: Some(region),
            username: Some(a.username.into()),
            user_id: None,
            actor_id: None,
            ip: None,
            detail: "demo".into(),
        };
        let user = store
            .create_user(
                &NewUser {
                    username: a.username.into(),
                    display_name: a.display_name.into(),
                    password_hash: hash.clone(),
                    region,
                    person_id: None,
                },
                &ev,
            )
            .await
            .with_context(|| format!("creating demo account {}", a.username))?;
        let gev = NewAuthEvent {
            kind: AuthEventKind::Grant,
            user_id: Some(user.id),
            detail: format!("{} @ {}", a.role.key(), region),
            ..ev
        };
        store
            .add_grant(
                &NewGrant {
                    user_id: user.id,
                    role: a.role,
                    region,
                    granted_by: None,
                },
                now,
                &gev,
            )
            .await?;
    }
    ledger(store, now)
        .await
        .context("loading the demo ledger")?;
    Ok(true)
}

/// The demo's fund ledger: central funds received by the city and passed down to every county
/// (one county has not confirmed receipt yet), county budget funds passed to townships, projects
/// with money arranged to them, payments in every state, and one suspension.
async fn ledger(store: &dyn Store, now: i64) -> Result<()> {
    use sunledger_core::ledger::{FiscalYear, FundSource, PaymentAction, TransferKind};
    use sunledger_core::money::Money;
    use sunledger_store::{NewFund, NewProject, NewTransfer, Owner, SuspensionTarget};
    let yuan = |s: &str| Money::parse_yuan(s);
    let year = FiscalYear::new(2026)?;
    let city = RegionCode::parse(CITY)?;
    let (central, _) = store
        .create_fund(
            &NewFund {
                client_id: "demo-fund-central-2026".into(),
                region: city,
                source: FundSource::CentralSpecial,
                fiscal_year: year,
                document_no: "黔财农〔2026〕12号".into(),
                name: "2026年中央财政专项扶贫资金".into(),
                detention_days: 30,
                amount: yuan("120000000.00")?,
                booked_on: "2026-03-02".into(),
                actor: None,
            },
            now,
        )
        .await?;
    let transfer = |client_id: String,
                    fund_id: i64,
                    kind: TransferKind,
                    from: Owner,
                    to: Option<Owner>,
                    amount: Money,
                    on: &str,
                    doc: String,
                    purpose: &str| NewTransfer {
        client_id,
        fund_id,
        kind,
        from: Some(from),
        to,
        payee: None,
        amount,
        booked_on: on.into(),
        document_no: doc,
        purpose: purpose.into(),
        actor: None,
        reverses: None,
    };
    for (i, (county, county_name, _)) in COUNTIES.iter().enumerate() {
        let county = RegionCode::parse(county)?;
        let t = store
            .book_transfer(
                &transfer(
                    format!("demo-approp-{county}"),
                    central.id,
                    TransferKind::Appropriate,
                    Owner::Region(city),
                    Some(Owner::Region(county)),
                    yuan("15000000.00")?,
                    "2026-03-10",
                    format!("青财农〔2026〕{}号", 20 + i),
                    "下达2026年中央财政专项扶贫资金",
                ),
                now,
            )
            .await?;
        // 石门县 has not confirmed receipt: the reconciliation shows the difference.
        if county.as_str() != "529122000000" {
            store.confirm_receipt(t.id, "2026-03-12", None, now).await?;
        }
        let (county_fund, _) = store
            .create_fund(
                &NewFund {
                    client_id: format!("demo-fund-county-{county}"),
                    region: county,
                    source: FundSource::CountyBudget,
                    fiscal_year: year,
                    document_no: format!("{county_name}财预〔2026〕3号"),
                    name: format!("{county_name}2026年本级财政扶贫资金"),
                    detention_days: 30,
                    amount: yuan("5000000.00")?,
                    booked_on: "2026-03-15".into(),
                    actor: None,
                },
                now,
            )
            .await?;
        let townships = store.region_children(&county).await?;
        for (j, t) in townships.iter().take(3).enumerate() {
            let tr = store
                .book_transfer(
                    &transfer(
                        format!("demo-approp-{}", t.code),
                        county_fund.id,
                        TransferKind::Appropriate,
                        Owner::Region(county),
                        Some(Owner::Region(t.code)),
                        yuan("1000000.00")?,
                        "2026-04-01",
                        format!("{county_name}财农〔2026〕{}号", 40 + j),
                        "下达乡镇产业扶贫资金",
                    ),
                    now,
                )
                .await?;
            store
                .confirm_receipt(tr.id, "2026-04-03", None, now)
                .await?;
        }
        // Two projects in the first township's first village, funded from the central fund.
        let Some(first_township) = townships.first() else {
            continue;
        };
        let villages = store.region_children(&first_township.code).await?;
        let Some(village) = villages.get(1).or(villages.first()) else {
            continue;
        };
        for (k, pname) in [
            format!("{}肉牛养殖产业项目", village.name),
            format!("{}通组公路硬化项目", village.name),
        ]
        .iter()
        .enumerate()
        {
            let p = store
                .create_project(
                    &NewProject {
                        region: village.code,
                        name: pname.clone(),
                        fiscal_year: year,
                    },
                    now,
                )
                .await?;
            if county.as_str() == "529122000000" {
                continue; // money still in transit to 石门县
            }
            store
                .book_transfer(
                    &transfer(
                        format!("demo-arrange-{}", p.id),
                        central.id,
                        TransferKind::Arrange,
                        Owner::Region(county),
                        Some(Owner::Project(p.id)),
                        yuan("800000.00")?,
                        "2026-04-20",
                        format!("{county_name}扶贫〔2026〕{}号", 60 + k),
                        "安排项目资金",
                    ),
                    now,
                )
                .await?;
            let pay = |n: usize, amount: Money, payee: &str| NewTransfer {
                payee: Some(payee.into()),
                ..transfer(
                    format!("demo-pay-{}-{n}", p.id),
                    central.id,
                    TransferKind::Disburse,
                    Owner::Project(p.id),
                    None,
                    amount,
                    "2026-05-15",
                    format!("{county_name}支付〔2026〕{}号", p.id * 10 + n as i64),
                    "工程进度款",
                )
            };
            let paid = store
                .book_transfer(
                    &pay(
                        1,
                        yuan("300000.00")?,
                        &format!("{county_name}宏达建筑工程有限公司"),
                    ),
                    now,
                )
                .await?;
            store
                .payment_action(paid.id, PaymentAction::Pay, "2026-05-20", "", None, now)
                .await?;
            let held = store
                .book_transfer(
                    &pay(
                        2,
                        yuan("120000.00")?,
                        &format!("{}养殖专业合作社", village.name),
                    ),
                    now,
                )
                .await?;
            if i % 2 == 0 {
                store
                    .payment_action(held.id, PaymentAction::Hold, "2026-05-22", "", None, now)
                    .await?;
            }
        }
    }
    // 龙泉县: payments in one town suspended after an inspection.
    let longquan = RegionCode::parse("529126")?;
    store
        .suspend(
            &SuspensionTarget::Region(RegionCode::parse("529126100")?),
            &longquan,
            "专项检查发现项目资金违规使用，暂停拨付",
            "龙财监〔2026〕7号",
            None,
            now,
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

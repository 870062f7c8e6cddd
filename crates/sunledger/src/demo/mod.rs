//! The demo city: a fictional but realistically shaped prefecture (青山市, code 5291) with seven
//! counties, about 100 townships and 1,400 villages, their departments and people, resident work
//! teams, one demo account per role, a fund ledger, and a project library of about 190 projects
//! (most in 云岭县 and 石门县) in every stage and status with their Book 2 and the year's
//! responsibility letters. Everything is derived deterministically from seeds; the library's
//! dates count back from the `now` given to [`load`], so its notices have run their course and
//! nothing is dated in the future.
use anyhow::{Context, Result};
use sunledger_core::department::Position;
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::{DepartmentKind, Level, RegionCode, Role};
use sunledger_store::{
    AuthEventKind, NewAuthEvent, NewDepartment, NewGrant, NewPerson, NewRegion, NewUser, Store,
};

mod inspection;

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
    let mut lib = Library::new(store, now).await?;
    ledger(store, now, &mut lib)
        .await
        .context("loading the demo ledger")?;
    lib.generate()
        .await
        .context("loading the demo project library")?;
    inspection::load(store, now)
        .await
        .context("loading the demo supervision record")?;
    Ok(true)
}

/// The demo's fund ledger: central funds received by the city and passed down to every county
/// (one county has not confirmed receipt yet), county budget funds passed to townships, two
/// library projects per county (approved through the notice and in progress, made by `lib`) with
/// money arranged to them, payments in every state, and one suspension.
async fn ledger(store: &dyn Store, now: i64, lib: &mut Library<'_>) -> Result<()> {
    use sunledger_core::ledger::{FiscalYear, FundSource, PaymentAction, TransferKind};
    use sunledger_core::money::Money;
    use sunledger_store::{NewFund, NewTransfer, Owner, SuspensionTarget};
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
        for (k, (pname, category)) in [
            (
                format!("{}肉牛养殖产业项目", village.name),
                Category::Industry,
            ),
            (
                format!("{}通组公路硬化项目", village.name),
                Category::Infrastructure,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let p = lib.ledger_project(&village.code, &pname, category).await?;
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

// --- The project library and Book 2 ----------------------------------------------------------

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Projects per county in the demo library, and whether the county is featured. The featured
/// counties (云岭县, 石门县) get most projects, and their first township's projects (with the demo
/// village) and one in six of the others full records: several milestones, every responsible
/// role, beneficiaries, objections answered during the notice, revisions, handovers. Other
/// projects get lean records (one milestone, two responsible persons). Every store call is a
/// transaction of its own (1.5-3 ms on SQLite, most of it the commit's fsync; about 1,500 calls
/// in all), so these counts keep what the library adds to `load` to about 2 s.
const LIBRARY: [(&str, usize, bool); 7] = [
    ("529102", 8, false),
    ("529121", 76, true),
    ("529122", 60, true),
    ("529123", 8, false),
    ("529124", 8, false),
    ("529125", 8, false),
    ("529126", 8, false),
];

/// The demo village cadre's village: it gets a project in every stage.
const FEATURED_VILLAGE: &str = "529121100201";

/// Where a demo project ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Draft,
    Declared,
    ReturnedToVillage,
    /// Under notice since `days` days, with `objections` recorded of which `answered` answered.
    Noticed {
        days: i64,
        objections: u8,
        answered: u8,
    },
    ReturnedToTownship,
    /// In the library (recorded with the city or not), in an implementation status.
    Library {
        recorded: bool,
        status: Status,
    },
    Revoked,
}

use Scenario as S;
use sunledger_core::project::{
    Budget, Category, Content, ResponsibleRole, StageAction, Status, StatusAction, Targets,
};

const fn lib(recorded: bool, status: Status) -> Scenario {
    S::Library { recorded, status }
}
const fn noticed(days: i64, objections: u8, answered: u8) -> Scenario {
    S::Noticed {
        days,
        objections,
        answered,
    }
}

/// The mix of outcomes, cycled through each county's projects.
const PATTERN: [Scenario; 24] = [
    lib(false, Status::InProgress),
    lib(true, Status::InProgress),
    noticed(3, 0, 0),
    lib(false, Status::Planned),
    lib(true, Status::Completed),
    S::Declared,
    lib(true, Status::Accepted),
    noticed(12, 1, 1),
    lib(false, Status::InProgress),
    S::Draft,
    lib(true, Status::Evaluated),
    S::ReturnedToVillage,
    lib(true, Status::InProgress),
    noticed(6, 2, 1),
    lib(false, Status::Completed),
    S::ReturnedToTownship,
    lib(true, Status::Planned),
    lib(true, Status::Evaluated),
    S::Declared,
    S::Revoked,
    lib(false, Status::Accepted),
    noticed(13, 1, 0),
    lib(true, Status::InProgress),
    S::Draft,
];

/// The featured village's own projects: one in every stage and status (besides the two projects
/// of the demo ledger, approved and in progress).
const FEATURED: [Scenario; 12] = [
    S::Draft,
    S::Declared,
    S::ReturnedToVillage,
    noticed(4, 1, 0),
    noticed(12, 1, 1),
    S::ReturnedToTownship,
    lib(false, Status::Planned),
    lib(true, Status::InProgress),
    lib(true, Status::Completed),
    lib(true, Status::Accepted),
    lib(true, Status::Evaluated),
    S::Revoked,
];

/// A kind of project: its name (after the village's name), outputs (`{n}` is drawn from `n`,
/// `{h}` is the households), the income effect (`{m}` drawn from `m`), households and budget in
/// units of 10,000 yuan (万元).
struct Template {
    category: Category,
    name: &'static str,
    outputs: &'static str,
    n: (i64, i64),
    income: &'static str,
    m: (i64, i64),
    households: (i64, i64),
    wan: (i64, i64),
}

#[allow(clippy::too_many_arguments)]
const fn t(
    category: Category,
    name: &'static str,
    outputs: &'static str,
    n: (i64, i64),
    income: &'static str,
    m: (i64, i64),
    households: (i64, i64),
    wan: (i64, i64),
) -> Template {
    Template {
        category,
        name,
        outputs,
        n,
        income,
        m,
        households,
        wan,
    }
}

const GAIN: &str = "带动受益户户均年增收 {m} 元";
#[rustfmt::skip]
const TEMPLATES: [Template; 37] = [
    t(Category::Industry, "肉牛养殖产业项目", "新建标准化牛舍 {n} 平方米及青贮池，购置能繁母牛", (600, 2000), GAIN, (1500, 4000), (20, 80), (60, 200)),
    t(Category::Industry, "茶园提质增效项目", "改造低产茶园 {n} 亩，新建茶叶初制厂房 1 座", (200, 1200), GAIN, (1200, 3000), (40, 200), (50, 180)),
    t(Category::Industry, "食用菌种植基地建设项目", "新建食用菌种植大棚 {n} 个及配套冷库", (20, 80), GAIN, (2000, 5000), (20, 90), (40, 120)),
    t(Category::Industry, "精品水果种植项目", "种植精品水果 {n} 亩，配套水肥一体化设施", (100, 600), GAIN, (1000, 3000), (30, 150), (30, 120)),
    t(Category::Industry, "中药材种植基地项目", "种植中药材 {n} 亩", (200, 1000), GAIN, (800, 2500), (40, 160), (25, 90)),
    t(Category::Industry, "林下生态养鸡项目", "林下养殖生态鸡 {n} 羽，新建鸡舍 6 栋", (5000, 30000), GAIN, (1000, 3000), (20, 100), (15, 60)),
    t(Category::Industry, "村级光伏电站项目", "建设村级光伏电站 {n} 千瓦", (100, 300), "村集体经济年增收 {m} 元，收益用于公益岗位和受益户分红", (60000, 200000), (30, 120), (60, 200)),
    t(Category::Industry, "蔬菜大棚建设项目", "新建钢架蔬菜大棚 {n} 亩", (30, 200), GAIN, (1500, 4000), (20, 100), (40, 150)),
    t(Category::Industry, "刺梨种植项目", "种植刺梨 {n} 亩，配套产业便道", (300, 1500), GAIN, (800, 2000), (50, 200), (30, 100)),
    t(Category::Industry, "农产品冷链仓储项目", "建设冷库 {n} 立方米及分拣车间", (500, 3000), "农产品损耗率降低，带动户均年增收 {m} 元", (500, 1500), (80, 300), (80, 250)),
    t(Category::Infrastructure, "通组公路硬化项目", "硬化通组公路 {n} 公里，路面宽 4.5 米", (2, 12), "户均年节约运输成本 {m} 元，解决 {h} 户出行难", (300, 1200), (60, 300), (80, 400)),
    t(Category::Infrastructure, "人饮安全巩固提升工程", "新建蓄水池 {n} 座，铺设供水管网", (2, 8), "巩固提升 {h} 户饮水安全，自来水普及率达 100%", (0, 0), (50, 300), (30, 120)),
    t(Category::Infrastructure, "产业路建设项目", "新建产业路 {n} 公里", (2, 10), "降低产业基地运输成本，户均年增收 {m} 元", (300, 1000), (40, 200), (60, 300)),
    t(Category::Infrastructure, "串户路硬化项目", "硬化串户路 {n} 米", (1500, 8000), "改善 {h} 户出行条件", (0, 0), (40, 200), (20, 80)),
    t(Category::Infrastructure, "农田灌溉渠道修缮项目", "修缮灌溉渠道 {n} 米", (2000, 9000), "改善灌溉面积，户均年增收 {m} 元", (300, 900), (60, 250), (30, 150)),
    t(Category::Infrastructure, "便民桥建设项目", "新建便民桥 {n} 座", (1, 3), "解决 {h} 户群众雨季出行难", (0, 0), (40, 200), (40, 160)),
    t(Category::Infrastructure, "小水窖建设项目", "新建小水窖 {n} 口", (30, 150), "解决 {h} 户生产生活用水", (0, 0), (30, 150), (15, 60)),
    t(Category::Relocation, "易地扶贫搬迁集中安置点配套设施项目", "配套建设安置点道路、给排水和公共服务设施，安置 {h} 户", (0, 0), "搬迁户就近就业，户均年增收 {m} 元", (3000, 8000), (80, 600), (300, 1500)),
    t(Category::Relocation, "安置点扶贫车间建设项目", "新建扶贫车间 {n} 平方米", (1000, 5000), "吸纳搬迁劳动力就业，人均月收入 {m} 元", (1800, 3000), (60, 300), (100, 400)),
    t(Category::Relocation, "搬迁户旧房拆除复垦项目", "拆除搬迁户旧房并复垦 {n} 亩", (50, 300), "复垦耕地流转，户均年增收 {m} 元", (300, 800), (40, 200), (50, 200)),
    t(Category::Relocation, "安置社区服务中心建设项目", "新建社区服务中心 {n} 平方米", (800, 3000), "为 {h} 户搬迁群众提供就业、医疗和教育服务", (0, 0), (150, 800), (150, 500)),
    t(Category::Education, "教学点改扩建项目", "改扩建教学用房 {n} 平方米", (300, 1200), "改善 {h} 户适龄儿童就近入学条件", (0, 0), (40, 200), (60, 250)),
    t(Category::Education, "村级幼儿园建设项目", "新建幼儿园 1 所，可容纳幼儿 {n} 名", (60, 180), "适龄幼儿就近入园", (0, 0), (50, 180), (80, 300)),
    t(Category::Education, "雨露计划职业教育补助项目", "资助职业院校在读学生 {n} 人", (20, 120), "每生每学期补助 1500 元，毕业生就业后户均年增收 {m} 元", (10000, 30000), (20, 120), (6, 36)),
    t(Category::Health, "村卫生室标准化建设项目", "新建标准化村卫生室 {n} 平方米", (80, 200), "群众小病不出村，户均年减少就医支出 {m} 元", (200, 600), (80, 400), (15, 50)),
    t(Category::Health, "家庭医生签约服务项目", "签约服务贫困人口 {n} 人", (200, 1500), "慢病患者规范管理率达 90%", (0, 0), (80, 400), (5, 25)),
    t(Category::Health, "村卫生室设备配置项目", "配置诊疗设备 {n} 台（套）", (10, 40), "户均年减少就医支出 {m} 元", (200, 500), (80, 400), (5, 20)),
    t(Category::Employment, "劳动力转移就业培训项目", "开展转移就业技能培训 {n} 人次", (50, 300), "培训后转移就业人均年增收 {m} 元", (6000, 15000), (40, 200), (5, 30)),
    t(Category::Employment, "扶贫公益性岗位开发项目", "开发护路、保洁、管水等公益性岗位 {n} 个", (10, 60), "每个岗位每月补贴 {m} 元", (500, 1000), (10, 60), (10, 60)),
    t(Category::Employment, "农村电商服务站项目", "建设村级电商服务站 1 个，培训电商人员 {n} 人", (20, 80), "农产品线上销售，户均年增收 {m} 元", (500, 1500), (30, 150), (10, 40)),
    t(Category::Ecology, "生态护林员项目", "选聘建档立卡贫困人口生态护林员 {n} 名", (10, 60), "护林员每人每年劳务报酬 {m} 元", (8000, 10000), (10, 60), (10, 60)),
    t(Category::Ecology, "石漠化综合治理项目", "治理石漠化面积 {n} 亩", (500, 3000), "林草植被覆盖率提高，户均年增收 {m} 元", (300, 800), (60, 300), (50, 250)),
    t(Category::Ecology, "退耕还林补助项目", "实施退耕还林 {n} 亩", (200, 1500), "退耕户每亩补助 1200 元，户均年增收 {m} 元", (500, 1500), (50, 250), (30, 180)),
    t(Category::Ecology, "人居环境整治项目", "新建垃圾收集池 {n} 个，整治村庄环境", (10, 40), "村庄环境明显改善", (0, 0), (80, 400), (20, 80)),
    t(Category::Other, "村集体经济发展项目", "发展村集体经济合作社 1 个，入社农户 {h} 户", (0, 0), "村集体经济年收入达到 {m} 元", (50000, 150000), (40, 200), (30, 100)),
    t(Category::Other, "扶贫小额信贷贴息项目", "为 {h} 户贫困户提供扶贫小额信贷贴息", (0, 0), "支持发展生产，户均年增收 {m} 元", (1000, 3000), (30, 150), (10, 50)),
    t(Category::Other, "村级综合服务中心建设项目", "新建村级综合服务中心 {n} 平方米", (200, 600), "为 {h} 户群众提供便民服务", (0, 0), (80, 400), (40, 120)),
];

/// Category shares of the library, percent.
const CATEGORY_WEIGHTS: [(Category, u64); 8] = [
    (Category::Industry, 30),
    (Category::Infrastructure, 30),
    (Category::Relocation, 5),
    (Category::Education, 7),
    (Category::Health, 7),
    (Category::Employment, 8),
    (Category::Ecology, 8),
    (Category::Other, 5),
];

/// Milestones (name, weight) of a category's projects.
fn milestones(c: Category) -> &'static [(&'static str, i64)] {
    match c {
        Category::Industry => &[
            ("基地平整和圈舍（大棚）建设", 40),
            ("种苗、畜禽采购发放", 40),
            ("技术培训和指导", 20),
        ],
        Category::Infrastructure | Category::Relocation => &[
            ("勘察设计和招标", 15),
            ("主体工程施工", 65),
            ("完工自验和资料整理", 20),
        ],
        Category::Education | Category::Health => {
            &[("招标采购", 30), ("建设和设备安装", 50), ("投入使用", 20)]
        }
        Category::Employment => &[("摸底报名", 20), ("组织实施", 60), ("就业跟踪", 20)],
        Category::Ecology => &[("作业设计", 20), ("治理施工", 60), ("管护检查", 20)],
        Category::Other => &[("方案制定", 30), ("资金拨付和实施", 70)],
    }
}

const OBJECTIONS: [(&str, &str, &str); 4] = [
    (
        "第三村民小组村民",
        "项目选址占用我家承包地，补偿标准没有公示。",
        "经乡镇核实，占地已按县定标准补偿，补偿协议和标准已在村务公开栏张贴。",
    ),
    (
        "匿名群众（12317 热线转办）",
        "受益户名单中有两户家有小车和县城商品房，不应享受。",
        "经逐户核查并比对车辆、房产信息，其中一户不符合条件，已从名单中删除并重新公示。",
    ),
    (
        "村民代表",
        "施工单位怎么选的不清楚，希望公开招标结果。",
        "项目按规定公开招标，中标结果已在县公共资源交易中心网站和村务公开栏公示。",
    ),
    (
        "第五村民小组组长",
        "建议将道路延伸至第五村民小组，方便 20 户群众出行。",
        "已纳入下一年度项目库统筹考虑，本项目按村民代表大会决议实施。",
    ),
];

/// Day-relative times: the store takes "today" from the time it is given.
struct Clock {
    now: i64,
    today: i64,
}

impl Clock {
    /// The Unix time of `day` (at the time of day of `now`), never after `now`.
    fn at(&self, day: i64) -> i64 {
        self.now - (self.today - day).max(0) * DAY
    }
    /// `YYYY-MM-DD` of `day`, never after today.
    fn date(&self, day: i64) -> String {
        sunledger_core::day::format(day.min(self.today))
    }
    fn year(&self, day: i64) -> i64 {
        sunledger_core::day::format(day.min(self.today))
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(2026)
    }
}

/// The accounts that take the demo's steps where their grants reach.
#[derive(Default)]
struct Actors {
    village: Option<i64>,
    township: Option<i64>,
    bureau: Option<i64>,
    city: Option<i64>,
}

/// Builds the demo's project library through the store's own operations, dated in the past
/// relative to `now`.
pub(crate) struct Library<'a> {
    store: &'a dyn Store,
    clock: Clock,
    rng: Rng,
    names: std::collections::HashMap<RegionCode, String>,
    /// People by region: (department kind, person), cached.
    people: std::collections::HashMap<RegionCode, Vec<(DepartmentKind, sunledger_store::Person)>>,
    actors: Actors,
    /// Names taken per village, so a village has no two projects of one name.
    taken: std::collections::HashSet<(RegionCode, String)>,
    /// A counter spreading the extras of rich projects (revisions, handovers, beneficiaries).
    extras: u64,
}

/// One project to build.
struct Planned {
    content: Content,
    scenario: Scenario,
    /// The day the village declared it (or registered the draft).
    declared: i64,
    /// Full records (see [`LIBRARY`]).
    rich: bool,
}

impl<'a> Library<'a> {
    pub(crate) async fn new(store: &'a dyn Store, now: i64) -> Result<Library<'a>> {
        let mut actors = Actors::default();
        for (name, slot) in [
            ("yunling.village", &mut actors.village),
            ("yunling.township", &mut actors.township),
            ("yunling.bureau", &mut actors.bureau),
            ("city.bureau", &mut actors.city),
        ] {
            *slot = store.user_by_username(name).await?.map(|u| u.id);
        }
        Ok(Library {
            store,
            clock: Clock {
                now,
                today: sunledger_core::day::today(now),
            },
            rng: Rng(11),
            names: regions()?.into_iter().map(|r| (r.code, r.name)).collect(),
            people: std::collections::HashMap::new(),
            actors,
            taken: std::collections::HashSet::new(),
            extras: 0,
        })
    }

    fn range(&mut self, (lo, hi): (i64, i64)) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.rng.next() % span).unwrap_or(0)
    }

    fn name_of(&self, code: &RegionCode) -> String {
        self.names.get(code).cloned().unwrap_or_default()
    }

    /// The actor for a step at `level` on a project in `village` (a demo account whose grant
    /// covers it, else none).
    fn actor(&self, level: Level, village: &RegionCode) -> Option<i64> {
        let v = village.as_str();
        match level {
            Level::Village if v == FEATURED_VILLAGE => self.actors.village,
            Level::Township if v.starts_with("529121100") => self.actors.township,
            Level::County if v.starts_with("529121") => self.actors.bureau,
            Level::City => self.actors.city,
            _ => None,
        }
    }

    async fn people_at(
        &mut self,
        region: &RegionCode,
    ) -> Result<&[(DepartmentKind, sunledger_store::Person)]> {
        if !self.people.contains_key(region) {
            let mut all = Vec::new();
            for d in self.store.departments_in(region).await? {
                let kind = DepartmentKind::parse(&d.kind)?;
                for p in self.store.people_in_department(d.id).await? {
                    all.push((kind, p));
                }
            }
            self.people.insert(*region, all);
        }
        Ok(self.people.get(region).map(Vec::as_slice).unwrap_or(&[]))
    }

    /// The `nth` person (cycling) at `region` in one of `kinds` holding one of `positions`.
    async fn person(
        &mut self,
        region: &RegionCode,
        kinds: &[DepartmentKind],
        positions: &[Position],
        nth: usize,
    ) -> Result<Option<i64>> {
        let found: Vec<i64> = self
            .people_at(region)
            .await?
            .iter()
            .filter(|(k, p)| kinds.contains(k) && positions.iter().any(|x| x.key() == p.position))
            .map(|(_, p)| p.id)
            .collect();
        Ok(match found.len() {
            0 => None,
            n => found.get(nth % n).copied(),
        })
    }

    /// Content for a new project of `template` in `village`.
    fn content(&mut self, village: &RegionCode, tpl: &Template, declared: i64) -> Result<Content> {
        let vname = self.name_of(village);
        let mut name = format!("{vname}{}", tpl.name);
        if !self.taken.insert((*village, name.clone())) {
            name = format!("{vname}{}（二期）", tpl.name);
            self.taken.insert((*village, name.clone()));
        }
        let households = self.range(tpl.households);
        let n = self.range(tpl.n);
        let m = self.range(tpl.m);
        let fill = |s: &str| {
            s.replace("{n}", &n.to_string())
                .replace("{m}", &m.to_string())
                .replace("{h}", &households.to_string())
        };
        // Budget: a total in hundreds of yuan, mostly central special funds.
        let total_hundreds = self.range(tpl.wan) * 100 + self.range((0, 99));
        let central_pct = self.range((50, 85));
        let central = total_hundreds * central_pct / 100;
        let mut rest = total_hundreds - central;
        let mut lines = vec![(FundSource::CentralSpecial, central)];
        for (source, chance) in [
            (FundSource::IntegratedAgri, 30),
            (FundSource::Provincial, 20),
            (FundSource::Municipal, 10),
            (FundSource::SocialDonation, 6),
        ] {
            if rest > 100 && self.range((1, 100)) <= chance {
                let part = rest * self.range((20, 60)) / 100;
                lines.push((source, part));
                rest -= part;
            }
        }
        lines.push((FundSource::CountyBudget, rest));
        let budget = Budget::new(
            lines
                .into_iter()
                .filter(|(_, h)| *h > 0)
                .map(|(s, h)| (s, Money::from_fen(h * 100 * 100)))
                .collect(),
        )?;
        let meeting = declared - self.range((3, 20));
        let year = self.clock.year((declared + 20).min(self.clock.today));
        let members = self.range((25, 60));
        let present = members - self.range((0, members / 4));
        Ok(Content {
            name,
            category: tpl.category,
            village: *village,
            fiscal_year: FiscalYear::new(year)?,
            budget,
            targets: Targets {
                outputs: fill(tpl.outputs),
                households,
                income_effect: fill(tpl.income),
                satisfaction: self.range((85, 95)),
            },
            meeting_on: self.clock.date(meeting),
            meeting_ref: format!("{vname}村民代表大会决议〔{year}〕{}号", self.range((1, 12))),
            description: format!(
                "经{vname}村民代表大会讨论表决（应到 {members} 人，实到 {present} 人），同意申报实施。"
            ),
        })
    }

    fn template(&mut self) -> Result<&'static Template> {
        let mut roll = self.rng.next() % 100;
        let mut category = Category::Other;
        for (c, w) in CATEGORY_WEIGHTS {
            if roll < w {
                category = c;
                break;
            }
            roll -= w;
        }
        let of: Vec<&'static Template> = TEMPLATES
            .iter()
            .filter(|t| t.category == category)
            .collect();
        let n = of.len().max(1) as u64;
        of.get((self.rng.next() % n) as usize)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("no demo project template of {}", category.key()))
    }

    /// Days from the declaration to the project's last step, and some slack before today.
    fn span(&mut self, s: Scenario) -> i64 {
        let slack = self.range((0, 40));
        slack
            + match s {
                S::Draft => self.range((1, 20)),
                S::Declared => self.range((1, 8)),
                S::ReturnedToVillage => 12,
                S::Noticed { days, .. } => days + 6,
                S::ReturnedToTownship => 30,
                S::Library { status, .. } => match status {
                    Status::Planned => 36,
                    Status::InProgress => 70,
                    Status::Completed => 108,
                    Status::Accepted => 135,
                    Status::Evaluated => 340,
                },
                S::Revoked => 90,
            }
    }

    /// The demo ledger's projects: approved in March and in progress since April.
    pub(crate) async fn ledger_project(
        &mut self,
        village: &RegionCode,
        name: &str,
        category: Category,
    ) -> Result<sunledger_store::Project> {
        let march = sunledger_core::day::parse("demo", "2026-03-02")?;
        let declared = march.min(self.clock.today - 150);
        let tpl = TEMPLATES
            .iter()
            .find(|t| t.category == category)
            .ok_or_else(|| anyhow::anyhow!("no demo project template of {}", category.key()))?;
        let mut content = self.content(village, tpl, declared)?;
        content.name = name.to_string();
        self.taken.insert((*village, name.to_string()));
        content.fiscal_year = FiscalYear::new(2026)?;
        content.budget = Budget::new(vec![
            (FundSource::CentralSpecial, Money::from_fen(80_000_000)),
            (FundSource::CountyBudget, Money::from_fen(20_000_000)),
        ])?;
        let rich = is_rich(village, 0);
        self.build(Planned {
            content,
            scenario: lib(false, Status::InProgress),
            declared,
            rich,
        })
        .await
    }

    /// Generates the library of every demo county, the responsibility letters of every township,
    /// and the featured village's projects.
    pub(crate) async fn generate(&mut self) -> Result<()> {
        let all = regions()?;
        let featured_village = RegionCode::parse(FEATURED_VILLAGE)?;
        for (ci, (county, count, featured)) in LIBRARY.iter().enumerate() {
            let county = RegionCode::parse(county)?;
            self.letters(&county, &all).await?;
            let townships: Vec<RegionCode> = all
                .iter()
                .filter(|r| r.code.parent() == Some(county))
                .map(|r| r.code)
                .collect();
            let villages: Vec<RegionCode> = all
                .iter()
                .filter(|r| r.code.level() == Level::Village && r.code.is_within(&county))
                .map(|r| r.code)
                .collect();
            // Most projects lie in the first four townships, so their officials see a library.
            let busy: Vec<RegionCode> = villages
                .iter()
                .filter(|v| townships.iter().take(4).any(|t| v.parent() == Some(*t)))
                .copied()
                .collect();
            let mut plans: Vec<(RegionCode, Scenario)> = Vec::new();
            if featured_village.is_within(&county) {
                plans.extend(FEATURED.iter().map(|s| (featured_village, *s)));
            }
            let mut k = ci * 5;
            while plans.len() < *count {
                let pool = if self.rng.next() % 10 < 6 {
                    &busy
                } else {
                    &villages
                };
                let n = pool.len().max(1) as u64;
                let Some(v) = pool.get((self.rng.next() % n) as usize).copied() else {
                    break;
                };
                if let Some(s) = PATTERN.get(k % PATTERN.len()) {
                    plans.push((v, *s));
                }
                k += 1;
            }
            for (k, (village, scenario)) in plans.into_iter().enumerate() {
                let declared = self.clock.today - self.span(scenario);
                let tpl = self.template()?;
                let content = self.content(&village, tpl, declared)?;
                self.build(Planned {
                    content,
                    scenario,
                    declared,
                    rich: *featured && is_rich(&village, k),
                })
                .await
                .with_context(|| format!("demo project in {village} ({scenario:?})"))?;
            }
        }
        Ok(())
    }

    /// The year's responsibility letter between the county poverty alleviation bureau and each
    /// of its townships' party committee and government.
    async fn letters(&mut self, county: &RegionCode, all: &[NewRegion]) -> Result<()> {
        let cname = self.name_of(county);
        let short: String = cname.chars().take(1).collect();
        let year = self.clock.year(self.clock.today);
        let jan = sunledger_core::day::parse("demo", &format!("{year}-01-01"))?;
        let Some(bureau) = self
            .person(
                county,
                &[DepartmentKind::PovertyBureau],
                &[Position::Head],
                0,
            )
            .await?
        else {
            return Ok(());
        };
        let townships: Vec<(RegionCode, String)> = all
            .iter()
            .filter(|r| r.code.parent() == Some(*county))
            .map(|r| (r.code, r.name.clone()))
            .collect();
        for (i, (township, tname)) in townships.iter().enumerate() {
            let Some(head) = self
                .person(
                    township,
                    &[DepartmentKind::PartyCommittee],
                    &[Position::Head],
                    0,
                )
                .await?
            else {
                continue;
            };
            let signed = jan + 20 + i as i64;
            let content = format!(
                "{year}年度扶贫项目资金监管责任书\n\
                 甲方：{cname}扶贫移民局\n乙方：中共{tname}委员会、{tname}人民政府\n\
                 一、乙方对本乡镇扶贫项目的申报审核、公示公告、组织实施和竣工验收负直接监管责任，\
                 党委书记为第一责任人。\n\
                 二、乙方督促村级严格执行村民（代表）大会民主决策、公示公告和群众监督制度，\
                 公示时间不少于 10 天。\n\
                 三、乙方建立项目监管台账，每季度至少开展一次项目检查，发现问题限期整改。\n\
                 四、项目资金不得滞留、截留、挪用、挤占；对违规违纪问题，按照“一案双查”追究责任，\
                 实行终身追责。\n\
                 五、本责任书一式三份，甲乙双方各执一份，报市扶贫移民局备案一份。"
            );
            self.store
                .file_letter(
                    &sunledger_store::NewLetter {
                        township: *township,
                        fiscal_year: FiscalYear::new(year)?,
                        document_no: format!("{short}扶移责〔{year}〕{}号", i + 1),
                        title: format!("{year}年度{tname}扶贫项目资金监管责任书"),
                        content,
                        bureau_person_id: bureau,
                        township_person_id: head,
                        signed_on: self.clock.date(signed),
                    },
                    self.actor(Level::County, township),
                    self.clock.at(signed),
                )
                .await
                .with_context(|| format!("responsibility letter of {township}"))?;
        }
        Ok(())
    }

    /// Creates a project and takes it through its scenario, dated from its declaration day.
    async fn build(&mut self, p: Planned) -> Result<sunledger_store::Project> {
        let store = self.store;
        let v = p.content.village;
        let c = &self.clock;
        let (va, ta, ca) = (
            self.actor(Level::Village, &v),
            self.actor(Level::Township, &v),
            self.actor(Level::County, &v),
        );
        let d0 = p.declared;
        let declare = p.scenario != S::Draft;
        let project = store
            .create_library_project(&p.content, declare, va, c.at(d0))
            .await?;
        let id = project.id;
        let g1 = self.range((2, 6));
        let g2 = self.range((0, 6));
        let c = &self.clock;
        let step = |a: StageAction, comment: &'static str, actor: Option<i64>, day: i64| async move {
            store.project_step(id, a, comment, actor, c.at(day)).await
        };
        match p.scenario {
            S::Draft => {
                if v.as_str() == FEATURED_VILLAGE {
                    let mut next = p.content.clone();
                    next.targets.households += 6;
                    next.description.push_str("补充第六村民小组 6 户受益户。");
                    store
                        .revise_project(id, &next, "补充受益户", va, c.at(d0 + 1))
                        .await?;
                }
                Ok(reload(store, id).await?)
            }
            S::Declared => Ok(project),
            S::ReturnedToVillage => Ok(step(
                StageAction::TownshipReturn,
                "村民代表大会会议记录缺少表决结果，预算明细不完整，请补充后重新申报。",
                ta,
                d0 + g1,
            )
            .await?),
            S::Noticed {
                days,
                objections,
                answered,
            } => {
                let from = c.today - days;
                step(StageAction::TownshipApprove, "", ta, from).await?;
                for j in 0..objections {
                    self.objection(id, &v, from, days, j, j < answered).await?;
                }
                Ok(reload(store, id).await?)
            }
            S::ReturnedToTownship => {
                let from = d0 + g1;
                step(StageAction::TownshipApprove, "", ta, from).await?;
                Ok(step(
                    StageAction::CountyReturn,
                    "与县级行业规划项目重复，请乡镇会同行业部门重新论证建设内容和规模。",
                    ca,
                    from + 10 + g2,
                )
                .await?)
            }
            S::Library { recorded, status } => {
                let approved = self.approve(&p, id, d0 + g1, g2, recorded).await?;
                self.implement(&p, id, approved, status).await?;
                Ok(reload(store, id).await?)
            }
            S::Revoked => {
                let approved = self.approve(&p, id, d0 + g1, g2, true).await?;
                let c = &self.clock;
                store
                    .project_step(
                        id,
                        StageAction::Revoke,
                        "项目选址涉及永久基本农田，经县扶贫开发领导小组研究撤销批复，资金另行安排。",
                        ca,
                        c.at(approved + 40),
                    )
                    .await?;
                Ok(reload(store, id).await?)
            }
        }
    }

    /// An objection to project `id` in `village`, received during the notice that began on
    /// `from` (`days` days ago), answered two days later when `answer`.
    async fn objection(
        &mut self,
        id: i64,
        village: &RegionCode,
        from: i64,
        days: i64,
        j: u8,
        answer: bool,
    ) -> Result<()> {
        let k = (self.extras as usize + usize::from(j)) % OBJECTIONS.len();
        self.extras += 1;
        let Some((who, what, reply)) = OBJECTIONS.get(k) else {
            return Ok(());
        };
        let received = from + (1 + 2 * i64::from(j)).min(days).min(9);
        let c = &self.clock;
        let o = self
            .store
            .record_objection(id, who, what, &c.date(received), None, c.at(received))
            .await?;
        if answer {
            let ta = self.actor(Level::Township, village);
            self.store
                .answer_objection(o.id, reply, ta, c.at((received + 2).min(c.today)))
                .await?;
        }
        Ok(())
    }

    /// Township approval on `from`, an objection during the notice for some rich projects,
    /// county approval after the notice (`g` more days), recording with the city when asked, and
    /// the responsible persons. Returns the approval day.
    async fn approve(
        &mut self,
        p: &Planned,
        id: i64,
        from: i64,
        g: i64,
        record: bool,
    ) -> Result<i64> {
        let v = p.content.village;
        let (ta, ca, city) = (
            self.actor(Level::Township, &v),
            self.actor(Level::County, &v),
            self.actor(Level::City, &v),
        );
        let store = self.store;
        store
            .project_step(
                id,
                StageAction::TownshipApprove,
                "",
                ta,
                self.clock.at(from),
            )
            .await?;
        if p.rich && id % 4 == 0 {
            self.objection(id, &v, from, 9, 0, true).await?;
        }
        let approved = from + 10 + g;
        store
            .project_step(
                id,
                StageAction::CountyApprove,
                "经县扶贫开发领导小组审定，纳入县级脱贫攻坚项目库。",
                ca,
                self.clock.at(approved),
            )
            .await?;
        if record {
            let day = approved + self.range((3, 10));
            store
                .project_step(id, StageAction::Record, "", city, self.clock.at(day))
                .await?;
        }
        self.responsible(p, id, approved).await?;
        Ok(approved)
    }

    /// Book 2: the persons who answer for the project from its approval day. Rich projects get
    /// every role that the village has people for; the others the bureau staff and the village
    /// cadre.
    async fn responsible(&mut self, p: &Planned, id: i64, day: i64) -> Result<()> {
        use DepartmentKind as K;
        let v = p.content.village;
        let Some(township) = v.parent() else {
            return Ok(());
        };
        let county = RegionCode::parse(v.county_code())?;
        let nth = usize::try_from(id).unwrap_or(0);
        let mut roles: Vec<(ResponsibleRole, Option<i64>)> = vec![
            (
                ResponsibleRole::BureauStaff,
                self.person(&county, &[K::PovertyBureau], &[Position::Staff], nth)
                    .await?,
            ),
            (
                ResponsibleRole::VillageCadre,
                self.person(&v, &[K::VillageCommittee], &[Position::Secretary], 0)
                    .await?,
            ),
        ];
        if p.rich {
            // The county leader comes from the county government (the demo has no deputies).
            roles.push((
                ResponsibleRole::CountyLeader,
                self.person(&county, &[K::Government], &[Position::Head], nth)
                    .await?,
            ));
            roles.push((
                ResponsibleRole::TownshipOfficial,
                self.person(
                    &township,
                    &[K::Government, K::PartyCommittee],
                    &[Position::Head],
                    nth,
                )
                .await?,
            ));
            roles.push((
                ResponsibleRole::WorkTeamCaptain,
                self.person(&v, &[K::ResidentWorkTeam], &[Position::Captain], 0)
                    .await?,
            ));
            roles.push((
                ResponsibleRole::FirstSecretary,
                self.person(&v, &[K::ResidentWorkTeam], &[Position::FirstSecretary], 0)
                    .await?,
            ));
        }
        let ca = self.actor(Level::County, &v);
        let c = &self.clock;
        for (role, person) in roles {
            if let Some(person) = person {
                self.store
                    .assign_responsibility(id, person, role, &c.date(day), ca, c.at(day))
                    .await
                    .with_context(|| format!("{} of project {id}", role.key()))?;
            }
        }
        Ok(())
    }

    /// Milestones, progress, status steps, beneficiaries, a revision and a handover.
    async fn implement(
        &mut self,
        p: &Planned,
        id: i64,
        approved: i64,
        status: Status,
    ) -> Result<()> {
        let store = self.store;
        let v = p.content.village;
        let (va, ba) = (
            self.actor(Level::Village, &v),
            self.actor(Level::County, &v),
        );
        self.extras += 1;
        let extra = self.extras;
        // Rich projects: one in six gets a revision after approval.
        if p.rich && extra % 6 == 3 {
            let mut next = p.content.clone();
            let mut lines = next.budget.lines().to_vec();
            let add = Money::from_fen(5_000_000);
            match lines
                .iter_mut()
                .find(|(s, _)| *s == FundSource::IntegratedAgri)
            {
                Some((_, m)) => *m = m.checked_add(add).unwrap_or(*m),
                None => lines.push((FundSource::IntegratedAgri, add)),
            }
            next.budget = Budget::new(lines)?;
            let c = &self.clock;
            store
                .revise_project(
                    id,
                    &next,
                    "根据施工图预算，增加统筹整合涉农资金 5 万元。",
                    ba,
                    c.at(approved + 3),
                )
                .await?;
        }
        // Rich projects for people: a few beneficiary households with their ID numbers.
        if p.rich
            && matches!(
                p.content.category,
                Category::Industry | Category::Relocation | Category::Employment
            )
            && (extra.is_multiple_of(2) || v.as_str() == FEATURED_VILLAGE)
        {
            for _ in 0..3 {
                let name = person_name(&mut self.rng);
                let idn = self.id_number(&v)?;
                let size = self.range((1, 7));
                store
                    .add_beneficiary(id, &name, &idn, size, va, self.clock.at(approved + 2))
                    .await?;
            }
        }
        if status == Status::Planned {
            return Ok(());
        }
        let all = milestones(p.content.category);
        let ms: &[(&str, i64)] = if p.rich {
            all
        } else {
            &[("项目实施", 100)]
        };
        let mut ids = Vec::new();
        for (k, (name, weight)) in ms.iter().enumerate() {
            let due = self.clock.date(approved + 40 * (k as i64 + 1));
            let m = store
                .add_milestone(
                    id,
                    name,
                    *weight,
                    Some(&due),
                    va,
                    self.clock.at(approved + 1),
                )
                .await?;
            ids.push(m.id);
        }
        let start = approved + self.range((8, 20));
        let c = &self.clock;
        store
            .project_status_step(id, StatusAction::Start, "施工单位进场", va, c.at(start))
            .await?;
        let report = |m: i64, progress: i64, day: i64, note: &'static str| async move {
            store
                .report_progress(m, progress, &c.date(day), note, va, c.at(day))
                .await
        };
        let first = ids.first().copied();
        let second = ids.get(1).copied();
        if status == Status::InProgress {
            if let Some(m) = first {
                let partial = if ids.len() > 1 { 100 } else { 60 };
                report(m, partial, start + 10, "按计划推进").await?;
            }
            if let Some(m) = second {
                report(m, 45, start + 25, "主体工作完成近半").await?;
            }
        } else {
            // The milestones finish one after the other, 15 days apart; the second is reported
            // half done on the way.
            let first_done = start + 12;
            for (k, m) in ids.iter().enumerate() {
                let day = first_done + 15 * k as i64;
                if k == 1 {
                    report(*m, 50, day - 8, "完成一半工程量").await?;
                }
                report(*m, 100, day, "已完成").await?;
            }
            let done = first_done + 15 * ids.len() as i64;
            store
                .project_status_step(id, StatusAction::Complete, "项目完工", va, c.at(done))
                .await?;
            if matches!(status, Status::Accepted | Status::Evaluated) {
                store
                    .project_status_step(
                        id,
                        StatusAction::Accept,
                        "县财政局、扶贫移民局和行业主管部门联合验收，工程质量合格，资料齐全。",
                        ba,
                        c.at(done + 15),
                    )
                    .await?;
            }
            if status == Status::Evaluated {
                store
                    .project_status_step(
                        id,
                        StatusAction::Evaluate,
                        "绩效评价：产出、效益指标全部完成，受益群众满意度 94%，评价等次为优。",
                        ba,
                        c.at(done + 200),
                    )
                    .await?;
            }
        }
        // A handover in one of four rich projects: the village committee's secretary hands the
        // project to its director after the village election.
        if p.rich && extra % 4 == 1 {
            self.handover(id, &v, start + 5).await?;
        }
        Ok(())
    }

    async fn handover(&mut self, id: i64, village: &RegionCode, day: i64) -> Result<()> {
        let store = self.store;
        let Some(r) = store
            .responsibilities(&sunledger_store::ResponsibilityFilter {
                project_id: Some(id),
                scopes: vec![*village],
                ..Default::default()
            })
            .await?
            .into_iter()
            .find(|r| r.role == ResponsibleRole::VillageCadre.key() && r.end_on.is_none())
        else {
            return Ok(());
        };
        let Some(next) = self
            .person(
                village,
                &[DepartmentKind::VillageCommittee],
                &[Position::Director],
                0,
            )
            .await?
        else {
            return Ok(());
        };
        let ca = self.actor(Level::County, village);
        let c = &self.clock;
        store
            .end_responsibility(
                r.id,
                &c.date(day),
                "村“两委”换届，工作移交村委会主任。",
                ca,
                c.at(day),
            )
            .await?;
        store
            .assign_responsibility(
                id,
                next,
                ResponsibleRole::VillageCadre,
                &c.date(day + 1),
                ca,
                c.at(day + 1),
            )
            .await?;
        Ok(())
    }

    /// A valid resident ID number (GB 11643) of someone born in the village's county.
    fn id_number(&mut self, village: &RegionCode) -> Result<sunledger_core::IdNumber> {
        let body = format!(
            "{}{:04}{:02}{:02}{:03}",
            village.county_code(),
            self.range((1945, 2002)),
            self.range((1, 12)),
            self.range((1, 28)),
            self.range((0, 999)),
        );
        let check = sunledger_core::IdNumber::check_char(&body)
            .ok_or_else(|| anyhow::anyhow!("bad ID number body {body}"))?;
        Ok(sunledger_core::IdNumber::parse(&format!("{body}{check}"))?)
    }
}

/// Whether the `k`th project of a featured county, in `village`, gets full records: in the
/// county's first township (where the demo township official works), or one in six elsewhere.
fn is_rich(village: &RegionCode, k: usize) -> bool {
    let v = village.as_str();
    (LIBRARY.iter().any(|(c, _, f)| *f && v.starts_with(c)))
        && (v.get(6..9) == Some("100") || k.is_multiple_of(6))
}

async fn reload(store: &dyn Store, id: i64) -> Result<sunledger_store::Project> {
    store
        .project(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("project {id} vanished"))
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

    #[test]
    fn the_library_plans_cover_every_stage_and_status() {
        use sunledger_core::project::Stage;
        let stage = |s: &Scenario| match s {
            S::Draft => Stage::Draft,
            S::Declared => Stage::Declared,
            S::ReturnedToVillage => Stage::ReturnedToVillage,
            S::Noticed { .. } => Stage::Noticed,
            S::ReturnedToTownship => Stage::ReturnedToTownship,
            S::Library {
                recorded: false, ..
            } => Stage::Approved,
            S::Library { recorded: true, .. } => Stage::Recorded,
            S::Revoked => Stage::Revoked,
        };
        for plans in [&PATTERN[..], &FEATURED[..]] {
            for s in Stage::ALL {
                assert!(plans.iter().any(|p| stage(p) == *s), "{s:?}");
            }
        }
        for s in Status::ALL {
            assert!(
                PATTERN
                    .iter()
                    .any(|p| matches!(p, S::Library { status, .. } if status == s)),
                "{s:?}"
            );
        }
        // Noticed plans: objections answered and not, notices running and elapsed.
        assert!(PATTERN.iter().any(|p| matches!(p, S::Noticed { days, objections, answered } if *days >= 10 && objections > answered)));
        assert!(PATTERN.iter().any(
            |p| matches!(p, S::Noticed { days, answered, .. } if *days < 10 && *answered > 0)
        ));
        for t in &TEMPLATES {
            assert!(!milestones(t.category).is_empty());
            assert!(t.wan.0 > 0 && t.wan.0 <= t.wan.1 && t.households.0 > 0);
            assert!(t.outputs.contains("{n}") || t.outputs.contains("{h}") || t.n == (0, 0));
        }
    }
}

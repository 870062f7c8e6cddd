//! The demo accounts: one per role, with their grants.
use super::{CITY, City, DEMO_PASSWORD};
use anyhow::{Context, Result};
use sunledger_core::{RegionCode, Role};
use sunledger_store::{AuthEventKind, NewAuthEvent, NewGrant, NewUser, Store};

/// A demo account: username, display name, role and the region code it is granted on.
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub region: &'static str,
}

pub const ACCOUNTS: [DemoAccount; 15] = [
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
        username: "jinping.finance",
        display_name: "金坪镇财政所 周敏",
        role: Role::Finance,
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
    DemoAccount {
        username: "yunling.supervisor",
        display_name: "村务监督委员会主任 罗秀英",
        role: Role::VillageSupervisor,
        region: "529121100201",
    },
    DemoAccount {
        username: "yunling.agri",
        display_name: "云岭县农业农村局 赵磊",
        role: Role::PartyGovernment,
        region: "529121",
    },
];

/// Books the accounts and their grants.
pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let now = city.now;
    let hash = sunledger_web::access::auth::hash_password(DEMO_PASSWORD)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
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
                    person_id: person_of(store, a, &region, now).await?,
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
    Ok(())
}

/// The county accounts that sit on acceptance teams are linked to a person of their unit (the
/// team's units are read from the members' departments): the person named in the account's
/// display name, added to the county's department of the kind.
async fn person_of(
    store: &dyn Store,
    a: &DemoAccount,
    region: &RegionCode,
    now: i64,
) -> Result<Option<i64>> {
    use sunledger_core::org::DepartmentKind as K;
    let kind = match a.username {
        "yunling.finance" => K::FinanceBureau,
        "yunling.bureau" => K::PovertyBureau,
        "yunling.agri" => K::BusinessDepartment,
        // The village's supervision committee chair, of its mass supervision team.
        "yunling.supervisor" => K::MassSupervisionTeam,
        _ => return Ok(None),
    };
    let name = a.display_name.rsplit(' ').next().unwrap_or(a.display_name);
    for d in store.departments_in(region).await? {
        if d.kind == kind.key() && d.region == *region {
            let p = store
                .create_person(
                    &sunledger_store::NewPerson {
                        department_id: d.id,
                        name: name.to_string(),
                        position: sunledger_core::org::Position::Staff,
                        phone: None,
                    },
                    now,
                )
                .await?;
            return Ok(Some(p.id));
        }
    }
    Ok(None)
}

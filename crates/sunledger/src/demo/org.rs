//! The demo's departments (the standard ones of every region, resident work teams in some
//! villages) and their people.
use super::{City, Rng, person_name};
use anyhow::{Context, Result};
use sunledger_core::org::Position;
use sunledger_core::{DepartmentKind, Level};
use sunledger_store::{NewDepartment, NewPerson, Store};

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

/// Books the departments and their people.
pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let (regions, now) = (&city.regions, city.now);
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
    Ok(())
}

//! The demo's Book 2: the persons who answer for each project from its approval, handovers
//! between them, and the year's responsibility letters of every township.
use super::project::{Library, Planned};
use anyhow::{Context, Result};
use sunledger_core::ledger::FiscalYear;
use sunledger_core::org::Position;
use sunledger_core::responsibility::ResponsibleRole;
use sunledger_core::{DepartmentKind, Level, RegionCode};
use sunledger_store::NewRegion;

impl Library<'_> {
    /// The year's responsibility letter between the county poverty alleviation bureau and each
    /// of its townships' party committee and government.
    pub(super) async fn letters(&mut self, county: &RegionCode, all: &[NewRegion]) -> Result<()> {
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

    /// Book 2: the persons who answer for the project from its approval day. Rich projects get
    /// every role that the village has people for; the others the bureau staff and the village
    /// cadre.
    pub(super) async fn responsible(&mut self, p: &Planned, id: i64, day: i64) -> Result<()> {
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

    pub(super) async fn handover(&mut self, id: i64, village: &RegionCode, day: i64) -> Result<()> {
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
}

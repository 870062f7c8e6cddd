//! The demo's project library: about 190 projects (most in 云岭县 and 石门县) in every stage
//! and status, built through the store's own operations and dated in the past relative to
//! `now`. Their Book 2 is in [`super::responsibility`].
use super::{City, DAY, Rng, person_name};
use anyhow::{Context, Result};
use sunledger_core::ledger::{FiscalYear, FundSource};
use sunledger_core::money::Money;
use sunledger_core::org::Position;
use sunledger_core::project::Indicator;
use sunledger_core::project::{Budget, Category, Content, StageAction, Status, StatusAction};
use sunledger_core::{DepartmentKind, Level, RegionCode};
use sunledger_store::{NewRegion, Store};

mod approve;
mod catalogue;
mod clock;
use Scenario as S;
use approve::approve;
use catalogue::*;
pub(crate) use clock::Clock;

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
pub(super) struct Library<'a> {
    pub(super) store: &'a dyn Store,
    /// The demo's regions.
    all: &'a [NewRegion],
    pub(super) clock: Clock,
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
pub(super) struct Planned {
    pub(super) content: Content,
    scenario: Scenario,
    /// The day the village declared it (or registered the draft).
    pub(super) declared: i64,
    /// Full records (see [`LIBRARY`]).
    pub(super) rich: bool,
}

impl<'a> Library<'a> {
    pub(super) async fn new(store: &'a dyn Store, city: &'a City) -> Result<Library<'a>> {
        let now = city.now;
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
            names: city
                .regions
                .iter()
                .map(|r| (r.code, r.name.clone()))
                .collect(),
            all: &city.regions,
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

    pub(super) fn name_of(&self, code: &RegionCode) -> String {
        self.names.get(code).cloned().unwrap_or_default()
    }

    /// The actor for a step at `level` on a project in `village` (a demo account whose grant
    /// covers it, else none).
    pub(super) fn actor(&self, level: Level, village: &RegionCode) -> Option<i64> {
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
    pub(super) async fn person(
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
        // Drawn as before (the rest of the demo stays as it was); the meeting that approves the
        // declaration has seven representatives, six present (`approve`).
        let drawn = self.range((25, 60));
        let _ = self.range((0, drawn / 4));
        let (members, present) = (7, 6);
        Ok(Content {
            name,
            category: tpl.category,
            village: *village,
            fiscal_year: FiscalYear::new(year)?,
            budget,
            targets: self.targets(tpl, (n, m, households), total_hundreds, &fill),
            meeting_on: self.clock.date(meeting),
            meeting_ref: format!("{vname}村民代表大会决议〔{year}〕{}号", self.range((1, 12))),
            description: format!(
                "经{vname}村民代表大会讨论表决（应到 {members} 人，实到 {present} 人），同意申报实施。"
            ),
            meeting_item_id: None,
        })
    }

    /// 5-7 indicators of a project of `tpl` (the drawn output `n`, income `m` and households;
    /// the budget in hundreds of yuan, which is hundredths of 万元): its output as the core
    /// quantity indicator, a quality one (now and then), the days to completion, the cost in
    /// 万元 (core), the households, its income effect (or, without one, how long it lasts) and
    /// the beneficiaries' satisfaction.
    fn targets(
        &mut self,
        tpl: &Template,
        (n, m, households): (i64, i64, i64),
        total_hundreds: i64,
        fill: &dyn Fn(&str) -> String,
    ) -> Vec<Indicator> {
        use sunledger_core::acceptance::{IndicatorKind as K, Operator as O};
        let row = |kind, name: String, operator, target: i64, unit: &str, weight, core| Indicator {
            kind,
            name,
            operator,
            target,
            unit: unit.to_string(),
            weight,
            core,
        };
        let (count, unit) = output_unit(tpl.outputs, n, households);
        let quality = self.range((1, 3)) > 1;
        let timely = self.range((1, 4)) > 1;
        let mut out = vec![row(
            K::Quantity,
            fill(tpl.outputs),
            O::AtLeast,
            count * 100,
            unit,
            if quality { 20 } else { 30 },
            true,
        )];
        if quality {
            let name = match tpl.category {
                Category::Employment => "培训合格率",
                Category::Ecology => "苗木成活率",
                _ => "工程（设施）验收合格率",
            };
            out.push(row(
                K::Quality,
                name.into(),
                O::AtLeast,
                9500,
                "%",
                10,
                false,
            ));
        }
        if timely {
            let days = self.range((6, 12)) * 30;
            out.push(row(
                K::Timeliness,
                "完工时限（自开工）".into(),
                O::AtMost,
                days * 100,
                "天",
                10,
                false,
            ));
        }
        out.push(row(
            K::Cost,
            "项目总投资控制".into(),
            O::AtMost,
            total_hundreds,
            "万元",
            if timely { 10 } else { 20 },
            true,
        ));
        out.push(row(
            K::Social,
            "受益户数".into(),
            O::AtLeast,
            households * 100,
            "户",
            15,
            false,
        ));
        if m > 0 && fill(tpl.income).contains(&m.to_string()) {
            out.push(row(
                K::Economic,
                fill(tpl.income),
                O::AtLeast,
                m * 100,
                "元",
                15,
                false,
            ));
        } else {
            let years = self.range((10, 20));
            out.push(row(
                K::Sustainability,
                "工程设计使用年限".into(),
                O::AtLeast,
                years * 100,
                "年",
                15,
                false,
            ));
        }
        out.push(row(
            K::Satisfied,
            "受益群众满意度".into(),
            O::AtLeast,
            self.range((85, 95)) * 100,
            "%",
            20,
            false,
        ));
        out
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
    pub(super) async fn ledger_project(
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
        // The ledger's projects all have a time limit, so that their evaluations show the days
        // the system counts from their own dates (its 10 points taken from the output row).
        if !content
            .targets
            .iter()
            .any(|t| t.kind == sunledger_core::acceptance::IndicatorKind::Timeliness)
            && let Some(first) = content.targets.first_mut()
        {
            first.weight -= 10;
            content.targets.insert(
                1,
                Indicator {
                    kind: sunledger_core::acceptance::IndicatorKind::Timeliness,
                    name: "完工时限（自开工）".into(),
                    operator: sunledger_core::acceptance::Operator::AtMost,
                    target: 300 * 100,
                    unit: "天".into(),
                    weight: 10,
                    core: false,
                },
            );
        }
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
    pub(super) async fn generate(&mut self) -> Result<()> {
        let all = self.all;
        let featured_village = RegionCode::parse(FEATURED_VILLAGE)?;
        for (ci, (county, count, featured)) in LIBRARY.iter().enumerate() {
            let county = RegionCode::parse(county)?;
            self.letters(&county, all).await?;
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
            // Earlier years' completed projects of the featured county, so that Book 4 has
            // evaluations 1, 2 and 3 years after their acceptance.
            let mut history: Vec<(RegionCode, Scenario, i64)> = Vec::new();
            if *featured && county.county_code() == "529121" {
                for (n, days) in HISTORY.iter().enumerate() {
                    if let Some(v) = busy.get(n * 7 % busy.len().max(1)) {
                        history.push((*v, catalogue::lib(false, Status::Completed), *days));
                    }
                }
            }
            for (village, scenario, days) in history {
                let declared = self.clock.today - days;
                let tpl = self.template()?;
                let content = self.content(&village, tpl, declared)?;
                self.build(Planned {
                    content,
                    scenario,
                    declared,
                    rich: false,
                })
                .await
                .with_context(|| format!("earlier demo project in {village}"))?;
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
        // A declaration cites the representatives' meeting that approved it (issue 18).
        let mut content = p.content.clone();
        if declare {
            content.meeting_item_id = Some(approve(store, c, &content, va).await?);
        }
        let project = store
            .create_library_project(&content, declare, va, c.at(d0))
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
                    for t in next.targets.iter_mut().filter(|t| t.name == "受益户数") {
                        t.target += 600;
                    }
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
            // Acceptance (and then evaluation) is Book 4's work: `demo/acceptance.rs` takes the
            // completed projects through it.
        }
        // A handover in one of four rich projects: the village committee's secretary hands the
        // project to its director after the village election.
        if p.rich && extra % 4 == 1 {
            self.handover(id, &v, start + 5).await?;
        }
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

/// Builds the library of every demo county (with the letters and responsibilities of Book 2).
pub(super) async fn load(lib: &mut Library<'_>) -> Result<()> {
    lib.generate().await
}

/// The count and unit of a template's output: the number drawn for `{n}` and the word after it
/// (`新建牛舍 {n} 平方米及…` → 平方米), or the households for `{h}` (户).
fn output_unit(outputs: &str, n: i64, households: i64) -> (i64, &str) {
    let (count, after) = match outputs.split_once("{n} ") {
        Some((_, a)) => (n, a),
        None => match outputs.split_once("{h} ") {
            Some((_, a)) => (households, a),
            None => return (1, "项"),
        },
    };
    if after.starts_with('户') {
        return (count, "户");
    }
    let end = after
        .char_indices()
        .find(|(_, c)| matches!(c, ' ' | '，' | ',' | '及' | '（' | '、'))
        .map(|(i, _)| i)
        .unwrap_or(after.len());
    match after.get(..end) {
        Some(u) if !u.is_empty() && u.chars().count() <= 3 => (count, u),
        _ => (count, "项"),
    }
}

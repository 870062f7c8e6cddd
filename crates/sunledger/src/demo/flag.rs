//! The demo's red flags. First the cases the scan is to find, made with the offices' own steps
//! (the store calls of the web and of the ledger import): in 云岭县 and in 石门县 a person recorded
//! as a beneficiary of two projects who is on the county's list of deceased persons, and a
//! public-payroll employee recorded as a beneficiary; in both counties' books, on library
//! projects outside the demo ledger's village (whose two projects keep their figures), a project
//! that paid more from the county budget than its approved budget gives it, a supplier's payments
//! split under the amount that needs a collective decision (石门县 lowers that amount to 30,000
//! yuan by its own document, and its split passes only that), a project only declared that had
//! money arranged and paid, one worker paid by projects in two villages, and payments from a
//! project completed months before (in 云岭县 one of them its contract's retention money); in
//! 云岭县 also an appropriation its township has not confirmed, and one project's payments to 120
//! households, filed as one batch, whose amounts cluster under 2,000 yuan, with the county's
//! document that starts the digit test from 100 amounts. Then a scan of the whole city (the
//! demo's books also raise detention, late passing down, stalled and unaccepted projects, overdue
//! evaluations and more), and the counties' handling: flags dismissed with their reasons, some
//! triaged, two turned into Book 3 cases. No flag shows an invalid ID number: every entry path
//! checks a beneficiary's ID number (GB 11643), so only data written before Sunledger has one.
use super::{City, DAY};
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_core::appraisal::CheckList;
use sunledger_core::flag::FlagAction;
use sunledger_core::ledger::{FundSource, PaymentAction, TransferKind};
use sunledger_core::money::Money;
use sunledger_store::{
    FlagFilter, LedgerOp, NewCrosscheckEntry, NewCrosscheckList, NewTransfer, Owner, ProjectFilter,
    Ref, Store, Transfer,
};

const COUNTY: &str = "529121000000";
const SHIMEN: &str = "529122000000";

/// A valid ID number from 17 digits.
fn id_number(first17: &str) -> Result<sunledger_core::IdNumber> {
    let c = sunledger_core::IdNumber::check_char(first17).context("ID digits")?;
    Ok(sunledger_core::IdNumber::parse(&format!("{first17}{c}"))?)
}

/// Whole yuan as money.
fn yuan(y: i64) -> Money {
    Money::from_fen(y.saturating_mul(100))
}

/// Days of the demo: day numbers before `today`, as timestamps and booking days.
#[derive(Clone, Copy)]
struct Clock {
    now: i64,
    today: i64,
}

impl Clock {
    fn at(&self, day: i64) -> i64 {
        self.now - (self.today - day).max(0) * DAY
    }
    fn date(&self, day: i64) -> String {
        sunledger_core::day::format(day.min(self.today))
    }
    /// The first day of today's year.
    fn new_year(&self) -> i64 {
        let today = sunledger_core::day::format(self.today);
        sunledger_core::day::number(&format!("{}-01-01", today.get(..4).unwrap_or("")))
            .unwrap_or(self.today)
    }
}

/// The people of a county's beneficiary cases: one recorded in two projects who is on the list
/// of deceased persons, one on the public-payroll list.
struct Listed {
    county: RegionCode,
    twice: (&'static str, &'static str),
    payroll: (&'static str, &'static str),
    /// Who records the beneficiaries and who imports the lists.
    recorder: Option<i64>,
    importer: Option<i64>,
}

/// Two implemented projects of the county, each given one more beneficiary: the same person;
/// one of them also a public-payroll employee. Then the county's lists from the civil-affairs
/// death records and the payroll office.
async fn beneficiaries(store: &dyn Store, city: &City, l: &Listed) -> Result<()> {
    let at = |days_ago: i64| city.now - days_ago * DAY;
    let (projects, _) = store
        .projects(
            &ProjectFilter {
                scopes: vec![l.county],
                status: Some("in_progress".into()),
                ..Default::default()
            },
            2,
            0,
        )
        .await?;
    let twice = id_number(l.twice.1)?;
    let payroll = id_number(l.payroll.1)?;
    for p in &projects {
        store
            .add_beneficiary(p.id, l.twice.0, &twice, 3, l.recorder, at(40))
            .await?;
    }
    if let Some(p) = projects.first() {
        store
            .add_beneficiary(p.id, l.payroll.0, &payroll, 2, l.recorder, at(40))
            .await?;
    }
    for (kind, name, id) in [
        (CheckList::Deceased, l.twice.0, &twice),
        (CheckList::PublicPayroll, l.payroll.0, &payroll),
    ] {
        let entries = vec![NewCrosscheckEntry {
            row_no: 1,
            name: name.into(),
            id_number: Some(id.clone()),
            relation: String::new(),
            of_name: String::new(),
            village: None,
            note: String::new(),
        }];
        store
            .import_crosscheck_list(
                &NewCrosscheckList {
                    region: l.county,
                    kind,
                    file_sha256: sunledger_core::log::fact::sha256_hex(
                        format!("{name},{}\n", id.as_str()).as_bytes(),
                    ),
                    entries,
                },
                l.importer,
                at(20),
            )
            .await?;
    }
    Ok(())
}

/// A county's books, as its finance bureau keeps them: arrangements to projects and payments
/// from them, numbered under the county's documents.
struct Books<'a> {
    store: &'a dyn Store,
    clock: Clock,
    county: RegionCode,
    name: String,
}

impl Books<'_> {
    fn transfer(&self, key: &str, fund_id: i64, kind: TransferKind, day: i64) -> NewTransfer {
        NewTransfer {
            client_id: self.client_id(key),
            fund_id,
            kind,
            from: None,
            to: None,
            payee: None,
            amount: Money::ZERO,
            booked_on: self.clock.date(day),
            document_no: String::new(),
            purpose: String::new(),
            actor: None,
            reverses: None,
        }
    }

    /// Client ids are the county's (a ledger file of the whole city holds both counties').
    fn client_id(&self, key: &str) -> String {
        format!("demo-flag-{}-{key}", self.county.county_code())
    }

    fn document(&self, word: &str, day: i64, n: i64) -> String {
        let date = self.clock.date(day);
        format!(
            "{}{word}〔{}〕{n}号",
            self.name,
            date.get(..4).unwrap_or("")
        )
    }

    /// Money of `fund` arranged from the county to a project.
    #[allow(clippy::too_many_arguments)]
    async fn arrange(
        &self,
        key: &str,
        fund_id: i64,
        project: i64,
        amount: Money,
        day: i64,
        n: i64,
        purpose: &str,
    ) -> Result<Transfer> {
        let t = NewTransfer {
            from: Some(Owner::Region(self.county)),
            to: Some(Owner::Project(project)),
            amount,
            document_no: self.document("扶贫", day, n),
            purpose: purpose.into(),
            ..self.transfer(key, fund_id, TransferKind::Arrange, day)
        };
        Ok(self.store.book_transfer(&t, self.clock.at(day)).await?)
    }

    /// A payment from a project's account, approved and paid on `day`.
    #[allow(clippy::too_many_arguments)]
    async fn pay(
        &self,
        key: &str,
        fund_id: i64,
        project: i64,
        payee: &str,
        amount: Money,
        day: i64,
        n: i64,
        purpose: &str,
    ) -> Result<Transfer> {
        let t = NewTransfer {
            from: Some(Owner::Project(project)),
            payee: Some(payee.into()),
            amount,
            document_no: self.document("支付", day, n),
            purpose: purpose.into(),
            ..self.transfer(key, fund_id, TransferKind::Disburse, day)
        };
        let at = self.clock.at(day);
        let booked = self.store.book_transfer(&t, at).await?;
        Ok(self
            .store
            .payment_action(
                booked.id,
                PaymentAction::Pay,
                &self.clock.date(day),
                "",
                None,
                at,
            )
            .await?)
    }

    /// The county's fund of `source` (the city's for central funds), by the region it belongs to.
    async fn fund(&self, region: &RegionCode, source: FundSource) -> Result<i64> {
        self.store
            .funds_within(&self.county)
            .await?
            .iter()
            .find(|f| f.region == *region && f.source == source.key())
            .map(|f| f.id)
            .with_context(|| format!("the {} fund of {region}", source.key()))
    }

    /// A project as the cases choose it: its approved budget and the days of its steps.
    async fn facts(&self, p: &sunledger_store::Project) -> Result<Facts> {
        let r = self
            .store
            .project_record(p.id)
            .await?
            .context("a listed project")?;
        let approved = r.project.approved_version;
        let budget = r
            .versions
            .iter()
            .filter(|v| Some(v.version) == approved)
            .flat_map(|v| v.budget.iter())
            .map(|b| (b.source.clone(), b.amount_fen))
            .collect();
        let day = |state: &str| {
            r.events
                .iter()
                .filter(|e| e.to_state == state)
                .filter_map(|e| sunledger_core::day::number(&e.on_date))
                .min()
        };
        Ok(Facts {
            id: p.id,
            region: p.region,
            category: p.category.clone(),
            status: p.status.clone(),
            budget,
            declared: day("declared"),
            started: day("in_progress"),
            completed: day("completed"),
        })
    }
}

/// A project the cases use.
struct Facts {
    id: i64,
    region: RegionCode,
    category: String,
    status: Option<String>,
    /// The approved budget: (fund source, fen).
    budget: Vec<(String, i64)>,
    declared: Option<i64>,
    started: Option<i64>,
    completed: Option<i64>,
}

impl Facts {
    /// The approved budget line of `source` (0 when none).
    fn line(&self, source: FundSource) -> Money {
        Money::from_fen(
            self.budget
                .iter()
                .filter(|b| b.0 == source.key())
                .fold(0i64, |s, b| s.saturating_add(b.1)),
        )
    }
}

/// What differs between the two counties' ledger cases.
struct Plan {
    /// The fund the cases pay from (云岭县: the central funds; 石门县, whose central funds are
    /// still in transit: its own budget).
    spend: FundSource,
    /// Money arranged to the project whose supplier is paid in parts, and the parts: (days after
    /// the arrangement, yuan).
    split: (i64, &'static [(i64, i64)]),
    /// The worker paid in two villages.
    worker: &'static str,
    /// 云岭县 only: an appropriation its township has not confirmed, and a project's reward
    /// payments to 120 households.
    unconfirmed_and_rewards: bool,
}

/// What the handling at the end needs: the payment of retention money, paid long after
/// completion for a reason.
struct Made {
    retention: Option<i64>,
}

/// Rounds fen up to whole ten thousands of yuan.
fn round_up(m: Money) -> Money {
    let step = 1_000_000;
    Money::from_fen((m.fen() + step - 1) / step * step)
}

/// Surnames and given names of the households paid rewards, none shared with the demo's
/// officials, households or lists (whose names come from other pools).
const HOUSEHOLD_SURNAMES: [&str; 10] = ["韦", "蒙", "潘", "覃", "莫", "陆", "卢", "邓", "石", "田"];
const HOUSEHOLD_GIVEN: [&str; 12] = [
    "德贵", "光明", "永祥", "秀珍", "正华", "春燕", "昌文", "玉梅", "国荣", "家富", "明芬", "仕勇",
];

/// The ledger cases of one county, on projects of the library outside the demo ledger's village
/// (whose two projects keep their figures): over budget, split payments, an unapproved project,
/// a worker paid in two villages, payments after completion; in 云岭县 also an appropriation not
/// confirmed and the reward payments the digit test reads.
async fn ledger_cases(b: &Books<'_>, city: &City, plan: &Plan) -> Result<Made> {
    let store = b.store;
    let t = b.clock.today;
    let county_fund = b.fund(&b.county, FundSource::CountyBudget).await?;
    let spend_region = if plan.spend == FundSource::CentralSpecial {
        city.code
    } else {
        b.county
    };
    let spend = b.fund(&spend_region, plan.spend).await?;
    // The demo ledger's village: the first township's second (`demo/ledger.rs`).
    let townships = store.region_children(&b.county).await?;
    let township = townships.first().context("the county's townships")?;
    let villages = store.region_children(&township.code).await?;
    let ledger_village = villages
        .get(1)
        .or(villages.first())
        .context("the township's villages")?
        .code;
    let of = |status: &'static str, stage: Option<&'static str>| async move {
        let (ps, _) = store
            .projects(
                &ProjectFilter {
                    scopes: vec![b.county],
                    status: (!status.is_empty()).then(|| status.to_string()),
                    stage: stage.map(str::to_string),
                    ..Default::default()
                },
                500,
                0,
            )
            .await?;
        let mut out = Vec::new();
        for p in ps.iter().filter(|p| p.region != ledger_village) {
            out.push(b.facts(p).await?);
        }
        Ok::<_, anyhow::Error>(out)
    };
    let running = of("in_progress", None).await?;
    let mut taken: Vec<i64> = Vec::new();
    // The day a running project's case begins: its start, or 45 days ago if it started
    // earlier, and no later than 28 days ago (its payments follow within four weeks).
    let base = |p: &Facts| p.started.unwrap_or(t - 45).max(t - 45).min(t - 28);
    let contractor = format!("{}宏达建筑工程有限公司", b.name);

    // Rewards (以奖代补) or labour pay (以工代赈) to 120 households, from the township's roster
    // filed as one batch this year: most just under the 2,000 yuan above which the township
    // reviews a household's claim, a few with half.
    if plan.unconfirmed_and_rewards {
        let n = HOUSEHOLD_SURNAMES.len() * HOUSEHOLD_GIVEN.len();
        let mut amounts = Vec::new();
        let mut total = Money::ZERO;
        for i in 0..n {
            let k = i64::try_from(i)?;
            let a = if i % 9 == 4 {
                yuan(960 + (k * 7) % 4 * 10)
            } else {
                yuan(1_860 + (k * 37) % 14 * 10)
            };
            total = total.checked_add(a).context("the rewards' total")?;
            amounts.push(a);
        }
        // With the retention of 10 % kept until acceptance.
        let arranged = round_up(Money::from_fen(total.fen() / 9 * 10 + 1_000_000));
        let pick = running
            .iter()
            .filter(|p| p.line(plan.spend) >= arranged)
            .min_by_key(|p| (p.category != "industry", p.id));
        if let Some(p) = pick {
            taken.push(p.id);
            let a = base(p);
            b.arrange(
                "rewards-arrange",
                spend,
                p.id,
                arranged,
                a,
                75,
                "安排项目资金",
            )
            .await?;
            let purpose = if p.category == "industry" {
                "产业发展以奖代补资金"
            } else {
                "以工代赈劳务报酬"
            };
            let from = (a + 1).max(b.clock.new_year()).min(t);
            let to = (a + 28).min(t).max(from);
            let mut ops = Vec::new();
            for (i, amount) in amounts.iter().enumerate() {
                let k = i64::try_from(i)?;
                let (Some(s), Some(g)) = (
                    HOUSEHOLD_SURNAMES.get(i % HOUSEHOLD_SURNAMES.len()),
                    HOUSEHOLD_GIVEN.get(i / HOUSEHOLD_SURNAMES.len()),
                ) else {
                    continue;
                };
                let day = from + k * (to - from) / i64::try_from(n)?;
                let key = format!("reward-{k}");
                ops.push(LedgerOp::Transfer {
                    fund: Ref::Id(spend),
                    reverses: None,
                    transfer: NewTransfer {
                        from: Some(Owner::Project(p.id)),
                        payee: Some(format!("{s}{g}")),
                        amount: *amount,
                        document_no: b.document("支付", day, 1_000 + k),
                        purpose: purpose.into(),
                        ..b.transfer(&key, spend, TransferKind::Disburse, day)
                    },
                });
                ops.push(LedgerOp::Payment {
                    transfer: Ref::ClientId(b.client_id(&key)),
                    action: PaymentAction::Pay,
                    on: b.clock.date(day),
                    document_no: String::new(),
                    actor: None,
                });
            }
            store.apply_ledger_ops(&ops, b.clock.at(to)).await?;
        }
        // The ledger passed money to the first three townships; the fourth has not confirmed
        // its appropriation.
        if let Some(t4) = townships.get(3) {
            let tr = NewTransfer {
                from: Some(Owner::Region(b.county)),
                to: Some(Owner::Region(t4.code)),
                amount: yuan(300_000),
                document_no: b.document("财农", t - 45, 48),
                purpose: "下达乡镇小型公益性基础设施项目资金".into(),
                ..b.transfer("approp-t4", county_fund, TransferKind::Appropriate, t - 45)
            };
            store.book_transfer(&tr, b.clock.at(t - 45)).await?;
        }
    }

    // Split payments: a running project's supplier paid a few times within days, each under
    // the amount that needs a collective decision.
    let (split_arranged, parts) = plan.split;
    let split_arranged = yuan(split_arranged);
    let split = running
        .iter()
        .filter(|p| !taken.contains(&p.id) && p.line(plan.spend) >= split_arranged)
        .min_by_key(|p| (!p.region.is_within(&township.code), p.id));
    if let Some(p) = split {
        taken.push(p.id);
        let a = base(p);
        b.arrange(
            "split-arrange",
            spend,
            p.id,
            split_arranged,
            a,
            72,
            "安排项目资金",
        )
        .await?;
        let supplier = format!("{}永固建材有限公司", b.name);
        for (k, (after, amount)) in parts.iter().enumerate() {
            let k = i64::try_from(k)?;
            b.pay(
                &format!("split-{k}"),
                spend,
                p.id,
                &supplier,
                yuan(*amount),
                a + after,
                910 + k,
                "砂石材料款",
            )
            .await?;
        }
        // Its labourer, who is also paid in another village (below).
        b.pay(
            "worker-1",
            spend,
            p.id,
            plan.worker,
            yuan(6_800),
            a + 14,
            920,
            "务工工资",
        )
        .await?;
    }

    // Over budget: a running project, a works project if there is one, pays its contractor
    // from the county budget more than its approved budget gives that source (a change of
    // design paid without a budget revision), in payments above any county's collective
    // decision amount.
    let over = running
        .iter()
        .filter(|p| !taken.contains(&p.id))
        .filter(|p| {
            let line = p.line(FundSource::CountyBudget);
            line >= yuan(100_000) && line <= yuan(300_000)
        })
        .min_by_key(|p| {
            (
                p.category != "infrastructure",
                !p.region.is_within(&township.code),
                p.id,
            )
        });
    if let Some(p) = over {
        taken.push(p.id);
        let line = p.line(FundSource::CountyBudget).fen();
        // 60 % and 50 % of the line, in whole hundreds of yuan.
        let first = Money::from_fen(line * 6 / 10 / 10_000 * 10_000);
        let second = Money::from_fen(line * 5 / 10 / 10_000 * 10_000);
        let paid = first.checked_add(second).context("the payments' total")?;
        let arranged = round_up(Money::from_fen(paid.fen() / 9 * 10 + 1_000_000));
        let a = base(p);
        b.arrange(
            "over-arrange",
            county_fund,
            p.id,
            arranged,
            a,
            71,
            "安排县级配套资金",
        )
        .await?;
        b.pay(
            "over-1",
            county_fund,
            p.id,
            &contractor,
            first,
            a + 6,
            901,
            "工程进度款",
        )
        .await?;
        b.pay(
            "over-2",
            county_fund,
            p.id,
            &contractor,
            second,
            a + 22,
            902,
            "设计变更新增工程款",
        )
        .await?;
    }

    // An unapproved project: one only declared, in another village than the split's project
    // (of the same township if there is one), had money arranged and paid before any approval.
    let split_village = split.map(|p| p.region);
    let declared = of("", Some("declared")).await?;
    let elsewhere = |p: &&Facts| Some(p.region) != split_village;
    let unapproved = declared
        .iter()
        .filter(elsewhere)
        .find(|p| p.region.is_within(&township.code))
        .or(declared.iter().find(elsewhere));
    if let Some(p) = unapproved {
        let from = (p.declared.unwrap_or(t - 1) + 1).max(t - 25).min(t);
        b.arrange(
            "unapproved-arrange",
            spend,
            p.id,
            yuan(120_000),
            from,
            73,
            "预拨项目启动资金",
        )
        .await?;
        b.pay(
            "unapproved-1",
            spend,
            p.id,
            &format!("{}顺达建筑劳务有限公司", b.name),
            yuan(68_000),
            (from + 2).min(t),
            930,
            "预付工程款",
        )
        .await?;
        b.pay(
            "worker-2",
            spend,
            p.id,
            plan.worker,
            yuan(7_450),
            (from + 6).min(t),
            931,
            "务工工资",
        )
        .await?;
    }

    // Paid after completion: a project completed half a year or more ago (this fiscal cycle,
    // not an earlier year's) gets money arranged and pays out of it; an accepted one pays its
    // contractor's retention money first.
    let mut done = Vec::new();
    for status in ["accepted", "evaluated", "completed"] {
        done.extend(of(status, None).await?);
    }
    let mut made = Made { retention: None };
    let after = done.iter().find(|p| {
        p.completed.is_some_and(|c| c >= t - 600 && c <= t - 190)
            && p.line(plan.spend) >= yuan(60_000)
    });
    if let Some(p) = after {
        b.arrange(
            "after-arrange",
            spend,
            p.id,
            yuan(60_000),
            t - 22,
            74,
            "拨付项目尾款",
        )
        .await?;
        if p.status.as_deref() != Some("completed") {
            let r = b
                .pay(
                    "after-retention",
                    spend,
                    p.id,
                    &contractor,
                    yuan(28_600),
                    t - 12,
                    940,
                    "工程质保金",
                )
                .await?;
            made.retention = Some(r.id);
        }
        b.pay(
            "after-1",
            spend,
            p.id,
            &format!("{}鑫源商贸有限公司", b.name),
            yuan(24_800),
            t - 6,
            941,
            "购置办公设备",
        )
        .await?;
    }
    Ok(made)
}

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let today = sunledger_core::day::today(city.now);
    let clock = Clock {
        now: city.now,
        today,
    };
    let at = |days_ago: i64| city.now - days_ago * DAY;
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await?
            .map(|u| u.id)
            .with_context(|| format!("demo account {name}"))
    };
    let bureau = user("yunling.bureau").await?;
    let discipline = user("yunling.discipline").await?;
    let shimen = user("shimen.finance").await?;
    let county = RegionCode::parse(COUNTY)?;
    let shimen_county = RegionCode::parse(SHIMEN)?;

    beneficiaries(
        store,
        city,
        &Listed {
            county,
            twice: ("杨德福", "52912119560304001"),
            payroll: ("周文静", "52912119800611002"),
            recorder: Some(bureau),
            importer: Some(bureau),
        },
    )
    .await?;
    // 石门县 has no account of its own bureau: the finance bureau imports its lists.
    beneficiaries(
        store,
        city,
        &Listed {
            county: shimen_county,
            twice: ("田德顺", "52912219581112003"),
            payroll: ("莫丽萍", "52912219850923004"),
            recorder: None,
            importer: Some(shimen),
        },
    )
    .await?;

    // 石门县 lowers the amount that needs a collective decision, by its own rule.
    store
        .set_flag_settings(
            &shimen_county,
            "split_payments.threshold = 30000\n",
            "石门县扶贫开发领导小组〔2026〕5号",
            Some(shimen),
            at(30),
        )
        .await?;
    // 云岭县 pays far fewer than the 1,000 amounts a year the digit test's default needs: it
    // runs the test from 100, its result a lead to check and never a finding.
    store
        .set_flag_settings(
            &county,
            "benford.min_amounts = 100\n",
            "云岭县扶贫开发领导小组〔2026〕9号：本县年度支付不足1000笔，数字规律检验自100笔起算，结果仅作核查线索",
            Some(bureau),
            at(25),
        )
        .await?;

    let yunling = Books {
        store,
        clock,
        county,
        name: "云岭县".into(),
    };
    let yunling_made = ledger_cases(
        &yunling,
        city,
        &Plan {
            spend: FundSource::CentralSpecial,
            split: (200_000, &[(5, 46_000), (8, 48_500), (12, 45_800)]),
            worker: "覃建勇",
            unconfirmed_and_rewards: true,
        },
    )
    .await
    .context("云岭县's ledger cases")?;
    // 石门县's split passes its own 30,000 yuan, not the default 50,000.
    let shimen_books = Books {
        store,
        clock,
        county: shimen_county,
        name: "石门县".into(),
    };
    ledger_cases(
        &shimen_books,
        city,
        &Plan {
            spend: FundSource::CountyBudget,
            split: (60_000, &[(8, 18_600), (12, 16_800)]),
            worker: "蒙光辉",
            unconfirmed_and_rewards: false,
        },
    )
    .await
    .context("石门县's ledger cases")?;

    // The scan, as `serve` runs it each day.
    store
        .scan_flags(&city.code, &[], today, None, at(1), &|_| {})
        .await?;

    // The counties' handling: reasons for what is not a violation, a case for what is.
    let of = |scope: RegionCode, rule: &'static str| FlagFilter {
        scopes: vec![scope],
        rule: Some(rule.into()),
        open_only: true,
        ..Default::default()
    };
    let first = |scope: RegionCode, rule: &'static str| async move {
        Ok::<_, anyhow::Error>(
            store
                .flags(&of(scope, rule), 1, 0)
                .await?
                .0
                .into_iter()
                .next(),
        )
    };
    if let Some(f) = first(county, "stalled_project").await? {
        store
            .flag_step(
                f.id,
                FlagAction::Dismiss,
                "施工因雨季停工，乡镇已报送停工说明，复工计划已备案。",
                Some(bureau),
                at(0),
            )
            .await?;
    }
    if let Some(f) = first(county, "official_payee").await? {
        store
            .flag_step(
                f.id,
                FlagAction::Dismiss,
                "经核实，受益户与县纪委监委工作人员同名不同人，身份证号不同。",
                Some(discipline),
                at(0),
            )
            .await?;
    }
    if let Some(f) = first(county, "unaccepted").await? {
        store
            .flag_step(
                f.id,
                FlagAction::Triage,
                "已通知乡镇申请验收。",
                Some(bureau),
                at(0),
            )
            .await?;
    }
    if let Some(f) = first(county, "deceased").await? {
        store
            .flag_step(
                f.id,
                FlagAction::OpenCase,
                "死亡人员仍登记为受益户，移交纪委监委核查。",
                Some(discipline),
                at(0),
            )
            .await?;
    }
    // The retention money paid after completion is what the contract says; the office
    // equipment bought from a finished project's account stays open.
    if let Some(id) = yunling_made.retention {
        let (after, _) = store
            .flags(&of(county, "paid_after_completion"), 10, 0)
            .await?;
        if let Some(f) = after
            .iter()
            .find(|f| f.evidence_key == format!("transfer:{id}"))
        {
            store
                .flag_step(
                    f.id,
                    FlagAction::Dismiss,
                    "该笔为施工合同约定的工程质保金，质保期满经乡镇和村委会复查无质量问题后支付，已核对合同和复查记录。",
                    Some(bureau),
                    at(0),
                )
                .await?;
        }
    }
    if let Some(f) = first(county, "unapproved_project").await? {
        store
            .flag_step(
                f.id,
                FlagAction::OpenCase,
                "项目未经县级审批入库即安排并支付资金，移交纪委监委核查。",
                Some(discipline),
                at(0),
            )
            .await?;
    }
    for (rule, reason) in [
        (
            "split_payments",
            "已调取施工合同和付款审批单，核查是否为规避集体决策拆分支付。",
        ),
        (
            "benford",
            "已要求乡镇核对以奖代补兑付花名册与肉牛存栏核查记录。",
        ),
    ] {
        if let Some(f) = first(county, rule).await? {
            store
                .flag_step(f.id, FlagAction::Triage, reason, Some(bureau), at(0))
                .await?;
        }
    }
    if let Some(f) = first(shimen_county, "split_payments").await? {
        store
            .flag_step(
                f.id,
                FlagAction::Triage,
                "按本县集体决策金额（3万元）调取付款审批单核查。",
                Some(shimen),
                at(0),
            )
            .await?;
    }
    Ok(())
}

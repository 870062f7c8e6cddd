//! The demo's red-flag ledger cases: a county's books as its finance bureau keeps them, and the
//! cases booked in them (see the parent module's documentation).
use super::{Clock, yuan};
use crate::demo::City;
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_core::ledger::{FundSource, PaymentAction, TransferKind};
use sunledger_core::money::Money;
use sunledger_store::{LedgerOp, NewTransfer, Owner, ProjectFilter, Ref, Store, Transfer};

/// A county's books, as its finance bureau keeps them: arrangements to projects and payments
/// from them, numbered under the county's documents.
pub(super) struct Books<'a> {
    pub(super) store: &'a dyn Store,
    pub(super) clock: Clock,
    pub(super) county: RegionCode,
    pub(super) name: String,
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
pub(super) struct Facts {
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
pub(super) struct Plan {
    /// The fund the cases pay from (云岭县: the central funds; 石门县, whose central funds are
    /// still in transit: its own budget).
    pub(super) spend: FundSource,
    /// Money arranged to the project whose supplier is paid in parts, and the parts: (days after
    /// the arrangement, yuan).
    pub(super) split: (i64, &'static [(i64, i64)]),
    /// The worker paid in two villages.
    pub(super) worker: &'static str,
    /// 云岭县 only: an appropriation its township has not confirmed, and a project's reward
    /// payments to 120 households.
    pub(super) unconfirmed_and_rewards: bool,
}

/// What the handling at the end needs: the payment of retention money, paid long after
/// completion for a reason.
pub(super) struct Made {
    pub(super) retention: Option<i64>,
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
pub(super) async fn ledger_cases(b: &Books<'_>, city: &City, plan: &Plan) -> Result<Made> {
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

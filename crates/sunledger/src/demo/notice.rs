//! The demo's public notices (公告公示, issue 16): notices of every kind in 云岭县 (most in the
//! featured township 金坪镇 and its village) and a few in 石门县, drafted by one account and
//! published by another, dated back from `now` so that most have run their window and closed,
//! one policy notice of the featured village is open today (with one objection waiting for its
//! answer), and a few are drafts. Fund allocation notices answer some of Book 1's allocations on
//! time; the others are left unpublished, so a few dues are overdue (one in the featured
//! township). Objections from the public, mostly answered; postings with a photo, one confirmed
//! by the village supervision committee and one not; and one notice corrected by a later one.
use super::{City, DAY, Rng};
use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap};
use sunledger_core::day;
use sunledger_core::notice::{NoticeAction, receipt};
use sunledger_core::{Level, RegionCode};
use sunledger_store::{DueEvent, NewNotice, NewObjection, NewPosting, Notice, Store};

/// The photo of a posted notice (a red board with a white sheet, a 48×32 PNG; kept here as
/// bytes, the repository ignores `*.png`).
pub(super) const PHOTO: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 48, 0, 0, 0, 32, 8, 2,
    0, 0, 0, 219, 182, 108, 75, 0, 0, 0, 97, 73, 68, 65, 84, 120, 218, 99, 168, 152, 150, 55, 168,
    16, 195, 168, 131, 72, 113, 208, 52, 13, 229, 1, 65, 163, 14, 162, 220, 65, 95, 63, 61, 163, 3,
    26, 117, 16, 45, 28, 180, 69, 78, 142, 234, 104, 52, 202, 104, 234, 160, 40, 26, 128, 209, 40,
    27, 141, 178, 209, 40, 27, 141, 178, 209, 40, 27, 141, 50, 58, 56, 104, 180, 77, 61, 84, 28,
    132, 137, 2, 108, 52, 128, 136, 90, 157, 64, 98, 76, 27, 117, 208, 168, 131, 40, 53, 13, 0, 6,
    45, 52, 43, 254, 71, 193, 146, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// The featured village (the demo village cadre's, the supervisor's) and its township.
const VILLAGE: &str = "529121100201";
const TOWNSHIP: &str = "529121100";

/// How the public reaches the officials: printed on every notice.
fn channels(county: &str) -> String {
    format!(
        "对公示内容如有异议，可在公示期内向村务监督委员会或乡镇人民政府反映，也可在本页在线提交；\
         {county}扶贫开发领导小组办公室监督电话 0871-5550100；全国扶贫监督举报电话 12317。"
    )
}

/// The loader's clock, accounts and receipt numbers.
struct Notices<'a> {
    store: &'a dyn Store,
    now: i64,
    today: i64,
    users: HashMap<&'static str, Option<i64>>,
    rng: Rng,
}

impl Notices<'_> {
    /// The time `days` days ago (never in the future).
    fn ago(&self, days: i64) -> i64 {
        self.now - days.max(0) * DAY
    }

    /// Days from calendar day `day` to today (0 when it is today or later).
    fn days_since(&self, day: i64) -> i64 {
        (self.today - day).max(0)
    }

    fn user(&self, name: &str) -> Option<i64> {
        self.users.get(name).copied().flatten()
    }

    /// A draft of `kind` in `region` written `days` ago by `drafter`.
    #[allow(clippy::too_many_arguments)]
    async fn draft(
        &self,
        region: &str,
        kind: &str,
        fields: &[(&str, String)],
        source: Option<String>,
        corrects: Option<i64>,
        drafter: &str,
        days: i64,
    ) -> Result<Notice> {
        let fields: BTreeMap<String, String> = fields
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        self.store
            .draft_notice(
                &NewNotice {
                    region: RegionCode::parse(region)?,
                    kind: kind.into(),
                    fields,
                    corrects,
                    source,
                },
                self.user(drafter),
                self.ago(days),
            )
            .await
            .with_context(|| format!("drafting the demo {kind} notice in {region}"))
    }

    async fn step(&self, id: i64, action: NoticeAction, by: &str, days: i64) -> Result<()> {
        self.store
            .notice_action(id, action, self.user(by), self.ago(days))
            .await
            .with_context(|| format!("demo notice {id}: {}", action.key()))?;
        Ok(())
    }

    /// An objection from the public `days` ago, with a receipt code of its own.
    async fn object(
        &mut self,
        notice: i64,
        content: &str,
        who: Option<(&str, &str)>,
        days: i64,
    ) -> Result<i64> {
        let o = self
            .store
            .object(
                &NewObjection {
                    subject_table: "notices".into(),
                    subject_id: notice,
                    content: content.into(),
                    name: who.map(|(n, _)| n.to_string()),
                    phone: who.map(|(_, p)| p.to_string()).filter(|p| !p.is_empty()),
                    receipt: receipt::from_random(self.rng.next()),
                },
                self.ago(days),
            )
            .await
            .with_context(|| format!("an objection to demo notice {notice}"))?;
        Ok(o.id)
    }

    async fn answer(&self, objection: i64, text: &str, by: &str, days: i64) -> Result<()> {
        self.store
            .answer_public_objection(objection, text, self.user(by), self.ago(days))
            .await
            .with_context(|| format!("answering demo objection {objection}"))?;
        Ok(())
    }

    /// A posting of `notice` at `place`, put up and recorded `days` ago; returns its id.
    async fn post(
        &self,
        notice: i64,
        place: &str,
        posted_by: &str,
        recorder: &str,
        days: i64,
    ) -> Result<i64> {
        let p = self
            .store
            .record_posting(
                &NewPosting {
                    notice_id: notice,
                    place: place.into(),
                    posted_on: day::format(self.today - days.max(0)),
                    posted_by: posted_by.into(),
                    photo: PHOTO.to_vec(),
                },
                self.user(recorder),
                self.ago(days),
            )
            .await
            .with_context(|| format!("a posting of demo notice {notice}"))?;
        Ok(p.id)
    }

    /// Publishes `n` `published` days ago and, when its window has run (`closed` days ago),
    /// closes it.
    async fn run(
        &self,
        id: i64,
        publisher: &str,
        published: i64,
        closed: Option<i64>,
    ) -> Result<()> {
        self.step(id, NoticeAction::Publish, publisher, published)
            .await?;
        if let Some(c) = closed {
            self.step(id, NoticeAction::Close, publisher, c).await?;
        }
        Ok(())
    }
}

fn money(fen: i64) -> String {
    sunledger_core::money::Money::from_fen(fen).to_string()
}

/// Books the demo's notices.
pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let mut users = HashMap::new();
    for name in [
        "city.bureau",
        "yunling.finance",
        "yunling.bureau",
        "yunling.party",
        "yunling.township",
        "jinping.finance",
        "yunling.village",
        "yunling.workteam",
        "yunling.supervisor",
        "shimen.finance",
    ] {
        users.insert(name, store.user_by_username(name).await?.map(|u| u.id));
    }
    let mut n = Notices {
        store,
        now: city.now,
        today: day::today(city.now),
        users,
        rng: Rng(1616),
    };
    let names: HashMap<RegionCode, String> = city
        .regions
        .iter()
        .map(|r| (r.code, r.name.clone()))
        .collect();
    let name = |code: &str| -> String {
        RegionCode::parse(code)
            .ok()
            .and_then(|c| names.get(&c).cloned())
            .unwrap_or_default()
    };
    let village = name(VILLAGE);
    let township = name(TOWNSHIP);
    let yunling = channels("云岭县");

    // --- Policies implemented to households ---------------------------------------------------
    // The featured village's industry subsidies: open today, so a villager can still object.
    let beneficiaries = ["杨桂英", "罗明", "龙秀英", "王平", "杜强", "李桂英", "陈刚"]
        .iter()
        .zip([
            "肉牛 2 头",
            "生猪 10 头",
            "蛋鸡 200 羽",
            "中药材 3 亩",
            "肉牛 1 头",
            "茶叶 4 亩",
            "生猪 8 头",
        ])
        .map(|(who, what)| format!("{who}　{township}{village}　{what}"))
        .collect::<Vec<_>>()
        .join("\n");
    let open = n
        .draft(
            VILLAGE,
            "policy",
            &[
                ("title", format!("{village}2026年产业奖补政策落实公示")),
                ("document_no", "金政发〔2026〕31号".into()),
                (
                    "body",
                    "根据《云岭县2026年产业发展奖补实施方案》，经农户申请、村民小组评议、村两委审核，\
                     现将本村2026年产业奖补对象及补助金额予以公示。"
                        .into(),
                ),
                ("channels", yunling.clone()),
                (
                    "content",
                    "对脱贫户、监测户发展种养殖产业给予一次性奖补，补助资金直接兑付到户“一卡通”账户。".into(),
                ),
                ("scale", "本村7户，补助资金合计2.1万元".into()),
                ("object", "有劳动能力、发展产业的脱贫户和监测户".into()),
                (
                    "subsidy_standard",
                    "养殖肉牛每头补助1500元，生猪每头补助300元，蛋鸡每羽补助15元，种植中药材、茶叶每亩补助750元；每户最高不超过3000元。".into(),
                ),
                ("amount_per_household", "3000".into()),
                ("fund_source", "中央财政衔接推进乡村振兴补助资金".into()),
                ("beneficiaries", beneficiaries),
            ],
            None,
            None,
            "yunling.village",
            4,
        )
        .await?;
    n.run(open.id, "yunling.township", 3, None).await?;
    let o = n
        .object(
            open.id,
            "王平家的中药材实际只种了2亩，不是3亩，请核实。",
            None,
            2,
        )
        .await?;
    n.answer(
        o,
        "经村务监督委员会实地丈量，王平户中药材种植面积为3.1亩，公示无误。",
        "yunling.township",
        1,
    )
    .await?;
    // The one objection waiting for an answer.
    n.object(
        open.id,
        "我家去年也养了牛，为什么不在名单里？",
        Some(("村民", "0871-5550100")),
        1,
    )
    .await?;
    let board = n
        .post(
            open.id,
            &format!("{village}村务公开栏"),
            "村干部 杨勇",
            "yunling.village",
            3,
        )
        .await?;
    store
        .confirm_posting(board, n.user("yunling.supervisor"), n.ago(2))
        .await
        .context("confirming the demo posting")?;
    n.post(
        open.id,
        &format!("{village}第三村民组活动室"),
        "村干部 杨勇",
        "yunling.village",
        2,
    )
    .await?;

    // The featured village's spring education subsidies: long closed.
    let spring = n
        .draft(
            VILLAGE,
            "policy",
            &[
                (
                    "title",
                    format!("{village}2026年春季学期“雨露计划”补助公示"),
                ),
                ("channels", yunling.clone()),
                (
                    "content",
                    "对就读中高职院校的脱贫家庭子女给予助学补助。".into(),
                ),
                ("scale", "本村4户，补助资金合计6000元".into()),
                ("object", "子女就读中职、高职的脱贫户和监测户".into()),
                ("subsidy_standard", "每生每学期1500元".into()),
                ("amount_per_household", "1500".into()),
                ("fund_source", "中央财政衔接推进乡村振兴补助资金".into()),
                (
                    "beneficiaries",
                    format!("罗秀英　{village}\n何军　{village}\n龙华　{village}\n朱娟　{village}"),
                ),
            ],
            None,
            None,
            "yunling.village",
            75,
        )
        .await?;
    n.run(spring.id, "yunling.township", 74, None).await?;
    let o = n
        .object(
            spring.id,
            "补助什么时候发到卡上？",
            Some(("罗秀英", "")),
            70,
        )
        .await?;
    n.answer(
        o,
        "公示期满无异议后，补助资金将于10个工作日内通过“一卡通”发放。",
        "yunling.township",
        69,
    )
    .await?;
    n.step(spring.id, NoticeAction::Close, "yunling.township", 60)
        .await?;

    // A neighbouring village's housing subsidy, published with a wrong standard and corrected.
    let next_village = "529121100202";
    let neighbour = name(next_village);
    let housing = |standard: &str, amount: &str, title: String| {
        vec![
            ("title", title),
            ("channels", yunling.clone()),
            (
                "content",
                "对住房安全等级为C级、D级的脱贫户和监测户实施危房改造。".into(),
            ),
            ("scale", "本村3户".into()),
            ("object", "住房鉴定为C级、D级危房的脱贫户和监测户".into()),
            ("subsidy_standard", standard.to_string()),
            ("amount_per_household", amount.to_string()),
            ("fund_source", "中央财政农村危房改造补助资金".into()),
            (
                "beneficiaries",
                format!("张明　{neighbour}\n刘艳　{neighbour}\n吴涛　{neighbour}"),
            ),
        ]
    };
    let wrong = n
        .draft(
            next_village,
            "policy",
            &housing(
                "C级危房每户补助1万元，D级危房每户补助3万元",
                "10000",
                format!("{neighbour}2026年农村危房改造补助公示"),
            ),
            None,
            None,
            "yunling.township",
            41,
        )
        .await?;
    n.run(wrong.id, "yunling.bureau", 40, None).await?;
    let o = n
        .object(
            wrong.id,
            "县里文件写的C级补助是1.5万元，公示的1万元是不是写错了？",
            Some(("张明", "")),
            38,
        )
        .await?;
    n.answer(
        o,
        "经核实，公示的补助标准有误，已按云政办发〔2026〕8号发布更正公示。",
        "yunling.township",
        37,
    )
    .await?;
    let corrected = n
        .draft(
            next_village,
            "policy",
            &housing(
                "C级危房每户补助1.5万元，D级危房每户补助3.5万元",
                "15000",
                format!("{neighbour}2026年农村危房改造补助公示（更正）"),
            ),
            None,
            Some(wrong.id),
            "yunling.township",
            37,
        )
        .await?;
    n.run(corrected.id, "yunling.bureau", 36, Some(24)).await?;
    n.step(wrong.id, NoticeAction::Close, "yunling.bureau", 28)
        .await?;

    // A draft not yet complete: the subsidy standard is still to come.
    n.draft(
        "529121100203",
        "policy",
        &[
            (
                "title",
                format!("{}2026年小额信贷贴息公示", name("529121100203")),
            ),
            ("channels", yunling.clone()),
            ("content", "对脱贫人口小额信贷按季度给予贴息。".into()),
            ("object", "获得脱贫人口小额信贷的脱贫户和监测户".into()),
            ("fund_source", "县级财政专项扶贫资金".into()),
        ],
        None,
        None,
        "yunling.village",
        1,
    )
    .await?;

    // 石门县: a closed policy notice in its first village.
    let shimen = RegionCode::parse("529122")?;
    let shimen_village = match store.region_children(&shimen).await?.first() {
        Some(t) => store.region_children(&t.code).await?.get(1).map(|v| v.code),
        None => None,
    };
    if let Some(v) = shimen_village {
        let vname = name(v.as_str());
        let credit = n
            .draft(
                v.as_str(),
                "policy",
                &[
                    ("title", format!("{vname}2026年脱贫人口小额信贷贴息公示")),
                    ("channels", channels("石门县")),
                    ("content", "对2026年一季度脱贫人口小额信贷按基准利率全额贴息。".into()),
                    ("scale", "本村5户".into()),
                    ("object", "获得小额信贷并按期还款的脱贫户、监测户".into()),
                    ("subsidy_standard", "按贷款基准利率3.45%全额贴息".into()),
                    ("amount_per_household", "431.25".into()),
                    ("fund_source", "县级财政专项扶贫资金".into()),
                    (
                        "beneficiaries",
                        format!("马超　{vname}\n孙芳　{vname}\n郭勇　{vname}\n胡静　{vname}\n徐磊　{vname}"),
                    ),
                ],
                None,
                None,
                "shimen.finance",
                30,
            )
            .await?;
        n.run(credit.id, "city.bureau", 29, Some(15)).await?;
    }

    // --- Dues: allocations, approvals and acceptances answered -------------------------------
    // Most are answered within their 15 working days, a few late; the featured township's
    // appropriation and one due in eight are left unpublished (overdue by now), one is a draft.
    let yunling_code = RegionCode::parse("529121")?;
    let dues = store
        .notice_dues(&[yunling_code, shimen])
        .await
        .context("the demo's notice dues")?;
    let cal = sunledger_core::day::Calendar::china();
    let mut posted_board = false;
    let mut planned: Option<(String, String, RegionCode)> = None;
    let mut drafted_only = false;
    for (i, d) in dues.iter().filter(|d| d.notice_id.is_none()).enumerate() {
        let Some(due) = sunledger_core::notice::kind(&d.kind)
            .ok()
            .and_then(|k| k.due)
        else {
            continue;
        };
        let Some(event) = day::number(&d.event_on) else {
            continue;
        };
        let appropriation_to_featured =
            d.kind == "fund_allocation" && d.region.as_str() == format!("{TOWNSHIP}000");
        if appropriation_to_featured || i % 8 == 5 {
            continue;
        }
        let due_day = sunledger_core::notice::due_on(&cal, &due, event);
        let published = if i % 9 == 7 {
            due_day + 4
        } else {
            event + 2 + (i % 5) as i64
        };
        if published >= n.today {
            continue;
        }
        let featured = d.region.as_str().starts_with(TOWNSHIP);
        let shimen_due = d.region.county_code() == "529122";
        let (drafter, publisher) = match (shimen_due, featured, d.kind.as_str()) {
            (true, _, _) => ("shimen.finance", "city.bureau"),
            (false, true, "fund_allocation") => ("jinping.finance", "yunling.township"),
            (false, true, _) => ("yunling.township", "yunling.bureau"),
            (false, false, "fund_allocation") => ("yunling.finance", "yunling.bureau"),
            (false, false, _) => ("yunling.bureau", "yunling.party"),
        };
        let drafted = n.days_since(published - 1);
        let notice = match d.kind.as_str() {
            "fund_allocation" => fund_notice(&n, d, drafter, drafted).await?,
            "project_plan" => plan_notice(&n, d, &name, drafter, drafted).await?,
            _ => acceptance_notice(&n, d, drafter, drafted).await?,
        };
        if d.kind == "fund_allocation" && !featured && !shimen_due && !drafted_only {
            drafted_only = true;
            continue; // written, never published: it counts as not published
        }
        n.step(
            notice.id,
            NoticeAction::Publish,
            publisher,
            n.days_since(published),
        )
        .await?;
        let window = sunledger_core::notice::kind(&d.kind).map_or(10, |k| k.window_days);
        // The featured township closes its notices once their window has run.
        if featured && published + window + 2 <= n.today {
            n.step(
                notice.id,
                NoticeAction::Close,
                publisher,
                n.days_since(published + window + 1),
            )
            .await?;
        }
        if !posted_board && d.kind == "fund_allocation" && d.region.county_code() == "529121" {
            // Put up on the board of the region it went to, recorded, not yet confirmed.
            n.post(
                notice.id,
                &format!("{}政务公开栏", d.region_name),
                "办公室工作人员",
                publisher,
                n.days_since(published),
            )
            .await?;
            posted_board = true;
        }
        if planned.is_none() && featured && d.kind == "project_plan" && published + 40 <= n.today {
            planned = Some((d.source.clone(), d.label.clone(), d.region));
        }
    }

    // Implementation of the first project planned in the featured township.
    if let Some((source, label, region)) = &planned {
        let progress = n
            .draft(
                region.as_str(),
                "project_implementation",
                &[
                    ("title", format!("{label}实施进度公示")),
                    ("channels", yunling.clone()),
                    ("project_name", label.clone()),
                    (
                        "progress",
                        "主体工程已完成70%，已拨付工程进度款30万元，预计2026年10月底完工。".into(),
                    ),
                    (
                        "changes",
                        "经村民代表大会同意，线路局部调整约200米，投资不变。".into(),
                    ),
                ],
                Some(source.clone()),
                None,
                "yunling.village",
                22,
            )
            .await?;
        n.run(progress.id, "yunling.township", 21, Some(9)).await?;
        // The next report, still being written.
        n.draft(
            region.as_str(),
            "project_implementation",
            &[
                ("title", format!("{label}实施进度公示（第二期）")),
                ("channels", yunling.clone()),
                ("project_name", label.clone()),
            ],
            Some(source.clone()),
            None,
            "yunling.village",
            0,
        )
        .await?;
    }

    // --- Appraisal of households --------------------------------------------------------------
    let appraisal = |title: String| {
        vec![
            ("title", title),
            ("channels", yunling.clone()),
            ("object", "2026年新识别监测对象".into()),
            (
                "standard",
                "家庭年人均纯收入低于监测标准，或因病、因灾、因意外事故导致基本生活出现严重困难"
                    .into(),
            ),
            (
                "result",
                "经农户申请、村民代表民主评议、村两委审核，拟将下列3户纳入防返贫监测对象。".into(),
            ),
            (
                "beneficiaries",
                format!(
                    "周杰　{village}（因病）\n黄娟　{village}（因灾）\n赵刚　{village}（因意外事故）"
                ),
            ),
        ]
    };
    let round = n
        .draft(
            VILLAGE,
            "appraisal",
            &appraisal(format!("{village}2026年第二季度防返贫监测对象评议结果公示")),
            None,
            None,
            "yunling.workteam",
            16,
        )
        .await?;
    n.run(round.id, "yunling.village", 15, Some(6)).await?;
    n.draft(
        VILLAGE,
        "appraisal",
        &appraisal(format!("{village}2026年第三季度防返贫监测对象评议结果公示")),
        None,
        None,
        "yunling.workteam",
        0,
    )
    .await?;
    Ok(())
}

/// The notice of a project's plan, once the county approved it, drafted `days` ago.
async fn plan_notice(
    n: &Notices<'_>,
    d: &DueEvent,
    name: &dyn Fn(&str) -> String,
    drafter: &str,
    days: i64,
) -> Result<Notice> {
    let shimen = d.region.county_code() == "529122";
    let town = d
        .region
        .parent()
        .map(|t| name(t.as_str()))
        .unwrap_or_default();
    let funding = match d.amount_fen {
        Some(f) => format!(
            "总投资{}元，其中财政衔接资金{}元，群众投工投劳折资{}元",
            money(f),
            money(f * 9 / 10),
            money(f - f * 9 / 10)
        ),
        None => "财政衔接推进乡村振兴补助资金".into(),
    };
    n.draft(
        d.region.as_str(),
        "project_plan",
        &[
            ("title", format!("{}计划公示", d.label)),
            ("channels", channels(if shimen { "石门县" } else { "云岭县" })),
            ("project_name", d.label.clone()),
            ("place", format!("{town}{}", d.region_name)),
            (
                "content",
                "项目经村民代表大会讨论通过、乡镇审核、县级审批，纳入县级巩固拓展脱贫攻坚成果和乡村振兴项目库。".into(),
            ),
            ("period", "自批复之日起8个月内完成".into()),
            ("implementing_unit", format!("{town}人民政府")),
            ("responsible_person", "分管副乡镇长".into()),
            ("funding", funding),
            ("procurement", "按规定公开比选施工单位，村务监督委员会全程参与".into()),
            ("targets", "带动脱贫户、监测户增收，项目建成后资产归村集体所有".into()),
        ],
        Some(d.source.clone()),
        None,
        drafter,
        days,
    )
    .await
}

/// The notice of a project's acceptance, drafted `days` ago.
async fn acceptance_notice(
    n: &Notices<'_>,
    d: &DueEvent,
    drafter: &str,
    days: i64,
) -> Result<Notice> {
    let shimen = d.region.county_code() == "529122";
    n.draft(
        d.region.as_str(),
        "acceptance",
        &[
            ("title", format!("{}竣工验收结果公示", d.label)),
            (
                "channels",
                channels(if shimen { "石门县" } else { "云岭县" }),
            ),
            ("project_name", d.label.clone()),
            ("accepted_on", d.event_on.clone()),
            (
                "team",
                "县扶贫移民局、县财政局、乡镇人民政府、村务监督委员会及村民代表组成验收组".into(),
            ),
            (
                "result",
                "工程质量合格，资金使用规范，同意通过验收，资产移交村集体管护。".into(),
            ),
        ],
        Some(d.source.clone()),
        None,
        drafter,
        days,
    )
    .await
}

/// The notice of a fund allocation, drafted `days` ago.
async fn fund_notice(n: &Notices<'_>, d: &DueEvent, drafter: &str, days: i64) -> Result<Notice> {
    let county = if d.region.county_code() == "529122" {
        "石门县"
    } else {
        "云岭县"
    };
    let amount = d.amount_fen.unwrap_or(0);
    // Money arranged to a project sits in the project's village.
    let project = d.region.level() == Level::Village;
    let (use_, principle) = if project {
        (
            "用于村级产业发展和基础设施建设项目".to_string(),
            "按项目库入库项目和实施进度安排，资金跟着项目走".to_string(),
        )
    } else {
        (
            "用于发展产业、补齐基础设施短板和带动脱贫人口增收".to_string(),
            "按因素法分配：脱贫人口规模、监测对象数量、绩效评价结果等因素".to_string(),
        )
    };
    n.draft(
        d.region.as_str(),
        "fund_allocation",
        &[
            ("title", format!("{}分配结果公示", d.label)),
            ("channels", channels(county)),
            ("fund_source", d.label.clone()),
            ("amount", money(amount)),
            ("use", use_),
            ("using_unit", d.region_name.clone()),
            ("principle", principle),
            (
                "result",
                format!("下达{}{}元，{}。", d.region_name, money(amount), d.event_on),
            ),
        ],
        Some(d.source.clone()),
        None,
        drafter,
        days,
    )
    .await
}

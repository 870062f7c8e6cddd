//! The demo's complaints: one in every state and from every channel, in 云岭县. Among them an
//! anonymous web complaint naming a township official (routed to the county, above the township),
//! a letter never accepted (overdue), a hotline report of money held back found substantiated
//! (it opened a Book 3 problem, and its outcome is published), a visit whose answer is in review
//! at the county (the level above the township that answered), one reviewed, one in re-review
//! at the city, a duplicate merged into the letter, and one referred to the court.
//!
//! Demo receipt codes are `SL-<year>-DEM000nn` with the PIN `135790 + n` (n = 1…12: the hotline
//! report `SL-2026-DEM00002` has PIN `135792`), so the public lookup can be tried; real codes are
//! random.
use super::City;
use anyhow::{Context, Result};
use sunledger_core::Level;
use sunledger_core::RegionCode;
use sunledger_core::complaint::{Channel, ComplaintAction, ComplaintCategory, Finding, Rules};
use sunledger_core::day::Calendar;
use sunledger_store::{ComplaintStepInput, NewComplaint, NewPublication, Store};

const DAY: i64 = 86_400;

struct Demo {
    n: u32,
    channel: Channel,
    category: ComplaintCategory,
    region: &'static str,
    accused: Option<(Level, &'static str)>,
    title: &'static str,
    body: &'static str,
    anonymous: bool,
    consent: bool,
    /// Days before now it arrived.
    days_ago: i64,
    /// Its steps: the action, days before now, the text, the finding, the account.
    steps: &'static [(
        ComplaintAction,
        i64,
        &'static str,
        Option<Finding>,
        &'static str,
    )],
}

use ComplaintAction as A;

const DEMOS: &[Demo] = &[
    Demo {
        n: 1,
        channel: Channel::Web,
        category: ComplaintCategory::Favouritism,
        region: "529121100201",
        accused: Some((Level::Township, "金坪镇分管扶贫的副镇长")),
        title: "副镇长把亲戚列为易地搬迁户",
        body: "镇上分管扶贫的领导把自己在城里有房的亲戚报成了易地扶贫搬迁户，村里群众都知道。",
        anonymous: true,
        consent: false,
        days_ago: 12,
        steps: &[
            (A::Accept, 10, "", None, "yunling.discipline"),
            (A::Investigate, 9, "", None, "yunling.discipline"),
        ],
    },
    Demo {
        n: 2,
        channel: Channel::Hotline,
        category: ComplaintCategory::Detention,
        region: "529121100201",
        accused: Some((Level::Village, "村会计")),
        title: "产业奖补资金被村里扣了三个月",
        body: "今年的产业奖补资金，镇里说早就拨到村里了，村会计一直没有发给我们，已经三个月。",
        anonymous: false,
        consent: true,
        days_ago: 70,
        steps: &[
            (A::Accept, 68, "", None, "yunling.discipline"),
            (A::Investigate, 67, "", None, "yunling.discipline"),
            (
                A::Answer,
                40,
                "经查，村会计将产业奖补资金 3.6 万元滞留在村账户 92 天，未按时兑付。已责令全部兑付到户，对村会计立案审查。",
                Some(Finding::Substantiated),
                "yunling.discipline",
            ),
        ],
    },
    Demo {
        n: 3,
        channel: Channel::Letter,
        category: ComplaintCategory::Project,
        region: "529121100201",
        accused: None,
        title: "通组路修了半年还没完工",
        body: "村里的通组公路去年秋天开工，到现在路面还没有硬化，下雨天没法走。",
        anonymous: false,
        consent: false,
        days_ago: 40,
        steps: &[],
    },
    Demo {
        n: 4,
        channel: Channel::Visit,
        category: ComplaintCategory::Targeting,
        region: "529121100202",
        accused: Some((Level::Village, "村委会")),
        title: "我家符合条件没有评上",
        body: "我家两个老人常年生病，收入很低，今年民主评议没有评上，认为不公平。",
        anonymous: false,
        consent: false,
        days_ago: 60,
        steps: &[
            (A::Accept, 58, "", None, "yunling.township"),
            (A::Investigate, 57, "", None, "yunling.township"),
            (
                A::Answer,
                30,
                "经核查，你家人均纯收入高于今年标准，评议程序合规，不属实。",
                Some(Finding::NotSubstantiated),
                "yunling.township",
            ),
            (
                A::RequestReview,
                20,
                "收入算法不对，医药费没有扣除。",
                None,
                "",
            ),
        ],
    },
    Demo {
        n: 5,
        channel: Channel::Phone,
        category: ComplaintCategory::FundManagement,
        region: "529121100201",
        accused: None,
        title: "村务公开栏的资金明细看不清",
        body: "公开栏贴的资金表格字太小，数额也对不上，想问清楚。",
        anonymous: false,
        consent: false,
        days_ago: 20,
        steps: &[
            (A::Accept, 18, "", None, "yunling.township"),
            (A::Investigate, 17, "", None, "yunling.township"),
            (
                A::Pause,
                10,
                "请投诉人说明看到的是哪一期公示。",
                None,
                "yunling.township",
            ),
        ],
    },
    Demo {
        n: 6,
        channel: Channel::Web,
        category: ComplaintCategory::Project,
        region: "529121100201",
        accused: None,
        title: "通组路工程拖延",
        body: "通组公路一直没有修好。",
        anonymous: true,
        consent: false,
        days_ago: 30,
        steps: &[],
    },
    Demo {
        n: 7,
        channel: Channel::Letter,
        category: ComplaintCategory::Other,
        region: "529121100201",
        accused: None,
        title: "土地承包纠纷",
        body: "邻居占了我家承包地，要求处理。",
        anonymous: false,
        consent: false,
        days_ago: 25,
        steps: &[(
            A::Refer,
            22,
            "属于土地承包经营纠纷，已告知投诉人向县农村土地承包仲裁委员会申请仲裁。",
            None,
            "yunling.township",
        )],
    },
    Demo {
        n: 8,
        channel: Channel::Web,
        category: ComplaintCategory::WorkStyle,
        region: "529121100201",
        accused: None,
        title: "驻村工作队很少在村",
        body: "驻村工作队一个月只来几天。",
        anonymous: true,
        consent: true,
        days_ago: 3,
        steps: &[],
    },
    Demo {
        n: 9,
        channel: Channel::Hotline,
        category: ComplaintCategory::Targeting,
        region: "529121100202",
        accused: None,
        title: "危房改造补助名单有疑问",
        body: "名单里有一户去年已经建了新房。",
        anonymous: false,
        consent: false,
        days_ago: 45,
        steps: &[
            (A::Accept, 43, "", None, "yunling.township"),
            (
                A::Answer,
                25,
                "经核查，该户旧房仍为 C 级危房，新房为其子女所建，不属实。",
                Some(Finding::NotSubstantiated),
                "yunling.township",
            ),
        ],
    },
    Demo {
        n: 10,
        channel: Channel::Phone,
        category: ComplaintCategory::Bribery,
        region: "529121100202",
        accused: Some((Level::Village, "村支书")),
        title: "办低保要先给村支书送钱",
        body: "村支书说要先拿两千块钱才给报低保。",
        anonymous: false,
        consent: false,
        days_ago: 4,
        steps: &[(A::Accept, 2, "", None, "yunling.discipline")],
    },
    Demo {
        n: 11,
        channel: Channel::Letter,
        category: ComplaintCategory::Targeting,
        region: "529121100201",
        accused: Some((Level::Village, "村委会")),
        title: "退出贫困户的收入核算有误",
        body: "我家被评为退出，但收入里算了已经不在家的儿子的工资。",
        anonymous: false,
        consent: false,
        days_ago: 80,
        steps: &[
            (A::Accept, 78, "", None, "yunling.township"),
            (
                A::Answer,
                60,
                "经核查，按户籍人口核算收入符合规定，不属实。",
                Some(Finding::NotSubstantiated),
                "yunling.township",
            ),
            (A::RequestReview, 55, "儿子已分户，不应计入。", None, ""),
            (
                A::AnswerReview,
                30,
                "复查认为：其子已于去年分户，收入不应计入，原答复部分属实，已重新核算并恢复帮扶。",
                Some(Finding::Partly),
                "yunling.bureau",
            ),
        ],
    },
    Demo {
        n: 12,
        channel: Channel::Visit,
        category: ComplaintCategory::Project,
        region: "529121100202",
        accused: None,
        title: "饮水工程水压不足",
        body: "新修的饮水工程高处几户经常没水。",
        anonymous: false,
        consent: true,
        days_ago: 90,
        steps: &[
            (A::Accept, 88, "", None, "yunling.township"),
            (A::Investigate, 85, "", None, "yunling.township"),
            (
                A::Answer,
                70,
                "经查，工程按设计施工，高处几户水压不足系用水高峰所致，不属实。",
                Some(Finding::NotSubstantiated),
                "yunling.township",
            ),
            (A::RequestReview, 65, "高峰以外也没水。", None, ""),
            (
                A::AnswerReview,
                45,
                "复查维持原答复。",
                Some(Finding::NotSubstantiated),
                "yunling.bureau",
            ),
            (A::RequestRereview, 40, "请求现场测水压。", None, ""),
        ],
    },
];

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let rules = Rules::default();
    let cal = Calendar::china();
    let year = sunledger_core::day::today_text(city.now)
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or(2026);
    let user = |name: &'static str| async move {
        if name.is_empty() {
            return Ok(None);
        }
        store
            .user_by_username(name)
            .await?
            .map(|u| Some(u.id))
            .with_context(|| format!("demo account {name}"))
    };
    let mut ids = Vec::new();
    for d in DEMOS {
        let at = city.now - d.days_ago * DAY;
        let pin = format!("{}", 135_790 + d.n);
        let pin_hash = sunledger_web::access::auth::hash_password(&pin)
            .map_err(|e| anyhow::anyhow!("hashing a demo PIN: {e:?}"))?;
        let intake_by = if d.channel == Channel::Web {
            None
        } else {
            user("yunling.bureau").await?
        };
        let n = NewComplaint {
            code: format!("SL-{year}-DEM{:05}", d.n),
            pin_hash,
            channel: d.channel,
            category: d.category,
            region: RegionCode::parse(d.region)?,
            project_id: None,
            fund_text: String::new(),
            accused_text: d.accused.map(|a| a.1.to_string()).unwrap_or_default(),
            accused_level: d.accused.map(|a| a.0),
            title: d.title.into(),
            body: d.body.into(),
            anonymous: d.anonymous,
            name: if d.anonymous {
                String::new()
            } else {
                "张群".into()
            },
            contact: if d.anonymous {
                String::new()
            } else {
                "138 0000 0000".into()
            },
            consent: d.consent,
            received_on: sunledger_core::day::today_text(at),
            intake_by,
            // The web report about the work team came with a photo of the empty office.
            files: if d.n == 8 {
                vec![sunledger_store::NewFile {
                    name: "驻村工作队办公室.png".into(),
                    content: super::notice::PHOTO.to_vec(),
                }]
            } else {
                Vec::new()
            },
            rules: rules.clone(),
        };
        let c = store
            .file_complaint(&n, at)
            .await
            .with_context(|| format!("demo complaint {}", d.n))?;
        for (action, ago, text, finding, by) in d.steps {
            let s = ComplaintStepInput {
                action: *action,
                text: (*text).into(),
                finding: *finding,
                transfer_to: None,
                merge_into: None,
                department_id: None,
                by_complainant: by.is_empty(),
            };
            store
                .complaint_step(
                    c.id,
                    &s,
                    (&rules, &cal),
                    user(by).await?,
                    city.now - ago * DAY,
                )
                .await
                .with_context(|| format!("demo complaint {} step {}", d.n, action.key()))?;
        }
        ids.push(c.id);
    }
    let id = |n: usize| ids.get(n - 1).copied().context("demo complaint");
    // The web duplicate of the letter about the road is merged into it.
    let merge = ComplaintStepInput {
        action: A::Merge,
        text: String::new(),
        finding: None,
        transfer_to: None,
        merge_into: Some(id(3)?),
        department_id: None,
        by_complainant: false,
    };
    store
        .complaint_step(
            id(6)?,
            &merge,
            (&rules, &cal),
            user("yunling.township").await?,
            city.now - 20 * DAY,
        )
        .await
        .context("merging the demo duplicate")?;
    // The substantiated report is published on the complainant's consent.
    let p = NewPublication {
        basis: "consent".into(),
        reason: String::new(),
        found: "村会计将产业奖补资金 3.6 万元滞留在村账户 92 天，未按时兑付。".into(),
        done: "资金已全部兑付到户；对村会计立案审查，问题列入问题台账整改。".into(),
    };
    store
        .publish_complaint(
            id(2)?,
            &p,
            user("yunling.discipline").await?,
            city.now - 38 * DAY,
        )
        .await
        .context("publishing the demo outcome")?;
    // The complainant of the hotline report accepted the answer.
    let close = ComplaintStepInput {
        action: A::Close,
        text: String::new(),
        finding: None,
        transfer_to: None,
        merge_into: None,
        department_id: None,
        by_complainant: true,
    };
    store
        .complaint_step(id(2)?, &close, (&rules, &cal), None, city.now - 36 * DAY)
        .await
        .context("closing the demo report")?;
    Ok(())
}

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
use sunledger_core::ledger::FundSource;
use sunledger_core::money::Money;
use sunledger_store::{FlagFilter, NewCrosscheckEntry, NewCrosscheckList, ProjectFilter, Store};

mod books;
use books::{Books, Plan, ledger_cases};

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

//! The demo's red flags: a person recorded as a beneficiary of two projects of 云岭县 who is on
//! the county's list of deceased persons, and a public-payroll employee recorded as a
//! beneficiary; then a scan of the whole city (the demo's books raise detention, late passing
//! down, unconfirmed appropriations, stalled and unaccepted projects, overdue evaluations and
//! more), a few flags dismissed with their reasons, one triaged and one turned into a Book 3
//! case.
use super::{City, DAY};
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_core::appraisal::CheckList;
use sunledger_core::flag::FlagAction;
use sunledger_store::{FlagFilter, NewCrosscheckEntry, NewCrosscheckList, ProjectFilter, Store};

const COUNTY: &str = "529121000000";

/// A valid ID number from 17 digits.
fn id_number(first17: &str) -> Result<sunledger_core::IdNumber> {
    let c = sunledger_core::IdNumber::check_char(first17).context("ID digits")?;
    Ok(sunledger_core::IdNumber::parse(&format!("{first17}{c}"))?)
}

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let today = sunledger_core::day::today(city.now);
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
    let county = RegionCode::parse(COUNTY)?;

    // Two implemented projects of the county, each given one more beneficiary: the same person.
    let (projects, _) = store
        .projects(
            &ProjectFilter {
                scopes: vec![county],
                status: Some("in_progress".into()),
                ..Default::default()
            },
            2,
            0,
        )
        .await?;
    let twice = id_number("52912119560304001")?;
    let payroll = id_number("52912119800611002")?;
    for p in &projects {
        store
            .add_beneficiary(p.id, "杨德福", &twice, 3, Some(bureau), at(40))
            .await?;
    }
    if let Some(p) = projects.first() {
        store
            .add_beneficiary(p.id, "周文静", &payroll, 2, Some(bureau), at(40))
            .await?;
    }
    // The county's lists from the civil-affairs death records and the payroll office.
    for (kind, name, id) in [
        (CheckList::Deceased, "杨德福", &twice),
        (CheckList::PublicPayroll, "周文静", &payroll),
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
                    region: county,
                    kind,
                    file_sha256: sunledger_core::log::fact::sha256_hex(
                        format!("{name},{}\n", id.as_str()).as_bytes(),
                    ),
                    entries,
                },
                Some(bureau),
                at(20),
            )
            .await?;
    }

    // 石门县 lowers the amount that needs a collective decision, by its own rule.
    let shimen = user("shimen.finance").await?;
    store
        .set_flag_settings(
            &RegionCode::parse("529122000000")?,
            "split_payments.threshold = 30000\n",
            "石门县扶贫开发领导小组〔2026〕5号",
            Some(shimen),
            at(30),
        )
        .await?;

    // The scan, as `serve` runs it each day.
    store
        .scan_flags(&city.code, &[], today, None, at(1), &|_| {})
        .await?;

    // The county's handling: reasons for what is not a violation, a case for what is.
    let of = |rule: &'static str| FlagFilter {
        scopes: vec![county],
        rule: Some(rule.into()),
        open_only: true,
        ..Default::default()
    };
    if let Some(f) = store.flags(&of("stalled_project"), 1, 0).await?.0.first() {
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
    if let Some(f) = store.flags(&of("official_payee"), 1, 0).await?.0.first() {
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
    if let Some(f) = store.flags(&of("unaccepted"), 1, 0).await?.0.first() {
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
    if let Some(f) = store.flags(&of("deceased"), 1, 0).await?.0.first() {
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
    Ok(())
}

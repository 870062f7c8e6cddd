//! The demo's household appraisal: 云岭县's list of village cadres and their close relatives, and
//! the featured village's 2026 identification round. Five households apply; one head is the
//! spouse of a cadre (the hit is decided, with its reason, before the vote); the representatives'
//! meeting that failed its quorum voted void, the one held again approved them; a villager's
//! objection to the first notice was upheld and removed one applicant; the township and county
//! checked their seeded samples and the announcement made the four remaining households poor.
use super::City;
use anyhow::{Context, Result};
use sunledger_core::appraisal::{CheckList, HitDecision, RoundAction, RoundKind, Rules};
use sunledger_core::meeting::Tally;
use sunledger_core::{IdNumber, RegionCode};
use sunledger_store::{
    NewApplicant, NewCrosscheckEntry, NewCrosscheckList, NewItem, NewObjection, NewRound,
    StepInput, Store,
};

const DAY: i64 = 86_400;
const VILLAGE: &str = "529121100201";

fn step(document: &str, comment: &str) -> StepInput {
    StepInput {
        document: document.into(),
        comment: comment.into(),
    }
}

fn id_number(first17: &str) -> Result<IdNumber> {
    let c = IdNumber::check_char(first17).context("check character")?;
    Ok(IdNumber::parse(&format!("{first17}{c}"))?)
}

async fn user(store: &dyn Store, name: &str) -> Result<i64> {
    store
        .user_by_username(name)
        .await?
        .map(|u| u.id)
        .with_context(|| format!("demo account {name}"))
}

pub(super) async fn load(store: &dyn Store, city: &City) -> Result<()> {
    let village = RegionCode::parse(VILLAGE)?;
    let county = RegionCode::parse(village.county_code())?;
    let cadre = user(store, "yunling.village").await?;
    let township = user(store, "yunling.township").await?;
    let bureau = user(store, "yunling.bureau").await?;
    let today = sunledger_core::day::today(city.now);
    let at = |day: i64| city.now - (today - day).max(0) * DAY;
    let candidates: Vec<_> = store
        .households_in(&village)
        .await?
        .into_iter()
        .filter(|h| !h.poor)
        .take(5)
        .collect();
    let spouse = candidates.get(1).context("the village's households")?;

    // The county's list of village cadres and their close relatives.
    let entries = vec![
        NewCrosscheckEntry {
            row_no: 2,
            name: "赵建国".into(),
            id_number: Some(id_number("52912119700315021")?),
            relation: "本人".into(),
            of_name: String::new(),
            village: Some(village),
            note: "村党支部书记".into(),
        },
        NewCrosscheckEntry {
            row_no: 3,
            name: spouse.head_name.clone(),
            id_number: Some(IdNumber::parse(&spouse.id_number)?),
            relation: "配偶".into(),
            of_name: "赵建国".into(),
            village: Some(village),
            note: String::new(),
        },
        NewCrosscheckEntry {
            row_no: 4,
            name: "赵小军".into(),
            id_number: None,
            relation: "子女".into(),
            of_name: "赵建国".into(),
            village: Some(village),
            note: String::new(),
        },
    ];
    let text: String = entries
        .iter()
        .map(|e| format!("{},{},{}\n", e.name, e.relation, e.of_name))
        .collect();
    store
        .import_crosscheck_list(
            &NewCrosscheckList {
                region: county,
                kind: CheckList::CadreRelatives,
                file_sha256: sunledger_core::log::fact::sha256_hex(text.as_bytes()),
                entries,
            },
            Some(bureau),
            at(today - 31),
        )
        .await?;

    // The round; five applications.
    let round = store
        .open_round(
            &NewRound {
                village,
                year: 2026,
                kind: RoundKind::Identify,
                rules: Rules {
                    notice_days: 5,
                    ..Rules::default()
                },
            },
            Some(cadre),
            at(today - 30),
        )
        .await?;
    let mut applicants = Vec::new();
    for (i, h) in candidates.iter().enumerate() {
        let a = store
            .apply(
                &NewApplicant {
                    round_id: round.id,
                    household_id: h.id,
                    reason: ["因病致贫", "缺劳动力", "因学致贫", "因残致贫", "缺技术"]
                        .get(i)
                        .copied()
                        .unwrap_or("因病致贫")
                        .into(),
                    income_evidence: format!(
                        "2025年家庭人均纯收入{}元（村委会入户核算表）",
                        2600 + 150 * i
                    ),
                },
                Some(cadre),
                at(today - 30),
            )
            .await?;
        applicants.push(a.id);
    }
    store
        .round_step(
            round.id,
            RoundAction::CloseApplications,
            &step(
                "云岭村〔2026〕申请汇总表",
                "五户提出申请，比对财政供养、村干部近亲属、车辆、商品房信息",
            ),
            Some(cadre),
            at(today - 25),
        )
        .await?;
    let rec = store
        .round(round.id, at(today - 25))
        .await?
        .context("the round")?;
    for h in &rec.hits {
        store
            .decide_hit(
                h.id,
                HitDecision::Cleared,
                "经入户核实，该户与村支书赵建国已分户多年，承包地与收入分别核算，不影响评议",
                Some(cadre),
                at(today - 21),
            )
            .await?;
    }

    // The votes: the meeting without a quorum voted void; the one held again decided.
    let (meetings, _) = store
        .meetings(std::slice::from_ref(&village), 20, 0)
        .await?;
    let mut held: Vec<_> = meetings
        .into_iter()
        .filter(|m| m.kind == "representatives")
        .collect();
    held.sort_by_key(|m| m.id);
    let item = |present: u32, f: u32| NewItem {
        title: "评议：2026年度贫困户识别申请（5户）".into(),
        tally: Some(Tally {
            for_: f,
            against: present - f,
            abstain: 0,
        }),
        project_id: None,
        ballots: Vec::new(),
    };
    let mut valid = None;
    for m in &held {
        let day = m
            .held_on
            .as_deref()
            .and_then(sunledger_core::day::number)
            .unwrap_or(today - 13);
        let i = store
            .record_item(
                m.id,
                &item(m.present as u32, m.present as u32 - 2),
                Some(cadre),
                at(day),
            )
            .await?;
        if i.outcome.as_deref() == Some("passed") {
            valid = Some((i.id, day));
        }
    }
    let (item_id, vote_day) = valid.context("the representatives' meeting held again")?;
    for a in &applicants {
        store
            .record_vote(*a, item_id, Some(cadre), at(vote_day))
            .await?;
    }
    let vote_day = vote_day.max(today - 13);
    for (action, doc, comment, day) in [
        (
            RoundAction::Vote,
            "村民代表会议记录（重新召开）",
            "五户均获通过",
            vote_day,
        ),
        (
            RoundAction::VillageCheck,
            "村两委核实意见",
            "",
            vote_day + 1,
        ),
        (
            RoundAction::PostFirstNotice,
            "云岭村公示〔2026〕1号",
            "在村务公开栏张贴",
            vote_day + 1,
        ),
    ] {
        store
            .round_step(round.id, action, &step(doc, comment), Some(cadre), at(day))
            .await?;
    }
    let rec = store
        .round(round.id, at(vote_day + 1))
        .await?
        .context("the round")?;
    let notice = rec.gate.notice_id.context("the first notice")?;
    let removed = *applicants.get(3).context("a fourth applicant")?;
    let name = candidates
        .get(3)
        .map(|h| h.head_name.clone())
        .unwrap_or_default();
    let o = store
        .object(
            &NewObjection {
                subject_table: "notices".into(),
                subject_id: notice,
                content: format!("{name}家去年在县城购买了商品房，不应评为贫困户。"),
                name: None,
                phone: None,
                receipt: sunledger_core::notice::receipt::from_random(0x2026_0301_5a5a),
            },
            at(vote_day + 3),
        )
        .await?;
    store
        .answer_round_objection(
            o.id,
            "经乡镇和村委会入户核实并查询不动产登记，该户2025年在县城购买商品房一套，取消其评议资格。",
            Some(removed),
            Some(cadre),
            at(vote_day + 5),
        )
        .await?;

    // The township's sample and review; the second notice; the county's sample, check, announcement.
    let t_day = vote_day + 7;
    store
        .draw_round_sample(
            round.id,
            "township",
            "云岭镇-2026-识别-抽审",
            Some(township),
            at(t_day),
        )
        .await?;
    check_sample(store, round.id, township, "乡镇入户复核属实", at(t_day)).await?;
    store
        .round_step(
            round.id,
            RoundAction::TownshipReview,
            &step("云岭镇审核意见〔2026〕5号", ""),
            Some(township),
            at(t_day),
        )
        .await?;
    store
        .round_step(
            round.id,
            RoundAction::PostSecondNotice,
            &step("云岭镇公示〔2026〕2号", ""),
            Some(township),
            at(t_day),
        )
        .await?;
    let c_day = (t_day + 6).min(today - 1);
    store
        .draw_round_sample(
            round.id,
            "county",
            "云岭县-2026-识别-抽查",
            Some(bureau),
            at(c_day),
        )
        .await?;
    check_sample(store, round.id, bureau, "县扶贫办抽查属实", at(c_day)).await?;
    for (action, doc) in [
        (RoundAction::CountyCheck, "云岭县扶贫办核查意见"),
        (RoundAction::Announce, "云岭县扶贫办公告〔2026〕3号"),
    ] {
        store
            .round_step(round.id, action, &step(doc, ""), Some(bureau), at(c_day))
            .await?;
    }
    Ok(())
}

async fn check_sample(
    store: &dyn Store,
    round: i64,
    actor: i64,
    note: &str,
    now: i64,
) -> Result<()> {
    let rec = store.round(round, now).await?.context("the round")?;
    let sample = rec.samples.last().context("the sample")?;
    for id in sample
        .sample
        .split(',')
        .filter_map(|s| s.parse::<i64>().ok())
    {
        store
            .check_sampled(round, id, true, note, Some(actor), now)
            .await?;
    }
    Ok(())
}

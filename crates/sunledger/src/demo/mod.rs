//! The demo city: a fictional but realistically shaped prefecture (青山市, code 5291) with seven
//! counties, about 100 townships and 1,400 villages, their departments and people, resident work
//! teams, one demo account per role, a fund ledger, and a project library of about 190 projects
//! (most in 云岭县 and 石门县) in every stage and status with their Book 2 and the year's
//! responsibility letters. Everything is derived deterministically from seeds; the library's
//! dates count back from the `now` given to [`load`], so its notices have run their course and
//! nothing is dated in the future.
//!
//! Each feature loads in turn from one [`City`] value ([`load`]): regions, departments and
//! people, accounts, the fund ledger, the project library with its Book 2, then the supervision
//! record (household register, inspections and the spot-check draw; Book 3; escalations).
use anyhow::{Context, Result};
use sunledger_core::RegionCode;
use sunledger_store::{NewRegion, Store};

mod acceptance;
mod access;
mod appraisal;
mod assessment;
mod asset;
mod committee;
mod complaint;
mod escalation;
mod evaluation;
mod flag;
mod inspection;
mod ledger;
mod meeting;
mod notice;
mod org;
mod problem;
mod project;
mod region;
mod responsibility;

pub use access::{ACCOUNTS, DemoAccount};
pub use region::regions;

pub const CITY: &str = "529100000000";
/// The password of every demo account (printed at start).
pub const DEMO_PASSWORD: &str = "sunledger-demo";

const COUNTIES: [(&str, &str, usize); 7] = [
    ("529102", "青山区", 10),
    ("529121", "云岭县", 16),
    ("529122", "石门县", 15),
    ("529123", "清水县", 14),
    ("529124", "白岩县", 15),
    ("529125", "松林县", 14),
    ("529126", "龙泉县", 16),
];

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A small deterministic generator (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        let n = xs.len().max(1) as u64;
        xs.get((self.next() % n) as usize).copied().unwrap_or("")
    }
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "龙", "杜",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "华", "平", "刚", "桂英",
];

fn person_name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
}

/// The demo city as every feature's loader sees it, built once: the time everything is dated
/// from, the city's code and the demo's regions.
pub struct City {
    pub now: i64,
    pub code: RegionCode,
    pub regions: Vec<NewRegion>,
}

/// Loads the demo city into `store` unless it is already there. Returns whether it loaded.
pub async fn load(store: &dyn Store, now: i64) -> Result<bool> {
    let city = RegionCode::parse(CITY)?;
    if store.region(&city).await?.is_some() && store.user_by_username("admin").await?.is_some() {
        return Ok(false);
    }
    let city = City {
        now,
        code: city,
        regions: regions()?,
    };
    region::load(store, &city).await?;
    org::load(store, &city).await?;
    access::load(store, &city).await?;
    // The ledger's projects are the library's first: both go through one `Library`.
    let mut lib = project::Library::new(store, &city).await?;
    ledger::load(store, &city, &mut lib)
        .await
        .context("loading the demo ledger")?;
    // Book 2 (responsibilities, letters) is booked with each project, inside the library's load.
    project::load(&mut lib)
        .await
        .context("loading the demo project library")?;
    let record = inspection::load(store, &city)
        .await
        .context("loading the demo supervision record")?;
    if problem::load(store, &city, &record)
        .await
        .context("loading the demo supervision record")?
    {
        escalation::load(store, &city)
            .await
            .context("loading the demo supervision record")?;
    }
    meeting::load(store, &city)
        .await
        .context("loading the demo's village meetings")?;
    notice::load(store, &city)
        .await
        .context("loading the demo's public notices")?;
    // The supervision committee, after the notices (its chair signs a posting).
    committee::load(store, &city)
        .await
        .context("loading the demo's supervision committee")?;
    acceptance::load(store, &city)
        .await
        .context("loading the demo's Book 4")?;
    // Project assets, after the project library (they belong to its accepted projects).
    asset::load(store, &city)
        .await
        .context("loading the demo's project assets")?;
    // Evaluations, after the assets (registered on acceptance, before the first evaluation).
    evaluation::load(store, &city)
        .await
        .context("loading the demo's performance evaluations")?;
    // The household appraisal, after the meetings (its votes are their items).
    appraisal::load(store, &city)
        .await
        .context("loading the demo's household appraisal")?;
    complaint::load(store, &city)
        .await
        .context("loading the demo's complaints")?;
    // Red flags last: the scan reads everything above.
    flag::load(store, &city)
        .await
        .context("loading the demo's red flags")?;
    // The annual assessment after everything it scores.
    assessment::load(store, &city)
        .await
        .context("loading the demo's annual assessment")?;
    Ok(true)
}

//! Each measure of `sunledger_core::assessment::Measure` read from one county's books of one
//! year, as of a moment.
//!
//! The rules every measure follows (each query's doc comment says what it counts):
//! * **The year** runs from 1 January to 31 December of `year`, clipped to the as-of day (the
//!   Beijing day of `as_of`): its last day, `end`, is the as-of day while the year runs and
//!   31 December once it is over. A year not yet begun on the as-of day has no rows.
//! * **As of.** Only what was booked at or before `as_of` is read: records by their booking time
//!   (`created_at`, `received_at`, `scheduled_at`, `at`...), and so are the events that change
//!   them (a problem verified, a receipt confirmed, a notice published), so books booked after
//!   `as_of` change nothing. Where a measure looks at how things stood "on the as-of day", it reads
//!   them on `end`: events dated after `end` are not applied either.
//! * **Shard.** Every query is bounded by the county's shard key, `county_code`.
//! * **Figures.** A count's row has weight 1 and part 0 unless its measure says otherwise; a rate's
//!   row has weight 1 and part 0 or 1 (by money for `paid_of_arranged`), so part ≤ weight.
//! * **Agreement.** The notions are those of the red flags (`core::flag`, read through
//!   `sql/flag/input.rs`) and of the dashboards: detention first in, first out
//!   (`core::ledger::detention`), with the parameters of the flag settings in force on `as_of`
//!   (`detention.grace_days`, `unconfirmed.days`, `unaccepted.days`); notices fall due as
//!   `NoticeStore::notice_dues` and the notice page count them, complaint answers as
//!   `core::complaint::progress` counts them.
//! * **Order.** Rows are sorted by (measure, source, source id) in Rust, so both backends give
//!   the same rows.

use super::*;
use sunledger_core::assessment::Measure;
use sunledger_core::flag::{self as flags, Settings};

mod duty;
mod money;
mod supervision;

type Conn = <DB as sqlx::Database>::Connection;

/// The year as the measures read it.
struct Window {
    /// The county's shard key.
    shard: String,
    /// 1 January of the year (day number).
    first: i64,
    /// The last day read: 31 December, or the as-of day while the year runs.
    end: i64,
    /// The Unix time records must have been booked by.
    as_of: i64,
}

impl Window {
    /// Whether `day` lies in the (clipped) year.
    fn holds(&self, day: i64) -> bool {
        self.first <= day && day <= self.end
    }
}

pub(super) async fn read(
    conn: &mut Conn,
    county: &RegionCode,
    year: i32,
    as_of: i64,
) -> Result<Vec<MeasureRow>> {
    let first = sunledger_core::day::parse("year", &format!("{year:04}-01-01"))
        .map_err(StoreError::Rule)?;
    let last = sunledger_core::day::parse("year", &format!("{year:04}-12-31"))
        .map_err(StoreError::Rule)?;
    let w = Window {
        shard: county.county_code().to_string(),
        first,
        end: last.min(sunledger_core::day::today(as_of)),
        as_of,
    };
    if w.end < w.first {
        return Ok(Vec::new());
    }
    let settings = flag_settings(conn, county, as_of).await?;
    let param = |rule: &str, key: &str| -> Result<i64> {
        let r = flags::rule(rule).map_err(StoreError::Rule)?;
        let layers: Vec<&Settings> = settings.iter().collect();
        Ok(flags::values(r, &layers).get(key))
    };
    let grace_days = param("detention", "grace_days")?;
    let unconfirmed_days = param("unconfirmed", "days")?;
    let acceptance_days = param("unaccepted", "days")?;

    let mut out = Vec::new();
    supervision::inspection_quarters(conn, &w, &mut out).await?;
    supervision::problems_and_ladder(conn, &w, &mut out).await?;
    money::funds_detained(conn, &w, grace_days, &mut out).await?;
    money::appropriations_unconfirmed(conn, &w, unconfirmed_days, &mut out).await?;
    money::paid_of_arranged(conn, &w, &mut out).await?;
    duty::acceptance_on_time(conn, &w, acceptance_days, &mut out).await?;
    duty::evaluations_on_time(conn, &w, &mut out).await?;
    let cal = sunledger_core::day::Calendar::china();
    duty::notices_on_time(conn, &w, &cal, &mut out).await?;
    duty::complaints_on_time(conn, &w, &cal, &mut out).await?;
    duty::flags_handled(conn, &w, &mut out).await?;
    out.sort_by(|a, b| {
        (a.measure, &a.source, a.source_id).cmp(&(b.measure, &b.source, b.source_id))
    });
    Ok(out)
}

/// The red-flag settings documents in force for `county` on `as_of` (the latest of the city and
/// the latest of the county booked by then), the city's first, as a scan layers them.
async fn flag_settings(conn: &mut Conn, county: &RegionCode, as_of: i64) -> Result<Vec<Settings>> {
    let city = county
        .ancestor_at(Level::City)
        .map_or_else(String::new, |c| c.as_str().to_string());
    let mut latest: BTreeMap<String, (i64, String)> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT id, region_code, body FROM flag_settings WHERE region_code IN ($1, $2) AND at <= $3 ORDER BY id",
    )
    .bind(&city)
    .bind(county.as_str())
    .bind(as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        latest.insert(r.try_get("region_code")?, (r.try_get("id")?, r.try_get("body")?));
    }
    let mut out = Vec::new();
    for region in [city.as_str(), county.as_str()] {
        if let Some((id, body)) = latest.get(region) {
            out.push(
                Settings::parse(body)
                    .map_err(|e| StoreError::Corrupt(format!("flag settings {id}: {e}")))?,
            );
        }
    }
    Ok(out)
}

/// The day number of a stored `YYYY-MM-DD`, or a corruption error naming `field`.
fn day_of(field: &str, s: &str) -> Result<i64> {
    sunledger_core::day::parse("day", s)
        .map_err(|e| StoreError::Corrupt(format!("{field} {s:?}: {e}")))
}

fn opt_day(field: &str, s: Option<String>) -> Result<Option<i64>> {
    s.map(|s| day_of(field, &s)).transpose()
}

/// Whether an optional day (of an event) came by `day`.
fn by(on: Option<i64>, day: i64) -> bool {
    on.is_some_and(|d| d <= day)
}

/// A row of `measure`.
fn row(
    measure: Measure,
    (source, source_id): (&str, i64),
    label: String,
    day: i64,
    (weight, part): (i64, i64),
) -> MeasureRow {
    MeasureRow {
        measure,
        source: source.to_string(),
        source_id,
        label,
        day,
        weight,
        part,
    }
}

/// A row of a count: weight 1, part 0.
fn event(measure: Measure, source: (&str, i64), label: String, day: i64) -> MeasureRow {
    row(measure, source, label, day, (1, 0))
}

/// A row of a rate: weight 1, part 1 when `met`.
fn rate(measure: Measure, source: (&str, i64), label: String, day: i64, met: bool) -> MeasureRow {
    row(measure, source, label, day, (1, i64::from(met)))
}

//! The UTC+8 calendar day, as the ledger pages and exports compute it.

/// A day number (Julian day) of `YYYY-MM-DD`.
pub fn day_number(s: &str) -> Option<i64> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .ok()
        .map(|d| i64::from(d.to_julian_day()))
}

/// Today in Beijing time, as a day number and as `YYYY-MM-DD`.
pub fn today(now: i64) -> (i64, String) {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let d = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.to_offset(offset).date())
        .unwrap_or(time::Date::MIN);
    (
        i64::from(d.to_julian_day()),
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
    )
}

/// Today in China (UTC+8), `YYYY-MM-DD`, from Unix seconds.
pub fn china_day(now: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.to_offset(offset).date())
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
        })
        .unwrap_or_else(|| "0000-00-00".into())
}

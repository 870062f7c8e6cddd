//! Calendar days. Dates in Sunledger are `YYYY-MM-DD` strings, compared as Julian day numbers;
//! "today" is the date in Beijing (UTC+8) of a Unix time given by the caller.
use crate::error::DomainError;

const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// The day number (Julian day) of `YYYY-MM-DD`, or an error naming `field`.
pub fn parse(field: &'static str, s: &str) -> Result<i64, DomainError> {
    time::Date::parse(s.trim(), FORMAT)
        .map(|d| i64::from(d.to_julian_day()))
        .map_err(|_| DomainError::invalid(field, "bad_date", s))
}

/// `YYYY-MM-DD` of a day number.
pub fn format(day: i64) -> String {
    let d = i32::try_from(day)
        .ok()
        .and_then(|j| time::Date::from_julian_day(j).ok())
        .unwrap_or(time::Date::MIN);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The Beijing day number of Unix time `now`.
pub fn today(now: i64) -> i64 {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let d = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.to_offset(offset).date())
        .unwrap_or(time::Date::MIN);
    i64::from(d.to_julian_day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_beijing_midnight() {
        let d = parse("on", "2026-02-28").unwrap_or_default();
        assert_eq!(format(d + 1), "2026-03-01");
        assert!(parse("on", "2026-02-30").is_err());
        // 2026-11-26T16:00:00Z is midnight of 2026-11-27 in Beijing.
        assert_eq!(format(today(1_795_708_800)), "2026-11-27");
        assert_eq!(format(today(1_795_708_799)), "2026-11-26");
    }
}

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

/// Whether `s` is a calendar day written exactly `YYYY-MM-DD` (ten characters, no spaces).
pub fn is_day(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && time::Date::parse(s, FORMAT).is_ok()
}

/// The day number (Julian day) of `YYYY-MM-DD`, untrimmed; `None` when it is not a date.
pub fn number(s: &str) -> Option<i64> {
    time::Date::parse(s, FORMAT)
        .ok()
        .map(|d| i64::from(d.to_julian_day()))
}

/// Whether the day `YYYY-MM-DD` is the last of its month (`false` when it is not a date).
pub fn is_month_end(s: &str) -> bool {
    time::Date::parse(s, FORMAT)
        .ok()
        .and_then(|d| d.next_day())
        .is_some_and(|n| n.day() == 1)
}

/// Today in Beijing (UTC+8), `YYYY-MM-DD`, of Unix time `now`; `0000-00-00` when `now` is out
/// of range.
pub fn today_text(now: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.to_offset(offset).date())
        .ok()
        .and_then(|d| d.format(FORMAT).ok())
        .unwrap_or_else(|| "0000-00-00".into())
}

/// Today in Beijing, as a day number and as `YYYY-MM-DD`: [`today`] and its [`format()`].
pub fn today_with_text(now: i64) -> (i64, String) {
    let day = today(now);
    (day, format(day))
}

/// A Unix time as Beijing time, `YYYY-MM-DD HH:MM`; the number itself when it is out of range.
pub fn minute_text(ts: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::from_unix_timestamp(ts) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        }
        Err(_) => ts.to_string(),
    }
}

/// The day number of `YYYY-MM-DD` (as [`parse`]), refused as `in_future` when after `today`.
pub fn parse_past(field: &'static str, s: &str, today: i64) -> Result<i64, DomainError> {
    let d = parse(field, s)?;
    if d > today {
        return Err(DomainError::invalid(field, "in_future", s));
    }
    Ok(d)
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

    #[test]
    fn strict_days_and_numbers() {
        assert!(is_day("2026-02-28"));
        assert!(!is_day("2026-02-30"));
        assert!(!is_day(" 2026-02-28"));
        assert!(!is_day("2026-2-28"));
        assert!(!is_day("+026-02-28"));
        assert_eq!(number("2026-02-28"), parse("d", "2026-02-28").ok());
        assert_eq!(number(" 2026-02-28"), None);
        assert_eq!(number("2026-13-01"), None);
        assert!(is_month_end("2024-02-29"));
        assert!(!is_month_end("2023-02-28x"));
        assert!(is_month_end("2023-02-28"));
        assert!(!is_month_end("2026-05-30"));
        assert!(is_month_end("2026-12-31"));
    }

    #[test]
    fn beijing_texts() {
        assert_eq!(today_text(1_795_708_800), "2026-11-27");
        assert_eq!(today_text(1_795_708_799), "2026-11-26");
        assert_eq!(today_text(i64::MAX), "0000-00-00");
        assert_eq!(today_text(0), "1970-01-01");
        let (n, s) = today_with_text(1_795_708_800);
        assert_eq!((n, s.as_str()), (today(1_795_708_800), "2026-11-27"));
        assert_eq!(today_with_text(i64::MAX).1, format(today(i64::MAX)));
        assert_eq!(minute_text(1_795_708_800), "2026-11-27 00:00");
        assert_eq!(minute_text(1_795_708_799), "2026-11-26 23:59");
        assert_eq!(minute_text(i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn past_days() {
        let today = parse("d", "2026-05-01").unwrap_or_default();
        assert_eq!(parse_past("on", "2026-05-01", today).ok(), Some(today));
        assert!(matches!(
            parse_past("on", "2026-05-02", today),
            Err(DomainError::Invalid {
                reason: "in_future",
                ..
            })
        ));
        assert!(parse_past("on", "x", today).is_err());
    }
}

/// Working days: Monday to Friday, except public holidays, plus the weekend days worked in
/// exchange (调休), read from a holiday calendar file (`crates/core/calendar/cn.txt` is the
/// default). Deadlines counted in working days (a fund notice within 15 working days of the
/// allocation, a complaint answered within so many) use it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    off: std::collections::BTreeSet<i64>,
    on: std::collections::BTreeSet<i64>,
    /// The years the file lists; other years count Monday to Friday only.
    years: Vec<i32>,
}

/// The calendar compiled in: China's public holidays of the years in `calendar/cn.txt`.
pub const CHINA: &str = include_str!("../calendar/cn.txt");

impl Calendar {
    /// China's calendar as compiled in.
    pub fn china() -> Calendar {
        Calendar::parse(CHINA).unwrap_or_default()
    }

    /// Reads a calendar file; an error names the line (`line 12`) and what is wrong with it.
    pub fn parse(text: &str) -> Result<Calendar, DomainError> {
        let mut c = Calendar::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |reason: &'static str| {
                DomainError::invalid(
                    "calendar",
                    reason,
                    format!("line {}: {}", i + 1, raw.trim()),
                )
            };
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or("");
            if first == "years" {
                for y in words {
                    c.years.push(y.parse().map_err(|_| bad("bad_year"))?);
                }
                continue;
            }
            let day = number(first).ok_or_else(|| bad("bad_date"))?;
            match (words.next(), words.next()) {
                (Some("off"), None) => c.off.insert(day),
                (Some("on"), None) => c.on.insert(day),
                _ => return Err(bad("expected_off_or_on")),
            };
            let year = year_of(day);
            if !c.years.contains(&year) {
                return Err(bad("year_not_listed"));
            }
        }
        Ok(c)
    }

    /// Whether the calendar lists the year of `day` (outside it, only weekends are off).
    pub fn covers(&self, day: i64) -> bool {
        self.years.contains(&year_of(day))
    }

    /// Whether `day` is a working day.
    pub fn is_working(&self, day: i64) -> bool {
        if self.on.contains(&day) {
            return true;
        }
        if self.off.contains(&day) {
            return false;
        }
        !matches!(weekday(day), 5 | 6)
    }

    /// The day `n` working days after `day` (the deadline of "within `n` working days" of an
    /// event on `day`): counting starts the next day, as 《民法典》art. 201 counts periods.
    pub fn add_working_days(&self, day: i64, n: u32) -> i64 {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d += 1;
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: i64, to: i64) -> i64 {
        (from + 1..=to).filter(|d| self.is_working(*d)).count() as i64
    }
}

/// Monday 0 … Sunday 6 of a day number (Julian day 0 was a Monday).
pub fn weekday(day: i64) -> i64 {
    day.rem_euclid(7)
}

fn year_of(day: i64) -> i32 {
    i32::try_from(day)
        .ok()
        .and_then(|j| time::Date::from_julian_day(j).ok())
        .map(|d| d.year())
        .unwrap_or(0)
}

#[cfg(test)]
mod calendar_tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> i64 {
        number(s).unwrap_or(0)
    }

    #[test]
    fn the_compiled_calendar_reads_and_knows_the_holidays() {
        let c = Calendar::china();
        assert!(c.covers(d("2026-03-01")));
        assert_eq!(weekday(d("2026-12-07")), 0, "2026-12-07 is a Monday");
        assert!(!c.is_working(d("2026-10-01")), "national day");
        assert!(
            c.is_working(d("2026-10-10")),
            "a Saturday worked in exchange"
        );
        assert!(!c.is_working(d("2026-12-05")), "a Saturday");
        assert!(c.is_working(d("2026-12-07")));
        // 15 working days from Friday 2026-09-18: the Sunday 09-20 is worked, the mid-autumn
        // and national day holidays are not.
        assert_eq!(
            format(c.add_working_days(d("2026-09-18"), 15)),
            "2026-10-15"
        );
        assert_eq!(format(c.add_working_days(d("2026-12-04"), 1)), "2026-12-07");
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = Calendar::parse("years 2026\n2026-01-01 off\n2026-13-01 off\n");
        assert!(format!("{e:?}").contains("line 3"), "{e:?}");
        let e = Calendar::parse("years 2026\n2027-01-01 off\n");
        assert!(format!("{e:?}").contains("year_not_listed"), "{e:?}");
        let e = Calendar::parse("years 2026\n2026-01-01 maybe\n");
        assert!(format!("{e:?}").contains("line 2"), "{e:?}");
    }

    proptest! {
        /// Adding n working days lands on a working day with exactly n working days after the
        /// start, and more days never come earlier.
        #[test]
        fn working_days_add_up(start in 2_460_600i64..2_461_500, n in 0u32..60, m in 0u32..60) {
            let c = Calendar::china();
            let end = c.add_working_days(start, n);
            prop_assert_eq!(c.working_days_between(start, end), i64::from(n));
            if n > 0 {
                prop_assert!(c.is_working(end));
            }
            prop_assert!(c.add_working_days(start, n + m) >= end);
            prop_assert_eq!(c.add_working_days(end, m), c.add_working_days(start, n + m));
        }
    }
}

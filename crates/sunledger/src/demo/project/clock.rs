//! The library's clock: days relative to the demo's `now`.
use super::DAY;

/// Day-relative times: the store takes "today" from the time it is given.
pub(crate) struct Clock {
    pub(crate) now: i64,
    pub(crate) today: i64,
}

impl Clock {
    /// The Unix time of `day` (at the time of day of `now`), never after `now`.
    pub(crate) fn at(&self, day: i64) -> i64 {
        self.now - (self.today - day).max(0) * DAY
    }
    /// `YYYY-MM-DD` of `day`, never after today.
    pub(crate) fn date(&self, day: i64) -> String {
        sunledger_core::day::format(day.min(self.today))
    }
    pub(crate) fn year(&self, day: i64) -> i64 {
        sunledger_core::day::format(day.min(self.today))
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(2026)
    }
}

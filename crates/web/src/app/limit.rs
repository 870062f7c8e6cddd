//! Rate limits kept in memory: at most so many hits per key (an address, a receipt code) in a
//! sliding window. A refused hit books nothing and says when to try again; it never drops what
//! was already accepted. The limits themselves are rules (`sunledger_core::complaint::Rules`).
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Keys kept before old ones are swept (a bound on memory under a flood of addresses).
const SWEEP_AT: usize = 50_000;

#[derive(Default)]
pub struct Limiter {
    hits: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl Limiter {
    /// Counts a hit of `key` at `now` if fewer than `max` fell in the last `window` seconds;
    /// otherwise `Err(seconds until one more is allowed)`.
    pub fn hit(&self, key: &str, max: u32, window: i64, now: i64) -> Result<(), i64> {
        let Ok(mut map) = self.hits.lock() else {
            return Ok(());
        };
        if map.len() > SWEEP_AT {
            map.retain(|_, q| q.back().is_some_and(|t| *t > now - window));
        }
        let q = map.entry(key.to_string()).or_default();
        while q.front().is_some_and(|t| *t <= now - window) {
            q.pop_front();
        }
        if q.len() >= max as usize {
            let first = q.front().copied().unwrap_or(now);
            return Err((first + window - now).max(1));
        }
        q.push_back(now);
        Ok(())
    }

    /// Whether `key` is at its limit now (without counting a hit).
    pub fn full(&self, key: &str, max: u32, window: i64, now: i64) -> Option<i64> {
        let map = self.hits.lock().ok()?;
        let q = map.get(key)?;
        let live: Vec<i64> = q.iter().copied().filter(|t| *t > now - window).collect();
        if live.len() >= max as usize {
            live.first().map(|f| (f + window - now).max(1))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_admits_max_then_refuses_until_it_slides() {
        let l = Limiter::default();
        for i in 0..5 {
            assert!(l.hit("a", 5, 60, 1000 + i).is_ok());
        }
        assert_eq!(l.hit("a", 5, 60, 1010), Err(50));
        assert!(l.hit("b", 5, 60, 1010).is_ok());
        assert!(l.hit("a", 5, 60, 1060).is_ok());
        assert!(l.full("a", 5, 60, 1060).is_some());
        assert!(l.full("a", 5, 60, 1062).is_none());
    }
}

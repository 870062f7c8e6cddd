//! Money: integer fen (0.01 yuan) in a newtype. Amounts are parsed from decimal text at the edge
//! ("12345.67") and never pass through floating point.
use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);
    pub fn from_fen(fen: i64) -> Money {
        Money(fen)
    }
    pub fn fen(self) -> i64 {
        self.0
    }
    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }
    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.0.checked_sub(o.0).map(Money)
    }

    /// Parses yuan with up to two decimals: `12345`, `12345.6`, `-0.07`, `1,234.50`.
    pub fn parse_yuan(s: &str) -> Result<Money, DomainError> {
        let t: String = s.trim().chars().filter(|c| *c != ',').collect();
        let bad = |r| DomainError::invalid("amount", r, s.trim());
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("not_a_number"));
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("more_than_two_decimals"));
        }
        let yuan: i64 = int.parse().map_err(|_| bad("too_large"))?;
        let mut fen_part: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad("not_a_number"))?
        };
        if frac.len() == 1 {
            fen_part *= 10;
        }
        let v = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(fen_part))
            .ok_or_else(|| bad("too_large"))?;
        Ok(Money(if neg { -v } else { v }))
    }
}

impl fmt::Display for Money {
    /// Yuan with two decimals, e.g. `-1234.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses() {
        assert_eq!(Money::parse_yuan("12345.67").map(Money::fen), Ok(1234567));
        assert_eq!(Money::parse_yuan("1,000.5").map(Money::fen), Ok(100050));
        assert_eq!(Money::parse_yuan("-0.07").map(Money::fen), Ok(-7));
        assert!(Money::parse_yuan("1.234").is_err());
        assert!(Money::parse_yuan("abc").is_err());
        assert!(Money::parse_yuan("99999999999999999999").is_err());
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip(f in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let m = Money::from_fen(f);
            prop_assert_eq!(Money::parse_yuan(&m.to_string()), Ok(m));
        }
    }
}

//! Region codes: the 12-digit statistical division codes of the four-level linkage
//! (city → county → township → village, under a province).
//!
//! Layout: 2 province + 2 city + 2 county + 3 township + 3 village digits. A shorter code is
//! right-padded with zeros. The level is the deepest non-zero segment; the parent is the code with
//! that segment zeroed. Cities without counties (e.g. 441900) have townships whose county segment is
//! `00`: their parent is the city itself, and their "county code" (the shard key) is `441900`.
use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province = 1,
    City = 2,
    County = 3,
    Township = 4,
    Village = 5,
}

impl Level {
    pub fn from_i64(n: i64) -> Option<Level> {
        Some(match n {
            1 => Level::Province,
            2 => Level::City,
            3 => Level::County,
            4 => Level::Township,
            5 => Level::Village,
            _ => return None,
        })
    }
    pub fn as_i64(self) -> i64 {
        self as i64
    }
    pub fn key(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }
    /// End offset (exclusive) of this level's segment in the 12-digit code.
    fn seg_end(self) -> usize {
        match self {
            Level::Province => 2,
            Level::City => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }
    fn seg_start(self) -> usize {
        match self {
            Level::Province => 0,
            Level::City => 2,
            Level::County => 4,
            Level::Township => 6,
            Level::Village => 9,
        }
    }
    pub const ALL: [Level; 5] = [
        Level::Province,
        Level::City,
        Level::County,
        Level::Township,
        Level::Village,
    ];
}

/// A validated 12-digit region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode([u8; 12]);

impl RegionCode {
    /// Parses a code of 2 to 12 ASCII digits, right-padding it with zeros.
    pub fn parse(s: &str) -> Result<RegionCode, DomainError> {
        let t = s.trim();
        let bad = |reason| DomainError::invalid("code", reason, t);
        if t.is_empty() {
            return Err(bad("empty"));
        }
        if t.len() > 12 {
            return Err(bad("too_long"));
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("not_digits"));
        }
        if t.len() < 2 {
            return Err(bad("too_short"));
        }
        let mut d = [b'0'; 12];
        for (slot, b) in d.iter_mut().zip(t.bytes()) {
            *slot = b;
        }
        let code = RegionCode(d);
        let zero = |l: Level| code.segment(l).bytes().all(|b| b == b'0');
        if zero(Level::Province) {
            return Err(bad("zero_province"));
        }
        if zero(Level::City)
            && !(zero(Level::County) && zero(Level::Township) && zero(Level::Village))
        {
            return Err(bad("missing_city_segment"));
        }
        if zero(Level::Township) && !zero(Level::Village) {
            return Err(bad("missing_township_segment"));
        }
        Ok(code)
    }

    pub fn as_str(&self) -> &str {
        // The bytes are ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or("000000000000")
    }

    fn segment(&self, l: Level) -> &str {
        self.as_str().get(l.seg_start()..l.seg_end()).unwrap_or("")
    }

    /// The deepest non-zero segment.
    pub fn level(&self) -> Level {
        let mut level = Level::Province;
        for l in Level::ALL {
            if self.segment(l).bytes().any(|b| b != b'0') {
                level = l;
            }
        }
        level
    }

    /// The parent region: this code with its deepest non-zero segment zeroed.
    pub fn parent(&self) -> Option<RegionCode> {
        let level = self.level();
        if level == Level::Province {
            return None;
        }
        let mut d = self.0;
        for b in d.iter_mut().take(level.seg_end()).skip(level.seg_start()) {
            *b = b'0';
        }
        Some(RegionCode(d))
    }

    /// The significant prefix: the digits down to this code's level (e.g. `522327` for a county).
    pub fn prefix(&self) -> &str {
        self.as_str().get(..self.level().seg_end()).unwrap_or("")
    }

    /// The county-level shard key: the first six digits. For a city it is the city code padded
    /// (`522300`), for a city without counties its townships share the city's key (`441900`).
    pub fn county_code(&self) -> &str {
        self.as_str().get(..6).unwrap_or("")
    }

    /// The ancestor (or self) at `level`, if this code is at or below it.
    pub fn ancestor_at(&self, level: Level) -> Option<RegionCode> {
        let mut cur = *self;
        loop {
            if cur.level() == level {
                return Some(cur);
            }
            if cur.level() < level {
                return None;
            }
            cur = cur.parent()?;
        }
    }

    /// True when `self` is `other` or lies below it.
    pub fn is_within(&self, other: &RegionCode) -> bool {
        self.as_str().starts_with(other.prefix())
    }

    /// Chain from the root (province) down to and including this code.
    pub fn lineage(&self) -> Vec<RegionCode> {
        let mut v = vec![*self];
        let mut cur = *self;
        while let Some(p) = cur.parent() {
            v.push(p);
            cur = p;
        }
        v.reverse();
        v
    }

    /// Township kind from the township segment: 001-099 sub-district, 100-199 town, 200-399 township.
    pub fn township_kind(&self) -> Option<&'static str> {
        if self.level() != Level::Township {
            return None;
        }
        let n: u32 = self.segment(Level::Township).parse().ok()?;
        Some(match n {
            1..=99 => "subdistrict",
            100..=199 => "town",
            200..=399 => "township",
            _ => "other",
        })
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for RegionCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn levels_and_parents() {
        let v = c("522327104201");
        assert_eq!(v.level(), Level::Village);
        assert_eq!(v.parent(), Some(c("522327104")));
        assert_eq!(c("522327104").level(), Level::Township);
        assert_eq!(c("522327104").parent(), Some(c("522327")));
        assert_eq!(c("522327").parent(), Some(c("5223")));
        assert_eq!(c("5223").parent(), Some(c("52")));
        assert_eq!(c("52").parent(), None);
        assert_eq!(v.county_code(), "522327");
        assert_eq!(c("5223").as_str(), "522300000000");
        assert_eq!(c("522327104").township_kind(), Some("town"));
        assert!(v.is_within(&c("522327")));
        assert!(!v.is_within(&c("522328")));
        assert_eq!(v.lineage().len(), 5);
        assert_eq!(v.ancestor_at(Level::County), Some(c("522327")));
    }

    #[test]
    fn city_without_counties() {
        let t = c("441900003000");
        assert_eq!(t.level(), Level::Township);
        assert_eq!(t.parent(), Some(c("4419")));
        assert_eq!(t.county_code(), "441900");
        assert_eq!(t.ancestor_at(Level::County), None);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "5",
            "52a3",
            "0000",
            "5200001",
            "1234567890123",
            "520000000101",
            "522327000201",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} accepted");
        }
    }

    proptest! {
        #[test]
        fn parse_display_roundtrip(s in "[1-9][0-9]{1,11}") {
            if let Ok(code) = RegionCode::parse(&s) {
                prop_assert_eq!(RegionCode::parse(code.as_str()), Ok(code));
                prop_assert!(code.as_str().starts_with(&s));
                if let Some(p) = code.parent() {
                    prop_assert!(p.level() < code.level());
                    prop_assert!(code.is_within(&p));
                    prop_assert_eq!(RegionCode::parse(p.as_str()), Ok(p));
                }
            }
        }
    }
}

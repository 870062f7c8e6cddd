//! Identity numbers with check characters:
//! - resident ID numbers (GB 11643-1999, ISO 7064 MOD 11-2);
//! - unified social credit codes of organisations (GB 32100-2015).
use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// An 18-character resident ID number with a valid check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    pub fn check_char(first17: &str) -> Option<char> {
        if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let sum: u32 = first17
            .bytes()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        ID_CHECK.get((sum % 11) as usize).map(|b| *b as char)
    }

    pub fn parse(s: &str) -> Result<IdNumber, DomainError> {
        let t = s.trim().to_ascii_uppercase();
        let bad = |r| DomainError::invalid("id_number", r, s.trim());
        if t.len() != 18 {
            return Err(bad("length"));
        }
        let (body, last) = t.split_at(17);
        let want = Self::check_char(body).ok_or_else(|| bad("not_digits"))?;
        if !last.starts_with(want) {
            return Err(bad("check_character"));
        }
        Ok(IdNumber(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Masked for public pages: region prefix and check character kept, birth date and sequence hidden.
    pub fn masked(&self) -> String {
        let head = self.0.get(..6).unwrap_or("");
        let tail = self.0.get(16..).unwrap_or("");
        format!("{head}**********{tail}")
    }
}

impl TryFrom<String> for IdNumber {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IdNumber::parse(&s)
    }
}
impl From<IdNumber> for String {
    fn from(v: IdNumber) -> String {
        v.0
    }
}
impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// An 18-character unified social credit code with a valid check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    fn value(c: u8) -> Option<u32> {
        CREDIT_ALPHABET
            .iter()
            .position(|x| *x == c)
            .map(|p| p as u32)
    }

    pub fn check_char(first17: &str) -> Option<char> {
        if first17.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        let mut w = 1u32;
        for b in first17.bytes() {
            sum += Self::value(b)? * w;
            w = (w * 3) % 31;
        }
        let idx = (31 - sum % 31) % 31;
        CREDIT_ALPHABET.get(idx as usize).map(|b| *b as char)
    }

    pub fn parse(s: &str) -> Result<CreditCode, DomainError> {
        let t = s.trim().to_ascii_uppercase();
        let bad = |r| DomainError::invalid("credit_code", r, s.trim());
        if t.len() != 18 {
            return Err(bad("length"));
        }
        let (body, last) = t.split_at(17);
        let want = Self::check_char(body).ok_or_else(|| bad("alphabet"))?;
        if !last.starts_with(want) {
            return Err(bad("check_character"));
        }
        Ok(CreditCode(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CreditCode::parse(&s)
    }
}
impl From<CreditCode> for String {
    fn from(v: CreditCode) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn id_numbers() {
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse("11010519491231002x").is_ok());
        assert_eq!(
            IdNumber::parse("110105194912310021").map_err(|e| e.to_string()),
            Err("invalid id_number: check_character".into())
        );
        assert!(IdNumber::parse("1101051949123100").is_err());
        let id = IdNumber::parse("11010519491231002X").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.masked(), "110105**********2X");
    }

    #[test]
    fn credit_codes() {
        // Published example codes of real organisations.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("91350100M000100Y44").is_err());
        assert!(CreditCode::parse("91350100M000100YI3").is_err());
    }

    proptest! {
        #[test]
        fn any_body_gets_exactly_one_valid_id_check(body in "[0-9]{17}") {
            let ok: Vec<char> = "0123456789X".chars().filter(|c| IdNumber::parse(&format!("{body}{c}")).is_ok()).collect();
            prop_assert_eq!(ok.len(), 1);
        }
        #[test]
        fn any_body_gets_exactly_one_valid_credit_check(body in "[0-9A-HJ-NPQRTUWXY]{17}") {
            let ok = CREDIT_ALPHABET.iter().filter(|c| CreditCode::parse(&format!("{body}{}", **c as char)).is_ok()).count();
            prop_assert_eq!(ok, 1);
        }
    }
}

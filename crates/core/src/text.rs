//! Free-text fields: trimmed, not empty, bounded in characters. The bounds live here, one per
//! kind of field, each with where it comes from; a refusal names the field and the bound.
use crate::error::DomainError;

/// A name: a fund's, a project's, a title (the seed's 200 characters: a line of a printed
/// register, in practice never longer than a document title).
pub const NAME: usize = 200;
/// A document number (文号), e.g. `黔财农〔2026〕12号`: a file reference of some twenty
/// characters in practice; 100 leaves room for a joint document's several numbers.
pub const DOCUMENT_NO: usize = 100;
/// A unit of measure (公里, 户, 万元, %, 天): a word, 20 characters leave room for a compound
/// one (千瓦时/年).
pub const UNIT: usize = 20;
/// A transfer's purpose (用途) as written on the voucher: a sentence or two; the voucher's
/// purpose line holds some 500 characters.
pub const PURPOSE: usize = 500;
/// A payee (收款人): a person's or an enterprise's full registered name (at most some 60
/// characters in the enterprise register), with room for a bank branch.
pub const PAYEE: usize = 200;
/// A reason for a suspension, a late record or an exception: a paragraph (as a decision's
/// "reasons" section, some 1,000 characters).
pub const REASON: usize = 1000;
/// Findings, descriptions, outcomes: a report's body (20,000 characters, about ten pages).
pub const REPORT: usize = 20_000;

/// The value carried by a `too_long` refusal: the count given and the bound, `given/max`
/// (read back by [`too_long_parts`]).
pub fn too_long(field: &'static str, given: usize, max: usize) -> DomainError {
    DomainError::invalid(field, "too_long", format!("{given}/{max}"))
}

/// The (given, max) of a `too_long` refusal's value made by [`too_long`]; `None` for another
/// value.
pub fn too_long_parts(value: &str) -> Option<(usize, usize)> {
    let (g, m) = value.split_once('/')?;
    Some((g.parse().ok()?, m.parse().ok()?))
}

/// `s` trimmed, refused when empty (`empty`) or longer than `max` characters (`too_long`, with
/// the count and the bound).
pub fn nonempty(field: &'static str, s: &str, max: usize) -> Result<String, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DomainError::invalid(field, "empty", ""));
    }
    bounded(field, t, max)
}

/// `s` trimmed, possibly empty, refused when longer than `max` characters (`too_long`).
pub fn bounded(field: &'static str, s: &str, max: usize) -> Result<String, DomainError> {
    let t = s.trim();
    let n = t.chars().count();
    if n > max {
        return Err(too_long(field, n, max));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_nonempty_and_bounded() {
        assert_eq!(nonempty("name", " 张三 ", 2).ok().as_deref(), Some("张三"));
        assert!(matches!(
            nonempty("name", "  ", 2),
            Err(DomainError::Invalid {
                reason: "empty",
                ..
            })
        ));
        assert!(matches!(
            nonempty("name", "张三丰", 2),
            Err(DomainError::Invalid {
                reason: "too_long",
                ..
            })
        ));
    }

    #[test]
    fn too_long_names_the_bound() {
        let e = nonempty("document_no", &"号".repeat(DOCUMENT_NO + 1), DOCUMENT_NO);
        let Err(DomainError::Invalid { field, value, .. }) = e else {
            panic!("accepted")
        };
        assert_eq!(field, "document_no");
        assert_eq!(too_long_parts(&value), Some((DOCUMENT_NO + 1, DOCUMENT_NO)));
        assert_eq!(too_long_parts("12"), None);
        assert_eq!(bounded("payee", "  ", PAYEE).ok().as_deref(), Some(""));
    }

    proptest::proptest! {
        /// Accepted exactly when the trimmed text has 1..=max characters; what is kept is the
        /// trimmed text; a refusal for length carries the count and the bound.
        #[test]
        fn bounds_hold(s in "[ a-z号]{0,40}", max in 1usize..30) {
            let t = s.trim();
            let n = t.chars().count();
            match nonempty("name", &s, max) {
                Ok(kept) => {
                    proptest::prop_assert_eq!(kept.as_str(), t);
                    proptest::prop_assert!(n >= 1 && n <= max);
                }
                Err(DomainError::Invalid { reason: "empty", .. }) => proptest::prop_assert_eq!(n, 0),
                Err(DomainError::Invalid { reason: "too_long", value, .. }) => {
                    proptest::prop_assert_eq!(too_long_parts(&value), Some((n, max)));
                }
                Err(other) => proptest::prop_assert!(false, "{other}"),
            }
        }
    }
}

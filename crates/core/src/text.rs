//! Free-text fields: trimmed, not empty, bounded in characters.
use crate::error::DomainError;

/// `s` trimmed, refused when empty (`empty`) or longer than `max` characters (`too_long`, with
/// the count).
pub fn nonempty(field: &'static str, s: &str, max: usize) -> Result<String, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DomainError::invalid(field, "empty", ""));
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            "too_long",
            t.chars().count().to_string(),
        ));
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
}

//! Domain errors. Each variant has a stable machine code; the web layer maps codes to messages in
//! the translation catalogue and to HTTP statuses in one place.
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A field failed validation. `field` names it; `reason` is a stable reason code.
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
        value: String,
    },
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(&'static str),
}

impl DomainError {
    pub fn invalid(field: &'static str, reason: &'static str, value: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            reason,
            value: value.into(),
        }
    }
}

//! One error type for the web layer. Each variant says its HTTP status and stable code; the
//! message comes from the translation catalogue in the caller's language. API handlers answer
//! JSON (`{"error":{"code","message","field"}}`), pages answer an HTML page.
use crate::i18n::{Lang, t};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sunledger_core::DomainError;
use sunledger_store::StoreError;

#[derive(Debug)]
pub enum WebError {
    Unauthorized,
    Forbidden,
    NotFound,
    NoRoute,
    BadCredentials,
    TooManyAttempts {
        retry_after: i64,
    },
    CrossOrigin,
    /// A field failed validation; `reason` is a catalogue key suffix (`reason.*`).
    Invalid {
        field: String,
        reason: String,
        value: String,
    },
    Conflict {
        field: String,
    },
    BadRequest(String),
    /// Payments are suspended: names the suspension, its document and its issuing unit.
    Suspended {
        id: i64,
        document_no: String,
        reason: String,
        /// The issuing unit (region name and code); filled in by the ledger operations.
        unit: String,
    },
    Internal(String),
}

impl WebError {
    pub fn invalid(field: &str, reason: &str, value: impl Into<String>) -> WebError {
        WebError::Invalid {
            field: field.into(),
            reason: reason.into(),
            value: value.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized | WebError::BadCredentials => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::CrossOrigin => StatusCode::FORBIDDEN,
            WebError::NotFound | WebError::NoRoute => StatusCode::NOT_FOUND,
            WebError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Invalid { .. } | WebError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict { .. } | WebError::Suspended { .. } => StatusCode::CONFLICT,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            WebError::Unauthorized => "unauthorized",
            WebError::Forbidden => "forbidden",
            WebError::NotFound => "not_found",
            WebError::NoRoute => "no_route",
            WebError::BadCredentials => "bad_credentials",
            WebError::TooManyAttempts { .. } => "too_many_attempts",
            WebError::CrossOrigin => "cross_origin",
            WebError::Invalid { .. } => "invalid",
            WebError::Conflict { .. } => "conflict",
            WebError::BadRequest(_) => "bad_request",
            WebError::Suspended { .. } => "suspended",
            WebError::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            WebError::Invalid { field, .. } | WebError::Conflict { field } => Some(field),
            _ => None,
        }
    }

    /// A readable sentence in `lang`, naming the field where there is one.
    pub fn message(&self, lang: Lang) -> String {
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        match self {
            WebError::Invalid {
                field,
                reason,
                value,
            } => {
                let f = field_label(lang, field);
                // A length refusal names the bound and what was given.
                if let ("too_long", Some((given, max))) =
                    (reason.as_str(), sunledger_core::text::too_long_parts(value))
                {
                    let r = t(lang, "reason.too_long_at_most")
                        .replace("{max}", &max.to_string())
                        .replace("{given}", &given.to_string());
                    return if lang == Lang::Zh {
                        format!("{}{sep}{f}{r}", t(lang, "error.invalid"))
                    } else {
                        format!("{}{sep}{f} {r}", t(lang, "error.invalid"))
                    };
                }
                let r = t(lang, &format!("reason.{reason}"));
                let v = if value.is_empty() {
                    String::new()
                } else {
                    format!(" ({value})")
                };
                if lang == Lang::Zh {
                    format!("{}{sep}{f}{r}{v}", t(lang, "error.invalid"))
                } else {
                    format!("{}{sep}{f} {r}{v}", t(lang, "error.invalid"))
                }
            }
            WebError::Conflict { field } => format!(
                "{}{sep}{}",
                t(lang, "error.conflict"),
                field_label(lang, field)
            ),
            WebError::BadRequest(detail) => {
                format!("{}{sep}{detail}", t(lang, "error.bad_request"))
            }
            WebError::Suspended {
                id,
                document_no,
                reason,
                unit,
            } => t(lang, "error.suspended")
                .replace("{id}", &id.to_string())
                .replace("{document_no}", document_no)
                .replace("{reason}", reason)
                .replace("{unit}", unit),
            other => t(lang, &format!("error.{}", other.code())),
        }
    }
}

/// A field's name in `lang`: `field.<field>` in the catalogue, or for a row of a table
/// (`targets[2].weight`) the row's words (`field.targets.row`, numbered from 1) and the field's
/// (`field.targets.row.weight`).
pub fn field_label(lang: Lang, field: &str) -> String {
    let row = field.split_once('[').and_then(|(table, rest)| {
        let (n, sub) = rest.split_once("].")?;
        Some((table, n.parse::<usize>().ok()?, sub))
    });
    match row {
        Some((table, n, sub)) => format!(
            "{}{}",
            t(lang, &format!("field.{table}.row")).replace("{n}", &(n + 1).to_string()),
            t(lang, &format!("field.{table}.row.{sub}"))
        ),
        None => t(lang, &format!("field.{field}")),
    }
}

impl From<DomainError> for WebError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid {
                field,
                reason,
                value,
            } => WebError::invalid(field, reason, value),
            DomainError::NotFound(_) => WebError::NotFound,
            DomainError::Forbidden => WebError::Forbidden,
            DomainError::Conflict(f) => WebError::Conflict { field: f.into() },
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => WebError::NotFound,
            StoreError::Conflict { field } => WebError::Conflict { field },
            StoreError::Rule(e) => WebError::from(e),
            StoreError::Batch { error, .. } => WebError::from(*error),
            StoreError::Suspended {
                id,
                document_no,
                reason,
            } => WebError::Suspended {
                id,
                document_no,
                reason,
                unit: String::new(),
            },
            other => {
                tracing::error!(error = %other, "storage error");
                WebError::Internal(other.to_string())
            }
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `forbidden`, `invalid`.
    pub code: String,
    /// A sentence in the caller's language.
    pub message: String,
    /// The field at fault, for `invalid` and `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answered as JSON in the caller's language.
pub struct ApiError(pub WebError, pub Lang);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(e, lang) = self;
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code().into(),
                message: e.message(lang),
                field: e.field().map(str::to_string),
            },
        };
        let mut resp = (e.status(), Json(body)).into_response();
        if let WebError::TooManyAttempts { retry_after } = e
            && let Ok(v) = retry_after.to_string().parse()
        {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        resp
    }
}

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// A uniqueness rule was broken; `field` names what collided.
    #[error("already exists: {field}")]
    Conflict { field: String },
    #[error("database setting {setting} is {actual}, expected {expected}")]
    Setting {
        setting: &'static str,
        expected: String,
        actual: String,
    },
    /// A domain rule refused the write (overdraft, wrong direction, illegal transition...).
    #[error("{0}")]
    Rule(sunledger_core::DomainError),
    /// Payments are suspended for the target.
    #[error("payments suspended (suspension {id}, document {document_no}): {reason}")]
    Suspended {
        id: i64,
        document_no: String,
        reason: String,
    },
    /// Step `index` of a batch failed; nothing of the batch was booked.
    #[error("step {index}: {error}")]
    Batch {
        index: usize,
        error: Box<StoreError>,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (expected sqlite: or postgres://): {0}")]
    Url(String),
    /// The database cannot be audited as it is (missing, not migrated).
    #[error("{0}")]
    Audit(String),
    /// The read replica cannot be used as it is (not a standby, not caught up, not migrated).
    #[error("read replica: {0}")]
    Replica(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Fields with a uniqueness rule, as named to users; constraint names end with one of them.
const UNIQUE_FIELDS: [(&str, &str); 10] = [
    ("id_number", "id_number"),
    ("document_no", "document_no"),
    ("grants_active", "grant"),
    ("client_id", "client_id"),
    ("one_reversal", "reverses"),
    ("username", "username"),
    ("credit_code", "credit_code"),
    ("token_hash", "token_hash"),
    ("name", "name"),
    ("code", "code"),
];

/// Maps unique-constraint violations to `Conflict` naming the field (the same name on both
/// backends: SQLite reports `table.column`, PostgreSQL the constraint name), keeping every other
/// error.
pub(crate) fn classify(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        {
            let raw = db
                .constraint()
                .map(str::to_string)
                .unwrap_or_else(|| db.message().to_string());
            let raw = raw.trim_end_matches("_key").trim_end_matches("_idx");
            let field = UNIQUE_FIELDS
                .iter()
                .find(|(suffix, _)| raw.ends_with(suffix) || raw.starts_with(suffix))
                .map(|(_, f)| f.to_string())
                .unwrap_or_else(|| raw.rsplit(['.', ' ']).next().unwrap_or(raw).to_string());
            return StoreError::Conflict { field };
        }
    }
    StoreError::Db(e)
}

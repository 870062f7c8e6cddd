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
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (expected sqlite: or postgres://): {0}")]
    Url(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Maps unique-constraint violations to `Conflict` naming the column, keeping every other error.
pub(crate) fn classify(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let msg = db.message().to_string();
            let field = db
                .constraint()
                .map(str::to_string)
                .or_else(|| msg.rsplit_once('.').map(|(_, c)| c.trim().to_string()))
                .unwrap_or(msg);
            return StoreError::Conflict { field };
        }
    }
    StoreError::Db(e)
}

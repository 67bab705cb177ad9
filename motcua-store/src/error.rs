//! Store errors: sqlx errors are translated here and never leave the crate.

use motcua_core::dossier::Rejection;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Nothing with that key.
    #[error("not found: {0}")]
    NotFound(String),
    /// A concurrent change won; reload and try again.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The engine refused the command; nothing was written.
    #[error("refused: {0}")]
    Rejected(Rejection),
    /// An attachment is larger than allowed.
    #[error("attachment of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Stored data does not match its checksum or hash chain.
    #[error("integrity: {0}")]
    Integrity(String),
    /// Bad configuration (URL, options).
    #[error("configuration: {0}")]
    Config(String),
    /// Any other database failure.
    #[error("database: {0}")]
    Db(String),
}

impl StoreError {
    pub(crate) fn internal(e: impl std::fmt::Display) -> StoreError {
        StoreError::Db(e.to_string())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound("row".into()),
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                // PostgreSQL: 23505 unique_violation, 40001 serialization_failure,
                // 40P01 deadlock. SQLite: 2067/1555 unique constraint, 5/517 busy.
                if db.is_unique_violation()
                    || ["23505", "40001", "40P01", "5", "517", "2067", "1555"]
                        .contains(&code.as_str())
                {
                    StoreError::Conflict(db.message().to_string())
                } else {
                    StoreError::Db(db.message().to_string())
                }
            }
            other => StoreError::Db(other.to_string()),
        }
    }
}

//! Infra errors: what went wrong below the domain. These are never shown to
//! a client verbatim; the gateway logs them and answers with a masked error.

/// An unexpected persistence failure.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// The database refused or failed a statement.
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    /// Stored data does not parse as the domain expects (a bug or a manual edit).
    #[error("corrupt row in {table}: {detail}")]
    Corrupt {
        /// The table the row is in.
        table: &'static str,
        /// What did not parse.
        detail: String,
    },
    /// Password hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The file store failed.
    #[error("file store error")]
    Files(#[from] crate::files::FileStoreError),
}

/// Whether a statement failed on a unique index: the database, not a
/// read-then-write, decided that the value is taken (two racing sign-ups
/// with one email, say). The caller maps it to its domain refusal.
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

impl InfraError {
    /// Whether this is the exclusion constraints' refusal
    /// ([`is_overlap_violation`]): a conflict for the client, not a fault.
    pub fn is_overlap(&self) -> bool {
        matches!(self, Self::Db(e) if is_overlap_violation(e))
    }
}

/// Whether a statement failed on the PostgreSQL exclusion constraints that
/// keep a teacher's or a room's live sessions from overlapping (migration
/// `m20261129_000011`): the last line of defence behind the conflict check,
/// reached only when that check could not see the other session (a race,
/// or a row written around the application). Matched by constraint name,
/// which sqlx reports in the message.
pub fn is_overlap_violation(e: &sea_orm::DbErr) -> bool {
    let text = e.to_string();
    text.contains("ex_sessions_teacher") || text.contains("ex_sessions_room")
}

/// Reads a stored enum string through the domain's parser: a value the
/// domain does not know is a corrupt row, reported, never replaced by a
/// default that would silently change what the school sees.
pub fn stored<T>(
    table: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T> {
    parse(value).ok_or_else(|| InfraError::Corrupt {
        table,
        detail: format!("unknown value {value:?}"),
    })
}

/// Result with [`InfraError`].
pub type Result<T, E = InfraError> = std::result::Result<T, E>;

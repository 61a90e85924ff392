use std::path::PathBuf;

use crate::error::StorageProblem;

/// Errors of the offline store. The cache is disposable, so callers mostly
/// care whether an error means "the file is broken, rebuild it"
/// ([`StoreError::is_corruption`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database file {path:?}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database file is corrupt: {0}")]
    Corrupt(String),
    /// The records file (consent log, push registration) could not be
    /// opened even after starting it anew; unlike the cache's damage this
    /// never leads to a rebuild of the cache.
    #[error("records file unusable: {0}")]
    RecordsUnusable(String),
    #[error("database schema version {found} is newer than this app knows ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("stored JSON could not be encoded or decoded: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database task stopped before it finished")]
    TaskFailed,
}

impl StoreError {
    /// True when the database file itself is damaged (not a database, a
    /// corrupt page, failed integrity check): delete and resync.
    pub fn is_corruption(&self) -> bool {
        match self {
            StoreError::Corrupt(_) => true,
            StoreError::Sqlite(err) => is_corruption_code(err),
            _ => false,
        }
    }
}

pub(crate) fn is_corruption_code(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// What the user can do about it.
    pub fn problem(&self) -> StorageProblem {
        use rusqlite::ErrorCode;
        match self {
            StoreError::Sqlite(err) => match err.sqlite_error_code() {
                Some(ErrorCode::DiskFull) => StorageProblem::Full,
                Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                    StorageProblem::ReadOnly
                }
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StorageProblem::Locked,
                Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                    StorageProblem::Damaged
                }
                _ => StorageProblem::Other,
            },
            StoreError::Io { source, .. } => StorageProblem::of_io(source),
            StoreError::Corrupt(_) | StoreError::RecordsUnusable(_) => StorageProblem::Damaged,
            _ => StorageProblem::Other,
        }
    }
}

impl From<StoreError> for crate::error::Error {
    fn from(err: StoreError) -> Self {
        crate::error::Error::Storage {
            problem: err.problem(),
            reason: err.to_string(),
        }
    }
}

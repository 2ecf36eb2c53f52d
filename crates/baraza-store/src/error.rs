//! Store errors, with stable codes. Handlers map them once (one `From` impl), never match
//! on them one by one.

use baraza_core::{FieldError, LifecycleError};

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("stored data could not be read back: {0}")]
    Corrupt(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound(_) => "not_found",
            StoreError::Conflict { code, .. } => code,
            StoreError::Lifecycle(e) => e.code(),
            StoreError::Invalid(_) => "invalid_field",
            StoreError::Corrupt(_) => "corrupt_data",
            StoreError::Unavailable(_) => "database_unavailable",
            StoreError::Backend(_) => "database_error",
        }
    }

    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}

/// Results cross a channel from the writer task, so errors must be cloneable in spirit:
/// this rebuilds an equivalent error for each waiter of a failed batch.
impl StoreError {
    pub fn duplicate(&self) -> StoreError {
        match self {
            StoreError::NotFound(w) => StoreError::NotFound(w),
            StoreError::Conflict { code, message } => StoreError::Conflict {
                code,
                message: message.clone(),
            },
            StoreError::Lifecycle(e) => StoreError::Lifecycle(e.clone()),
            StoreError::Invalid(e) => StoreError::Invalid(e.clone()),
            StoreError::Corrupt(s) => StoreError::Corrupt(s.clone()),
            StoreError::Unavailable(s) => StoreError::Unavailable(s.clone()),
            StoreError::Backend(s) => StoreError::Backend(s.clone()),
        }
    }
}

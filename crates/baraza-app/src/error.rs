//! What the application layer refuses, with stable codes. Each surface turns it into its
//! own answer (a problem document, an HTML page, an Open311 error); none of it is HTTP.

use baraza_core::{FieldError, LifecycleError};
use baraza_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more fields are invalid; every one is named.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The caller's role or scope does not allow this.
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    /// No such thing in the caller's scope (a case outside it answers the same).
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }
    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Error::Forbidden {
            code,
            detail: detail.into(),
        }
    }
}

/// Collects field errors so that one answer names them all.
#[derive(Default, Debug)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    pub fn required<T>(&mut self, field: &str, v: Option<T>) -> Option<T> {
        if v.is_none() {
            self.push(field, "is required");
        }
        v
    }
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

/// A string enum parsed for a named field.
pub fn parse_enum<T: std::str::FromStr<Err = FieldError>>(
    field: &str,
    v: &str,
) -> Result<T, FieldError> {
    v.parse()
        .map_err(|e: FieldError| FieldError::new(field, e.message))
}

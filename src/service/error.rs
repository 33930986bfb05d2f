//! The error of service functions that face users: a rule was broken, the
//! thing is not there (or may not be seen), or the store failed.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 404: missing, or invisible to the viewer (existence does not leak).
    #[error("Record not found")]
    NotFound,
    /// 403: the viewer may see it but not do this.
    #[error("This action is not allowed")]
    Forbidden,
    /// 422 with a message for the user.
    #[error("Validation failed: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// 500: something that should not happen (logged, not shown).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ServiceError> for crate::error::Error {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => crate::error::Error::NotFound,
            ServiceError::Forbidden => {
                crate::error::Error::Forbidden("This action is not allowed".into())
            }
            ServiceError::Invalid(m) => crate::error::Error::Validation(m),
            ServiceError::Store(e) => e.into(),
            ServiceError::Internal(m) => crate::error::Error::Internal(m),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

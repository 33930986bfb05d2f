//! The one error type of everything facing HTTP. Messages are Mastodon's own,
//! sent as `{"error": "…"}` with the matching status. `Internal` never sends
//! its cause: it is logged once, here, and the client sees a generic line.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401 with one of Mastodon's authentication messages.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 401 for a federation request whose signature does not hold.
    #[error("{0}")]
    NotSigned(String),
    /// 403 "This action is outside the authorized scopes".
    #[error("This action is outside the authorized scopes")]
    OutOfScope,
    /// 403 with a specific reason.
    #[error("{0}")]
    Forbidden(String),
    /// 404 "Record not found" — also for things that exist but may not be
    /// seen, so that existence does not leak.
    #[error("Record not found")]
    NotFound,
    /// 400 for malformed requests.
    #[error("{0}")]
    BadRequest(String),
    /// 422 "Validation failed: …".
    #[error("Validation failed: {0}")]
    Validation(String),
    /// 422 with Mastodon's message as is (e.g. "Record invalid").
    #[error("{0}")]
    Unprocessable(String),
    /// 422 with Mastodon's per-field `details` (sign-up forms).
    #[error("Validation failed: {message}")]
    Fields {
        message: String,
        details: serde_json::Value,
    },
    /// 413 for a body over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// 429, with the seconds after which a retry may succeed.
    #[error("Too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503 while the service cannot answer (e.g. database down).
    #[error("Service unavailable")]
    Unavailable,
    /// 500; the cause is logged, never sent.
    #[error("Internal server error")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, Error>;

pub const TOKEN_INVALID: &str = "The access token is invalid";
pub const TOKEN_REQUIRED: &str = "This method requires an authenticated user";

impl Error {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized(_) | Error::NotSigned(_) => StatusCode::UNAUTHORIZED,
            Error::OutOfScope | Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Validation(_) | Error::Unprocessable(_) | Error::Fields { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict => Error::Validation("Duplicate record".into()),
            StoreError::Db(sqlx::Error::PoolTimedOut) => Error::Unavailable,
            other => Error::Internal(other.to_string()),
        }
    }
}

#[derive(Serialize)]
struct Body {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<serde_json::Value>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(cause) = &self {
            tracing::error!(error = %cause, "internal error");
        }
        let status = self.status();
        let mut response = (
            status,
            Json(Body {
                error: self.to_string(),
                details: match &self {
                    Error::Fields { details, .. } => Some(details.clone()),
                    _ => None,
                },
            }),
        )
            .into_response();
        if let Error::TooManyRequests { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Internal errors and an unavailable database may come from the replica:
/// a read that fails so there is worth running on the primary.
impl crate::store::RetryOnPrimary for Error {
    fn retry_on_primary(&self) -> bool {
        matches!(self, Error::Internal(_) | Error::Unavailable)
    }
}

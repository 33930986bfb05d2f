//! `/media/`: serving stored files from the media directory or bucket, in
//! ranges (browsers and phones fetch videos in pieces, and Safari plays
//! nothing without ranges). With `media_base_url` set, clients fetch files
//! from there instead, but this route keeps answering (a CDN may pull
//! from it).

use crate::error::Error;
use crate::media::StorageError;
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{*key}", get(serve_file))
}

/// What a `Range` header asks of a file of some length.
#[derive(Debug, PartialEq, Eq)]
enum Range {
    /// No range, or one not understood (several ranges, other units): the
    /// whole file, as HTTP allows.
    Whole,
    /// Bytes `start..=end`.
    Bytes(u64, u64),
    Unsatisfiable,
}

fn parse_range(header: Option<&str>, len: u64) -> Range {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((start, end)) = spec.split_once('-') else {
        return Range::Whole;
    };
    let (start, end) = (start.trim(), end.trim());
    let parsed = match (start.parse::<u64>(), end.parse::<u64>()) {
        // `-N`: the last N bytes.
        (Err(_), Ok(suffix)) if start.is_empty() => {
            if suffix == 0 || len == 0 {
                return Range::Unsatisfiable;
            }
            (len - suffix.min(len), len - 1)
        }
        (Ok(start), Err(_)) if end.is_empty() => (start, len.saturating_sub(1)),
        (Ok(start), Ok(end)) if start <= end => (start, end.min(len.saturating_sub(1))),
        _ => return Range::Whole,
    };
    if parsed.0 >= len {
        return Range::Unsatisfiable;
    }
    Range::Bytes(parsed.0, parsed.1)
}

/// GET /media/{key} — a stored file, from the media directory or bucket.
async fn serve_file(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    // Only what Loggia produced is served; anything else (an upload still
    // being processed) is not found.
    let Some(content_type) = crate::media::content_type_of(&key) else {
        return Error::NotFound.into_response();
    };
    let opened = match state.media.open(&key).await {
        Ok(Some(opened)) => opened,
        Ok(None) | Err(StorageError::BadKey) => return Error::NotFound.into_response(),
        Err(e) => return unreadable(e),
    };
    let len = opened.len;
    let range = parse_range(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        len,
    );
    let (status, part, length) = match range {
        Range::Whole => (StatusCode::OK, None, len),
        Range::Bytes(start, end) => (
            StatusCode::PARTIAL_CONTENT,
            Some((start, end)),
            end - start + 1,
        ),
        Range::Unsatisfiable => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return response;
        }
    };
    let body = match opened.stream(part).await {
        Ok(body) => body,
        // Removed since it was opened.
        Err(StorageError::Missing) => return Error::NotFound.into_response(),
        Err(e) => return unreadable(e),
    };
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some((start, end)) = part
        && let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}"))
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::media::CACHE_CONTROL),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn unreadable(e: StorageError) -> Response {
    tracing::error!(error = %e, "cannot read media");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

#[cfg(test)]
mod tests {
    use super::{Range, parse_range};

    #[test]
    fn ranges_are_read_as_http_defines_them() {
        assert_eq!(parse_range(None, 100), Range::Whole);
        assert_eq!(parse_range(Some("bytes=0-9"), 100), Range::Bytes(0, 9));
        assert_eq!(parse_range(Some("bytes=90-"), 100), Range::Bytes(90, 99));
        assert_eq!(parse_range(Some("bytes=-10"), 100), Range::Bytes(90, 99));
        assert_eq!(parse_range(Some("bytes=-500"), 100), Range::Bytes(0, 99));
        assert_eq!(parse_range(Some("bytes=50-500"), 100), Range::Bytes(50, 99));
        assert_eq!(parse_range(Some("bytes=100-"), 100), Range::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 100), Range::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), Range::Whole);
        assert_eq!(parse_range(Some("bytes=9-0"), 100), Range::Whole);
        assert_eq!(parse_range(Some("items=0-1"), 100), Range::Whole);
    }
}

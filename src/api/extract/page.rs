//! Keyset pagination as Mastodon clients speak it: `max_id`, `since_id`,
//! `min_id` and `limit` in the query; a `Link` header with `next` (older)
//! and `prev` (newer) pages in the answer.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::header::LINK;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::Error;
use crate::model::Page;
use crate::state::AppState;

/// The page parameters of a request, and where it was asked.
pub struct PageQuery {
    max_id: Option<i64>,
    since_id: Option<i64>,
    min_id: Option<i64>,
    limit: Option<i64>,
    uri: Uri,
    base_url: String,
}

fn id_param(name: &str, value: &str) -> Result<Option<i64>, Error> {
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<i64>()
        .map(Some)
        .map_err(|_| Error::BadRequest(format!("{name} must be an id")))
}

impl FromRequestParts<AppState> for PageQuery {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let mut query = PageQuery {
            max_id: None,
            since_id: None,
            min_id: None,
            limit: None,
            uri: parts.uri.clone(),
            base_url: state.config.base_url(),
        };
        for (k, v) in url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
        {
            match k.as_ref() {
                "max_id" => query.max_id = id_param("max_id", &v)?,
                "since_id" => query.since_id = id_param("since_id", &v)?,
                "min_id" => query.min_id = id_param("min_id", &v)?,
                "limit" => {
                    query.limit = Some(
                        v.parse()
                            .map_err(|_| Error::BadRequest("limit must be a number".into()))?,
                    )
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

impl PageQuery {
    /// The page, with `limit` clamped to 1..=`max` (default `default`).
    pub fn page(&self, default: i64, max: i64) -> Page {
        Page {
            max_id: self.max_id,
            since_id: self.since_id,
            min_id: self.min_id,
            limit: self.limit.unwrap_or(default).clamp(1, max),
        }
    }

    /// A JSON list with its `Link` header. `keys` are the page keys of the
    /// items, newest first (they may differ from the items' ids, e.g. the
    /// id of a favourite rather than of the status).
    pub fn respond<T: Serialize>(&self, items: Vec<T>, keys: &[i64]) -> Response {
        let mut response = Json(items).into_response();
        if let (Some(first), Some(last)) = (keys.first(), keys.last()) {
            let link = format!(
                "<{}>; rel=\"next\", <{}>; rel=\"prev\"",
                self.link_with("max_id", *last),
                self.link_with("min_id", *first)
            );
            if let Ok(value) = HeaderValue::from_str(&link) {
                response.headers_mut().insert(LINK, value);
            }
        }
        response
    }

    fn link_with(&self, key: &str, value: i64) -> String {
        let kept: Vec<(String, String)> =
            url::form_urlencoded::parse(self.uri.query().unwrap_or_default().as_bytes())
                .filter(|(k, _)| {
                    !matches!(
                        k.as_ref(),
                        "max_id" | "since_id" | "min_id" | "access_token"
                    )
                })
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&kept);
        query.append_pair(key, &value.to_string());
        format!("{}{}?{}", self.base_url, self.uri.path(), query.finish())
    }
}

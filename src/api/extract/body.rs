//! Request bodies as Mastodon accepts them: JSON, or form-encoded fields
//! merged with the query string (Rails merges both). Form keys written with
//! a trailing `[]` (`redirect_uris[]=a&redirect_uris[]=b`) collect into lists.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::error::Error;

pub struct FormOrJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormOrJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let query = req.uri().query().unwrap_or_default().to_owned();
        if content_type.starts_with("multipart/form-data") {
            let pairs = multipart_text_fields(
                Multipart::from_request(req, state)
                    .await
                    .map_err(|e| Error::BadRequest(format!("invalid multipart body: {e}")))?,
            )
            .await?;
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish();
            return parse_form(&query, body.as_bytes()).map(Self);
        }
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge("The request body is too large".into())
            } else {
                Error::BadRequest(format!("cannot read the request body: {e}"))
            }
        })?;
        if content_type.starts_with("application/json") {
            // An empty JSON body means "no parameters".
            let mut value: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
                serde_json::json!({})
            } else {
                serde_json::from_slice(&body)
                    .map_err(|e| Error::BadRequest(format!("invalid JSON body: {e}")))?
            };
            if has_nul(&value) {
                return Err(nul_error());
            }
            // Rails merges query parameters into JSON bodies too.
            if let Some(object) = value.as_object_mut() {
                for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                    object
                        .entry(normalize_key(&k))
                        .or_insert_with(|| serde_json::Value::String(v.into_owned()));
                }
            }
            let parsed = serde_json::from_value(value)
                .map_err(|e| Error::BadRequest(format!("invalid parameters: {e}")))?;
            return Ok(Self(parsed));
        }
        if !(content_type.is_empty()
            || content_type.starts_with("application/x-www-form-urlencoded"))
        {
            return Err(Error::BadRequest(format!(
                "unsupported content type {content_type:?}"
            )));
        }
        parse_form(&query, &body).map(Self)
    }
}

/// The text fields of a multipart body (files are for the media endpoints).
async fn multipart_text_fields(mut multipart: Multipart) -> Result<Vec<(String, String)>, Error> {
    let mut pairs = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| Error::BadRequest(format!("invalid multipart body: {e}")))?
    {
        if field.file_name().is_some() {
            continue;
        }
        let name = field.name().unwrap_or_default().to_owned();
        let value = field
            .text()
            .await
            .map_err(|e| Error::BadRequest(format!("invalid multipart field {name:?}: {e}")))?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Parses query and body pairs (body wins for single values).
pub fn parse_form<T: DeserializeOwned>(query: &str, body: &[u8]) -> Result<T, Error> {
    let body_pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (normalize_key(&k), v.into_owned()))
        .collect();
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (normalize_key(&k), v.into_owned()))
        .filter(|(k, _)| !body_pairs.iter().any(|(bk, _)| bk == k))
        .collect();
    pairs.extend(body_pairs);
    if pairs
        .iter()
        .any(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(nul_error());
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    serde_html_form::from_str(&encoded)
        .map_err(|e| Error::BadRequest(format!("invalid parameters: {e}")))
}

/// NUL characters are refused in text: PostgreSQL cannot store them and
/// no client has a reason to send one.
pub fn nul_error() -> Error {
    Error::Validation("text may not contain NUL characters".into())
}

fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn normalize_key(key: &str) -> String {
    key.strip_suffix("[]").unwrap_or(key).to_owned()
}

/// Deserializes a value sent either as one string or as a list of strings.
pub fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(
        match <Option<OneOrMany> as serde::Deserialize>::deserialize(d)? {
            None => Vec::new(),
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v,
        },
    )
}

/// Deserializes a boolean sent as JSON `true`/`false` or as a form string
/// (`true`, `1`, `on`, `yes` / `false`, `0`, `off`, `no`, empty), as Rails does.
pub fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum BoolOrString {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    Ok(
        match <Option<BoolOrString> as serde::Deserialize>::deserialize(d)? {
            None => None,
            Some(BoolOrString::Bool(b)) => Some(b),
            Some(BoolOrString::Int(i)) => Some(i != 0),
            Some(BoolOrString::Text(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" | "t" => Some(true),
                "false" | "0" | "off" | "no" | "f" | "" => Some(false),
                other => {
                    return Err(serde::de::Error::custom(format!(
                        "{other:?} is not a boolean"
                    )));
                }
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Params {
        name: String,
        #[serde(default, deserialize_with = "one_or_many")]
        uris: Vec<String>,
    }

    #[test]
    fn forms_merge_query_and_collect_lists() {
        let p: Params = parse_form("name=fromquery&uris[]=q", b"name=frombody").expect("parses");
        assert_eq!(
            p,
            Params {
                name: "frombody".into(),
                uris: vec!["q".into()]
            }
        );
        let p: Params = parse_form("", b"name=x&uris[]=a&uris[]=b").expect("parses");
        assert_eq!(p.uris, vec!["a".to_owned(), "b".to_owned()]);
        let p: Params = parse_form("", b"name=x&uris=one").expect("parses");
        assert_eq!(p.uris, vec!["one".to_owned()]);
    }
}

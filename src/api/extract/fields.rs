//! Flat request fields from any body Mastodon clients send — form,
//! multipart (with files) or JSON — for endpoints with nested parameters
//! (`source[privacy]`, `fields_attributes[0][name]`). JSON objects are
//! flattened into the same bracketed names.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use std::collections::HashMap;

use serde_json::Value;

use crate::error::Error;

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

#[derive(Debug, Default)]
pub struct Fields {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl Fields {
    /// The last value given for `name` (`name[]` counts too).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name || k.strip_suffix("[]") == Some(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.iter().find(|f| f.field == name)
    }

    /// A boolean field, read as Rails reads it.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" | "t" => Ok(Some(true)),
                "false" | "0" | "off" | "no" | "f" | "" => Ok(Some(false)),
                other => Err(Error::Validation(format!(
                    "{name} must be true or false, not {other:?}"
                ))),
            },
        }
    }
}

/// No request needs more nested objects than this (filters have a few
/// keywords, statuses four media); the rest is ignored.
pub const MAX_NESTED_OBJECTS: usize = 100;

/// Groups `name[][field]` (or `name[i][field]`) pairs into objects, the way
/// Rails reads nested attributes: an empty index starts a new object when a
/// field repeats.
pub fn nested_attributes(pairs: &[(String, String)], name: &str) -> Vec<HashMap<String, String>> {
    let mut objects: Vec<HashMap<String, String>> = Vec::new();
    let mut by_index: HashMap<String, usize> = HashMap::new();
    let mut open_unindexed: Option<usize> = None;
    let prefix = format!("{name}[");
    for (key, value) in pairs {
        let Some(rest) = key.strip_prefix(&prefix) else {
            continue;
        };
        let Some((index, field)) = rest.split_once("][") else {
            continue;
        };
        let field = field.trim_end_matches(']').to_owned();
        let slot = if index.is_empty() {
            match open_unindexed {
                Some(slot) if !objects[slot].contains_key(&field) => slot,
                _ => {
                    if objects.len() >= MAX_NESTED_OBJECTS {
                        continue;
                    }
                    objects.push(HashMap::new());
                    open_unindexed = Some(objects.len() - 1);
                    objects.len() - 1
                }
            }
        } else if let Some(&slot) = by_index.get(index) {
            slot
        } else {
            if objects.len() >= MAX_NESTED_OBJECTS {
                continue;
            }
            objects.push(HashMap::new());
            by_index.insert(index.to_owned(), objects.len() - 1);
            objects.len() - 1
        };
        objects[slot].insert(field, value.clone());
    }
    objects
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> Error {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge("The request body is too large".into())
    } else {
        Error::BadRequest(format!("invalid multipart body: {e}"))
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}[{k}]")
                };
                flatten(&key, v, out);
            }
        }
        // An empty list is still a value ("no media"), unlike a missing key.
        Value::Array(items) if items.is_empty() => out.push((format!("{prefix}[]"), String::new())),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let key = match v {
                    Value::Object(_) => format!("{prefix}[{i}]"),
                    _ => format!("{prefix}[]"),
                };
                flatten(&key, v, out);
            }
        }
        Value::Null => {}
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut fields = Fields::default();
        let query = req.uri().query().unwrap_or_default().to_owned();
        fields.pairs.extend(
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(req, state)
                .await
                .map_err(|e| Error::BadRequest(format!("invalid multipart body: {e}")))?;
            while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
                let name = field.name().unwrap_or_default().to_owned();
                match field.file_name().map(str::to_owned) {
                    Some(file_name) => {
                        let content_type = field
                            .content_type()
                            .unwrap_or("application/octet-stream")
                            .to_owned();
                        let bytes = field.bytes().await.map_err(multipart_error)?;
                        fields.files.push(Upload {
                            field: name,
                            file_name,
                            content_type,
                            bytes,
                        });
                    }
                    None => {
                        let value = field.text().await.map_err(multipart_error)?;
                        fields.pairs.push((name, value));
                    }
                }
            }
            return without_nul(fields);
        }
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge("The request body is too large".into())
            } else {
                Error::BadRequest(format!("cannot read the request body: {e}"))
            }
        })?;
        if content_type.starts_with("application/json") {
            if !body.iter().all(u8::is_ascii_whitespace) {
                let value: Value = serde_json::from_slice(&body)
                    .map_err(|e| Error::BadRequest(format!("invalid JSON body: {e}")))?;
                flatten("", &value, &mut fields.pairs);
            }
        } else {
            fields.pairs.extend(
                url::form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())),
            );
        }
        without_nul(fields)
    }
}

fn without_nul(fields: Fields) -> Result<Fields, Error> {
    if fields
        .pairs
        .iter()
        .any(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(super::body::nul_error());
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_flattened_into_bracketed_names() {
        let mut out = Vec::new();
        let value = serde_json::json!({
            "display_name": "Alice",
            "locked": true,
            "source": {"privacy": "private"},
            "fields_attributes": [{"name": "Team", "value": "Platform"}],
            "ids": ["1", "2"],
            "note": null,
        });
        flatten("", &value, &mut out);
        let fields = Fields {
            pairs: out,
            files: Vec::new(),
        };
        assert_eq!(fields.get("display_name"), Some("Alice"));
        assert_eq!(fields.bool("locked").unwrap(), Some(true));
        assert_eq!(fields.get("source[privacy]"), Some("private"));
        assert_eq!(fields.get("fields_attributes[0][name]"), Some("Team"));
        assert_eq!(fields.get("ids"), Some("2"));
        assert_eq!(fields.get("note"), None);
    }

    #[test]
    fn nested_attributes_group_like_rails() {
        let pairs: Vec<(String, String)> = [
            ("keywords_attributes[][keyword]", "a"),
            ("keywords_attributes[][whole_word]", "true"),
            ("keywords_attributes[][keyword]", "b"),
            ("title", "x"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let objects = nested_attributes(&pairs, "keywords_attributes");
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0]["keyword"], "a");
        assert_eq!(objects[0]["whole_word"], "true");
        assert_eq!(objects[1]["keyword"], "b");
        let indexed: Vec<(String, String)> = [
            ("k[1][keyword]", "y"),
            ("k[0][keyword]", "x"),
            ("k[1][id]", "7"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let objects = nested_attributes(&indexed, "k");
        assert_eq!(
            (objects[0]["keyword"].as_str(), objects[0]["id"].as_str()),
            ("y", "7")
        );
    }
}

//! `MediaAttachment`.

use serde::Serialize;
use serde_json::{Value, json};

use crate::media::MediaStore;
use crate::model::media::Media;

#[derive(Debug, Clone, Serialize)]
pub struct MediaAttachment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub preview_url: String,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: Value,
    pub description: Option<String>,
    pub blurhash: String,
}

fn size(width: i64, height: i64) -> Value {
    let aspect = if height > 0 {
        width as f64 / height as f64
    } else {
        1.0
    };
    json!({ "width": width, "height": height, "size": format!("{width}x{height}"), "aspect": aspect })
}

impl MediaAttachment {
    pub fn from_model(media: &Media, files: &MediaStore) -> Self {
        Self {
            id: media.id.to_string(),
            kind: media.kind.clone(),
            url: media
                .remote_url
                .clone()
                .unwrap_or_else(|| files.url(&media.file_key)),
            preview_url: match &media.remote_url {
                Some(remote) if media.thumbnail_key.is_empty() => remote.clone(),
                _ => files.url(&media.thumbnail_key),
            },
            remote_url: media.remote_url.clone(),
            preview_remote_url: None,
            text_url: None,
            meta: json!({
                "original": size(media.width, media.height),
                "small": size(media.thumb_width, media.thumb_height),
                "focus": { "x": media.focus_x, "y": media.focus_y },
            }),
            description: Some(media.description.clone()).filter(|d| !d.is_empty()),
            blurhash: media.blurhash.clone(),
        }
    }
}

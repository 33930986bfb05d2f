//! `MediaAttachment`.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::media::MediaStore;
use crate::model::media::{Media, Processing};

#[derive(Debug, Clone, Serialize)]
pub struct MediaAttachment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `null` while a video is being processed (Mastodon's v2 contract).
    pub url: Option<String>,
    pub preview_url: Option<String>,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: Value,
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

fn aspect(width: i64, height: i64) -> f64 {
    if height > 0 {
        width as f64 / height as f64
    } else {
        1.0
    }
}

fn size(width: i64, height: i64) -> Value {
    json!({ "width": width, "height": height, "size": format!("{width}x{height}"), "aspect": aspect(width, height) })
}

/// `H:MM:SS.ss`, Mastodon's `length` of a video.
fn length(seconds: f64) -> String {
    let centis = (seconds * 100.0).round() as i64;
    let (h, m, s) = (centis / 360_000, centis / 6000 % 60, centis % 6000);
    format!("{h}:{m:02}:{:02}.{:02}", s / 100, s % 100)
}

fn meta(media: &Media) -> Value {
    let mut meta = Map::new();
    let processed = media.processing() == Processing::Done;
    if processed && media.kind == "video" && media.remote_url.is_none() {
        let duration = media.duration.unwrap_or(0.0);
        let frame_rate = media.frame_rate.clone().unwrap_or_default();
        // Mastodon repeats the main numbers at the top for older apps.
        let fps = crate::media::video::parse_rate(&frame_rate).round() as i64;
        meta.insert("length".into(), json!(length(duration)));
        meta.insert("duration".into(), json!(duration));
        meta.insert("fps".into(), json!(fps));
        meta.insert(
            "size".into(),
            json!(format!("{}x{}", media.width, media.height)),
        );
        meta.insert("width".into(), json!(media.width));
        meta.insert("height".into(), json!(media.height));
        meta.insert("aspect".into(), json!(aspect(media.width, media.height)));
        meta.insert(
            "original".into(),
            json!({
                "width": media.width,
                "height": media.height,
                "frame_rate": frame_rate,
                "duration": duration,
                "bitrate": media.bitrate,
            }),
        );
    } else if processed {
        meta.insert("original".into(), size(media.width, media.height));
    }
    if media.thumb_width > 0 || media.remote_url.is_some() {
        meta.insert("small".into(), size(media.thumb_width, media.thumb_height));
    }
    meta.insert(
        "focus".into(),
        json!({ "x": media.focus_x, "y": media.focus_y }),
    );
    Value::Object(meta)
}

impl MediaAttachment {
    pub fn from_model(media: &Media, files: &MediaStore) -> Self {
        let processed = media.processing() == Processing::Done;
        Self {
            id: media.id.to_string(),
            kind: media.kind.clone(),
            url: match &media.remote_url {
                Some(remote) => Some(remote.clone()),
                None => processed.then(|| files.url(&media.file_key)),
            },
            preview_url: match &media.remote_url {
                Some(remote) if media.thumbnail_key.is_empty() => Some(remote.clone()),
                _ if media.thumbnail_key.is_empty() => None,
                _ => Some(files.url(&media.thumbnail_key)),
            },
            remote_url: media.remote_url.clone(),
            preview_remote_url: None,
            text_url: None,
            meta: meta(media),
            description: Some(media.description.clone()).filter(|d| !d.is_empty()),
            blurhash: Some(media.blurhash.clone()).filter(|b| !b.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::length;

    #[test]
    fn lengths_read_like_mastodons() {
        assert_eq!(length(5.568), "0:00:05.57");
        assert_eq!(length(3725.5), "1:02:05.50");
    }
}

//! Media attachments.

use super::{AccountId, StatusId, Timestamp};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Media {
    pub id: i64,
    pub account_id: AccountId,
    pub status_id: Option<StatusId>,
    /// Mastodon's type: `image`, `video`, or for remote media also `gifv`,
    /// `audio`, `unknown`.
    pub kind: String,
    pub content_type: String,
    /// The served file; while processing, the upload as received.
    pub file_key: String,
    pub file_size: i64,
    pub width: i64,
    pub height: i64,
    pub thumbnail_key: String,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub blurhash: String,
    pub description: String,
    pub focus_x: f64,
    pub focus_y: f64,
    pub created_at: Timestamp,
    /// Where a remote attachment lives (remote media are linked, not copied).
    pub remote_url: Option<String>,
    /// Videos: seconds, frame rate fraction (`30/1`), bits per second.
    pub duration: Option<f64>,
    pub frame_rate: Option<String>,
    pub bitrate: Option<i64>,
    /// `done`, `pending` or `failed` (see `Processing`).
    pub processing: String,
    /// While pending: until when the node processing it holds it.
    pub claimed_until: Option<Timestamp>,
    pub attempts: i64,
}

/// Where an upload is in its processing (videos are processed after the
/// upload is answered; images before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    Done,
    Pending,
    Failed,
}

impl Processing {
    pub fn as_str(self) -> &'static str {
        match self {
            Processing::Done => "done",
            Processing::Pending => "pending",
            Processing::Failed => "failed",
        }
    }
}

impl Media {
    pub fn processing(&self) -> Processing {
        match self.processing.as_str() {
            "pending" => Processing::Pending,
            "failed" => Processing::Failed,
            _ => Processing::Done,
        }
    }
}

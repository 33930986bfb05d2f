//! Media attachments.

use super::{AccountId, StatusId, Timestamp};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Media {
    pub id: i64,
    pub account_id: AccountId,
    pub status_id: Option<StatusId>,
    /// `image` (the only kind so far).
    pub kind: String,
    pub content_type: String,
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
}

//! Mastodon's `Poll`.

use serde::Serialize;

use crate::service::polls::PollView;

#[derive(Debug, Clone, Serialize)]
pub struct PollOption {
    pub title: String,
    /// `null` while the author hides the totals.
    pub votes_count: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Poll {
    pub id: String,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOption>,
    pub emojis: Vec<serde_json::Value>,
    /// Only for signed-in viewers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_votes: Option<Vec<i64>>,
}

impl Poll {
    pub fn from_view(view: &PollView) -> Self {
        Self {
            id: view.poll.id.to_string(),
            expires_at: view.poll.expires_at.map(|t| t.to_rfc3339()),
            expired: view.expired,
            multiple: view.poll.multiple,
            votes_count: view.votes_count,
            voters_count: view.voters_count,
            options: view
                .titles
                .iter()
                .enumerate()
                .map(|(i, title)| PollOption {
                    title: title.clone(),
                    votes_count: view
                        .tallies
                        .as_ref()
                        .map(|t| t.get(i).copied().unwrap_or(0)),
                })
                .collect(),
            emojis: Vec::new(),
            voted: view.own_votes.as_ref().map(|v| !v.is_empty()),
            own_votes: view.own_votes.clone(),
        }
    }
}

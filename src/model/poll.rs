//! A poll attached to a status.

use super::{AccountId, StatusId, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Poll {
    pub id: i64,
    pub status_id: StatusId,
    pub account_id: AccountId,
    /// JSON array of option titles.
    pub options: String,
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Option<Timestamp>,
    /// Other servers' polls: votes per option as their server reported.
    pub remote_tallies: Option<String>,
    pub remote_voters: Option<i64>,
    pub ended_notified_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Poll {
    pub fn titles(&self) -> Vec<String> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }

    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// Whether this is another server's poll (tallies come from there).
    pub fn is_remote(&self) -> bool {
        self.remote_tallies.is_some()
    }

    pub fn remote_counts(&self) -> Vec<i64> {
        self.remote_tallies
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }
}

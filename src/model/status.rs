//! Statuses (posts), their audiences, and keyset pages.

use serde::{Deserialize, Serialize};

use super::{AccountId, AppId, Timestamp};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    sqlx::Type,
)]
#[sqlx(transparent)]
pub struct StatusId(pub i64);

impl std::fmt::Display for StatusId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for StatusId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(StatusId)
    }
}

/// Mastodon's four visibilities. Company-only is the separate `local_only`
/// flag, which narrows any of them to the instance's own users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "public" => Visibility::Public,
            "unlisted" => Visibility::Unlisted,
            "private" => Visibility::Private,
            "direct" => Visibility::Direct,
            _ => return None,
        })
    }

    /// The stricter of two visibilities (a reply cannot widen its audience
    /// beyond what the author chose; a reblog keeps the original's).
    pub fn rank(self) -> u8 {
        match self {
            Visibility::Public => 0,
            Visibility::Unlisted => 1,
            Visibility::Private => 2,
            Visibility::Direct => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Status {
    pub id: StatusId,
    pub uri: String,
    pub url: Option<String>,
    pub account_id: AccountId,
    pub in_reply_to_id: Option<StatusId>,
    pub in_reply_to_account_id: Option<AccountId>,
    pub reblog_of_id: Option<StatusId>,
    /// The source text as typed (local statuses).
    pub text: String,
    /// Sanitized HTML.
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: String,
    pub local_only: bool,
    pub language: Option<String>,
    pub local: bool,
    /// `published`, `pending` (held for review) or `rejected`.
    pub review_state: String,
    /// Why it was held or rejected.
    pub review_reason: Option<String>,
    /// While pending: local (company) audiences may already see it.
    pub review_company_preview: bool,
    /// When it was (last) put under review: what a reviewer saw.
    pub review_requested_at: Option<Timestamp>,
    /// When its `Create` was first queued for other servers.
    pub federated_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub app_id: Option<AppId>,
    /// The thread this status belongs to (the id of its root).
    pub conversation_id: Option<i64>,
    /// The parent's ActivityPub id, when the parent is not (yet) known here.
    pub in_reply_to_uri: Option<String>,
}

impl Status {
    pub fn is_pending_review(&self) -> bool {
        self.review_state == "pending"
    }

    pub fn visibility(&self) -> Visibility {
        Visibility::parse(&self.visibility).unwrap_or(Visibility::Direct)
    }
}

/// A keyset page request (`max_id`, `since_id`, `min_id`, `limit`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    /// Only items older than this.
    pub max_id: Option<i64>,
    /// Only items newer than this; the newest first.
    pub since_id: Option<i64>,
    /// Only items newer than this; the ones immediately after it.
    pub min_id: Option<i64>,
    pub limit: i64,
}

//! `Status`, `Context` and their parts, from `service::views::StatusView`.

use serde::Serialize;

use super::account::Account;
use crate::config::Config;
use crate::media::MediaStore;
use crate::service::views::StatusView;

#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    pub id: String,
    pub username: String,
    pub url: String,
    pub acct: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusApplication {
    pub name: String,
    pub website: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub id: String,
    pub created_at: String,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub visibility: String,
    pub language: Option<String>,
    pub uri: String,
    pub url: Option<String>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub edited_at: Option<String>,
    pub favourited: bool,
    pub reblogged: bool,
    pub muted: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub content: String,
    pub filtered: Vec<serde_json::Value>,
    pub reblog: Option<Box<Status>>,
    pub application: Option<StatusApplication>,
    pub account: Account,
    pub media_attachments: Vec<super::media::MediaAttachment>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<Tag>,
    pub emojis: Vec<serde_json::Value>,
    pub card: Option<serde_json::Value>,
    pub poll: Option<super::poll::Poll>,
    /// Loggia: company-only (visible to this instance's users, never federated).
    pub local_only: bool,
    /// Loggia: present while the post waits for review or after it was
    /// rejected (only its author, and the company when previews are
    /// allowed, can see such a post).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loggia_review: Option<Review>,
    /// Only in the answer to a delete, for delete-and-redraft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Loggia's review state of a status.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// `pending` or `rejected`.
    pub state: String,
    pub reason: Option<String>,
    /// While pending: whether the company can already see it.
    pub company_preview: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub ancestors: Vec<Status>,
    pub descendants: Vec<Status>,
}

impl Status {
    pub fn from_view(view: &StatusView, config: &Config, files: &MediaStore) -> Self {
        let s = &view.status;
        Self {
            id: s.id.to_string(),
            created_at: s.created_at.to_rfc3339(),
            in_reply_to_id: s.in_reply_to_id.map(|id| id.to_string()),
            in_reply_to_account_id: s.in_reply_to_account_id.map(|id| id.to_string()),
            sensitive: s.sensitive,
            spoiler_text: s.spoiler_text.clone(),
            visibility: s.visibility.clone(),
            language: s.language.clone(),
            uri: s.uri.clone(),
            url: s.url.clone(),
            replies_count: s.replies_count,
            reblogs_count: s.reblogs_count,
            favourites_count: s.favourites_count,
            edited_at: s.edited_at.map(|t| t.to_rfc3339()),
            favourited: view.favourited,
            reblogged: view.reblogged,
            muted: false,
            bookmarked: view.bookmarked,
            pinned: view.pinned,
            content: s.content.clone(),
            filtered: Vec::new(),
            reblog: view
                .reblog
                .as_ref()
                .map(|r| Box::new(Status::from_view(r, config, files))),
            application: view.app.as_ref().map(|a| StatusApplication {
                name: a.name.clone(),
                website: a.website.clone(),
            }),
            account: Account::from_model(&view.account, config),
            media_attachments: view
                .media
                .iter()
                .map(|m| super::media::MediaAttachment::from_model(m, files))
                .collect(),
            mentions: view
                .mentions
                .iter()
                .map(|a| Mention {
                    id: a.id.to_string(),
                    username: a.username.clone(),
                    url: a.url.clone().unwrap_or_else(|| a.uri.clone()),
                    acct: a.acct(),
                })
                .collect(),
            tags: view
                .tags
                .iter()
                .map(|t| Tag {
                    name: t.to_lowercase(),
                    url: crate::service::urls::tag_url(config, t),
                })
                .collect(),
            emojis: Vec::new(),
            card: None,
            poll: view.poll.as_ref().map(super::poll::Poll::from_view),
            local_only: s.local_only,
            loggia_review: (s.review_state != "published").then(|| Review {
                state: s.review_state.clone(),
                reason: s.review_reason.clone(),
                company_preview: s.review_company_preview,
            }),
            text: None,
        }
    }
}

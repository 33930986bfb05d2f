//! What a policy sees of a status.

use serde::Serialize;

use crate::model::Visibility;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From another server, before it is stored.
    Inbound,
    /// From an employee, before anything is delivered.
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Author {
    pub account_id: i64,
    /// `user` or `user@remote.example`.
    pub acct: String,
    /// The author's server; `None` for local authors.
    pub domain: Option<String>,
    /// Local authors' role name and team.
    pub role: Option<String>,
    pub team: Option<String>,
    /// An admin marked everything this account posts as sensitive.
    pub sensitized: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    /// image, gifv, video, audio, unknown
    #[serde(rename = "type")]
    pub kind: String,
    pub description: Option<String>,
    pub url: Option<String>,
}

/// A status as policies see it. Serialized as the body of hook requests.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    pub direction: Direction,
    /// The status's id when it already exists (edits, inbound updates).
    pub status_id: Option<String>,
    pub edit: bool,
    pub author: Author,
    pub visibility: Visibility,
    /// Company-only posts never leave the instance.
    pub company_only: bool,
    /// Outbound: the remote servers it would be delivered to (or that
    /// could read it: public posts are readable by any server).
    /// Inbound: empty.
    pub destinations: Vec<String>,
    /// Inbound: the server it comes from.
    pub origin: Option<String>,
    /// Outbound: whether any recipient is outside the company.
    pub external: bool,
    /// Plain text (HTML stripped for inbound posts).
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    /// Without `#`, as written.
    pub hashtags: Vec<String>,
    /// Every http(s) link in the text.
    pub links: Vec<String>,
    pub mentions: usize,
    pub attachments: Vec<Attachment>,
    pub language: Option<String>,
}

impl Subject {
    /// Host names of the links, lowercased.
    pub fn link_domains(&self) -> Vec<String> {
        self.links
            .iter()
            .filter_map(|l| url::Url::parse(l).ok())
            .filter_map(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
            .collect()
    }
}

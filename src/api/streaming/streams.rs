//! The streams a subscriber can ask for, with Mastodon's names and
//! parameters, and which token scopes each needs.

use crate::service::oauth::Authenticated;
use crate::store::Locality;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// The home timeline, notifications and filter changes.
    User,
    /// Notifications only.
    UserNotification,
    Public {
        locality: Locality,
        only_media: bool,
    },
    Hashtag {
        tag: String,
        local: bool,
    },
    List(i64),
    /// Direct conversations.
    Direct,
}

/// Why a subscription was refused; sent to the client as `{"error": …}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub error: String,
}

impl Refusal {
    fn bad(error: impl Into<String>) -> Self {
        Self {
            status: 400,
            error: error.into(),
        }
    }
}

impl Stream {
    /// Parses a stream name and its parameters (`tag`, `list`,
    /// `only_media`), as sent in `?stream=` or a `subscribe` message.
    pub fn parse(
        name: &str,
        tag: Option<&str>,
        list: Option<&str>,
        only_media: bool,
    ) -> Result<Self, Refusal> {
        let public = |locality, media| Stream::Public {
            locality,
            only_media: media || only_media,
        };
        let hashtag = |local| {
            let tag = tag.map(|t| t.trim().trim_start_matches('#')).unwrap_or("");
            if tag.is_empty() {
                Err(Refusal::bad("No tag for stream provided"))
            } else {
                Ok(Stream::Hashtag {
                    tag: tag.to_owned(),
                    local,
                })
            }
        };
        Ok(match name {
            "user" => Stream::User,
            "user:notification" => Stream::UserNotification,
            "public" => public(Locality::All, false),
            "public:media" => public(Locality::All, true),
            "public:local" => public(Locality::Local, false),
            "public:local:media" => public(Locality::Local, true),
            "public:remote" => public(Locality::Remote, false),
            "public:remote:media" => public(Locality::Remote, true),
            "hashtag" => hashtag(false)?,
            "hashtag:local" => hashtag(true)?,
            "list" => Stream::List(
                list.and_then(|l| l.trim().parse().ok())
                    .ok_or_else(|| Refusal::bad("No list for stream provided"))?,
            ),
            "direct" => Stream::Direct,
            "" => return Err(Refusal::bad("No stream provided")),
            _ => return Err(Refusal::bad("Unknown stream type")),
        })
    }

    /// The `stream` array of messages: `["hashtag", "tag"]`, `["user"]`…
    pub fn names(&self) -> Vec<String> {
        let base = match self {
            Stream::User => "user",
            Stream::UserNotification => "user:notification",
            Stream::Public {
                locality,
                only_media,
            } => match (locality, only_media) {
                (Locality::All, false) => "public",
                (Locality::All, true) => "public:media",
                (Locality::Local, false) => "public:local",
                (Locality::Local, true) => "public:local:media",
                (Locality::Remote, false) => "public:remote",
                (Locality::Remote, true) => "public:remote:media",
            },
            Stream::Hashtag { local: false, .. } => "hashtag",
            Stream::Hashtag { local: true, .. } => "hashtag:local",
            Stream::List(_) => "list",
            Stream::Direct => "direct",
        };
        let mut names = vec![base.to_owned()];
        match self {
            Stream::Hashtag { tag, .. } => names.push(tag.clone()),
            Stream::List(id) => names.push(id.to_string()),
            _ => {}
        }
        names
    }

    /// The filter context statuses of this stream are read in.
    pub fn context(&self) -> &'static str {
        match self {
            Stream::User | Stream::List(_) => "home",
            Stream::Direct => "thread",
            Stream::UserNotification => "notifications",
            Stream::Public { .. } | Stream::Hashtag { .. } => "public",
        }
    }

    /// Whether the token may read this stream (Mastodon's rules: `read`,
    /// or `read:notifications` for notifications, `read:statuses` else).
    pub fn allowed(&self, auth: &Authenticated) -> bool {
        let specific = match self {
            Stream::UserNotification => "read:notifications",
            _ => "read:statuses",
        };
        auth.scopes.allows("read") || auth.scopes.allows(specific)
    }
}

/// Notifications ride on the `user` stream only for tokens that may read
/// them.
pub fn may_read_notifications(auth: &Authenticated) -> bool {
    auth.scopes.allows("read") || auth.scopes.allows("read:notifications")
}

/// Stream paths of the server-sent-events API
/// (`/api/v1/streaming/public/local` → `public:local`).
pub fn from_path(path: &str) -> String {
    path.trim_matches('/').replace('/', ":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_parse_with_their_parameters() {
        assert_eq!(Stream::parse("user", None, None, false), Ok(Stream::User));
        assert_eq!(
            Stream::parse("hashtag:local", Some("#Rust"), None, false),
            Ok(Stream::Hashtag {
                tag: "Rust".into(),
                local: true
            })
        );
        assert_eq!(
            Stream::parse("public:local", None, None, true),
            Ok(Stream::Public {
                locality: Locality::Local,
                only_media: true
            })
        );
        assert_eq!(
            Stream::parse("list", None, Some("12"), false),
            Ok(Stream::List(12))
        );
        assert_eq!(
            Stream::parse("hashtag", None, None, false)
                .unwrap_err()
                .status,
            400
        );
        assert!(Stream::parse("list", None, Some("x"), false).is_err());
        assert_eq!(
            Stream::parse("everything", None, None, false)
                .unwrap_err()
                .error,
            "Unknown stream type"
        );
    }

    #[test]
    fn names_round_trip() {
        for name in [
            "user",
            "user:notification",
            "public",
            "public:media",
            "public:local",
            "public:local:media",
            "public:remote",
            "public:remote:media",
            "direct",
        ] {
            let stream = Stream::parse(name, None, None, false).unwrap();
            assert_eq!(stream.names(), vec![name.to_owned()]);
        }
        let tag = Stream::parse("hashtag", Some("x"), None, false).unwrap();
        assert_eq!(tag.names(), vec!["hashtag".to_owned(), "x".to_owned()]);
        assert_eq!(from_path("/public/local"), "public:local");
        assert_eq!(from_path("user/notification"), "user:notification");
    }
}

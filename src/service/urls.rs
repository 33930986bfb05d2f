//! The URLs of local things, in Mastodon's layout so that links people
//! already know keep their shape (`/@alice`, `/users/alice`).

use crate::config::Config;

pub fn account_uri(config: &Config, username: &str) -> String {
    format!("{}/users/{username}", config.base_url())
}

pub fn account_url(config: &Config, username: &str) -> String {
    format!("{}/@{username}", config.base_url())
}

/// An account's posts with a hashtag, as Mastodon links featured tags.
pub fn account_tagged_url(config: &Config, username: &str, tag: &str) -> String {
    let tag: String = url::form_urlencoded::byte_serialize(tag.to_lowercase().as_bytes()).collect();
    format!("{}/@{username}/tagged/{tag}", config.base_url())
}

/// A hashtag's page (`/tags/café` percent-encoded, as Rails' `tag_url`).
pub fn tag_url(config: &Config, tag: &str) -> String {
    let tag: String = url::form_urlencoded::byte_serialize(tag.to_lowercase().as_bytes()).collect();
    format!("{}/tags/{tag}", config.base_url())
}

pub fn shared_inbox(config: &Config) -> String {
    format!("{}/inbox", config.base_url())
}

pub fn instance_actor_uri(config: &Config) -> String {
    format!("{}/actor", config.base_url())
}

//! The URLs of local things, in Mastodon's layout so that links people
//! already know keep their shape (`/@alice`, `/users/alice`).

use crate::config::Config;

pub fn account_uri(config: &Config, username: &str) -> String {
    format!("{}/users/{username}", config.base_url())
}

pub fn account_url(config: &Config, username: &str) -> String {
    format!("{}/@{username}", config.base_url())
}

pub fn shared_inbox(config: &Config) -> String {
    format!("{}/inbox", config.base_url())
}

pub fn instance_actor_uri(config: &Config) -> String {
    format!("{}/actor", config.base_url())
}

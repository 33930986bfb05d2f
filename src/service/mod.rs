//! The rules, once, for every door: the client API, the web pages, the CLI
//! and (later) the federation inbox all call these functions.

pub mod access_blocks;
pub mod account_actions;
pub mod accounts;
pub mod domain_policy;
pub mod error;
pub mod featured_tags;
pub mod filters;
pub mod follows;
pub mod instance;
pub mod instance_stats;
pub mod interactions;
pub mod mail;
pub mod maintenance;
pub mod media;
pub mod oauth;
pub mod polls;
pub mod profile;
pub mod publish;
pub mod registration;
pub mod remote;
pub mod reports;
pub mod review;
pub mod rules;
pub mod scheduled;
pub mod sign_in;
pub mod statuses;
pub mod urls;
pub mod views;

/// A rule was broken; the message is safe to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// A language code such as `en` or `pt-BR` (ISO 639 with an optional region).
pub fn check_language(language: &str) -> Result<(), error::ServiceError> {
    let valid = !language.is_empty()
        && language.len() <= 16
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(error::ServiceError::Invalid(format!(
            "Language {language:?} is not a language code"
        )))
    }
}

/// The longest duration a user may ask for (mutes, filter expiry).
pub const MAX_DURATION_SECS: i64 = 10 * 365 * 24 * 3600;

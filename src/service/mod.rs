//! The rules, once, for every door: the client API, the web pages, the CLI
//! and (later) the federation inbox all call these functions.

pub mod accounts;
pub mod error;
pub mod follows;
pub mod instance;
pub mod maintenance;
pub mod oauth;
pub mod sign_in;
pub mod statuses;
pub mod urls;
pub mod views;

/// A rule was broken; the message is safe to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

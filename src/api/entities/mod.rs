//! Mastodon's JSON shapes, and the conversions from Loggia's model into them
//! (named by direction: `from_model`). Loggia-only data is added as extra
//! fields, never by changing Mastodon's.

pub mod account;
pub mod application;
pub mod featured_tag;
pub mod filter;
pub mod instance;
pub mod media;
pub mod poll;
pub mod relationship;
pub mod report;
pub mod status;

//! Typed extractors whose rejections are Mastodon-style errors.

pub mod auth;
pub mod body;
pub mod client_ip;
pub mod fields;
pub mod page;
pub mod query;

pub use auth::{Auth, MaybeUser, User};
pub use body::FormOrJson;
pub use client_ip::ClientIp;
pub use page::PageQuery;
pub use query::Query;

//! Loggia: a self-hosted, federated employee microblog.
//!
//! - [`api`]: the client door — Mastodon REST API and OAuth 2. Parses,
//!   calls a service, renders Mastodon JSON. No rules, no SQL.
//! - [`federation`]: the server-to-server door (discovery documents now,
//!   ActivityPub next).
//! - [`web`]: server-rendered pages (sign-in, OAuth consent).
//! - [`service`]: the rules, once, for every door.
//! - [`store`]: the only place with SQL, on SQLite or PostgreSQL.
//! - [`model`]: plain domain types.
//! - [`config`], [`cli`], [`server`], [`state`], [`telemetry`], [`ops`]:
//!   running the thing; [`node`]: what one process of several runs.

pub mod api;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod error;
pub mod events;
pub mod federation;
pub mod media;
pub mod model;
pub mod moderation;
pub mod node;
pub mod ops;
pub mod rate_limit;
pub mod server;
pub mod service;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod text;
pub mod web;

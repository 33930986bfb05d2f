//! The server-to-server door: discovery, actors and objects as
//! ActivityStreams JSON, the inbox, fetching remote objects and the
//! durable delivery queue.

pub mod client;
mod discovery;
pub mod keys;
pub mod protocol;
pub mod render;
pub mod signatures;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    discovery::routes()
}

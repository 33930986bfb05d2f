//! The server-to-server door. For now: discovery documents (NodeInfo,
//! host-meta), which stay public in every federation mode.

mod discovery;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    discovery::routes()
}

//! What one process runs, by its `role`: the application (API, federation,
//! web pages), the background work (delivery and webhook queues, timers,
//! housekeeping), or both. Every piece of background work claims what it
//! does in the database, so any number of nodes may run it at once.

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::Role;
use crate::state::AppState;

/// The background work of a node, started by [`Background::start`].
pub struct Background {
    housekeeping: JoinHandle<()>,
    timers: JoinHandle<()>,
    deliveries: crate::federation::delivery::Worker,
    webhooks: crate::moderation::webhooks::Worker,
}

impl Background {
    pub fn start(state: &AppState) -> Self {
        Self {
            housekeeping: crate::service::maintenance::spawn(state.clone()),
            timers: crate::service::maintenance::spawn_timers(state.clone()),
            deliveries: crate::federation::delivery::spawn(state.clone()),
            webhooks: crate::moderation::webhooks::spawn(state.clone()),
        }
    }

    /// Stops the timers and lets the sends under way finish.
    pub async fn stop(self) {
        self.housekeeping.abort();
        self.timers.abort();
        tokio::join!(self.deliveries.stop(), self.webhooks.stop());
    }
}

/// Serves what the node's role serves on `listener` until `shutdown`: the
/// whole application, or (a worker) only `/health`, `/ready` and
/// `/metrics`, so that orchestrators can probe it and Prometheus scrape it.
pub async fn serve(
    role: Role,
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if role.serves_app() {
        return crate::server::serve(listener, state, shutdown).await;
    }
    axum::serve(listener, probes(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// The router of a worker node.
pub fn probes(state: AppState) -> Router {
    Router::new()
        .merge(crate::ops::routes())
        .fallback(|| async { crate::error::Error::NotFound })
        .with_state(state)
}

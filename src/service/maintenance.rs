//! Periodic housekeeping of a running node.

use std::time::Duration;

use tokio::task::JoinHandle;

use super::sign_in;
use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(600);

/// Prunes expired sign-in failures every ten minutes. Harmless to run on
/// several nodes at once.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            match sign_in::prune_failures(&state.store, &state.config).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(pruned = n, "forgot old sign-in failures"),
                Err(e) => tracing::warn!(error = %e, "cannot prune sign-in failures"),
            }
        }
    })
}

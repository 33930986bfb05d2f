//! Operations endpoints: `/health` (the process answers), `/ready` (and its
//! database does), `/metrics` (Prometheus text format); `backup` is the
//! `loggia backup` and `loggia restore` commands.

pub mod backup;
pub mod metrics;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics_text))
}

/// GET /health — the process is up.
async fn health() -> &'static str {
    "OK"
}

/// GET /ready — the process can serve requests: the database answers.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "OK"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// GET /metrics — Prometheus text exposition.
async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(stats) = state.instance_stats.get(&state.store).await {
        state.metrics.set_instance_stats(&stats);
    }
    if let Some(reads) = state.store.replica_reads() {
        state.metrics.set_replica_reads(&reads);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

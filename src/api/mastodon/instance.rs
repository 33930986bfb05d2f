//! `/api/v1/instance` and `/api/v2/instance`: public in every federation
//! mode, so apps can always discover the server.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::api::entities::instance;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/instance", get(instance_v1))
        .route("/api/v2/instance", get(instance_v2))
}

/// GET /api/v1/instance
async fn instance_v1(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let stats = state.instance_stats.get(&state.store).await?;
    Ok(Json(instance::v1(&state.config, &stats)))
}

/// GET /api/v2/instance
async fn instance_v2(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let stats = state.instance_stats.get(&state.store).await?;
    Ok(Json(instance::v2(&state.config, &stats)))
}

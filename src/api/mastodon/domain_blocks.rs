//! `/api/v1/domain_blocks`: domains a user hides.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};

use crate::api::extract::auth::{ReadBlocks, WriteBlocks};
use crate::api::extract::fields::Fields;
use crate::api::extract::{PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::service::follows;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/domain_blocks",
        get(list).post(block).delete(unblock),
    )
}

/// GET /api/v1/domain_blocks — a list of domain names.
async fn list(
    State(state): State<AppState>,
    me: User<ReadBlocks>,
    page: PageQuery,
) -> ApiResult<Response> {
    let rows = state
        .store
        .follows()
        .blocked_domains(me.user.account.id, &page.page(100, 200))
        .await?;
    let keys: Vec<i64> = rows.iter().map(|(k, _)| *k).collect();
    let domains: Vec<String> = rows.into_iter().map(|(_, d)| d).collect();
    Ok(page.respond(domains, &keys))
}

fn domain_of(fields: &Fields) -> ApiResult<&str> {
    fields
        .get("domain")
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| Error::Validation("domain is missing".into()))
}

/// POST /api/v1/domain_blocks (`domain`)
async fn block(
    State(state): State<AppState>,
    me: User<WriteBlocks>,
    fields: Fields,
) -> ApiResult<Json<serde_json::Value>> {
    follows::block_domain(
        &state.store,
        &me.user,
        domain_of(&fields)?,
        &state.config.domain(),
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

/// DELETE /api/v1/domain_blocks (`domain`)
async fn unblock(
    State(state): State<AppState>,
    me: User<WriteBlocks>,
    fields: Fields,
) -> ApiResult<Json<serde_json::Value>> {
    follows::unblock_domain(
        &state.store,
        &me.user,
        domain_of(&fields)?,
        &state.config.domain(),
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

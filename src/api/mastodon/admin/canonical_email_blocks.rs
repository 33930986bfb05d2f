//! `/api/v1/admin/canonical_email_blocks`: addresses nobody may sign up
//! with, in any spelling (Mastodon's `Admin::CanonicalEmailBlock`).
//! Needs the manage-blocks permission.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::api::extract::auth::{
    AdminReadCanonicalEmailBlocks, AdminWriteCanonicalEmailBlocks, ScopeRequirement, User,
};
use crate::api::extract::{FormOrJson, PageQuery};
use crate::error::{ApiResult, Error};
use crate::model::Permissions;
use crate::moderation::audit::Actor;
use crate::service::access_blocks;
use crate::state::AppState;
use crate::store::CanonicalEmailBlock;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/canonical_email_blocks",
            get(list_blocks).post(create_block),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks/test",
            post(test_email),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks/{id}",
            get(show_block).delete(delete_block),
        )
}

/// Mastodon's `Admin::CanonicalEmailBlock`.
#[derive(Serialize)]
struct Entity {
    id: String,
    canonical_email_hash: String,
}

impl From<CanonicalEmailBlock> for Entity {
    fn from(b: CanonicalEmailBlock) -> Self {
        Entity {
            id: b.id.to_string(),
            canonical_email_hash: b.canonical_email_hash,
        }
    }
}

/// The caller's role may manage blocks.
pub(super) fn require_blocks_manager<S: ScopeRequirement>(me: &User<S>) -> ApiResult<()> {
    if me.user.role.permissions().has(Permissions::MANAGE_BLOCKS) {
        Ok(())
    } else {
        Err(Error::Forbidden("This action is not allowed".into()))
    }
}

fn block_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// GET /api/v1/admin/canonical_email_blocks
async fn list_blocks(
    State(state): State<AppState>,
    me: User<AdminReadCanonicalEmailBlocks>,
    page: PageQuery,
) -> ApiResult<Response> {
    require_blocks_manager(&me)?;
    let blocks = state
        .store
        .canonical_email_blocks()
        .page(&page.page(100, 200))
        .await?;
    let keys: Vec<i64> = blocks.iter().map(|b| b.id).collect();
    let entities: Vec<Entity> = blocks.into_iter().map(Entity::from).collect();
    Ok(page.respond(entities, &keys))
}

/// GET /api/v1/admin/canonical_email_blocks/:id
async fn show_block(
    State(state): State<AppState>,
    me: User<AdminReadCanonicalEmailBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Entity>> {
    require_blocks_manager(&me)?;
    let block = state
        .store
        .canonical_email_blocks()
        .by_id(block_id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(block.into()))
}

#[derive(Deserialize, Default)]
struct BlockForm {
    email: Option<String>,
    canonical_email_hash: Option<String>,
}

/// POST /api/v1/admin/canonical_email_blocks (`email` or `canonical_email_hash`)
async fn create_block(
    State(state): State<AppState>,
    me: User<AdminWriteCanonicalEmailBlocks>,
    FormOrJson(form): FormOrJson<BlockForm>,
) -> ApiResult<Json<Entity>> {
    require_blocks_manager(&me)?;
    let block = access_blocks::block_email(
        &state.store,
        &Actor::person(&me.user.account),
        form.email.as_deref(),
        form.canonical_email_hash.as_deref(),
    )
    .await?;
    Ok(Json(block.into()))
}

/// DELETE /api/v1/admin/canonical_email_blocks/:id — answers `{}`.
async fn delete_block(
    State(state): State<AppState>,
    me: User<AdminWriteCanonicalEmailBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    require_blocks_manager(&me)?;
    access_blocks::unblock_email(
        &state.store,
        &Actor::person(&me.user.account),
        block_id(&id)?,
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

#[derive(Deserialize, Default)]
struct TestForm {
    email: Option<String>,
}

/// POST /api/v1/admin/canonical_email_blocks/test (`email`) — the blocks
/// the address matches.
async fn test_email(
    State(state): State<AppState>,
    me: User<AdminReadCanonicalEmailBlocks>,
    FormOrJson(form): FormOrJson<TestForm>,
) -> ApiResult<Json<Vec<Entity>>> {
    require_blocks_manager(&me)?;
    let email = form.email.unwrap_or_default();
    let blocks = access_blocks::test_email(&state.store, &email).await?;
    Ok(Json(blocks.into_iter().map(Entity::from).collect()))
}

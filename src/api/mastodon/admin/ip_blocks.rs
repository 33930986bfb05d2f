//! `/api/v1/admin/ip_blocks`: addresses and ranges kept from signing up,
//! made to wait for approval, or refused every request (Mastodon's
//! `Admin::IpBlock`). Needs the manage-blocks permission.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::canonical_email_blocks::require_blocks_manager;
use crate::api::extract::auth::{AdminReadIpBlocks, AdminWriteIpBlocks, User};
use crate::api::extract::{FormOrJson, PageQuery};
use crate::error::{ApiResult, Error};
use crate::moderation::audit::Actor;
use crate::service::access_blocks::{self, IpBlockInput};
use crate::state::AppState;
use crate::store::IpBlock;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/ip_blocks",
            get(list_blocks).post(create_block),
        )
        .route(
            "/api/v1/admin/ip_blocks/{id}",
            get(show_block).put(update_block).delete(delete_block),
        )
}

/// Mastodon's `Admin::IpBlock`.
#[derive(Serialize)]
struct Entity {
    id: String,
    ip: String,
    severity: String,
    comment: String,
    created_at: String,
    expires_at: Option<String>,
}

impl From<IpBlock> for Entity {
    fn from(b: IpBlock) -> Self {
        Entity {
            id: b.id.to_string(),
            ip: b.ip,
            severity: b.severity,
            comment: b.comment,
            created_at: b.created_at.to_rfc3339(),
            expires_at: b.expires_at.map(|t| t.to_rfc3339()),
        }
    }
}

fn block_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// `expires_in` as a number or a string; empty (or `null`) means "never".
#[derive(Deserialize)]
#[serde(untagged)]
enum Seconds {
    Number(i64),
    Text(String),
    Null,
}

/// Keeps an empty `expires_in` apart from a missing one (form decoding
/// would read an empty value as absent).
fn given<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Seconds>, D::Error> {
    Seconds::deserialize(d).map(Some)
}

#[derive(Deserialize, Default)]
struct BlockForm {
    ip: Option<String>,
    severity: Option<String>,
    comment: Option<String>,
    #[serde(default, deserialize_with = "given")]
    expires_in: Option<Seconds>,
}

impl BlockForm {
    fn input(self) -> ApiResult<IpBlockInput> {
        let expires_in = match self.expires_in {
            None => None,
            Some(Seconds::Number(n)) => Some(Some(n)),
            Some(Seconds::Null) => Some(None),
            Some(Seconds::Text(t)) if t.trim().is_empty() => Some(None),
            Some(Seconds::Text(t)) => Some(Some(t.trim().parse().map_err(|_| {
                Error::Validation("Expires in must be a number of seconds".into())
            })?)),
        };
        Ok(IpBlockInput {
            ip: self.ip,
            severity: self.severity,
            comment: self.comment,
            expires_in,
        })
    }
}

/// GET /api/v1/admin/ip_blocks
async fn list_blocks(
    State(state): State<AppState>,
    me: User<AdminReadIpBlocks>,
    page: PageQuery,
) -> ApiResult<Response> {
    require_blocks_manager(&me)?;
    let blocks = state.store.ip_blocks().page(&page.page(100, 200)).await?;
    let keys: Vec<i64> = blocks.iter().map(|b| b.id).collect();
    let entities: Vec<Entity> = blocks.into_iter().map(Entity::from).collect();
    Ok(page.respond(entities, &keys))
}

/// GET /api/v1/admin/ip_blocks/:id
async fn show_block(
    State(state): State<AppState>,
    me: User<AdminReadIpBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Entity>> {
    require_blocks_manager(&me)?;
    let block = state
        .store
        .ip_blocks()
        .by_id(block_id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(block.into()))
}

/// POST /api/v1/admin/ip_blocks (`ip`, `severity`, `comment`, `expires_in`)
async fn create_block(
    State(state): State<AppState>,
    me: User<AdminWriteIpBlocks>,
    FormOrJson(form): FormOrJson<BlockForm>,
) -> ApiResult<Json<Entity>> {
    require_blocks_manager(&me)?;
    let block = access_blocks::create_ip_block(
        &state.store,
        &state.access,
        &Actor::person(&me.user.account),
        &form.input()?,
    )
    .await?;
    Ok(Json(block.into()))
}

/// PUT /api/v1/admin/ip_blocks/:id — changes the fields given.
async fn update_block(
    State(state): State<AppState>,
    me: User<AdminWriteIpBlocks>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<BlockForm>,
) -> ApiResult<Json<Entity>> {
    require_blocks_manager(&me)?;
    let block = access_blocks::update_ip_block(
        &state.store,
        &state.access,
        &Actor::person(&me.user.account),
        block_id(&id)?,
        &form.input()?,
    )
    .await?;
    Ok(Json(block.into()))
}

/// DELETE /api/v1/admin/ip_blocks/:id — answers `{}`.
async fn delete_block(
    State(state): State<AppState>,
    me: User<AdminWriteIpBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    require_blocks_manager(&me)?;
    access_blocks::delete_ip_block(
        &state.store,
        &state.access,
        &Actor::person(&me.user.account),
        block_id(&id)?,
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

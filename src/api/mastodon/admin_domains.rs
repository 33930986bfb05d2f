//! Mastodon's admin API for federation with other servers:
//! `/api/v1/admin/domain_blocks` and `/api/v1/admin/domain_allows`. The
//! caller's role must manage federation; the rules are in
//! `service::domain_policy`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::api::extract::auth::{
    AdminReadDomainAllows, AdminReadDomainBlocks, AdminWriteDomainAllows, AdminWriteDomainBlocks,
    ScopeRequirement,
};
use crate::api::extract::body::lenient_bool;
use crate::api::extract::{FormOrJson, PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::model::Permissions;
use crate::moderation::audit::Actor;
use crate::service::domain_policy::{self, BlockSettings};
use crate::state::AppState;
use crate::store::{DomainAllow, DomainBlock};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/domain_blocks",
            get(list_blocks).post(create_block),
        )
        .route(
            "/api/v1/admin/domain_blocks/{id}",
            get(show_block).put(update_block).delete(delete_block),
        )
        .route(
            "/api/v1/admin/domain_allows",
            get(list_allows).post(create_allow),
        )
        .route(
            "/api/v1/admin/domain_allows/{id}",
            get(show_allow).delete(delete_allow),
        )
}

/// The caller's role may manage federation, not just hold the scope.
pub(crate) fn require_federation<S: ScopeRequirement>(me: &User<S>) -> ApiResult<()> {
    if me
        .user
        .role
        .permissions()
        .has(Permissions::MANAGE_FEDERATION)
    {
        Ok(())
    } else {
        Err(Error::Forbidden("This action is not allowed".into()))
    }
}

fn id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// Mastodon's `Admin::DomainBlock`.
#[derive(Serialize)]
pub struct BlockEntity {
    id: String,
    domain: String,
    /// SHA-256 of the domain, hex (what Mastodon publishes for obfuscated
    /// blocks).
    digest: String,
    created_at: String,
    severity: String,
    reject_media: bool,
    reject_reports: bool,
    private_comment: Option<String>,
    public_comment: Option<String>,
    obfuscate: bool,
}

impl BlockEntity {
    pub fn from_model(b: &DomainBlock) -> Self {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        BlockEntity {
            id: b.id.to_string(),
            digest: crate::crypto::sha256_hex(&b.domain),
            domain: b.domain.clone(),
            created_at: b.created_at.to_rfc3339(),
            severity: b.severity.clone(),
            reject_media: b.reject_media,
            reject_reports: b.reject_reports,
            private_comment: some(&b.private_comment),
            public_comment: some(&b.public_comment),
            obfuscate: b.obfuscate,
        }
    }
}

/// Mastodon's `Admin::DomainAllow`.
#[derive(Serialize)]
pub struct AllowEntity {
    id: String,
    domain: String,
    created_at: String,
}

impl AllowEntity {
    fn from_model(a: &DomainAllow) -> Self {
        AllowEntity {
            id: a.id.to_string(),
            domain: a.domain.clone(),
            created_at: a.created_at.to_rfc3339(),
        }
    }
}

/// Lists are short (an instance has dozens of blocks, not millions), so
/// they are paged in memory, newest first, with Mastodon's parameters.
fn paged<T>(page: &PageQuery, mut items: Vec<(i64, T)>) -> (Vec<T>, Vec<i64>) {
    let p = page.page(100, 200);
    items.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    items.retain(|(id, _)| {
        p.max_id.is_none_or(|m| *id < m) && p.min_id.or(p.since_id).is_none_or(|m| *id > m)
    });
    if p.min_id.is_some() {
        // The page right after min_id: the oldest ones above it.
        let skip = items.len().saturating_sub(p.limit as usize);
        items.drain(..skip);
    } else {
        items.truncate(p.limit as usize);
    }
    let keys = items.iter().map(|(id, _)| *id).collect();
    (items.into_iter().map(|(_, t)| t).collect(), keys)
}

#[derive(Deserialize, Default)]
struct BlockForm {
    domain: Option<String>,
    severity: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    reject_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    reject_reports: Option<bool>,
    private_comment: Option<String>,
    public_comment: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    obfuscate: Option<bool>,
}

impl BlockForm {
    /// The settings this form asks for, starting from `base`.
    fn settings(self, base: BlockSettings) -> BlockSettings {
        BlockSettings {
            severity: self.severity.unwrap_or(base.severity),
            reject_media: self.reject_media.unwrap_or(base.reject_media),
            reject_reports: self.reject_reports.unwrap_or(base.reject_reports),
            private_comment: self.private_comment.unwrap_or(base.private_comment),
            public_comment: self.public_comment.unwrap_or(base.public_comment),
            obfuscate: self.obfuscate.unwrap_or(base.obfuscate),
        }
    }
}

/// GET /api/v1/admin/domain_blocks
async fn list_blocks(
    State(state): State<AppState>,
    me: User<AdminReadDomainBlocks>,
    page: PageQuery,
) -> ApiResult<Response> {
    require_federation(&me)?;
    let blocks = state.store.domains().blocks().await?;
    let (items, keys) = paged(
        &page,
        blocks
            .iter()
            .map(|b| (b.id, BlockEntity::from_model(b)))
            .collect(),
    );
    Ok(page.respond(items, &keys))
}

/// GET /api/v1/admin/domain_blocks/{id}
async fn show_block(
    State(state): State<AppState>,
    me: User<AdminReadDomainBlocks>,
    Path(raw): Path<String>,
) -> ApiResult<Json<BlockEntity>> {
    require_federation(&me)?;
    let block = state
        .store
        .domains()
        .block(id(&raw)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(BlockEntity::from_model(&block)))
}

/// POST /api/v1/admin/domain_blocks
async fn create_block(
    State(state): State<AppState>,
    me: User<AdminWriteDomainBlocks>,
    FormOrJson(form): FormOrJson<BlockForm>,
) -> ApiResult<Json<BlockEntity>> {
    require_federation(&me)?;
    let domain = form
        .domain
        .clone()
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| Error::Unprocessable("Validation failed: domain can't be blank".into()))?;
    let settings = form.settings(BlockSettings {
        severity: "silence".into(),
        ..BlockSettings::default()
    });
    let block =
        domain_policy::block(&state, &Actor::person(&me.user.account), &domain, settings).await?;
    Ok(Json(BlockEntity::from_model(&block)))
}

/// PUT /api/v1/admin/domain_blocks/{id}
async fn update_block(
    State(state): State<AppState>,
    me: User<AdminWriteDomainBlocks>,
    Path(raw): Path<String>,
    FormOrJson(form): FormOrJson<BlockForm>,
) -> ApiResult<Json<BlockEntity>> {
    require_federation(&me)?;
    let current = state
        .store
        .domains()
        .block(id(&raw)?)
        .await?
        .ok_or(Error::NotFound)?;
    let settings = form.settings(BlockSettings::of(&current));
    let block = domain_policy::update_block(
        &state,
        &Actor::person(&me.user.account),
        current.id,
        settings,
    )
    .await?;
    Ok(Json(BlockEntity::from_model(&block)))
}

/// DELETE /api/v1/admin/domain_blocks/{id}
async fn delete_block(
    State(state): State<AppState>,
    me: User<AdminWriteDomainBlocks>,
    Path(raw): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    require_federation(&me)?;
    domain_policy::unblock(&state, &Actor::person(&me.user.account), id(&raw)?).await?;
    Ok(Json(serde_json::json!({})))
}

#[derive(Deserialize, Default)]
struct AllowForm {
    domain: Option<String>,
}

/// GET /api/v1/admin/domain_allows
async fn list_allows(
    State(state): State<AppState>,
    me: User<AdminReadDomainAllows>,
    page: PageQuery,
) -> ApiResult<Response> {
    require_federation(&me)?;
    let allows = state.store.domains().allows().await?;
    let (items, keys) = paged(
        &page,
        allows
            .iter()
            .map(|a| (a.id, AllowEntity::from_model(a)))
            .collect(),
    );
    Ok(page.respond(items, &keys))
}

/// GET /api/v1/admin/domain_allows/{id}
async fn show_allow(
    State(state): State<AppState>,
    me: User<AdminReadDomainAllows>,
    Path(raw): Path<String>,
) -> ApiResult<Json<AllowEntity>> {
    require_federation(&me)?;
    let allow = state
        .store
        .domains()
        .allow(id(&raw)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(AllowEntity::from_model(&allow)))
}

/// POST /api/v1/admin/domain_allows
async fn create_allow(
    State(state): State<AppState>,
    me: User<AdminWriteDomainAllows>,
    FormOrJson(form): FormOrJson<AllowForm>,
) -> ApiResult<Json<AllowEntity>> {
    require_federation(&me)?;
    let domain = form
        .domain
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| Error::Unprocessable("Validation failed: domain can't be blank".into()))?;
    let allow = domain_policy::allow(&state, &Actor::person(&me.user.account), &domain).await?;
    Ok(Json(AllowEntity::from_model(&allow)))
}

/// DELETE /api/v1/admin/domain_allows/{id}
async fn delete_allow(
    State(state): State<AppState>,
    me: User<AdminWriteDomainAllows>,
    Path(raw): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    require_federation(&me)?;
    domain_policy::disallow(&state, &Actor::person(&me.user.account), id(&raw)?).await?;
    Ok(Json(serde_json::json!({})))
}

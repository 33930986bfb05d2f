//! The admin API for external classifier hooks and event webhooks:
//! `/api/v1/loggia/admin/hooks` and `/api/v1/loggia/admin/webhooks`.
//! `admin:read`/`admin:write` tokens of people whose role may manage
//! settings. Secrets are shown once, when created.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::api::extract::auth::{AdminRead, AdminWrite, ScopeRequirement};
use crate::api::extract::body::{lenient_bool, one_or_many};
use crate::api::extract::{FormOrJson, User};
use crate::error::{ApiResult, Error};
use crate::model::Permissions;
use crate::moderation::Finding;
use crate::moderation::integrations::{self, HookChange, WebhookChange};
use crate::state::AppState;
use crate::store::{PolicyHook, Webhook};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/loggia/admin/hooks",
            get(list_hooks).post(create_hook),
        )
        .route(
            "/api/v1/loggia/admin/hooks/{id}",
            get(show_hook).put(update_hook).delete(delete_hook),
        )
        .route("/api/v1/loggia/admin/hooks/{id}/test", post(test_hook))
        .route(
            "/api/v1/loggia/admin/webhooks",
            get(list_webhooks).post(create_webhook),
        )
        .route(
            "/api/v1/loggia/admin/webhooks/{id}",
            get(show_webhook).put(update_webhook).delete(delete_webhook),
        )
}

/// The caller's role may manage settings, not just hold the scope.
fn require_settings<S: ScopeRequirement>(me: &User<S>) -> ApiResult<()> {
    if me.user.role.permissions().has(Permissions::MANAGE_SETTINGS) {
        Ok(())
    } else {
        Err(Error::Forbidden("This action is not allowed".into()))
    }
}

fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| Error::NotFound)
}

#[derive(Serialize)]
struct HookEntity {
    id: String,
    name: String,
    url: String,
    direction: String,
    timeout_ms: i64,
    retries: i64,
    fail_mode: String,
    enabled: bool,
    created_at: String,
    updated_at: String,
    /// Only when just created.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl HookEntity {
    fn from_model(hook: PolicyHook, with_secret: bool) -> Self {
        Self {
            id: hook.id.to_string(),
            name: hook.name,
            url: hook.url,
            direction: hook.direction,
            timeout_ms: hook.timeout_ms,
            retries: hook.retries,
            fail_mode: hook.fail_mode,
            enabled: hook.enabled,
            created_at: hook.created_at.to_rfc3339(),
            updated_at: hook.updated_at.to_rfc3339(),
            secret: with_secret.then_some(hook.secret),
        }
    }
}

#[derive(Serialize)]
struct WebhookEntity {
    id: String,
    url: String,
    events: Vec<String>,
    enabled: bool,
    created_at: String,
    updated_at: String,
    /// Only when just created.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl WebhookEntity {
    fn from_model(webhook: Webhook, with_secret: bool) -> Self {
        Self {
            id: webhook.id.to_string(),
            events: webhook.event_names(),
            url: webhook.url,
            enabled: webhook.enabled,
            created_at: webhook.created_at.to_rfc3339(),
            updated_at: webhook.updated_at.to_rfc3339(),
            secret: with_secret.then_some(webhook.secret),
        }
    }
}

#[derive(Deserialize, Default)]
struct HookForm {
    name: Option<String>,
    url: Option<String>,
    secret: Option<String>,
    direction: Option<String>,
    timeout_ms: Option<i64>,
    retries: Option<i64>,
    fail_mode: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    enabled: Option<bool>,
}

impl From<HookForm> for HookChange {
    fn from(f: HookForm) -> Self {
        HookChange {
            name: f.name,
            url: f.url,
            secret: f.secret,
            direction: f.direction,
            timeout_ms: f.timeout_ms,
            retries: f.retries,
            fail_mode: f.fail_mode,
            enabled: f.enabled,
        }
    }
}

/// `events` as a list, or one string; absent stays `None`.
fn some_events<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    one_or_many(d).map(Some)
}

#[derive(Deserialize, Default)]
struct WebhookForm {
    url: Option<String>,
    secret: Option<String>,
    #[serde(default, deserialize_with = "some_events")]
    events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient_bool")]
    enabled: Option<bool>,
}

impl From<WebhookForm> for WebhookChange {
    fn from(f: WebhookForm) -> Self {
        WebhookChange {
            url: f.url,
            secret: f.secret,
            events: f.events,
            enabled: f.enabled,
        }
    }
}

#[derive(Deserialize, Default)]
struct TestForm {
    /// The sample status's text.
    text: Option<String>,
}

/// GET /api/v1/loggia/admin/hooks
async fn list_hooks(
    State(state): State<AppState>,
    me: User<AdminRead>,
) -> ApiResult<Json<Vec<HookEntity>>> {
    require_settings(&me)?;
    let hooks = state.store.policy_hooks().list().await?;
    Ok(Json(
        hooks
            .into_iter()
            .map(|h| HookEntity::from_model(h, false))
            .collect(),
    ))
}

/// POST /api/v1/loggia/admin/hooks — answers the hook with its secret.
async fn create_hook(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    FormOrJson(form): FormOrJson<HookForm>,
) -> ApiResult<Json<HookEntity>> {
    require_settings(&me)?;
    let hook = integrations::create_hook(&state.store, &me.user.account, form.into()).await?;
    Ok(Json(HookEntity::from_model(hook, true)))
}

/// GET /api/v1/loggia/admin/hooks/:id
async fn show_hook(
    State(state): State<AppState>,
    me: User<AdminRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<HookEntity>> {
    require_settings(&me)?;
    let hook = state
        .store
        .policy_hooks()
        .by_id(path_id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(HookEntity::from_model(hook, false)))
}

/// PUT /api/v1/loggia/admin/hooks/:id — changes the settings sent.
async fn update_hook(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<HookForm>,
) -> ApiResult<Json<HookEntity>> {
    require_settings(&me)?;
    let hook =
        integrations::update_hook(&state.store, &me.user.account, path_id(&id)?, form.into())
            .await?;
    Ok(Json(HookEntity::from_model(hook, false)))
}

/// DELETE /api/v1/loggia/admin/hooks/:id
async fn delete_hook(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    require_settings(&me)?;
    integrations::delete_hook(&state.store, &me.user.account, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({})))
}

/// POST /api/v1/loggia/admin/hooks/:id/test — asks the hook about a
/// sample status (optionally with `text`) and answers its finding.
async fn test_hook(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<TestForm>,
) -> ApiResult<Json<Finding>> {
    require_settings(&me)?;
    let finding = integrations::test_hook(&state, &me.user, path_id(&id)?, form.text).await?;
    Ok(Json(finding))
}

/// GET /api/v1/loggia/admin/webhooks
async fn list_webhooks(
    State(state): State<AppState>,
    me: User<AdminRead>,
) -> ApiResult<Json<Vec<WebhookEntity>>> {
    require_settings(&me)?;
    let webhooks = state.store.webhooks().list().await?;
    Ok(Json(
        webhooks
            .into_iter()
            .map(|w| WebhookEntity::from_model(w, false))
            .collect(),
    ))
}

/// POST /api/v1/loggia/admin/webhooks — answers the webhook with its secret.
async fn create_webhook(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    FormOrJson(form): FormOrJson<WebhookForm>,
) -> ApiResult<Json<WebhookEntity>> {
    require_settings(&me)?;
    let webhook = integrations::create_webhook(&state.store, &me.user.account, form.into()).await?;
    Ok(Json(WebhookEntity::from_model(webhook, true)))
}

/// GET /api/v1/loggia/admin/webhooks/:id
async fn show_webhook(
    State(state): State<AppState>,
    me: User<AdminRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookEntity>> {
    require_settings(&me)?;
    let webhook = state
        .store
        .webhooks()
        .by_id(path_id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(WebhookEntity::from_model(webhook, false)))
}

/// PUT /api/v1/loggia/admin/webhooks/:id — changes the settings sent.
async fn update_webhook(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<WebhookForm>,
) -> ApiResult<Json<WebhookEntity>> {
    require_settings(&me)?;
    let webhook =
        integrations::update_webhook(&state.store, &me.user.account, path_id(&id)?, form.into())
            .await?;
    Ok(Json(WebhookEntity::from_model(webhook, false)))
}

/// DELETE /api/v1/loggia/admin/webhooks/:id
async fn delete_webhook(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    require_settings(&me)?;
    integrations::delete_webhook(&state.store, &me.user.account, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({})))
}

//! Actions against accounts (`POST /api/v1/admin/accounts/:id/action`) and
//! their undoing (`enable`, `unsilence`, `unsuspend`, `unsensitive`). The
//! rules are `service::account_actions`.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::{AdminAccount, render_by_id, require_manager};
use crate::api::extract::FormOrJson;
use crate::api::extract::auth::{AdminWriteAccounts, User};
use crate::api::extract::body::lenient_bool;
use crate::error::{ApiResult, Error};
use crate::model::AccountId;
use crate::service::account_actions::{self, AccountAction, ActionKind, Undo};
use crate::state::AppState;

pub fn routes() -> axum::Router<AppState> {
    Router::new()
        .route("/api/v1/admin/accounts/{id}/action", post(act))
        .route("/api/v1/admin/accounts/{id}/enable", post(enable))
        .route("/api/v1/admin/accounts/{id}/unsilence", post(unsilence))
        .route("/api/v1/admin/accounts/{id}/unsuspend", post(unsuspend))
        .route("/api/v1/admin/accounts/{id}/unsensitive", post(unsensitive))
}

#[derive(Deserialize, Default)]
struct ActionForm {
    #[serde(rename = "type")]
    kind: Option<String>,
    report_id: Option<String>,
    warning_preset_id: Option<String>,
    text: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    send_email_notification: Option<bool>,
}

/// An optional id parameter: empty is absent, anything else must be an id
/// of something that exists (else Mastodon's 404).
fn optional_id(raw: Option<&str>) -> ApiResult<Option<i64>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|_| Error::NotFound),
    }
}

/// POST /api/v1/admin/accounts/:id/action — answers `{}`.
async fn act(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<ActionForm>,
) -> ApiResult<Json<serde_json::Value>> {
    require_manager(&me)?;
    let target = AccountId(crate::api::mastodon::render::id(&id)?);
    let kind: ActionKind = form.kind.as_deref().unwrap_or_default().parse()?;
    // Loggia has no warning presets, so any preset id is unknown.
    if optional_id(form.warning_preset_id.as_deref())?.is_some() {
        return Err(Error::NotFound);
    }
    let action = AccountAction {
        kind,
        report_id: optional_id(form.report_id.as_deref())?,
        text: form.text.unwrap_or_default().trim().to_owned(),
        send_email_notification: form.send_email_notification.unwrap_or(false),
    };
    account_actions::act(&state.store, &me.user, target, &action).await?;
    Ok(Json(serde_json::json!({})))
}

async fn undo(
    state: &AppState,
    me: &User<AdminWriteAccounts>,
    id: &str,
    undo: Undo,
) -> ApiResult<Json<AdminAccount>> {
    require_manager(me)?;
    let target = AccountId(crate::api::mastodon::render::id(id)?);
    account_actions::undo(&state.store, &me.user, target, undo).await?;
    Ok(Json(render_by_id(state, id).await?))
}

/// POST /api/v1/admin/accounts/:id/enable — local users only.
async fn enable(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminAccount>> {
    undo(&state, &me, &id, Undo::Enable).await
}

/// POST /api/v1/admin/accounts/:id/unsilence
async fn unsilence(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminAccount>> {
    undo(&state, &me, &id, Undo::Unsilence).await
}

/// POST /api/v1/admin/accounts/:id/unsuspend
async fn unsuspend(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminAccount>> {
    undo(&state, &me, &id, Undo::Unsuspend).await
}

/// POST /api/v1/admin/accounts/:id/unsensitive
async fn unsensitive(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminAccount>> {
    undo(&state, &me, &id, Undo::Unsensitive).await
}

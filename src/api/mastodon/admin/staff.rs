//! Loggia's additive `PATCH /api/v1/loggia/admin/accounts/:id`: a local
//! user's role and team. The rules are `service::account_actions`.

use axum::extract::{Path, State};
use axum::routing::patch;
use axum::{Json, Router};
use serde::Deserialize;

use super::{AdminAccount, render_by_id, require_manager};
use crate::api::extract::FormOrJson;
use crate::api::extract::auth::{AdminWriteAccounts, User};
use crate::error::ApiResult;
use crate::model::AccountId;
use crate::service::account_actions::{self, StaffChanges};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/loggia/admin/accounts/{id}", patch(update_account))
}

#[derive(Deserialize, Default)]
struct StaffForm {
    role: Option<String>,
    /// An empty team is given (it clears the team), not absent.
    #[serde(default, deserialize_with = "given")]
    team: Option<String>,
}

/// Form decoding reads an empty value as absent; this keeps it (`null` in
/// JSON counts as empty too).
fn given<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d).map(|v| Some(v.unwrap_or_default()))
}

/// PATCH /api/v1/loggia/admin/accounts/:id (`role`, `team`) — answers the
/// `Admin::Account`.
async fn update_account(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<StaffForm>,
) -> ApiResult<Json<AdminAccount>> {
    require_manager(&me)?;
    let target = AccountId(crate::api::mastodon::render::id(&id)?);
    let changes = StaffChanges {
        role: form.role,
        team: form.team,
    };
    account_actions::change_staff_fields(&state.store, &me.user, target, &changes).await?;
    Ok(Json(render_by_id(&state, &id).await?))
}

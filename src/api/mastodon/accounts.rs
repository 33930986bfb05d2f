//! `/api/v1/accounts`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::api::entities::account::CredentialAccount;
use crate::api::extract::User;
use crate::api::extract::auth::Profile;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/accounts/verify_credentials",
        get(verify_credentials),
    )
}

/// GET /api/v1/accounts/verify_credentials — the signed-in user's account.
async fn verify_credentials(
    State(state): State<AppState>,
    me: User<Profile>,
) -> ApiResult<Json<CredentialAccount>> {
    Ok(Json(CredentialAccount::from_model(
        &me.user,
        &state.config,
        0,
    )))
}

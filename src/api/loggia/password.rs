//! `POST /api/v1/loggia/password`: a signed-in user changes their own
//! password. Mastodon does this on a server-rendered settings page; Loggia's
//! web UI speaks only the API, so it is an endpoint here. The current
//! password is required (a stolen token alone cannot take the account over)
//! and checked under the sign-in throttle; on success every other token and
//! web session is revoked.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::extract::auth::WriteAccounts;
use crate::api::extract::{ClientIp, FormOrJson, User};
use crate::error::{ApiResult, Error};
use crate::service::accounts::{self, AccountError};
use crate::service::sign_in::{self, SignInError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/loggia/password", post(change))
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    password: String,
}

async fn change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: User<WriteAccounts>,
    FormOrJson(form): FormOrJson<PasswordForm>,
) -> ApiResult<Json<Value>> {
    let username = user.user.account.username.clone();
    match sign_in::authenticate(
        &state.store,
        &state.config,
        &state.dummy_password_hash,
        &username,
        &form.current_password,
        &ip,
    )
    .await
    {
        Ok(found) if found.user.id == user.user.user.id => {}
        Ok(_) | Err(SignInError::BadCredentials) => {
            return Err(Error::Unprocessable("The current password is wrong".into()));
        }
        Err(SignInError::Throttled { retry_after_secs }) => {
            return Err(Error::TooManyRequests { retry_after_secs });
        }
        Err(SignInError::Inactive(why)) => return Err(Error::Forbidden(why.to_string())),
        Err(SignInError::Store(e)) => return Err(e.into()),
    }
    let signed_out = accounts::change_password(
        &state.store,
        user.user.user.id,
        &form.password,
        user.auth.token.id,
    )
    .await
    .map_err(|e| match e {
        AccountError::Invalid(why) => Error::Validation(why.to_string()),
        AccountError::Store(e) => e.into(),
    })?;
    tracing::info!(user = %username, signed_out, "password changed");
    Ok(Json(json!({ "signed_out_elsewhere": signed_out })))
}

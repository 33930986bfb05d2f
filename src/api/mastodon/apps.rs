//! `/api/v1/apps`: OAuth application registration.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::entities::application::{Application, CredentialApplication};
use crate::api::extract::auth::AnyScope;
use crate::api::extract::body::one_or_many;
use crate::api::extract::{Auth, FormOrJson};
use crate::error::{ApiResult, Error};
use crate::service::oauth::{self, RegisterApp, RegisterError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/apps", post(create_app)).route(
        "/api/v1/apps/verify_credentials",
        get(verify_app_credentials),
    )
}

#[derive(Deserialize)]
struct NewApp {
    #[serde(default)]
    client_name: String,
    #[serde(default, deserialize_with = "one_or_many")]
    redirect_uris: Vec<String>,
    scopes: Option<String>,
    website: Option<String>,
}

/// POST /api/v1/apps — register a client application.
async fn create_app(
    State(state): State<AppState>,
    FormOrJson(form): FormOrJson<NewApp>,
) -> ApiResult<Json<CredentialApplication>> {
    let new = RegisterApp {
        client_name: form.client_name,
        redirect_uris: form.redirect_uris,
        scopes: form.scopes,
        website: form.website,
    };
    let (app, client_secret) =
        oauth::register_app(&state.store, &new)
            .await
            .map_err(|e| match e {
                RegisterError::Invalid(e) => Error::Validation(e.0),
                RegisterError::Store(e) => e.into(),
            })?;
    Ok(Json(CredentialApplication {
        application: Application::from_model(&app),
        client_id: app.client_id.clone(),
        client_secret,
        client_secret_expires_at: 0,
    }))
}

/// GET /api/v1/apps/verify_credentials — the app behind the token.
async fn verify_app_credentials(
    State(state): State<AppState>,
    auth: Auth<AnyScope>,
) -> ApiResult<Json<Application>> {
    let app = state
        .store
        .oauth()
        .app_by_id(auth.auth.token.app_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(Application::from_model(&app)))
}

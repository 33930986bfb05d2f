//! GET /.well-known/oauth-authorization-server (RFC 8414), which Mastodon
//! apps read to find the endpoints and supported features.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::model::scope::ALL_SCOPES;
use crate::state::AppState;

/// GET /.well-known/oauth-authorization-server
pub async fn metadata(State(state): State<AppState>) -> Json<Value> {
    let base = state.config.base_url();
    Json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "userinfo_endpoint": format!("{base}/oauth/userinfo"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": ALL_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

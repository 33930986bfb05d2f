//! OAuth 2 endpoints: `/oauth/authorize` (consent page), `/oauth/token`,
//! `/oauth/revoke`, `/oauth/userinfo` and the RFC 8414 metadata document.

mod authorize;
mod metadata;
mod token;
mod userinfo;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::decide),
        )
        .route("/oauth/token", post(token::create_token))
        .route("/oauth/revoke", post(token::revoke_token))
        .route(
            "/oauth/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(metadata::metadata),
        )
}

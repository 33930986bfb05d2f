//! GET /oauth/userinfo (OpenID Connect's UserInfo, as Mastodon 4.4 serves
//! it): who the token's user is, for apps that only need a sign-in.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::api::entities::account::default_avatar;
use crate::api::extract::User;
use crate::api::extract::auth::Profile;
use crate::state::AppState;

pub async fn userinfo(State(state): State<AppState>, me: User<Profile>) -> Json<Value> {
    let account = &me.user.account;
    Json(json!({
        "iss": format!("{}/", state.config.base_url()),
        "sub": account.uri,
        "name": if account.display_name.is_empty() { &account.username } else { &account.display_name },
        "preferred_username": account.username,
        "profile": account.url.clone().unwrap_or_else(|| account.uri.clone()),
        "picture": account.avatar_url.clone().unwrap_or_else(|| default_avatar(&state.config)),
    }))
}

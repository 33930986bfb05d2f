//! Endpoints whose features Loggia does not have (yet), answering what
//! Mastodon answers when there is nothing: an empty list or a default
//! object. Some apps abort their login on a 404 here, so these must exist.
//! Each is listed in `docs/api-compatibility.md` as "empty".

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::api::extract::User;
use crate::api::extract::auth::{Read, ReadNotifications};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    // Public lists (no token needed).
    for path in [
        "/api/v1/custom_emojis",
        "/api/v1/trends",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/trends/links",
        "/api/v1/instance/peers",
        "/api/v1/instance/activity",
        "/api/v1/instance/rules",
        "/api/v1/instance/domain_blocks",
        "/api/v1/directory",
    ] {
        router = router.route(path, get(empty_public));
    }
    // Lists of the signed-in user.
    for path in [
        "/api/v1/announcements",
        "/api/v1/suggestions",
        "/api/v2/suggestions",
        "/api/v1/endorsements",
        "/api/v1/notifications/requests",
    ] {
        router = router.route(path, get(empty_for_user));
    }
    router
        .route(
            "/api/v1/instance/translation_languages",
            get(|| async { Json(json!({})) }),
        )
        .route(
            "/api/v1/instance/extended_description",
            get(extended_description),
        )
        .route("/api/v1/notifications/policy", get(policy_v1))
        .route("/api/v2/notifications/policy", get(policy_v2))
}

async fn empty_public() -> Json<Vec<Value>> {
    Json(Vec::new())
}

async fn empty_for_user(_me: User<Read>) -> Json<Vec<Value>> {
    Json(Vec::new())
}

/// GET /api/v1/instance/extended_description
async fn extended_description(State(state): State<AppState>) -> Json<Value> {
    let html = format!(
        "<p>{}</p>",
        crate::web::html::escape(&state.config.instance_description)
    );
    // The description comes from the configuration, read at start-up.
    let updated_at = crate::model::Timestamp(
        chrono::Utc::now().timestamp_millis() - state.started_at.elapsed().as_millis() as i64,
    );
    Json(json!({ "updated_at": updated_at.to_rfc3339(), "content": html }))
}

/// GET /api/v1/notifications/policy — nothing is filtered.
async fn policy_v1(_me: User<ReadNotifications>) -> Json<Value> {
    Json(json!({
        "filter_not_following": false,
        "filter_not_followers": false,
        "filter_new_accounts": false,
        "filter_private_mentions": false,
        "summary": { "pending_requests_count": 0, "pending_notifications_count": 0 },
    }))
}

/// GET /api/v2/notifications/policy — everything is accepted.
async fn policy_v2(_me: User<ReadNotifications>) -> Json<Value> {
    Json(json!({
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "accept",
        "for_limited_accounts": "accept",
        "summary": { "pending_requests_count": 0, "pending_notifications_count": 0 },
    }))
}

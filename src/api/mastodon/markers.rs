//! `/api/v1/markers` (reading positions) and `/api/v1/preferences`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::extract::User;
use crate::api::extract::auth::{Read, ReadAccounts, WriteStatuses};
use crate::api::extract::body::parse_form;
use crate::error::{ApiResult, Error};
use crate::state::AppState;

const TIMELINES: [&str; 2] = ["home", "notifications"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/markers", get(get_markers).post(set_markers))
        .route("/api/v1/preferences", get(preferences))
}

#[derive(Serialize)]
struct Marker {
    last_read_id: String,
    version: i64,
    updated_at: String,
}

async fn load(
    state: &AppState,
    me: &crate::store::UserWithAccount,
    timelines: &[String],
) -> ApiResult<BTreeMap<String, Marker>> {
    let mut out = BTreeMap::new();
    for timeline in timelines {
        if let Some(m) = state.store.markers().get(me.account.id, timeline).await? {
            out.insert(
                timeline.clone(),
                Marker {
                    last_read_id: m.last_read_id.to_string(),
                    version: m.version,
                    updated_at: m.updated_at.to_rfc3339(),
                },
            );
        }
    }
    Ok(out)
}

/// GET /api/v1/markers?timeline[]=home&timeline[]=notifications
async fn get_markers(
    State(state): State<AppState>,
    me: User<Read>,
    uri: Uri,
) -> ApiResult<Json<BTreeMap<String, Marker>>> {
    let asked: Vec<String> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k == "timeline[]" || k == "timeline")
            .map(|(_, v)| v.into_owned())
            .filter(|t| TIMELINES.contains(&t.as_str()))
            .collect();
    Ok(Json(load(&state, &me.user, &asked).await?))
}

/// POST /api/v1/markers — `home[last_read_id]`, `notifications[last_read_id]`
/// (form) or `{"home": {"last_read_id": …}}` (JSON).
async fn set_markers(
    State(state): State<AppState>,
    me: User<WriteStatuses>,
    headers: axum::http::HeaderMap,
    uri: Uri,
    body: axum::body::Bytes,
) -> ApiResult<Json<BTreeMap<String, Marker>>> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut wanted: Vec<(String, String)> = Vec::new();
    if is_json {
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| Error::Validation(format!("invalid JSON body: {e}")))?;
        for timeline in TIMELINES {
            if let Some(id) = value.get(timeline).and_then(|m| m.get("last_read_id")) {
                let id = id
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| id.to_string());
                wanted.push((timeline.to_owned(), id));
            }
        }
    } else {
        let pairs: Vec<(String, String)> = parse_form(uri.query().unwrap_or_default(), &body)?;
        for (k, v) in pairs {
            for timeline in TIMELINES {
                if k == format!("{timeline}[last_read_id]") {
                    wanted.push((timeline.to_owned(), v.clone()));
                }
            }
        }
    }
    if wanted.is_empty() {
        return Err(Error::BadRequest(
            "give home[last_read_id] or notifications[last_read_id]".into(),
        ));
    }
    let mut names = Vec::new();
    for (timeline, id) in wanted {
        let id: i64 = id
            .parse()
            .map_err(|_| Error::Validation(format!("{timeline} last_read_id must be an id")))?;
        state
            .store
            .markers()
            .set(me.user.account.id, &timeline, id)
            .await?;
        names.push(timeline);
    }
    Ok(Json(load(&state, &me.user, &names).await?))
}

/// GET /api/v1/preferences — Mastodon's keys, and Loggia's for the
/// composer: whether external posts go to a reviewer first, and whether
/// anyone on another server follows the user.
async fn preferences(
    State(state): State<AppState>,
    me: User<ReadAccounts>,
) -> ApiResult<Json<Value>> {
    let user = &me.user.user;
    let reviewed = crate::service::review::external_posts_reviewed(&state, &me.user).await?;
    let remote_followers = state
        .store
        .follows()
        .has_remote_followers(me.user.account.id)
        .await?;
    Ok(Json(json!({
        "posting:default:visibility": user.default_visibility,
        "posting:default:sensitive": user.default_sensitive,
        "posting:default:language": user.default_language,
        "posting:default:local_only": user.default_local_only.unwrap_or(state.config.company_only_by_default),
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
        "loggia:posting:external_review": reviewed,
        "loggia:followers:remote": remote_followers,
    })))
}

//! `/.well-known/nodeinfo`, NodeInfo 2.0 and 2.1, and `/.well-known/host-meta`.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::state::AppState;
use crate::web::html::escape;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/2.0", get(nodeinfo_20))
        .route("/nodeinfo/2.1", get(nodeinfo_21))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/.well-known/host-meta.json", get(host_meta_json))
}

/// GET /.well-known/nodeinfo
async fn nodeinfo_links(State(state): State<AppState>) -> Json<Value> {
    let base = state.config.base_url();
    Json(json!({
        "links": [
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": format!("{base}/nodeinfo/2.0") },
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": format!("{base}/nodeinfo/2.1") },
        ]
    }))
}

async fn nodeinfo(state: &AppState, version: &str) -> ApiResult<impl IntoResponse + use<>> {
    let stats = state.instance_stats.get(&state.store).await?;
    let mut software = json!({ "name": "loggia", "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" {
        software["repository"] = json!(crate::api::entities::instance::SOURCE_URL);
    }
    let body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": false,
        "usage": {
            "users": {
                "total": stats.users,
                "activeMonth": stats.active_month,
                "activeHalfyear": stats.active_half_year,
            },
            "localPosts": stats.local_statuses,
        },
        "metadata": {
            "nodeName": state.config.instance_title,
            "nodeDescription": state.config.instance_description,
        },
    });
    let content_type = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\""
    );
    Ok(([(header::CONTENT_TYPE, content_type)], body.to_string()))
}

/// GET /nodeinfo/2.0
async fn nodeinfo_20(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    nodeinfo(&state, "2.0").await
}

/// GET /nodeinfo/2.1
async fn nodeinfo_21(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    nodeinfo(&state, "2.1").await
}

/// GET /.well-known/host-meta — points WebFinger clients at our endpoint.
async fn host_meta(State(state): State<AppState>) -> impl IntoResponse {
    let template = format!(
        "{}/.well-known/webfinger?resource={{uri}}",
        state.config.base_url()
    );
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{}\"/>\n</XRD>\n",
        escape(&template)
    );
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        xml,
    )
}

/// GET /.well-known/host-meta.json
async fn host_meta_json(State(state): State<AppState>) -> impl IntoResponse {
    let template = format!(
        "{}/.well-known/webfinger?resource={{uri}}",
        state.config.base_url()
    );
    (
        [(header::CONTENT_TYPE, "application/jrd+json; charset=utf-8")],
        json!({ "links": [{ "rel": "lrdd", "template": template }] }).to_string(),
    )
}

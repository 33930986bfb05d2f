//! `/api/v1/notifications`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::render;
use crate::api::entities::account::Account;
use crate::api::entities::report::Report;
use crate::api::entities::status::Status;
use crate::api::extract::auth::{ReadNotifications, WriteNotifications};
use crate::api::extract::{PageQuery, User};
use crate::error::{ApiResult, Error};
use crate::state::AppState;
use crate::store::{Notification as Model, TypeFilter, Viewer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/unread_count", get(unread_count))
        .route("/api/v1/notifications/clear", post(clear))
        .route("/api/v1/notifications/{id}", get(get_one))
        .route("/api/v1/notifications/{id}/dismiss", post(dismiss))
}

#[derive(Serialize)]
pub struct Notification {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created_at: String,
    group_key: String,
    account: Account,
    status: Option<Status>,
    /// The report of an `admin.report` notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<Report>,
}

pub(crate) async fn render_all(
    state: &AppState,
    viewer: Viewer,
    list: Vec<Model>,
) -> ApiResult<Vec<Notification>> {
    let mut out = Vec::with_capacity(list.len());
    for n in list {
        let Some(from) = state.store.accounts().by_id(n.from_account_id).await? else {
            continue;
        };
        let status = match n.status_id {
            None => None,
            Some(id) => match state.store.statuses().visible_by_id(id, viewer).await? {
                // A notification about something no longer visible is hidden.
                None => continue,
                Some(s) => Some(render::status(state, viewer, s).await?),
            },
        };
        let report = match n.report_id {
            None => None,
            Some(id) => match report(state, id).await? {
                // A report deleted since (its target is gone) is not shown.
                None => continue,
                some => some,
            },
        };
        out.push(Notification {
            id: n.id.to_string(),
            kind: n.notification_type.clone(),
            created_at: n.created_at.to_rfc3339(),
            group_key: format!("ungrouped-{}", n.id),
            account: Account::from_model(&from, &state.config),
            status,
            report,
        });
    }
    Ok(out)
}

/// The `Report` entity of an `admin.report` notification.
async fn report(state: &AppState, id: i64) -> ApiResult<Option<Report>> {
    let Some(report) = state.store.reports().by_id(id).await? else {
        return Ok(None);
    };
    let Some(target) = state
        .store
        .accounts()
        .by_id(report.target_account_id)
        .await?
    else {
        return Ok(None);
    };
    let status_ids = state.store.reports().status_ids(report.id).await?;
    Ok(Some(Report::from_model(
        &report,
        &status_ids,
        &target,
        &state.config,
    )))
}

fn filter_from(uri: &Uri) -> TypeFilter {
    let mut filter = TypeFilter::default();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "types[]" | "types" => filter.types.push(v.into_owned()),
            "exclude_types[]" | "exclude_types" => filter.exclude_types.push(v.into_owned()),
            _ => {}
        }
    }
    filter
}

/// GET /api/v1/notifications (`types[]`, `exclude_types[]`, paging)
async fn list(
    State(state): State<AppState>,
    me: User<ReadNotifications>,
    uri: Uri,
    page: PageQuery,
) -> ApiResult<Response> {
    let filter = filter_from(&uri);
    let rows = state
        .store
        .notifications()
        .list(me.user.account.id, &filter, &page.page(15, 30))
        .await?;
    let keys: Vec<i64> = rows.iter().map(|n| n.id).collect();
    let rendered = render_all(&state, me.viewer(), rows).await?;
    Ok(page.respond(rendered, &keys))
}

/// GET /api/v1/notifications/{id}
async fn get_one(
    State(state): State<AppState>,
    me: User<ReadNotifications>,
    Path(id): Path<String>,
) -> ApiResult<Json<Notification>> {
    let found = state
        .store
        .notifications()
        .by_id(me.user.account.id, render::id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    render_all(&state, me.viewer(), vec![found])
        .await?
        .pop()
        .map(Json)
        .ok_or(Error::NotFound)
}

/// POST /api/v1/notifications/{id}/dismiss
async fn dismiss(
    State(state): State<AppState>,
    me: User<WriteNotifications>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    if !state
        .store
        .notifications()
        .dismiss(me.user.account.id, render::id(&id)?)
        .await?
    {
        return Err(Error::NotFound);
    }
    Ok(Json(serde_json::json!({})))
}

/// POST /api/v1/notifications/clear
async fn clear(
    State(state): State<AppState>,
    me: User<WriteNotifications>,
) -> ApiResult<Json<serde_json::Value>> {
    state
        .store
        .notifications()
        .clear(me.user.account.id)
        .await?;
    Ok(Json(serde_json::json!({})))
}

/// GET /api/v1/notifications/unread_count — notifications newer than the
/// `notifications` marker, capped at 1000.
async fn unread_count(
    State(state): State<AppState>,
    me: User<ReadNotifications>,
) -> ApiResult<Json<serde_json::Value>> {
    let since = state
        .store
        .markers()
        .get(me.user.account.id, "notifications")
        .await?
        .map_or(0, |m| m.last_read_id);
    let count = state
        .store
        .notifications()
        .count_after(me.user.account.id, since, 1000)
        .await?;
    Ok(Json(serde_json::json!({ "count": count })))
}

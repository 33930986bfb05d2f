//! Event webhooks carry the API's own entities (as Mastodon's do), so the
//! events are emitted where those entities are rendered: here, after the
//! action committed. A failure to queue is logged, never the caller's
//! error (the action happened).

use crate::model::Status;
use crate::state::AppState;
use crate::store::{Report, Viewer};

/// `status.created` / `status.updated` for a local status others can see
/// (held posts wait for their approval).
pub async fn status(state: &AppState, event: &str, status: &Status) {
    if !status.local || status.review_state != "published" {
        return;
    }
    match super::render::status(state, Viewer::ANONYMOUS, status.clone()).await {
        Ok(entity) => match serde_json::to_value(entity) {
            Ok(object) => crate::moderation::webhooks::emit(state, event, object).await,
            Err(e) => tracing::warn!(error = %e, event, "cannot render a webhook event"),
        },
        Err(e) => tracing::warn!(error = %e, event, "cannot render a webhook event"),
    }
}

/// `report.created` / `report.updated`, as Mastodon's `Admin::Report`.
pub async fn report(state: &AppState, event: &str, report: &Report) {
    match super::admin_reports::entity(state, Viewer::ANONYMOUS, report).await {
        Ok(entity) => match serde_json::to_value(entity) {
            Ok(object) => crate::moderation::webhooks::emit(state, event, object).await,
            Err(e) => tracing::warn!(error = %e, event, "cannot render a webhook event"),
        },
        Err(e) => tracing::warn!(error = %e, event, "cannot render a webhook event"),
    }
}

//! Mastodon's admin API for reports (`/api/v1/admin/reports`): list, look
//! at, assign, resolve, reopen, recategorize; and Loggia's notes on a
//! report (`/api/v1/loggia/admin/reports/:id/notes`). Only for roles that
//! may manage reports; the service checks that and writes the audit log.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::admin::{self, AdminAccount};
use super::render;
use super::reports::Ids;
use crate::api::entities::account::Account;
use crate::api::entities::status::Status;
use crate::api::extract::auth::{AdminReadReports, AdminWriteReports};
use crate::api::extract::body::lenient_bool;
use crate::api::extract::{FormOrJson, PageQuery, Query, User};
use crate::error::{ApiResult, Error};
use crate::model::{Account as AccountModel, AccountId};
use crate::service::reports::{self as service, Change};
use crate::state::AppState;
use crate::store::{Report, ReportFilter, ReportNote};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/reports", get(list_reports))
        .route(
            "/api/v1/admin/reports/{id}",
            get(show_report).put(update_report),
        )
        .route(
            "/api/v1/admin/reports/{id}/assign_to_self",
            post(assign_to_self),
        )
        .route("/api/v1/admin/reports/{id}/unassign", post(unassign))
        .route("/api/v1/admin/reports/{id}/resolve", post(resolve))
        .route("/api/v1/admin/reports/{id}/reopen", post(reopen))
        .route(
            "/api/v1/loggia/admin/reports/{id}/notes",
            get(list_notes).post(add_note),
        )
        .route(
            "/api/v1/loggia/admin/reports/{id}/notes/{note_id}",
            delete(delete_note),
        )
}

/// An account as the admin API shows it (`admin::render_account`: local
/// users and other servers' accounts). The instance actor, local without a
/// user, is shown without the user fields (`null`, as Mastodon renders an
/// account without a user).
#[derive(Serialize)]
#[serde(untagged)]
enum AdminAccountEntity {
    Rendered(Box<AdminAccount>),
    WithoutUser(Box<AccountWithoutUser>),
}

#[derive(Serialize)]
struct AccountWithoutUser {
    id: String,
    username: String,
    domain: Option<String>,
    created_at: String,
    email: Option<String>,
    ip: Option<String>,
    ips: Vec<serde_json::Value>,
    locale: Option<String>,
    invite_request: Option<String>,
    role: Option<serde_json::Value>,
    confirmed: bool,
    approved: bool,
    disabled: bool,
    silenced: bool,
    suspended: bool,
    sensitized: bool,
    account: Account,
}

/// Mastodon's `Admin::Report`.
#[derive(Serialize)]
pub struct AdminReport {
    id: String,
    action_taken: bool,
    action_taken_at: Option<String>,
    category: String,
    comment: String,
    forwarded: bool,
    created_at: String,
    updated_at: String,
    account: AdminAccountEntity,
    target_account: AdminAccountEntity,
    assigned_account: Option<AdminAccountEntity>,
    action_taken_by_account: Option<AdminAccountEntity>,
    statuses: Vec<Status>,
    /// The instance rules cited; Loggia has none yet.
    rules: Vec<serde_json::Value>,
}

async fn admin_account(state: &AppState, id: AccountId) -> ApiResult<AdminAccountEntity> {
    let account: AccountModel = state
        .store
        .accounts()
        .by_id(id)
        .await?
        .ok_or_else(|| Error::internal(format!("a report names a missing account {id}")))?;
    match admin::render_account(state, &account).await {
        Ok(rendered) => Ok(AdminAccountEntity::Rendered(Box::new(rendered))),
        Err(Error::NotFound) => Ok(AdminAccountEntity::WithoutUser(Box::new(
            AccountWithoutUser {
                id: account.id.to_string(),
                username: account.username.clone(),
                domain: account.domain.clone(),
                created_at: account.created_at.to_rfc3339(),
                email: None,
                ip: None,
                ips: Vec::new(),
                locale: None,
                invite_request: None,
                role: None,
                confirmed: false,
                approved: false,
                disabled: false,
                silenced: account.silenced_at.is_some(),
                suspended: account.suspended_at.is_some(),
                sensitized: account.sensitized_at.is_some(),
                account: Account::from_model(&account, &state.config),
            },
        ))),
        Err(e) => Err(e),
    }
}

async fn optional_admin_account(
    state: &AppState,
    id: Option<AccountId>,
) -> ApiResult<Option<AdminAccountEntity>> {
    match id {
        Some(id) => Ok(Some(admin_account(state, id).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn entity(
    state: &AppState,
    viewer: crate::store::Viewer,
    report: &Report,
) -> ApiResult<AdminReport> {
    // Moderators see the reported statuses whatever their audience.
    let mut statuses = Vec::new();
    for id in state.store.reports().status_ids(report.id).await? {
        statuses.extend(state.store.statuses().by_id(id).await?);
    }
    Ok(AdminReport {
        id: report.id.to_string(),
        action_taken: report.resolved_at.is_some(),
        action_taken_at: report.resolved_at.map(|t| t.to_rfc3339()),
        category: report.category.clone(),
        comment: report.comment.clone(),
        forwarded: report.forwarded_at.is_some(),
        created_at: report.created_at.to_rfc3339(),
        updated_at: report.updated_at.to_rfc3339(),
        account: admin_account(state, report.account_id).await?,
        target_account: admin_account(state, report.target_account_id).await?,
        assigned_account: optional_admin_account(state, report.assigned_account_id).await?,
        action_taken_by_account: optional_admin_account(state, report.action_taken_by_account_id)
            .await?,
        statuses: render::statuses(state, viewer, statuses).await?,
        rules: Vec::new(),
    })
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default, deserialize_with = "lenient_bool")]
    resolved: Option<bool>,
    account_id: Option<String>,
    target_account_id: Option<String>,
}

/// An account id filter; one that is no id matches nothing.
fn account_filter(raw: Option<String>) -> Option<AccountId> {
    raw.filter(|s| !s.is_empty())
        .map(|s| AccountId(s.parse().unwrap_or(-1)))
}

/// GET /api/v1/admin/reports — unresolved reports (`resolved=true`: the
/// resolved ones), `account_id`, `target_account_id`, paging.
async fn list_reports(
    State(state): State<AppState>,
    me: User<AdminReadReports>,
    page: PageQuery,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let filter = ReportFilter {
        resolved: Some(q.resolved.unwrap_or(false)),
        account_id: account_filter(q.account_id),
        target_account_id: account_filter(q.target_account_id),
    };
    let reports = service::list(&state.store, &me.user, &filter, &page.page(100, 200)).await?;
    let keys: Vec<i64> = reports.iter().map(|r| r.id).collect();
    let mut entities = Vec::with_capacity(reports.len());
    for report in &reports {
        entities.push(entity(&state, me.viewer(), report).await?);
    }
    Ok(page.respond(entities, &keys))
}

/// GET /api/v1/admin/reports/:id
async fn show_report(
    State(state): State<AppState>,
    me: User<AdminReadReports>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminReport>> {
    let report = service::get(&state.store, &me.user, render::id(&id)?).await?;
    Ok(Json(entity(&state, me.viewer(), &report).await?))
}

/// Applies a moderator's change and answers the report as it is now.
async fn changed(
    state: &AppState,
    me: &User<AdminWriteReports>,
    id: &str,
    change: Change,
) -> ApiResult<Json<AdminReport>> {
    let report = service::change(&state.store, &me.user, render::id(id)?, change).await?;
    super::webhook_events::report(state, "report.updated", &report).await;
    Ok(Json(entity(state, me.viewer(), &report).await?))
}

#[derive(Deserialize, Default)]
struct UpdateForm {
    category: Option<String>,
    rule_ids: Option<Ids>,
}

/// PUT /api/v1/admin/reports/:id — `category`, `rule_ids[]`.
async fn update_report(
    State(state): State<AppState>,
    me: User<AdminWriteReports>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<UpdateForm>,
) -> ApiResult<Json<AdminReport>> {
    let change = Change::Categorize {
        category: form.category.filter(|c| !c.is_empty()),
        rule_ids: form.rule_ids.is_some().then(|| Ids::texts(form.rule_ids)),
    };
    changed(&state, &me, &id, change).await
}

/// POST /api/v1/admin/reports/:id/assign_to_self
async fn assign_to_self(
    State(state): State<AppState>,
    me: User<AdminWriteReports>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminReport>> {
    changed(&state, &me, &id, Change::AssignToSelf).await
}

/// POST /api/v1/admin/reports/:id/unassign
async fn unassign(
    State(state): State<AppState>,
    me: User<AdminWriteReports>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminReport>> {
    changed(&state, &me, &id, Change::Unassign).await
}

/// POST /api/v1/admin/reports/:id/resolve
async fn resolve(
    State(state): State<AppState>,
    me: User<AdminWriteReports>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminReport>> {
    changed(&state, &me, &id, Change::Resolve).await
}

/// POST /api/v1/admin/reports/:id/reopen
async fn reopen(
    State(state): State<AppState>,
    me: User<AdminWriteReports>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminReport>> {
    changed(&state, &me, &id, Change::Reopen).await
}

/// A moderator's note on a report (Loggia's own entity).
#[derive(Serialize)]
struct Note {
    id: String,
    report_id: String,
    account: Account,
    content: String,
    created_at: String,
}

async fn note_entity(state: &AppState, note: &ReportNote) -> ApiResult<Note> {
    let author = state
        .store
        .accounts()
        .by_id(note.account_id)
        .await?
        .ok_or_else(|| Error::internal(format!("note {} without its author", note.id)))?;
    Ok(Note {
        id: note.id.to_string(),
        report_id: note.report_id.to_string(),
        account: Account::from_model(&author, &state.config),
        content: note.content.clone(),
        created_at: note.created_at.to_rfc3339(),
    })
}

/// GET /api/v1/loggia/admin/reports/:id/notes — oldest first.
async fn list_notes(
    State(state): State<AppState>,
    me: User<AdminReadReports>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Note>>> {
    let notes = service::notes(&state.store, &me.user, render::id(&id)?).await?;
    let mut out = Vec::with_capacity(notes.len());
    for note in &notes {
        out.push(note_entity(&state, note).await?);
    }
    Ok(Json(out))
}

#[derive(Deserialize, Default)]
struct NoteForm {
    content: Option<String>,
}

/// POST /api/v1/loggia/admin/reports/:id/notes — `content`.
async fn add_note(
    State(state): State<AppState>,
    me: User<AdminWriteReports>,
    Path(id): Path<String>,
    FormOrJson(form): FormOrJson<NoteForm>,
) -> ApiResult<Json<Note>> {
    let content = form.content.unwrap_or_default();
    let note = service::add_note(&state.store, &me.user, render::id(&id)?, &content).await?;
    Ok(Json(note_entity(&state, &note).await?))
}

/// DELETE /api/v1/loggia/admin/reports/:id/notes/:note_id — by its author
/// or an administrator.
async fn delete_note(
    State(state): State<AppState>,
    me: User<AdminWriteReports>,
    Path((id, note_id)): Path<(String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    service::delete_note(
        &state.store,
        &me.user,
        render::id(&id)?,
        render::id(&note_id)?,
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

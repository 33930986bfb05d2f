//! The admin API for accounts (`/api/v1/admin/accounts`, v2 list): list
//! and look at local users and remote accounts, approve or reject
//! sign-ups. Actions against accounts, Loggia's role and team changes and
//! the access blocks live in the submodules.

mod account_actions;
mod canonical_email_blocks;
mod ip_blocks;
mod staff;

use crate::api::extract::Query;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::api::entities::account::{Account, Role};
use crate::api::extract::PageQuery;
use crate::api::extract::auth::{AdminReadAccounts, AdminWriteAccounts, User};
use crate::api::extract::body::lenient_bool;
use crate::error::{ApiResult, Error};
use crate::model::{self, AccountId, Permissions, UserId};
use crate::state::AppState;
use crate::store::{AdminRemoteFilter, AdminUserFilter, UserWithAccount};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/accounts", get(list_v1))
        .route("/api/v2/admin/accounts", get(list_v2))
        .route("/api/v1/admin/accounts/{id}", get(show))
        .route("/api/v1/admin/accounts/{id}/approve", post(approve))
        .route("/api/v1/admin/accounts/{id}/reject", post(reject))
        .merge(account_actions::routes())
        .merge(canonical_email_blocks::routes())
        .merge(ip_blocks::routes())
        .merge(staff::routes())
}

/// Mastodon's `Admin::Account`.
#[derive(Serialize)]
pub struct AdminAccount {
    id: String,
    username: String,
    domain: Option<String>,
    created_at: String,
    email: String,
    ip: Option<String>,
    ips: Vec<serde_json::Value>,
    /// Empty when unknown (the schema wants a string; Mastodon sends null).
    locale: String,
    invite_request: Option<String>,
    role: Role,
    confirmed: bool,
    approved: bool,
    disabled: bool,
    silenced: bool,
    suspended: bool,
    sensitized: bool,
    account: Account,
    created_by_application_id: Option<String>,
    invited_by_account_id: Option<String>,
    /// Loggia: the user's team (organisation mode per team).
    loggia_team: Option<String>,
}

fn entity(state: &AppState, found: &UserWithAccount, invited_by: Option<i64>) -> AdminAccount {
    let (user, account) = (&found.user, &found.account);
    AdminAccount {
        id: account.id.to_string(),
        username: account.username.clone(),
        domain: None,
        created_at: account.created_at.to_rfc3339(),
        email: user.email.clone(),
        ip: user.sign_up_ip.clone(),
        ips: Vec::new(),
        locale: user.locale.clone().unwrap_or_default(),
        invite_request: user.sign_up_reason.clone(),
        role: Role::from_model(&found.role),
        confirmed: user.confirmed_at.is_some(),
        approved: user.approved,
        disabled: user.disabled,
        silenced: account.silenced_at.is_some(),
        suspended: account.suspended_at.is_some(),
        sensitized: account.sensitized_at.is_some(),
        account: Account::from_model(account, &state.config),
        created_by_application_id: None,
        invited_by_account_id: invited_by.map(|id| id.to_string()),
        loggia_team: user.team.clone(),
    }
}

/// A remote account: no user behind it, so no e-mail, address or locale
/// (empty, as the schema wants strings), the `user` role, not disabled.
fn remote_entity(state: &AppState, account: &model::Account, role: &model::Role) -> AdminAccount {
    AdminAccount {
        id: account.id.to_string(),
        username: account.username.clone(),
        domain: account.domain.clone(),
        created_at: account.created_at.to_rfc3339(),
        email: String::new(),
        ip: None,
        ips: Vec::new(),
        locale: String::new(),
        invite_request: None,
        role: Role::from_model(role),
        confirmed: false,
        approved: false,
        disabled: false,
        silenced: account.silenced_at.is_some(),
        suspended: account.suspended_at.is_some(),
        sensitized: account.sensitized_at.is_some(),
        account: Account::from_model(account, &state.config),
        created_by_application_id: None,
        invited_by_account_id: None,
        loggia_team: None,
    }
}

/// The role remote accounts are shown with.
async fn remote_role(state: &AppState) -> ApiResult<model::Role> {
    state
        .store
        .roles()
        .by_name("user")
        .await?
        .ok_or_else(|| Error::internal("the built-in role \"user\" is missing"))
}

/// Any account as an `Admin::Account`: a local user's, or a remote one's.
/// The instance actor (local, without a user) is not found.
pub(crate) async fn render_account(
    state: &AppState,
    account: &model::Account,
) -> ApiResult<AdminAccount> {
    if !account.is_local() {
        return Ok(remote_entity(state, account, &remote_role(state).await?));
    }
    let user_id = state
        .store
        .users()
        .by_account(account.id)
        .await?
        .ok_or(Error::NotFound)?;
    let found = state
        .store
        .users()
        .with_account(user_id)
        .await?
        .ok_or(Error::NotFound)?;
    render(state, &found).await
}

/// The account behind a raw id, rendered.
async fn render_by_id(state: &AppState, raw: &str) -> ApiResult<AdminAccount> {
    let account = state
        .store
        .accounts()
        .by_id(AccountId(super::render::id(raw)?))
        .await?
        .ok_or(Error::NotFound)?;
    render_account(state, &account).await
}

pub(crate) async fn render(state: &AppState, found: &UserWithAccount) -> ApiResult<AdminAccount> {
    let invited_by = match found.user.invite_id {
        Some(_) => state.store.users().inviter_account(found.user.id).await?,
        None => None,
    };
    Ok(entity(state, found, invited_by))
}

/// The caller may manage users (role permission), not just hold the scope.
fn require_manager<S: crate::api::extract::auth::ScopeRequirement>(me: &User<S>) -> ApiResult<()> {
    if me.user.role.permissions().has(Permissions::MANAGE_USERS) {
        Ok(())
    } else {
        Err(Error::Forbidden("This action is not allowed".into()))
    }
}

#[derive(Deserialize, Default)]
struct ListV1 {
    #[serde(default, deserialize_with = "lenient_bool")]
    pending: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    active: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    disabled: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    silenced: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    suspended: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    remote: Option<bool>,
    username: Option<String>,
    email: Option<String>,
    by_domain: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListV2 {
    origin: Option<String>,
    status: Option<String>,
    username: Option<String>,
    email: Option<String>,
    by_domain: Option<String>,
}

async fn list(
    state: &AppState,
    page: &PageQuery,
    remote: bool,
    filter: AdminUserFilter,
    by_domain: &str,
) -> ApiResult<Response> {
    if remote {
        return list_remote(state, page, filter, by_domain).await;
    }
    if !by_domain.is_empty() {
        // Local accounts have no domain.
        return Ok(page.respond(Vec::<AdminAccount>::new(), &[]));
    }
    let ids = state
        .store
        .users()
        .admin_page(&filter, &page.page(100, 200))
        .await?;
    let mut entities = Vec::with_capacity(ids.len());
    let mut keys = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(found) = state.store.users().with_account(id).await? {
            keys.push(found.account.id.0);
            entities.push(render(state, &found).await?);
        }
    }
    Ok(page.respond(entities, &keys))
}

/// Remote accounts have no e-mail, and are never pending or disabled.
async fn list_remote(
    state: &AppState,
    page: &PageQuery,
    filter: AdminUserFilter,
    by_domain: &str,
) -> ApiResult<Response> {
    if !filter.email.is_empty() || matches!(filter.status.as_str(), "pending" | "disabled") {
        return Ok(page.respond(Vec::<AdminAccount>::new(), &[]));
    }
    let accounts = state
        .store
        .accounts()
        .admin_remote_page(
            &AdminRemoteFilter {
                status: filter.status,
                username: filter.username,
                domain: by_domain.trim().to_owned(),
            },
            &page.page(100, 200),
        )
        .await?;
    let role = remote_role(state).await?;
    let keys: Vec<i64> = accounts.iter().map(|a| a.id.0).collect();
    let entities: Vec<AdminAccount> = accounts
        .iter()
        .map(|a| remote_entity(state, a, &role))
        .collect();
    Ok(page.respond(entities, &keys))
}

/// GET /api/v1/admin/accounts
async fn list_v1(
    State(state): State<AppState>,
    me: User<AdminReadAccounts>,
    page: PageQuery,
    Query(q): Query<ListV1>,
) -> ApiResult<Response> {
    require_manager(&me)?;
    let status = [
        ("pending", q.pending),
        ("active", q.active),
        ("disabled", q.disabled),
        ("silenced", q.silenced),
        ("suspended", q.suspended),
    ]
    .into_iter()
    .find(|(_, on)| *on == Some(true))
    .map(|(name, _)| name.to_owned())
    .unwrap_or_default();
    let filter = AdminUserFilter {
        status,
        username: q.username.unwrap_or_default(),
        email: q.email.unwrap_or_default(),
    };
    let by_domain = q.by_domain.unwrap_or_default();
    list(&state, &page, q.remote == Some(true), filter, &by_domain).await
}

/// GET /api/v2/admin/accounts
async fn list_v2(
    State(state): State<AppState>,
    me: User<AdminReadAccounts>,
    page: PageQuery,
    Query(q): Query<ListV2>,
) -> ApiResult<Response> {
    require_manager(&me)?;
    let status = q.status.unwrap_or_default();
    if !matches!(
        status.as_str(),
        "" | "active" | "pending" | "disabled" | "silenced" | "suspended"
    ) {
        return Err(Error::BadRequest(format!("unknown status {status:?}")));
    }
    let filter = AdminUserFilter {
        status,
        username: q.username.unwrap_or_default(),
        email: q.email.unwrap_or_default(),
    };
    let by_domain = q.by_domain.unwrap_or_default();
    list(
        &state,
        &page,
        q.origin.as_deref() == Some("remote"),
        filter,
        &by_domain,
    )
    .await
}

/// The local user behind an account id.
async fn user_of(state: &AppState, raw: &str) -> ApiResult<UserWithAccount> {
    let account_id: i64 = super::render::id(raw)?;
    let user_id: UserId = state
        .store
        .users()
        .by_account(crate::model::AccountId(account_id))
        .await?
        .ok_or(Error::NotFound)?;
    state
        .store
        .users()
        .with_account(user_id)
        .await?
        .ok_or(Error::NotFound)
}

/// GET /api/v1/admin/accounts/:id
async fn show(
    State(state): State<AppState>,
    me: User<AdminReadAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminAccount>> {
    require_manager(&me)?;
    Ok(Json(render_by_id(&state, &id).await?))
}

/// The local user behind `raw`, if a manager asks and it awaits approval.
async fn pending_user(
    state: &AppState,
    me: &User<AdminWriteAccounts>,
    raw: &str,
) -> ApiResult<UserWithAccount> {
    require_manager(me)?;
    let found = user_of(state, raw).await?;
    if found.user.approved {
        return Err(Error::Forbidden(
            "This account is not pending approval".into(),
        ));
    }
    Ok(found)
}

/// POST /api/v1/admin/accounts/:id/approve
async fn approve(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminAccount>> {
    let mut found = pending_user(&state, &me, &id).await?;
    // Another admin may have decided meanwhile.
    if !state.store.users().approve(found.user.id).await? {
        return Err(Error::Forbidden(
            "This account is not pending approval".into(),
        ));
    }
    found.user.approved = true;
    tracing::info!(by = %me.user.account.username, account = %found.account.username, "sign-up approved");
    let entity = render(&state, &found).await?;
    if let Ok(object) = serde_json::to_value(&entity) {
        crate::moderation::webhooks::emit(&state, "account.approved", object).await;
    }
    Ok(Json(entity))
}

/// POST /api/v1/admin/accounts/:id/reject — deletes the pending sign-up.
async fn reject(
    State(state): State<AppState>,
    me: User<AdminWriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminAccount>> {
    let found = pending_user(&state, &me, &id).await?;
    let rendered = render(&state, &found).await?;
    if !state.store.users().delete_pending(found.user.id).await? {
        return Err(Error::NotFound);
    }
    tracing::info!(by = %me.user.account.username, account = %found.account.username, "sign-up rejected");
    Ok(Json(rendered))
}

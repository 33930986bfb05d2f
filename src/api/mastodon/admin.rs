//! The admin API for accounts (`/api/v1/admin/accounts`, v2 list): what an
//! admin needs to review sign-ups — list, look at, approve, reject.
//! Local users only for now; remote accounts join with moderation.

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
use crate::model::{Permissions, UserId};
use crate::state::AppState;
use crate::store::{AdminUserFilter, UserWithAccount};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/accounts", get(list_v1))
        .route("/api/v2/admin/accounts", get(list_v2))
        .route("/api/v1/admin/accounts/{id}", get(show))
        .route("/api/v1/admin/accounts/{id}/approve", post(approve))
        .route("/api/v1/admin/accounts/{id}/reject", post(reject))
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
    locale: Option<String>,
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
        locale: user.locale.clone(),
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
    }
}

async fn render(state: &AppState, found: &UserWithAccount) -> ApiResult<AdminAccount> {
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
}

#[derive(Deserialize, Default)]
struct ListV2 {
    origin: Option<String>,
    status: Option<String>,
    username: Option<String>,
    email: Option<String>,
}

async fn list(
    state: &AppState,
    page: &PageQuery,
    remote: bool,
    filter: AdminUserFilter,
) -> ApiResult<Response> {
    if remote {
        // Only local users are listed until remote moderation exists.
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
    list(&state, &page, q.remote == Some(true), filter).await
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
    list(&state, &page, q.origin.as_deref() == Some("remote"), filter).await
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
    let found = user_of(&state, &id).await?;
    Ok(Json(render(&state, &found).await?))
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
    Ok(Json(render(&state, &found).await?))
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

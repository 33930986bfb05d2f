//! Sign-up through the API: `POST /api/v1/accounts` (Mastodon's
//! registration, with an app token), `POST /api/v1/emails/confirmations`,
//! and Loggia's additive invite endpoints `/api/v1/loggia/invites`.

use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::api::extract::auth::{Auth, PendingUser, ReadAccounts, WriteAccounts};
use crate::api::extract::body::lenient_bool;
use crate::api::extract::{ClientIp, FormOrJson, User};
use crate::error::{ApiResult, Error};
use crate::model::Permissions;
use crate::service::oauth;
use crate::service::registration::{self, SignUp, SignUpError};
use crate::state::AppState;
use crate::store::Invite;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/accounts", post(register))
        .route("/api/v1/emails/confirmations", post(resend_confirmation))
        .route(
            "/api/v1/loggia/invites",
            get(list_invites).post(create_invite),
        )
        .route("/api/v1/loggia/invites/{id}", delete(revoke_invite))
}

impl From<SignUpError> for Error {
    fn from(e: SignUpError) -> Self {
        match e {
            SignUpError::NotAllowed(message) => Error::Forbidden(message),
            SignUpError::Invalid(errors) => Error::Fields {
                message: errors.summary(),
                details: serde_json::to_value(&errors.0).unwrap_or_default(),
            },
            SignUpError::Throttled(secs) => Error::TooManyRequests {
                retry_after_secs: secs,
            },
            SignUpError::Store(e) => e.into(),
            SignUpError::Internal(e) => Error::Internal(e),
        }
    }
}

#[derive(Deserialize, Default)]
struct RegisterForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    agreement: Option<bool>,
    locale: Option<String>,
    reason: Option<String>,
    /// Additive: the code of an invite link.
    invite_code: Option<String>,
}

#[derive(Serialize)]
struct TokenEntity {
    access_token: String,
    token_type: &'static str,
    scope: String,
    created_at: i64,
}

/// POST /api/v1/accounts — registers a user and answers with a token for
/// them (usable once the address is confirmed and, where needed, approved).
async fn register(
    State(state): State<AppState>,
    app: Auth<WriteAccounts>,
    ClientIp(ip): ClientIp,
    FormOrJson(form): FormOrJson<RegisterForm>,
) -> ApiResult<Json<TokenEntity>> {
    let request = SignUp {
        username: form.username,
        email: form.email,
        password: form.password,
        agreement: form.agreement.unwrap_or(false),
        locale: form.locale,
        reason: form.reason,
        invite_code: form.invite_code,
        ip,
    };
    let registered = registration::sign_up(&state.store, &state.config, &request).await?;
    let user = &registered.user;
    if let Some(token) = registered.confirmation_token {
        registration::spawn_confirmation(
            state.mailer.clone(),
            state.config.clone(),
            user.user.email.clone(),
            user.account.username.clone(),
            token,
        );
    }
    let issued = oauth::issue_for_new_user(&state.store, &app.auth.token, user.user.id)
        .await
        .map_err(|e| Error::Internal(e.description))?;
    Ok(Json(TokenEntity {
        access_token: issued.access_token,
        token_type: "Bearer",
        scope: issued.token.scopes.clone(),
        created_at: issued.token.created_at.unix_seconds(),
    }))
}

#[derive(Deserialize, Default)]
struct ResendForm {
    email: Option<String>,
}

/// POST /api/v1/emails/confirmations — another confirmation mail, to the
/// same or (while unconfirmed) a corrected address.
async fn resend_confirmation(
    State(state): State<AppState>,
    me: PendingUser<WriteAccounts>,
    FormOrJson(form): FormOrJson<ResendForm>,
) -> ApiResult<Json<serde_json::Value>> {
    if me.user.user.confirmed_at.is_some() {
        return Err(Error::Forbidden(
            "This method is only available while the e-mail is awaiting confirmation".into(),
        ));
    }
    if !state.mailer.is_configured() {
        return Err(Error::Unavailable);
    }
    let email = form.email.filter(|e| !e.trim().is_empty());
    let Some(token) = registration::renew_confirmation(
        &state.store,
        &state.config,
        me.user.user.id,
        email.as_deref(),
    )
    .await?
    else {
        return Err(Error::Forbidden(
            "This method is only available while the e-mail is awaiting confirmation".into(),
        ));
    };
    let to = email.map_or_else(
        || me.user.user.email.clone(),
        |e| e.trim().to_ascii_lowercase(),
    );
    registration::spawn_confirmation(
        state.mailer.clone(),
        state.config.clone(),
        to,
        me.user.account.username.clone(),
        token,
    );
    Ok(Json(serde_json::json!({})))
}

/// Loggia's invite entity.
#[derive(Serialize)]
struct InviteEntity {
    id: String,
    code: String,
    url: String,
    uses: i64,
    max_uses: Option<i64>,
    expires_at: Option<String>,
    revoked: bool,
    usable: bool,
    created_at: String,
}

fn invite_entity(state: &AppState, invite: &Invite) -> InviteEntity {
    InviteEntity {
        id: invite.id.to_string(),
        code: invite.code.clone(),
        url: registration::invite_url(&state.config, invite),
        uses: invite.uses,
        max_uses: invite.max_uses,
        expires_at: invite.expires_at.map(|t| t.to_rfc3339()),
        revoked: invite.revoked_at.is_some(),
        usable: invite.is_usable(crate::model::Timestamp::now()),
        created_at: invite.created_at.to_rfc3339(),
    }
}

/// GET /api/v1/loggia/invites — the caller's invites (staff: everyone's).
async fn list_invites(
    State(state): State<AppState>,
    me: User<ReadAccounts>,
) -> ApiResult<Json<Vec<InviteEntity>>> {
    let staff = me.user.role.permissions().has(Permissions::MANAGE_USERS);
    let invites = state
        .store
        .invites()
        .list((!staff).then_some(me.user.user.id))
        .await?;
    Ok(Json(
        invites.iter().map(|i| invite_entity(&state, i)).collect(),
    ))
}

#[derive(Deserialize, Default)]
struct InviteForm {
    max_uses: Option<i64>,
    /// Seconds until the link stops working.
    expires_in: Option<i64>,
}

/// POST /api/v1/loggia/invites — a new invite link.
async fn create_invite(
    State(state): State<AppState>,
    me: User<WriteAccounts>,
    FormOrJson(form): FormOrJson<InviteForm>,
) -> ApiResult<Json<InviteEntity>> {
    let invite = registration::create_invite(
        &state.store,
        &state.config,
        &me.user,
        form.max_uses,
        form.expires_in,
    )
    .await?;
    Ok(Json(invite_entity(&state, &invite)))
}

/// DELETE /api/v1/loggia/invites/:id — stops an invite link from working.
async fn revoke_invite(
    State(state): State<AppState>,
    me: User<WriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let id: i64 = super::render::id(&id)?;
    let staff = me.user.role.permissions().has(Permissions::MANAGE_USERS);
    let owner = (!staff).then_some(me.user.user.id);
    if !state.store.invites().revoke(id, owner).await? {
        return Err(Error::NotFound);
    }
    Ok(Json(serde_json::json!({})))
}

//! Employee sign-up: the registration policy (closed, invite, approval,
//! open to allowed e-mail domains), the access blocks (canonical e-mail
//! and IP blocks), invite links, e-mail confirmation and approval. Shared
//! by `POST /api/v1/accounts`, the sign-up page, the admin API and the CLI.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Invalid;
use super::access_blocks::SignUpRestriction;
use super::accounts::{
    self, AccountError, MAX_PASSWORD_LEN, MAX_USERNAME_LEN, MIN_PASSWORD_LEN, insert_local_account,
};
use super::mail::{MailError, Mailer};
use crate::config::{Config, Registrations};
use crate::crypto::{random_token, sha256_hex};
use crate::model::{Permissions, Timestamp, UserId};
use crate::store::{Invite, NewUser, Store, StoreError, UserWithAccount};

/// Names nobody may take: they look official. (Mastodon's list.)
const RESERVED_USERNAMES: &[&str] = &[
    "admin",
    "administrator",
    "help",
    "mod",
    "moderator",
    "root",
    "support",
    "webmaster",
    "postmaster",
    "abuse",
    "noreply",
];

/// How long a confirmation link works.
pub const CONFIRMATION_VALID_SECS: i64 = 3 * 24 * 3600;
/// Confirmation mails one user may ask for within the sign-in throttling
/// window (sign-ups per address are configured: `sign_up_max_per_address`).
pub const MAX_CONFIRMATION_MAILS: i64 = 5;

/// A sign-up request, from the API or the sign-up page.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub username: String,
    pub email: String,
    pub password: String,
    pub agreement: bool,
    pub locale: Option<String>,
    pub reason: Option<String>,
    pub invite_code: Option<String>,
    pub ip: String,
}

/// One problem with one field, in Mastodon's `details` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub error: &'static str,
    pub description: String,
}

/// Every problem with a sign-up, by field, so a form can show them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<&'static str, Vec<FieldError>>);

impl FieldErrors {
    fn add(&mut self, field: &'static str, error: &'static str, description: impl Into<String>) {
        self.0.entry(field).or_default().push(FieldError {
            error,
            description: description.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// "Username is already taken, Password is too short …"
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (field, errors) in &self.0 {
            let mut name = field.replace('_', " ");
            if let Some(first) = name.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            for e in errors {
                parts.push(format!("{name} {}", e.description));
            }
        }
        parts.join(", ")
    }

    pub fn first(&self, field: &str) -> Option<&str> {
        self.0
            .get(field)
            .and_then(|v| v.first())
            .map(|e| e.description.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    /// Sign-up is not possible at all (closed, or an invite is required).
    #[error("{0}")]
    NotAllowed(String),
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    #[error("Too many requests: try again in {0} seconds.")]
    Throttled(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

/// Refuses when `key` was counted `limit` times within the window.
async fn check_rate(
    store: &Store,
    config: &Config,
    key: &str,
    limit: i64,
) -> Result<(), SignUpError> {
    let window = config.sign_in_failure_window_secs as i64;
    let (count, oldest) = store
        .throttle()
        .failures_since(key, Timestamp::now().plus_seconds(-window))
        .await?;
    if count >= limit {
        let reopens = oldest.unwrap_or_else(Timestamp::now).plus_seconds(window);
        let wait = (reopens.millis() - Timestamp::now().millis()).max(1000) / 1000;
        return Err(SignUpError::Throttled(wait as u64));
    }
    Ok(())
}

impl From<AccountError> for SignUpError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Store(e) => SignUpError::Store(e),
            AccountError::Invalid(Invalid(message)) => {
                let mut errors = FieldErrors::default();
                errors.add("username", "ERR_TAKEN", message);
                SignUpError::Invalid(errors)
            }
        }
    }
}

/// A new user, and the confirmation token to mail (when confirmation is on).
pub struct Registered {
    pub user: UserWithAccount,
    pub confirmation_token: Option<String>,
}

/// Whether a sign-up form can be offered at all (with this invite).
pub fn open_to(config: &Config, invite: Option<&Invite>) -> Result<(), SignUpError> {
    let now = Timestamp::now();
    match (config.registrations, invite) {
        (Registrations::Closed, _) => Err(SignUpError::NotAllowed(
            "Registrations are closed on this server.".into(),
        )),
        (_, Some(invite)) if !invite.is_usable(now) => Err(SignUpError::NotAllowed(
            "This invite link has expired or has been used up.".into(),
        )),
        (Registrations::Invite, None) => Err(SignUpError::NotAllowed(
            "Sign-up on this server needs an invite link.".into(),
        )),
        _ => Ok(()),
    }
}

/// Whether `email` is in one of the allowed domains (or a subdomain).
pub fn email_domain_allowed(config: &Config, email: &str) -> bool {
    if config.registration_email_domains.is_empty() {
        return true;
    }
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    config.registration_email_domains.iter().any(|allowed| {
        let allowed = allowed.trim_start_matches('@').to_ascii_lowercase();
        domain == allowed || domain.ends_with(&format!(".{allowed}"))
    })
}

fn check_username(config: &Config, username: &str, errors: &mut FieldErrors) {
    if username.is_empty() {
        errors.add("username", "ERR_BLANK", "can't be blank");
    } else if username.len() > MAX_USERNAME_LEN {
        errors.add(
            "username",
            "ERR_TOO_LONG",
            format!("is too long (at most {MAX_USERNAME_LEN} characters)"),
        );
    } else if let Err(Invalid(message)) = accounts::validate_username(username, config) {
        let code = if message.contains("reserved") {
            "ERR_RESERVED"
        } else {
            "ERR_INVALID"
        };
        let description = if code == "ERR_RESERVED" {
            "is reserved".to_owned()
        } else {
            "may only contain letters, numbers and underscores (dots and dashes only between them)"
                .to_owned()
        };
        errors.add("username", code, description);
    } else if RESERVED_USERNAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(username))
    {
        errors.add("username", "ERR_RESERVED", "is reserved");
    }
}

fn check_password(password: &str, errors: &mut FieldErrors) {
    if password.is_empty() {
        errors.add("password", "ERR_BLANK", "can't be blank");
    } else if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add(
            "password",
            "ERR_TOO_SHORT",
            format!("is too short (at least {MIN_PASSWORD_LEN} characters)"),
        );
    } else if password.len() > MAX_PASSWORD_LEN {
        errors.add(
            "password",
            "ERR_TOO_LONG",
            format!("is too long (at most {MAX_PASSWORD_LEN} bytes)"),
        );
    }
}

/// Creates the user if the policy and the form allow it, in one
/// transaction (the invite use included), and tells the staff.
pub async fn sign_up(
    store: &Store,
    config: &Config,
    request: &SignUp,
) -> Result<Registered, SignUpError> {
    let invite =
        match request.invite_code.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => {
                Some(store.invites().by_code(code).await?.ok_or_else(|| {
                    SignUpError::NotAllowed("This invite link is not valid.".into())
                })?)
            }
            _ => None,
        };
    open_to(config, invite.as_ref())?;
    let restriction = super::access_blocks::sign_up_restriction(store, &request.ip).await?;
    if restriction == Some(SignUpRestriction::Blocked) {
        return Err(SignUpError::NotAllowed(
            "Sign-up from your network is not allowed on this server.".into(),
        ));
    }
    let rate_key = format!("sign-up:{}", super::sign_in::address_group(&request.ip));
    if config.sign_up_max_per_address > 0 {
        check_rate(
            store,
            config,
            &rate_key,
            config.sign_up_max_per_address.into(),
        )
        .await?;
    }

    let username = request.username.trim().to_owned();
    let email = request.email.trim().to_ascii_lowercase();
    let mut errors = FieldErrors::default();
    check_username(config, &username, &mut errors);
    if email.is_empty() {
        errors.add("email", "ERR_BLANK", "can't be blank");
    } else if accounts::validate_email(&email).is_err() {
        errors.add("email", "ERR_INVALID", "is not a valid e-mail address");
    } else if invite.is_none() && !email_domain_allowed(config, &email) {
        errors.add(
            "email",
            "ERR_BLOCKED",
            format!(
                "is not in an allowed domain ({})",
                config.registration_email_domains.join(", ")
            ),
        );
    } else if super::access_blocks::email_blocked(store, &email).await? {
        errors.add("email", "ERR_BLOCKED", "is not allowed");
    } else if store.users().email_taken(&email).await? {
        errors.add("email", "ERR_TAKEN", "is already in use");
    }
    check_password(&request.password, &mut errors);
    if !request.agreement {
        errors.add("agreement", "ERR_ACCEPTED", "must be accepted");
    }
    let locale = request
        .locale
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    if let Some(locale) = locale
        && super::check_language(locale).is_err()
    {
        errors.add("locale", "ERR_INCLUSION", "is not a language code");
    }
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 1000) {
        errors.add(
            "reason",
            "ERR_TOO_LONG",
            "is too long (at most 1000 characters)",
        );
    }
    if errors.is_empty()
        && store
            .accounts()
            .local_by_username(&username)
            .await?
            .is_some()
    {
        errors.add("username", "ERR_TAKEN", "is already taken");
    }
    if !errors.is_empty() {
        return Err(SignUpError::Invalid(errors));
    }

    let password_hash = accounts::hash_password_blocking(request.password.clone())
        .await
        .map_err(|Invalid(e)| SignUpError::Internal(e))?;
    let role = store
        .roles()
        .by_name("user")
        .await?
        .ok_or_else(|| SignUpError::Internal("the built-in role \"user\" is missing".into()))?;
    let confirmation_token = config.email_confirmation.then(|| random_token(24));
    // Invited people were vouched for by whoever invited them; an address
    // an IP block puts under approval waits even so (as in Mastodon).
    let approved = (config.registrations != Registrations::Approval || invite.is_some())
        && restriction != Some(SignUpRestriction::RequiresApproval);

    let mut tx = store.begin().await?;
    if let Some(invite) = &invite
        && !tx.invites().use_once(invite.id).await?
    {
        return Err(SignUpError::NotAllowed(
            "This invite link has expired or has been used up.".into(),
        ));
    }
    let account = insert_local_account(&mut tx, config, &username).await?;
    let user = tx
        .users()
        .insert(&NewUser {
            account_id: account.id,
            email,
            password_hash,
            role_id: role.id,
            confirmed: confirmation_token.is_none(),
            approved,
            invite_id: invite.as_ref().map(|i| i.id),
            sign_up_reason: reason.map(str::to_owned),
            sign_up_ip: Some(request.ip.clone()).filter(|ip| !ip.is_empty()),
            confirmation_token_hash: confirmation_token.as_deref().map(sha256_hex),
            locale: locale.map(str::to_owned),
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict => {
                let mut errors = FieldErrors::default();
                errors.add("email", "ERR_TAKEN", "is already in use");
                SignUpError::Invalid(errors)
            }
            e => e.into(),
        })?;
    for staff in tx.users().staff_accounts(Permissions::MANAGE_USERS).await? {
        tx.notifications()
            .notify(staff, account.id, "admin.sign_up", None)
            .await?;
    }
    // Queued in the sign-up's transaction: the event exists exactly when
    // the account does.
    let object = serde_json::to_value(crate::api::entities::account::Account::from_model(
        &account, config,
    ))
    .map_err(|e| SignUpError::Internal(e.to_string()))?;
    crate::moderation::webhooks::enqueue(&mut tx, "account.created", object).await?;
    tx.commit().await?;
    store.throttle().record_failure(&rate_key).await?;
    Ok(Registered {
        user: UserWithAccount {
            user,
            account,
            role,
        },
        confirmation_token,
    })
}

/// The link in the confirmation mail.
pub fn confirmation_url(config: &Config, token: &str) -> String {
    format!(
        "{}/auth/confirmation?confirmation_token={token}",
        config.base_url()
    )
}

/// Mails the confirmation link.
pub async fn send_confirmation(
    mailer: &Mailer,
    config: &Config,
    email: &str,
    username: &str,
    token: &str,
) -> Result<(), MailError> {
    let title = &config.instance_title;
    let body = format!(
        "Hello @{username},\n\n\
         please confirm your e-mail address to finish signing up to {title} ({domain}):\n\n\
         {link}\n\n\
         The link works for three days. If you did not sign up, ignore this mail.\n",
        domain = config.domain(),
        link = confirmation_url(config, token),
    );
    mailer
        .send(email, &format!("Confirm your address for {title}"), body)
        .await
}

/// Mails the confirmation link in the background: the sign-up has been
/// stored and answers at once; a failed mail is logged, and the user can
/// ask for another one.
pub fn spawn_confirmation(
    mailer: Mailer,
    config: Config,
    email: String,
    username: String,
    token: String,
) {
    tokio::spawn(async move {
        if let Err(e) = send_confirmation(&mailer, &config, &email, &username, &token).await {
            tracing::warn!(%email, error = %e, "could not send the confirmation mail");
        }
    });
}

/// Confirms an address from the mailed link.
pub async fn confirm(store: &Store, token: &str) -> Result<Option<UserWithAccount>, StoreError> {
    let sent_after = Timestamp::now().plus_seconds(-CONFIRMATION_VALID_SECS);
    let Some(user) = store
        .users()
        .confirm(&sha256_hex(token), sent_after)
        .await?
    else {
        return Ok(None);
    };
    store.users().with_account(user.id).await
}

/// A new confirmation token for an unconfirmed user (optionally at a new
/// address); `None` when the user is confirmed already.
pub async fn renew_confirmation(
    store: &Store,
    config: &Config,
    user_id: UserId,
    email: Option<&str>,
) -> Result<Option<String>, SignUpError> {
    let email = email.map(|e| e.trim().to_ascii_lowercase());
    if let Some(email) = &email {
        let mut errors = FieldErrors::default();
        if accounts::validate_email(email).is_err() {
            errors.add("email", "ERR_INVALID", "is not a valid e-mail address");
        } else if !email_domain_allowed(config, email) {
            errors.add("email", "ERR_BLOCKED", "is not in an allowed domain");
        } else if super::access_blocks::email_blocked(store, email).await? {
            errors.add("email", "ERR_BLOCKED", "is not allowed");
        }
        if !errors.is_empty() {
            return Err(SignUpError::Invalid(errors));
        }
    }
    let rate_key = format!("confirmation-mail:{user_id}");
    check_rate(store, config, &rate_key, MAX_CONFIRMATION_MAILS).await?;
    store.throttle().record_failure(&rate_key).await?;
    let token = random_token(24);
    let renewed = store
        .users()
        .renew_confirmation(user_id, &sha256_hex(&token), email.as_deref())
        .await
        .map_err(|e| match e {
            StoreError::Conflict => {
                let mut errors = FieldErrors::default();
                errors.add("email", "ERR_TAKEN", "is already in use");
                SignUpError::Invalid(errors)
            }
            e => e.into(),
        })?;
    Ok(renewed.then_some(token))
}

/// Whether this user may create invite links.
pub fn may_invite(config: &Config, user: &UserWithAccount) -> bool {
    config.registrations != Registrations::Closed
        && (user.role.permissions().has(Permissions::MANAGE_USERS) || config.employees_can_invite)
}

/// Creates an invite link for `user`.
pub async fn create_invite(
    store: &Store,
    config: &Config,
    user: &UserWithAccount,
    max_uses: Option<i64>,
    expires_in_secs: Option<i64>,
) -> Result<Invite, SignUpError> {
    if config.registrations == Registrations::Closed {
        return Err(SignUpError::NotAllowed(
            "Registrations are closed on this server: invites cannot be used.".into(),
        ));
    }
    if !may_invite(config, user) {
        return Err(SignUpError::NotAllowed(
            "Only staff may create invites on this server.".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    if max_uses.is_some_and(|n| !(1..=10_000).contains(&n)) {
        errors.add("max_uses", "ERR_INVALID", "must be between 1 and 10000");
    }
    if expires_in_secs.is_some_and(|s| !(60..=super::MAX_DURATION_SECS).contains(&s)) {
        errors.add(
            "expires_in",
            "ERR_INVALID",
            "must be between 60 seconds and 10 years",
        );
    }
    if !errors.is_empty() {
        return Err(SignUpError::Invalid(errors));
    }
    let expires_at = expires_in_secs.map(|secs| Timestamp::now().plus_seconds(secs));
    Ok(store
        .invites()
        .insert(user.user.id, &random_token(9), max_uses, expires_at)
        .await?)
}

/// The link to hand out.
pub fn invite_url(config: &Config, invite: &Invite) -> String {
    format!("{}/invite/{}", config.base_url(), invite.code)
}

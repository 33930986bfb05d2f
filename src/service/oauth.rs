//! OAuth 2 as Mastodon speaks it: app registration, authorization codes with
//! PKCE, and the `authorization_code`, `password`, `client_credentials` and
//! `refresh_token` grants. Access tokens do not expire (Mastodon apps do not
//! expect them to); refresh tokens rotate them.

use super::Invalid;
use super::sign_in::{self, SignInError};
use crate::config::Config;
use crate::crypto::{self, constant_time_eq, random_token, sha256_hex};
use crate::model::oauth::{App, Token};
use crate::model::{Inactive, Scopes, Timestamp, UserId};
use crate::store::{NewAuthorizationCode, NewToken, Store, StoreError, UserWithAccount};

pub const OOB_REDIRECT: &str = "urn:ietf:wg:oauth:2.0:oob";
const CODE_TTL_SECS: i64 = 600;

/// An OAuth protocol error (RFC 6749 §5.2), rendered as
/// `{"error": code, "error_description": …}`.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    pub code: &'static str,
    pub description: String,
    /// Set when the request was refused for being one too many.
    pub retry_after_secs: Option<u64>,
}

impl OAuthError {
    pub fn new(code: &'static str, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            retry_after_secs: None,
        }
    }
    fn invalid_client() -> Self {
        Self::new(
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        )
    }
    fn invalid_grant(why: &str) -> Self {
        Self::new(
            "invalid_grant",
            format!(
                "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client. {why}"
            ),
        )
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store error during OAuth");
        Self::new(
            "server_error",
            "The authorization server encountered an unexpected condition.",
        )
    }
}

/// What `POST /api/v1/apps` asks for.
#[derive(Debug, Clone)]
pub struct RegisterApp {
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Option<String>,
    pub website: Option<String>,
}

pub fn validate_redirect_uri(uri: &str) -> Result<(), Invalid> {
    if uri == OOB_REDIRECT {
        return Ok(());
    }
    match url::Url::parse(uri) {
        Ok(url) if matches!(url.scheme(), "javascript" | "data" | "vbscript" | "file") => Err(
            Invalid(format!("Redirect URI {uri:?} uses a forbidden scheme")),
        ),
        Ok(url) if url.fragment().is_none() => Ok(()),
        Ok(_) => Err(Invalid(format!(
            "Redirect URI {uri:?} must not contain a fragment"
        ))),
        Err(_) => Err(Invalid(format!(
            "Redirect URI {uri:?} must be an absolute URI"
        ))),
    }
}

/// Registers an app; returns it with its client secret, shown only now.
pub async fn register_app(
    store: &Store,
    new: &RegisterApp,
) -> Result<(App, String), RegisterError> {
    let name = new.client_name.trim();
    if name.is_empty() {
        return Err(Invalid("Name can't be blank".into()).into());
    }
    if name.chars().count() > 60 {
        return Err(Invalid("Name is too long (maximum is 60 characters)".into()).into());
    }
    let uris: Vec<&str> = new
        .redirect_uris
        .iter()
        .flat_map(|s| s.split(|c: char| c.is_whitespace()))
        .filter(|s| !s.is_empty())
        .collect();
    if uris.is_empty() {
        return Err(Invalid("Redirect URI can't be blank".into()).into());
    }
    for uri in &uris {
        validate_redirect_uri(uri)?;
    }
    let scopes = Scopes::parse(new.scopes.as_deref().unwrap_or("read"))
        .map_err(|e| Invalid(format!("Scopes contain an unknown scope {:?}", e.0)))?;
    let scopes = if scopes.is_empty() {
        Scopes::parse("read").unwrap_or_default()
    } else {
        scopes
    };
    let website = new
        .website
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty());
    if let Some(website) = website
        && url::Url::parse(website).is_err()
    {
        return Err(Invalid("Website is not a valid URL".into()).into());
    }
    let client_id = random_token(32);
    let client_secret = random_token(32);
    let app = store
        .oauth()
        .insert_app(
            name,
            website,
            &uris.join("\n"),
            &scopes.to_string(),
            &client_id,
            &sha256_hex(&client_secret),
        )
        .await?;
    Ok((app, client_secret))
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks client credentials (from the form body or HTTP Basic).
pub async fn authenticate_client(
    store: &Store,
    client_id: Option<&str>,
    client_secret: Option<&str>,
) -> Result<App, OAuthError> {
    let (Some(client_id), Some(secret)) = (client_id, client_secret) else {
        return Err(OAuthError::invalid_client());
    };
    let app = store
        .oauth()
        .app_by_client_id(client_id)
        .await?
        .ok_or_else(OAuthError::invalid_client)?;
    if !constant_time_eq(&sha256_hex(secret), &app.client_secret_hash) {
        return Err(OAuthError::invalid_client());
    }
    Ok(app)
}

/// A checked authorization request (`GET /oauth/authorize`).
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub app: App,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// Why an authorization request failed: some errors may be sent back to the
/// client's redirect URI, others (unknown client, bad redirect URI) must not.
#[derive(Debug)]
pub enum AuthorizeError {
    /// Shown to the user; never redirected.
    Fatal(String),
    /// Redirected to `redirect_uri` with `error` (and `state`).
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: OAuthError,
    },
}

#[derive(Debug, Clone, Default)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

pub async fn check_authorization_request(
    store: &Store,
    params: &AuthorizeParams,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let client_id = params.client_id.as_deref().unwrap_or_default();
    let app = store
        .oauth()
        .app_by_client_id(client_id)
        .await
        .map_err(|e| AuthorizeError::Fatal(OAuthError::from(e).description))?
        .ok_or_else(|| AuthorizeError::Fatal("Unknown client: the application that sent you here is not registered on this server.".into()))?;
    let registered = app.redirect_uri_list();
    let redirect_uri = match params.redirect_uri.as_deref() {
        Some(uri) if registered.iter().any(|r| r == uri) => uri.to_owned(),
        None if registered.len() == 1 => registered[0].clone(),
        _ => {
            return Err(AuthorizeError::Fatal(
                "The redirect URI included is not valid for this application.".into(),
            ));
        }
    };
    let fail = |error: OAuthError| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: params.state.clone(),
        error,
    };
    if params.response_type.as_deref() != Some("code") {
        return Err(fail(OAuthError::new(
            "unsupported_response_type",
            "The authorization server does not support this response type (use code).",
        )));
    }
    let app_scopes = Scopes::parse(&app.scopes).unwrap_or_default();
    let scopes = match params.scope.as_deref().map(Scopes::parse) {
        None => Scopes::parse("read").unwrap_or_default(),
        Some(Ok(s)) if s.is_empty() => Scopes::parse("read").unwrap_or_default(),
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            return Err(fail(OAuthError::new(
                "invalid_scope",
                format!("Unknown scope {:?}.", e.0),
            )));
        }
    };
    if !app_scopes.covers(&scopes) {
        return Err(fail(OAuthError::new(
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed: it exceeds the scopes the application registered.",
        )));
    }
    let method = match (
        &params.code_challenge,
        params.code_challenge_method.as_deref(),
    ) {
        (None, _) => None,
        (Some(_), Some("S256")) => Some("S256".to_owned()),
        (Some(_), _) => {
            return Err(fail(OAuthError::new(
                "invalid_request",
                "code_challenge_method must be S256.",
            )));
        }
    };
    if let Some(challenge) = &params.code_challenge
        && challenge.len() != 43
    {
        return Err(fail(OAuthError::new(
            "invalid_request",
            "code_challenge is malformed.",
        )));
    }
    Ok(AuthorizationRequest {
        app,
        redirect_uri,
        scopes,
        state: params.state.clone(),
        code_challenge: params.code_challenge.clone(),
        code_challenge_method: method,
    })
}

/// Records the user's consent and returns the one-time code.
pub async fn issue_code(
    store: &Store,
    request: &AuthorizationRequest,
    user_id: UserId,
) -> Result<String, StoreError> {
    let code = random_token(32);
    store
        .oauth()
        .insert_code(&NewAuthorizationCode {
            code_hash: sha256_hex(&code),
            app_id: request.app.id,
            user_id,
            redirect_uri: request.redirect_uri.clone(),
            scopes: request.scopes.to_string(),
            code_challenge: request.code_challenge.clone(),
            code_challenge_method: request.code_challenge_method.clone(),
            expires_at: Timestamp::now().plus_seconds(CODE_TTL_SECS),
        })
        .await?;
    Ok(code)
}

/// A freshly issued token, with its secrets in the clear for the response.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub token: Token,
}

/// Everything `POST /oauth/token` may carry.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub scope: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub refresh_token: Option<String>,
}

/// Runs a token request for an authenticated client.
pub async fn grant(
    store: &Store,
    config: &Config,
    dummy_hash: &str,
    app: &App,
    request: &TokenRequest,
    client_ip: &str,
) -> Result<IssuedToken, OAuthError> {
    match request.grant_type.as_deref() {
        Some("authorization_code") => exchange_code(store, app, request).await,
        Some("password") => {
            let scopes = requested_scopes(app, request.scope.as_deref())?;
            let (Some(login), Some(password)) = (&request.username, &request.password) else {
                return Err(OAuthError::new(
                    "invalid_request",
                    "username and password are required.",
                ));
            };
            let found =
                sign_in::authenticate(store, config, dummy_hash, login, password, client_ip)
                    .await
                    .map_err(|e| match e {
                        SignInError::Store(e) => e.into(),
                        SignInError::Throttled { retry_after_secs } => OAuthError {
                            retry_after_secs: Some(retry_after_secs),
                            ..OAuthError::invalid_grant(
                                "Too many failed sign-in attempts; try again later.",
                            )
                        },
                        e => OAuthError::invalid_grant(&e.to_string()),
                    })?;
            issue(store, app, Some(found.user.id), None, &scopes, true).await
        }
        Some("client_credentials") => {
            let scopes = requested_scopes(app, request.scope.as_deref())?;
            issue(store, app, None, None, &scopes, false).await
        }
        Some("refresh_token") => refresh(store, app, request).await,
        Some(_) => Err(OAuthError::new(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )),
        None => Err(OAuthError::new(
            "invalid_request",
            "grant_type is required.",
        )),
    }
}

fn requested_scopes(app: &App, scope: Option<&str>) -> Result<Scopes, OAuthError> {
    let app_scopes = Scopes::parse(&app.scopes).unwrap_or_default();
    let requested = Scopes::parse(scope.unwrap_or("read"))
        .map_err(|e| OAuthError::new("invalid_scope", format!("Unknown scope {:?}.", e.0)))?;
    let requested = if requested.is_empty() {
        Scopes::parse("read").unwrap_or_default()
    } else {
        requested
    };
    if !app_scopes.covers(&requested) {
        return Err(OAuthError::new(
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed: it exceeds the scopes the application registered.",
        ));
    }
    Ok(requested)
}

async fn exchange_code(
    store: &Store,
    app: &App,
    request: &TokenRequest,
) -> Result<IssuedToken, OAuthError> {
    let Some(code) = &request.code else {
        return Err(OAuthError::new("invalid_request", "code is required."));
    };
    let mut tx = store.begin().await?;
    let Some(found) = tx.oauth().code_by_hash(&sha256_hex(code)).await? else {
        return Err(OAuthError::invalid_grant("Unknown code."));
    };
    if found.app_id != app.id {
        return Err(OAuthError::invalid_grant(
            "The code was issued to another client.",
        ));
    }
    if !tx.oauth().mark_code_used(found.id).await? {
        // A replayed code may have leaked: revoke what it produced.
        tx.oauth().revoke_tokens_of_code(found.id).await?;
        tx.commit().await?;
        return Err(OAuthError::invalid_grant("The code was already used."));
    }
    let problem = if found.expires_at < Timestamp::now() {
        Some("The code has expired.")
    } else if request.redirect_uri.as_deref() != Some(found.redirect_uri.as_str()) {
        // Required, as RFC 6749 §4.1.3 and Doorkeeper (Mastodon) have it.
        Some("The redirect URI is missing or does not match the authorization request.")
    } else {
        match (
            &found.code_challenge,
            &found.code_challenge_method,
            &request.code_verifier,
        ) {
            (None, _, _) => None,
            (Some(_), _, None) => Some("code_verifier is required (PKCE)."),
            (Some(challenge), method, Some(verifier)) => {
                let method = method.as_deref().unwrap_or("plain");
                (!crypto::pkce_matches(method, challenge, verifier))
                    .then_some("PKCE verification failed.")
            }
        }
    };
    if let Some(problem) = problem {
        // The code is spent either way: a guessed verifier gets one try.
        tx.commit().await?;
        return Err(OAuthError::invalid_grant(problem));
    }
    let scopes = Scopes::parse(&found.scopes).unwrap_or_default();
    let issued = issue_in(
        &mut tx,
        app,
        Some(found.user_id),
        Some(found.id),
        &scopes,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

async fn refresh(
    store: &Store,
    app: &App,
    request: &TokenRequest,
) -> Result<IssuedToken, OAuthError> {
    let Some(refresh_token) = &request.refresh_token else {
        return Err(OAuthError::new(
            "invalid_request",
            "refresh_token is required.",
        ));
    };
    let mut tx = store.begin().await?;
    let old = tx
        .oauth()
        .live_token_by_refresh_hash(&sha256_hex(refresh_token))
        .await?
        .filter(|t| t.app_id == app.id)
        .ok_or_else(|| OAuthError::invalid_grant("Unknown or revoked refresh token."))?;
    let old_scopes = Scopes::parse(&old.scopes).unwrap_or_default();
    let narrowed = Scopes::parse(request.scope.as_deref().unwrap_or_default())
        .map_err(|e| OAuthError::new("invalid_scope", format!("Unknown scope {:?}.", e.0)))?;
    let scopes = if narrowed.is_empty() {
        old_scopes
    } else if old_scopes.covers(&narrowed) {
        narrowed
    } else {
        return Err(OAuthError::new(
            "invalid_scope",
            "A refreshed token cannot gain scopes.",
        ));
    };
    // Under READ COMMITTED two refreshes may both have read the token as
    // live; only the one whose revocation took effect may issue a new one.
    if !tx.oauth().revoke_token(old.id).await? {
        return Err(OAuthError::invalid_grant(
            "Unknown or revoked refresh token.",
        ));
    }
    let issued = issue_in(
        &mut tx,
        app,
        old.user_id,
        old.authorization_code_id,
        &scopes,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

/// The token `POST /api/v1/accounts` answers with: for the new user, from
/// the app that registered it, with the scopes of that app's token.
pub async fn issue_for_new_user(
    store: &Store,
    registering: &Token,
    user_id: UserId,
) -> Result<IssuedToken, OAuthError> {
    let app = store
        .oauth()
        .app_by_id(registering.app_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let scopes = Scopes::parse(&registering.scopes).unwrap_or_default();
    issue(store, &app, Some(user_id), None, &scopes, false).await
}

async fn issue(
    store: &Store,
    app: &App,
    user_id: Option<UserId>,
    code_id: Option<i64>,
    scopes: &Scopes,
    with_refresh: bool,
) -> Result<IssuedToken, OAuthError> {
    let mut tx = store.begin().await?;
    let issued = issue_in(&mut tx, app, user_id, code_id, scopes, with_refresh).await?;
    tx.commit().await?;
    Ok(issued)
}

async fn issue_in(
    tx: &mut crate::store::Tx,
    app: &App,
    user_id: Option<UserId>,
    code_id: Option<i64>,
    scopes: &Scopes,
    with_refresh: bool,
) -> Result<IssuedToken, OAuthError> {
    let access_token = random_token(32);
    let refresh_token = with_refresh.then(|| random_token(32));
    let token = tx
        .oauth()
        .insert_token(&NewToken {
            token_hash: sha256_hex(&access_token),
            refresh_token_hash: refresh_token.as_deref().map(sha256_hex),
            app_id: app.id,
            user_id,
            authorization_code_id: code_id,
            scopes: scopes.to_string(),
        })
        .await?;
    Ok(IssuedToken {
        access_token,
        refresh_token,
        token,
    })
}

/// `POST /oauth/revoke`: revokes an access or refresh token of this client.
/// Unknown tokens are not an error (RFC 7009 §2.2).
pub async fn revoke(store: &Store, app: &App, token: &str) -> Result<(), OAuthError> {
    let hash = sha256_hex(token);
    let found = match store.oauth().live_token_by_hash(&hash).await? {
        Some(t) => Some(t),
        None => store.oauth().live_token_by_refresh_hash(&hash).await?,
    };
    if let Some(found) = found {
        if found.app_id != app.id {
            return Err(OAuthError::new(
                "unauthorized_client",
                "You are not authorized to revoke this token.",
            ));
        }
        store.oauth().revoke_token(found.id).await?;
    }
    Ok(())
}

/// The result of checking a bearer token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub token: Token,
    pub scopes: Scopes,
    /// `None` for app-only tokens (client credentials).
    pub user: Option<UserWithAccount>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("The access token is invalid")]
    Invalid,
    #[error("{0}")]
    Inactive(Inactive),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a bearer token. `allow_unconfirmed` admits users who have not
/// confirmed their address yet (to ask for another confirmation mail).
pub async fn authenticate_token(
    store: &Store,
    access_token: &str,
    allow_unconfirmed: bool,
) -> Result<Authenticated, TokenError> {
    let token = store
        .oauth()
        .live_token_by_hash(&sha256_hex(access_token))
        .await?
        .ok_or(TokenError::Invalid)?;
    let user = match token.user_id {
        None => None,
        Some(user_id) => {
            let found = store
                .users()
                .with_account(user_id)
                .await?
                .ok_or(TokenError::Invalid)?;
            if found.account.suspended_at.is_some() {
                return Err(TokenError::Inactive(Inactive::Disabled));
            }
            match found.user.inactive() {
                None => {}
                Some(Inactive::Unconfirmed | Inactive::PendingApproval) if allow_unconfirmed => {}
                Some(why) => return Err(TokenError::Inactive(why)),
            }
            Some(found)
        }
    };
    // Decided here, from the row just read: even an UPDATE that changes
    // nothing takes SQLite's write lock, which every request would then
    // queue for.
    let stale = Timestamp::now().plus_seconds(-60);
    if token.last_used_at.is_none_or(|used| used < stale) {
        store.oauth().touch_token(token.id).await?;
    }
    let scopes = Scopes::parse(&token.scopes).unwrap_or_default();
    Ok(Authenticated {
        token,
        scopes,
        user,
    })
}

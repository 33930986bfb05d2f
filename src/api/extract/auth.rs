//! Bearer-token authentication with scope enforcement. `Auth<S>` accepts any
//! valid token (app or user) carrying a scope of `S`; `User<S>` additionally
//! requires a token issued to a user. The token may come in the
//! `Authorization: Bearer` header or the `access_token` query parameter, as
//! Mastodon accepts both.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};

use crate::api::read_your_writes::Acting;
use crate::error::{Error, TOKEN_INVALID};
use crate::service::oauth::{self, Authenticated, TokenError};
use crate::state::AppState;
use crate::store::UserWithAccount;

/// A set of scopes, any one of which grants access.
pub trait ScopeRequirement: Send + Sync + 'static {
    const ANY_OF: &'static [&'static str];
}

macro_rules! scopes {
    ($($(#[$doc:meta])* $name:ident => [$($scope:literal),*];)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl ScopeRequirement for $name {
            const ANY_OF: &'static [&'static str] = &[$($scope),*];
        }
    )*};
}

scopes! {
    /// Any valid token, whatever its scopes.
    AnyScope => [];
    ReadAccounts => ["read:accounts"];
    /// `verify_credentials` also accepts the narrow `profile` scope.
    Profile => ["profile", "read:accounts"];
    WriteAccounts => ["write:accounts"];
    ReadStatuses => ["read:statuses"];
    WriteStatuses => ["write:statuses"];
    WriteMedia => ["write:media"];
    WriteFavourites => ["write:favourites"];
    ReadFavourites => ["read:favourites"];
    WriteBookmarks => ["write:bookmarks"];
    ReadBookmarks => ["read:bookmarks"];
    WriteFollows => ["write:follows"];
    ReadFollows => ["read:follows"];
    WriteBlocks => ["write:blocks"];
    ReadBlocks => ["read:blocks"];
    WriteMutes => ["write:mutes"];
    ReadMutes => ["read:mutes"];
    ReadNotifications => ["read:notifications"];
    WriteNotifications => ["write:notifications"];
    ReadLists => ["read:lists"];
    WriteLists => ["write:lists"];
    WriteConversations => ["write:conversations"];
    ReadFilters => ["read:filters"];
    WriteFilters => ["write:filters"];
    ReadSearch => ["read:search"];
    /// Endpoints any authenticated read may use (instance-level defaults).
    Read => ["read"];
    AdminReadAccounts => ["admin:read:accounts"];
    AdminWriteAccounts => ["admin:write:accounts"];
    AdminReadCanonicalEmailBlocks => ["admin:read:canonical_email_blocks"];
    AdminWriteCanonicalEmailBlocks => ["admin:write:canonical_email_blocks"];
    AdminReadIpBlocks => ["admin:read:ip_blocks"];
    AdminWriteIpBlocks => ["admin:write:ip_blocks"];
    WriteReports => ["write:reports"];
    AdminReadReports => ["admin:read:reports"];
    AdminWriteReports => ["admin:write:reports"];
    AdminReadDomainBlocks => ["admin:read:domain_blocks"];
    AdminWriteDomainBlocks => ["admin:write:domain_blocks"];
    AdminReadDomainAllows => ["admin:read:domain_allows"];
    AdminWriteDomainAllows => ["admin:write:domain_allows"];
    /// Loggia's admin endpoints without a Mastodon sub-scope.
    AdminRead => ["admin:read"];
    AdminWrite => ["admin:write"];
}

/// An authenticated request (app or user token) with a scope of `S`.
pub struct Auth<S: ScopeRequirement> {
    pub auth: Authenticated,
    _scope: PhantomData<S>,
}

/// An authenticated user with a scope of `S`.
pub struct User<S: ScopeRequirement> {
    pub auth: Authenticated,
    pub user: UserWithAccount,
    _scope: PhantomData<S>,
}

fn bearer_token(parts: &Parts) -> Option<String> {
    bearer_token_in(&parts.headers, &parts.uri)
}

/// The token a request carries, in `Authorization: Bearer` or `access_token`.
pub fn bearer_token_in(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned());
    }
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
}

/// The API's answer to a token that does not authenticate.
pub fn token_error(e: TokenError) -> Error {
    match e {
        TokenError::Invalid => Error::Unauthorized(TOKEN_INVALID),
        TokenError::Inactive(why) => Error::Forbidden(why.to_string()),
        TokenError::Store(e) => e.into(),
    }
}

async fn authenticate(
    parts: &Parts,
    state: &AppState,
    any_of: &[&str],
) -> Result<Authenticated, Error> {
    authenticate_as(parts, state, any_of, false).await
}

async fn authenticate_as(
    parts: &Parts,
    state: &AppState,
    any_of: &[&str],
    allow_unconfirmed: bool,
) -> Result<Authenticated, Error> {
    let token = bearer_token(parts)
        .filter(|t| !t.is_empty())
        .ok_or(Error::Unauthorized(TOKEN_INVALID))?;
    let auth = oauth::authenticate_token(&state.store, &token, allow_unconfirmed)
        .await
        .map_err(token_error)?;
    if !any_of.is_empty() && !any_of.iter().any(|s| auth.scopes.allows(s)) {
        return Err(Error::OutOfScope);
    }
    if let (Some(acting), Some(user)) = (parts.extensions.get::<Acting>(), &auth.user) {
        acting.set(user.account.id);
    }
    Ok(auth)
}

impl<S: ScopeRequirement> FromRequestParts<AppState> for Auth<S> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let auth = authenticate(parts, state, S::ANY_OF).await?;
        Ok(Self {
            auth,
            _scope: PhantomData,
        })
    }
}

/// A user if the request carries a token (which must then be valid and
/// scoped), or nobody: for endpoints anonymous visitors may read too.
pub struct MaybeUser<S: ScopeRequirement> {
    pub user: Option<UserWithAccount>,
    _scope: PhantomData<S>,
}

impl<S: ScopeRequirement> MaybeUser<S> {
    /// The viewer for visibility checks.
    pub fn viewer(&self) -> crate::store::Viewer {
        match &self.user {
            Some(user) => crate::service::statuses::viewer_of(user),
            None => crate::store::Viewer::ANONYMOUS,
        }
    }
}

impl<S: ScopeRequirement> FromRequestParts<AppState> for MaybeUser<S> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if bearer_token(parts).is_none() {
            return Ok(Self {
                user: None,
                _scope: PhantomData,
            });
        }
        let auth = authenticate(parts, state, S::ANY_OF).await?;
        Ok(Self {
            user: auth.user,
            _scope: PhantomData,
        })
    }
}

impl<S: ScopeRequirement> User<S> {
    /// The viewer for visibility checks.
    pub fn viewer(&self) -> crate::store::Viewer {
        crate::service::statuses::viewer_of(&self.user)
    }
}

impl<S: ScopeRequirement> FromRequestParts<AppState> for User<S> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let auth = authenticate(parts, state, S::ANY_OF).await?;
        let user = auth.user.clone().ok_or_else(|| {
            Error::Validation("This method requires an authenticated user".into())
        })?;
        Ok(Self {
            auth,
            user,
            _scope: PhantomData,
        })
    }
}

/// A user token whose owner may still be waiting for e-mail confirmation or
/// approval: for the few endpoints such users need (resending the mail).
pub struct PendingUser<S: ScopeRequirement> {
    pub user: UserWithAccount,
    _scope: PhantomData<S>,
}

impl<S: ScopeRequirement> FromRequestParts<AppState> for PendingUser<S> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let auth = authenticate_as(parts, state, S::ANY_OF, true).await?;
        let user = auth.user.ok_or_else(|| {
            Error::Validation("This method requires an authenticated user".into())
        })?;
        Ok(Self {
            user,
            _scope: PhantomData,
        })
    }
}

//! OAuth applications, authorization codes and tokens. Secrets (client
//! secrets, codes, tokens, refresh tokens) are stored only as SHA-256 hashes.

use super::{AccountId, AppId, Timestamp, TokenId, UserId};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct App {
    pub id: AppId,
    pub name: String,
    pub website: Option<String>,
    /// Newline-separated.
    pub redirect_uris: String,
    pub scopes: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub created_at: Timestamp,
}

impl App {
    pub fn redirect_uri_list(&self) -> Vec<String> {
        self.redirect_uris
            .lines()
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuthorizationCode {
    pub id: i64,
    pub code_hash: String,
    pub app_id: AppId,
    pub user_id: UserId,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Token {
    pub id: TokenId,
    pub token_hash: String,
    pub refresh_token_hash: Option<String>,
    pub app_id: AppId,
    pub user_id: Option<UserId>,
    pub authorization_code_id: Option<i64>,
    pub scopes: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A web session, identified by the hash of its cookie value.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WebSession {
    pub id: i64,
    pub session_hash: String,
    pub user_id: UserId,
    pub user_agent: String,
    pub ip: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// Who a token acts for, resolved at authentication.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub user_id: UserId,
    pub account_id: AccountId,
}

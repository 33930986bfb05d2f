//! OAuth applications, authorization codes and access tokens. Every secret
//! is looked up by its SHA-256 hash; the plain values never reach the store.

use super::{StoreResult, run, sub_store};
use crate::model::oauth::{App, AuthorizationCode, Token};
use crate::model::{AppId, Timestamp, TokenId, UserId};

sub_store!(OAuth);

#[derive(Debug, Clone)]
pub struct NewAuthorizationCode {
    pub code_hash: String,
    pub app_id: AppId,
    pub user_id: UserId,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub token_hash: String,
    pub refresh_token_hash: Option<String>,
    pub app_id: AppId,
    pub user_id: Option<UserId>,
    pub authorization_code_id: Option<i64>,
    pub scopes: String,
}

impl OAuth<'_> {
    pub async fn insert_app(
        mut self,
        name: &str,
        website: Option<&str>,
        redirect_uris: &str,
        scopes: &str,
        client_id: &str,
        client_secret_hash: &str,
    ) -> StoreResult<App> {
        let id = self.0.next_id();
        let app = run!(self.0.exec, e => sqlx::query_as::<_, App>(
            "INSERT INTO oauth_apps (id, name, website, redirect_uris, scopes, client_id,
                client_secret_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        )
        .bind(id)
        .bind(name)
        .bind(website)
        .bind(redirect_uris)
        .bind(scopes)
        .bind(client_id)
        .bind(client_secret_hash)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(app)
    }

    pub async fn app_by_client_id(mut self, client_id: &str) -> StoreResult<Option<App>> {
        let app = run!(self.0.exec, e => sqlx::query_as::<_, App>(
            "SELECT * FROM oauth_apps WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(e)
        .await)?;
        Ok(app)
    }

    pub async fn app_by_id(mut self, id: AppId) -> StoreResult<Option<App>> {
        let app = run!(self.0.exec, e => sqlx::query_as::<_, App>(
            "SELECT * FROM oauth_apps WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(app)
    }

    pub async fn insert_code(mut self, new: &NewAuthorizationCode) -> StoreResult<()> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO oauth_authorization_codes (id, code_hash, app_id, user_id, redirect_uri,
                scopes, code_challenge, code_challenge_method, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(&new.code_hash)
        .bind(new.app_id)
        .bind(new.user_id)
        .bind(&new.redirect_uri)
        .bind(&new.scopes)
        .bind(&new.code_challenge)
        .bind(&new.code_challenge_method)
        .bind(new.expires_at)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn code_by_hash(mut self, code_hash: &str) -> StoreResult<Option<AuthorizationCode>> {
        let code = run!(self.0.exec, e => sqlx::query_as::<_, AuthorizationCode>(
            "SELECT * FROM oauth_authorization_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(e)
        .await)?;
        Ok(code)
    }

    /// Marks a code used. Returns false if it was already used, so that of
    /// two concurrent redemptions only one succeeds.
    pub async fn mark_code_used(mut self, id: i64) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE oauth_authorization_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
        )
        .bind(id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn insert_token(mut self, new: &NewToken) -> StoreResult<Token> {
        let id = self.0.next_id();
        let token = run!(self.0.exec, e => sqlx::query_as::<_, Token>(
            "INSERT INTO oauth_tokens (id, token_hash, refresh_token_hash, app_id, user_id,
                authorization_code_id, scopes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        )
        .bind(id)
        .bind(&new.token_hash)
        .bind(&new.refresh_token_hash)
        .bind(new.app_id)
        .bind(new.user_id)
        .bind(new.authorization_code_id)
        .bind(&new.scopes)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(token)
    }

    /// An access token that has not been revoked.
    pub async fn live_token_by_hash(mut self, token_hash: &str) -> StoreResult<Option<Token>> {
        let token = run!(self.0.exec, e => sqlx::query_as::<_, Token>(
            "SELECT * FROM oauth_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(e)
        .await)?;
        Ok(token)
    }

    pub async fn live_token_by_refresh_hash(mut self, hash: &str) -> StoreResult<Option<Token>> {
        let token = run!(self.0.exec, e => sqlx::query_as::<_, Token>(
            "SELECT * FROM oauth_tokens WHERE refresh_token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(e)
        .await)?;
        Ok(token)
    }

    /// Revokes one token; returns whether it was live.
    pub async fn revoke_token(mut self, id: TokenId) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Revokes every token issued from an authorization code (a replayed code
    /// means it leaked).
    pub async fn revoke_tokens_of_code(mut self, code_id: i64) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2
             WHERE authorization_code_id = $1 AND revoked_at IS NULL",
        )
        .bind(code_id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Revokes every token of a user (password reset, suspension).
    pub async fn revoke_tokens_of_user(mut self, user_id: UserId) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Spends every authorization code of a user not yet exchanged (a
    /// password change: a code obtained with the old password must not turn
    /// into a token afterwards).
    pub async fn spend_codes_of_user(mut self, user_id: UserId) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE oauth_authorization_codes SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Revokes every token of a user but one (a password change).
    pub async fn revoke_tokens_of_user_except(
        mut self,
        user_id: UserId,
        keep: TokenId,
    ) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2
             WHERE user_id = $1 AND id <> $3 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(Timestamp::now())
        .bind(keep)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Records use, at most once a minute per token to spare the writer.
    pub async fn touch_token(mut self, id: TokenId) -> StoreResult<()> {
        let now = Timestamp::now();
        run!(self.0.exec, e => sqlx::query(
            "UPDATE oauth_tokens SET last_used_at = $2
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(id)
        .bind(now)
        .bind(now.plus_seconds(-60))
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

//! Users: local sign-in identities, each owning one local account.

use super::{StoreError, StoreResult, run, sub_store};
use crate::model::{Account, AccountId, Role, Timestamp, User, UserId};

sub_store!(Users);

#[derive(Debug, Clone)]
pub struct NewUser {
    pub account_id: AccountId,
    /// Lower-cased by the caller.
    pub email: String,
    pub password_hash: String,
    pub role_id: i64,
    pub confirmed: bool,
    pub approved: bool,
}

/// A user with the account and role it always comes with.
#[derive(Debug, Clone)]
pub struct UserWithAccount {
    pub user: User,
    pub account: Account,
    pub role: Role,
}

impl Users<'_> {
    pub async fn insert(mut self, new: &NewUser) -> StoreResult<User> {
        let now = Timestamp::now();
        let id = self.0.next_id();
        let user = run!(self.0.exec, e => sqlx::query_as::<_, User>(
            "INSERT INTO users (id, account_id, email, password_hash, role_id, confirmed_at,
                approved, password_changed_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             RETURNING *",
        )
        .bind(id)
        .bind(new.account_id)
        .bind(&new.email)
        .bind(&new.password_hash)
        .bind(new.role_id)
        .bind(new.confirmed.then_some(now))
        .bind(new.approved)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(user)
    }

    pub async fn by_id(mut self, id: UserId) -> StoreResult<Option<User>> {
        let user = run!(self.0.exec, e => sqlx::query_as::<_, User>(
            "SELECT * FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(user)
    }

    /// Finds a user by e-mail address or by user name (both case-insensitive).
    pub async fn by_login(mut self, login: &str) -> StoreResult<Option<User>> {
        let login = login.trim().to_ascii_lowercase();
        let user = run!(self.0.exec, e => sqlx::query_as::<_, User>(
            "SELECT users.* FROM users JOIN accounts ON accounts.id = users.account_id
             WHERE users.email = $1 OR (lower(accounts.username) = $1 AND accounts.domain IS NULL)",
        )
        .bind(login)
        .fetch_optional(e)
        .await)?;
        Ok(user)
    }

    /// Loads a user together with its account and role.
    pub async fn with_account(mut self, id: UserId) -> StoreResult<Option<UserWithAccount>> {
        let Some(user) = run!(self.0.exec, e => sqlx::query_as::<_, User>(
            "SELECT * FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?
        else {
            return Ok(None);
        };
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "SELECT * FROM accounts WHERE id = $1",
        )
        .bind(user.account_id)
        .fetch_one(e)
        .await)?;
        let role = run!(self.0.exec, e => sqlx::query_as::<_, Role>(
            "SELECT * FROM roles WHERE id = $1",
        )
        .bind(user.role_id)
        .fetch_one(e)
        .await)?;
        Ok(Some(UserWithAccount {
            user,
            account,
            role,
        }))
    }

    /// All users with their user names and role names, oldest first.
    pub async fn list(mut self) -> StoreResult<Vec<(User, String, String)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            username: String,
            role_name: String,
        }
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Row>(
            "SELECT users.*, accounts.username, roles.name AS role_name
             FROM users
             JOIN accounts ON accounts.id = users.account_id
             JOIN roles ON roles.id = users.role_id
             ORDER BY users.id",
        )
        .fetch_all(e)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.user, r.username, r.role_name))
            .collect())
    }

    pub async fn set_role(mut self, id: UserId, role_id: i64) -> StoreResult<()> {
        let done = run!(self.0.exec, e => sqlx::query("UPDATE users SET role_id = $2 WHERE id = $1")
            .bind(id)
            .bind(role_id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_password_hash(mut self, id: UserId, hash: &str) -> StoreResult<()> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(hash)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn record_sign_in(mut self, id: UserId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE users SET last_sign_in_at = $2 WHERE id = $1")
            .bind(id)
            .bind(Timestamp::now())
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whether any user holds a role with the administrator permission.
    pub async fn admin_exists(mut self) -> StoreResult<bool> {
        let found = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(
            "SELECT users.id FROM users JOIN roles ON roles.id = users.role_id
             WHERE (roles.permissions & 1) = 1 LIMIT 1",
        )
        .fetch_optional(e)
        .await)?;
        Ok(found.is_some())
    }

    /// Saves the posting defaults of a user.
    pub async fn save_defaults(mut self, user: &User) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE users SET default_visibility = $2, default_sensitive = $3, default_language = $4,
                default_local_only = $5, locale = $6
             WHERE id = $1",
        )
        .bind(user.id)
        .bind(&user.default_visibility)
        .bind(user.default_sensitive)
        .bind(&user.default_language)
        .bind(user.default_local_only)
        .bind(&user.locale)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

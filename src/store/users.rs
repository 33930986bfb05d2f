//! Users: local sign-in identities, each owning one local account.

use super::page::{bounds, keyset, newest_first};
use super::{StoreError, StoreResult, run, sub_store};
use crate::model::Page;
use crate::model::{Account, AccountId, Role, Timestamp, User, UserId};
use sqlx::AssertSqlSafe;

sub_store!(Users);

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub account_id: AccountId,
    /// Lower-cased by the caller.
    pub email: String,
    pub password_hash: String,
    pub role_id: i64,
    pub confirmed: bool,
    pub approved: bool,
    pub invite_id: Option<i64>,
    pub sign_up_reason: Option<String>,
    pub sign_up_ip: Option<String>,
    /// SHA-256 of the token mailed for confirmation (unconfirmed users).
    pub confirmation_token_hash: Option<String>,
    pub locale: Option<String>,
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
                approved, password_changed_at, created_at, invite_id, sign_up_reason, sign_up_ip,
                confirmation_token_hash, confirmation_sent_at, locale)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14)
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
        .bind(new.invite_id)
        .bind(&new.sign_up_reason)
        .bind(&new.sign_up_ip)
        .bind(&new.confirmation_token_hash)
        .bind(new.confirmation_token_hash.as_ref().map(|_| now))
        .bind(&new.locale)
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

    /// Loads a user together with its account and role (every
    /// authenticated request does: the role comes in the user's query).
    pub async fn with_account(mut self, id: UserId) -> StoreResult<Option<UserWithAccount>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            role_name: String,
            role_permissions: i64,
            role_position: i64,
            role_highlighted: bool,
            role_color: String,
        }
        let Some(row) = run!(self.0.exec, e => sqlx::query_as::<_, Row>(
            "SELECT u.*, r.name AS role_name, r.permissions AS role_permissions,
                r.position AS role_position, r.highlighted AS role_highlighted,
                r.color AS role_color
             FROM users u JOIN roles r ON r.id = u.role_id WHERE u.id = $1",
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
        .bind(row.user.account_id)
        .fetch_one(e)
        .await)?;
        let role = Role {
            id: row.user.role_id,
            name: row.role_name,
            permissions: row.role_permissions,
            position: row.role_position,
            highlighted: row.role_highlighted,
            color: row.role_color,
        };
        Ok(Some(UserWithAccount {
            user: row.user,
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

    /// Whether this e-mail address belongs to a user already.
    pub async fn email_taken(mut self, email: &str) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users WHERE email = $1",
        )
        .bind(email)
        .fetch_one(e)
        .await)?;
        Ok(n > 0)
    }

    /// Confirms the address of the user holding this (hashed) token if it was
    /// sent after `sent_after`. Returns the user, confirmed.
    pub async fn confirm(
        mut self,
        token_hash: &str,
        sent_after: Timestamp,
    ) -> StoreResult<Option<User>> {
        let user = run!(self.0.exec, e => sqlx::query_as::<_, User>(
            "UPDATE users SET confirmed_at = $3, confirmation_token_hash = NULL
             WHERE confirmation_token_hash = $1 AND confirmation_sent_at > $2
             RETURNING *",
        )
        .bind(token_hash)
        .bind(sent_after)
        .bind(Timestamp::now())
        .fetch_optional(e)
        .await)?;
        Ok(user)
    }

    /// Replaces the confirmation token (a new mail) and, optionally, the
    /// address it goes to. Only while unconfirmed.
    pub async fn renew_confirmation(
        mut self,
        id: UserId,
        token_hash: &str,
        email: Option<&str>,
    ) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE users SET confirmation_token_hash = $2, confirmation_sent_at = $3,
                email = COALESCE($4, email)
             WHERE id = $1 AND confirmed_at IS NULL",
        )
        .bind(id)
        .bind(token_hash)
        .bind(Timestamp::now())
        .bind(email)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn approve(mut self, id: UserId) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE users SET approved = TRUE WHERE id = $1 AND NOT approved",
        )
        .bind(id)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn set_confirmed(mut self, id: UserId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE users SET confirmed_at = COALESCE(confirmed_at, $2), confirmation_token_hash = NULL
             WHERE id = $1",
        )
        .bind(id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Local accounts whose role carries `permission` (or administrator):
    /// who hears about sign-ups and reports.
    pub async fn staff_accounts(mut self, permission: i64) -> StoreResult<Vec<AccountId>> {
        let ids = run!(self.0.exec, e => sqlx::query_scalar::<_, AccountId>(
            "SELECT users.account_id FROM users JOIN roles ON roles.id = users.role_id
             WHERE ((roles.permissions & 1) = 1 OR (roles.permissions & $1) = $1)
               AND NOT users.disabled AND users.approved
             ORDER BY users.id",
        )
        .bind(permission)
        .fetch_all(e)
        .await)?;
        Ok(ids)
    }

    /// Local users for the admin API, paged by account id, newest first.
    pub async fn admin_page(
        mut self,
        filter: &AdminUserFilter,
        page: &Page,
    ) -> StoreResult<Vec<UserId>> {
        let base = "SELECT users.id, users.account_id FROM users
             JOIN accounts ON accounts.id = users.account_id
             WHERE ($1 = '' OR ($1 = 'pending' AND NOT users.approved)
                 OR ($1 = 'active' AND users.approved AND NOT users.disabled AND accounts.suspended_at IS NULL)
                 OR ($1 = 'disabled' AND users.disabled)
                 OR ($1 = 'suspended' AND accounts.suspended_at IS NOT NULL)
                 OR ($1 = 'silenced' AND accounts.silenced_at IS NOT NULL))
               AND ($2 = '' OR lower(accounts.username) LIKE $2 ESCAPE '\\')
               AND ($3 = '' OR lower(users.email) LIKE $3 ESCAPE '\\')";
        let sql = keyset(base, "users.account_id", 4, page);
        let (upper, lower, limit) = bounds(page);
        let like = |v: &str| {
            if v.is_empty() {
                String::new()
            } else {
                let escaped = v
                    .to_ascii_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            }
        };
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, (UserId, i64)>(AssertSqlSafe(sql.clone()))
            .bind(&filter.status)
            .bind(like(&filter.username))
            .bind(like(&filter.email))
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page)
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// Deletes a user still waiting for approval, with its account.
    pub async fn delete_pending(mut self, id: UserId) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM accounts WHERE id = (SELECT account_id FROM users WHERE id = $1 AND NOT approved)",
        )
        .bind(id)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn by_account(mut self, account: AccountId) -> StoreResult<Option<UserId>> {
        let id = run!(self.0.exec, e => sqlx::query_scalar::<_, UserId>(
            "SELECT id FROM users WHERE account_id = $1",
        )
        .bind(account)
        .fetch_optional(e)
        .await)?;
        Ok(id)
    }

    /// The account of whoever created the invite this user signed up with.
    pub async fn inviter_account(mut self, id: UserId) -> StoreResult<Option<i64>> {
        let account = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(
            "SELECT inviter.account_id FROM users
             JOIN invites ON invites.id = users.invite_id
             JOIN users inviter ON inviter.id = invites.user_id
             WHERE users.id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(account)
    }

    /// Disables (or enables) a user's login; returns whether it changed.
    pub async fn set_disabled(mut self, id: UserId, disabled: bool) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE users SET disabled = $2 WHERE id = $1 AND disabled <> $2",
        )
        .bind(id)
        .bind(disabled)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Puts a user in a team (`None`: in none).
    pub async fn set_team(mut self, id: UserId, team: Option<&str>) -> StoreResult<()> {
        let n = run!(self.0.exec, e => sqlx::query("UPDATE users SET team = $2 WHERE id = $1")
            .bind(id)
            .bind(team)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// What the admin account list is narrowed to; empty strings: no filter.
#[derive(Debug, Clone, Default)]
pub struct AdminUserFilter {
    /// `pending`, `active`, `disabled`, `suspended`, `silenced` or empty.
    pub status: String,
    pub username: String,
    pub email: String,
}

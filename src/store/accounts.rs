//! Accounts: local and remote actors.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, run, sub_store};
use crate::model::{Account, AccountId, Page, Timestamp};

sub_store!(Accounts);

/// What it takes to create an account row; remote actors fill the URLs from
/// their actor document, local ones from `service::urls`.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub domain: Option<String>,
    pub actor_type: String,
    pub display_name: String,
    pub uri: String,
    pub url: Option<String>,
    pub inbox_url: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub public_key_pem: Option<String>,
    pub private_key_pem: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
}

/// What a remote actor document says about an account.
#[derive(Debug, Clone, Default)]
pub struct RemoteAccount {
    pub username: String,
    pub domain: String,
    pub actor_type: String,
    pub display_name: String,
    /// Sanitized HTML.
    pub note: String,
    /// JSON list of `ProfileField` (sanitized values).
    pub fields: String,
    pub uri: String,
    pub url: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub public_key_pem: Option<String>,
    pub public_key_id: Option<String>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub created_at: Option<Timestamp>,
}

impl Accounts<'_> {
    /// Creates or refreshes a remote account from its actor document.
    pub async fn upsert_remote(mut self, r: &RemoteAccount) -> StoreResult<Account> {
        let now = Timestamp::now();
        let id = self.0.next_id();
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "INSERT INTO accounts (id, username, domain, actor_type, display_name, note, fields,
                uri, url, inbox_url, shared_inbox_url, outbox_url, followers_url, following_url,
                featured_url, public_key_pem, public_key_id, avatar_url, header_url, locked, bot,
                discoverable, indexable, fetched_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $23, $24, COALESCE($25, $24), $24)
             ON CONFLICT (uri) DO UPDATE SET username = excluded.username,
                actor_type = excluded.actor_type, display_name = excluded.display_name,
                note = excluded.note, fields = excluded.fields, url = excluded.url,
                inbox_url = excluded.inbox_url, shared_inbox_url = excluded.shared_inbox_url,
                outbox_url = excluded.outbox_url, followers_url = excluded.followers_url,
                following_url = excluded.following_url, featured_url = excluded.featured_url,
                public_key_pem = excluded.public_key_pem, public_key_id = excluded.public_key_id,
                avatar_url = excluded.avatar_url, header_url = excluded.header_url,
                locked = excluded.locked, bot = excluded.bot,
                discoverable = excluded.discoverable, indexable = excluded.indexable,
                fetched_at = excluded.fetched_at, updated_at = excluded.updated_at
             RETURNING *",
        )
        .bind(id)
        .bind(&r.username)
        .bind(&r.domain)
        .bind(&r.actor_type)
        .bind(&r.display_name)
        .bind(&r.note)
        .bind(&r.fields)
        .bind(&r.uri)
        .bind(&r.url)
        .bind(&r.inbox_url)
        .bind(&r.shared_inbox_url)
        .bind(&r.outbox_url)
        .bind(&r.followers_url)
        .bind(&r.following_url)
        .bind(&r.featured_url)
        .bind(&r.public_key_pem)
        .bind(&r.public_key_id)
        .bind(&r.avatar_url)
        .bind(&r.header_url)
        .bind(r.locked)
        .bind(r.bot)
        .bind(r.discoverable)
        .bind(r.indexable)
        .bind(now)
        .bind(r.created_at)
        .fetch_one(e)
        .await)?;
        Ok(account)
    }

    /// The remote account that signs with this key id.
    pub async fn by_key_id(mut self, key_id: &str) -> StoreResult<Option<Account>> {
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "SELECT * FROM accounts WHERE public_key_id = $1",
        )
        .bind(key_id)
        .fetch_optional(e)
        .await)?;
        Ok(account)
    }

    /// A remote account by handle, case-insensitively.
    pub async fn remote_by_handle(
        mut self,
        username: &str,
        domain: &str,
    ) -> StoreResult<Option<Account>> {
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "SELECT * FROM accounts WHERE lower(username) = $1 AND domain = $2",
        )
        .bind(username.to_ascii_lowercase())
        .bind(domain.to_ascii_lowercase())
        .fetch_optional(e)
        .await)?;
        Ok(account)
    }

    /// Records that an account moved (`Move`).
    pub async fn set_moved_to(mut self, id: AccountId, target: AccountId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE accounts SET moved_to_account_id = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(target)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes a remote account and everything of it (`Delete` of an actor).
    pub async fn delete_remote(mut self, id: AccountId) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM accounts WHERE id = $1 AND domain IS NOT NULL",
        )
        .bind(id)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The distinct inboxes (shared where offered) of an account's remote
    /// followers.
    pub async fn follower_inboxes(mut self, id: AccountId) -> StoreResult<Vec<String>> {
        let rows: Vec<String> = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url)
             FROM follows f JOIN accounts a ON a.id = f.account_id
             WHERE f.target_account_id = $1 AND a.domain IS NOT NULL
                AND COALESCE(a.shared_inbox_url, a.inbox_url) IS NOT NULL",
        )
        .bind(id)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Inserts an account with a fresh id. `NewAccount::uri` may contain
    /// `{id}`, replaced by that id (local ids are known only here).
    pub async fn insert(mut self, new: &NewAccount) -> StoreResult<Account> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        let fill = |s: &Option<String>| s.as_ref().map(|s| s.replace("{id}", &id.to_string()));
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "INSERT INTO accounts (id, username, domain, actor_type, display_name, uri, url,
                inbox_url, shared_inbox_url, outbox_url, followers_url, following_url,
                featured_url, public_key_pem, private_key_pem, locked, bot, discoverable,
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $19)
             RETURNING *",
        )
        .bind(id)
        .bind(&new.username)
        .bind(&new.domain)
        .bind(&new.actor_type)
        .bind(&new.display_name)
        .bind(new.uri.replace("{id}", &id.to_string()))
        .bind(fill(&new.url))
        .bind(fill(&new.inbox_url))
        .bind(fill(&new.shared_inbox_url))
        .bind(fill(&new.outbox_url))
        .bind(fill(&new.followers_url))
        .bind(fill(&new.following_url))
        .bind(fill(&new.featured_url))
        .bind(&new.public_key_pem)
        .bind(&new.private_key_pem)
        .bind(new.locked)
        .bind(new.bot)
        .bind(new.discoverable)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(account)
    }

    pub async fn by_id(mut self, id: AccountId) -> StoreResult<Option<Account>> {
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "SELECT * FROM accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(account)
    }

    /// A local account by user name, case-insensitively.
    pub async fn local_by_username(mut self, username: &str) -> StoreResult<Option<Account>> {
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "SELECT * FROM accounts WHERE lower(username) = $1 AND domain IS NULL",
        )
        .bind(username.to_ascii_lowercase())
        .fetch_optional(e)
        .await)?;
        Ok(account)
    }

    pub async fn by_uri(mut self, uri: &str) -> StoreResult<Option<Account>> {
        let account = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "SELECT * FROM accounts WHERE uri = $1",
        )
        .bind(uri)
        .fetch_optional(e)
        .await)?;
        Ok(account)
    }

    /// Stores the key pair of a local actor, unless it already has one.
    /// Returns whether this call set it.
    pub async fn set_keypair_if_missing(
        mut self,
        id: AccountId,
        public_key_pem: &str,
        private_key_pem: &str,
    ) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query(
            "UPDATE accounts SET public_key_pem = $2, private_key_pem = $3, updated_at = $4
             WHERE id = $1 AND private_key_pem IS NULL",
        )
        .bind(id)
        .bind(public_key_pem)
        .bind(private_key_pem)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Forgets a local actor's key pair (key rotation makes a new one).
    pub async fn clear_keypair(mut self, id: AccountId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE accounts SET public_key_pem = NULL, private_key_pem = NULL WHERE id = $1 AND domain IS NULL",
        )
        .bind(id)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Adjusts the cached counters of an account.
    pub async fn add_to_counts(
        mut self,
        id: AccountId,
        followers: i64,
        following: i64,
        statuses: i64,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE accounts SET followers_count = followers_count + $2,
                following_count = following_count + $3,
                statuses_count = statuses_count + $4,
                last_status_at = CASE WHEN $4 > 0 THEN $5 ELSE last_status_at END
             WHERE id = $1",
        )
        .bind(id)
        .bind(followers)
        .bind(following)
        .bind(statuses)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Accounts whose local user name matches, case-insensitively.
    pub async fn local_by_usernames(mut self, usernames: &[String]) -> StoreResult<Vec<Account>> {
        let mut out = Vec::new();
        for name in usernames {
            let found = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
                "SELECT * FROM accounts WHERE lower(username) = $1 AND domain IS NULL",
            )
            .bind(name.to_ascii_lowercase())
            .fetch_optional(e)
            .await)?;
            out.extend(found);
        }
        Ok(out)
    }

    /// Whether the account belongs to a local user (not the instance actor).
    pub async fn is_local_user(mut self, id: AccountId) -> StoreResult<bool> {
        let found: Option<i64> = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT id FROM users WHERE account_id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(found.is_some())
    }

    pub async fn set_locked(mut self, id: AccountId, locked: bool) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE accounts SET locked = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(locked)
            .bind(Timestamp::now())
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Saves the profile fields of an account (read, changed, written back
    /// by `service::profile` in one transaction).
    pub async fn save_profile(mut self, account: &Account) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE accounts SET display_name = $2, note = $3, note_source = $4, fields = $5,
                locked = $6, bot = $7, discoverable = $8, indexable = $9, avatar_url = $10,
                header_url = $11, updated_at = $12
             WHERE id = $1",
        )
        .bind(account.id)
        .bind(&account.display_name)
        .bind(&account.note)
        .bind(&account.note_source)
        .bind(&account.fields)
        .bind(account.locked)
        .bind(account.bot)
        .bind(account.discoverable)
        .bind(account.indexable)
        .bind(&account.avatar_url)
        .bind(&account.header_url)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Suspends an account (or lifts the suspension).
    /// Applies the domain policy to one account (a new remote account).
    pub async fn set_domain_limit(mut self, id: AccountId, level: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE accounts SET domain_limit = $2 WHERE id = $1")
            .bind(id)
            .bind(level)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn set_suspended(mut self, id: AccountId, suspended: bool) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE accounts SET suspended_at = $2 WHERE id = $1")
            .bind(id)
            .bind(suspended.then(Timestamp::now))
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Sets (`on`) or clears a moderation mark; returns whether it changed.
    pub async fn set_limit(mut self, id: AccountId, limit: Limit, on: bool) -> StoreResult<bool> {
        let column = limit.column();
        let n = if on {
            let sql =
                format!("UPDATE accounts SET {column} = $2 WHERE id = $1 AND {column} IS NULL");
            run!(self.0.exec, e => sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(id)
                .bind(Timestamp::now())
                .execute(e)
                .await
                .map(|r| r.rows_affected()))?
        } else {
            let sql = format!(
                "UPDATE accounts SET {column} = NULL WHERE id = $1 AND {column} IS NOT NULL"
            );
            run!(self.0.exec, e => sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(id)
                .execute(e)
                .await
                .map(|r| r.rows_affected()))?
        };
        Ok(n == 1)
    }

    /// Remote accounts for the admin API, paged by id, newest first.
    pub async fn admin_remote_page(
        mut self,
        filter: &AdminRemoteFilter,
        page: &Page,
    ) -> StoreResult<Vec<Account>> {
        let base = "SELECT * FROM accounts
             WHERE domain IS NOT NULL
               AND ($1 = '' OR ($1 = 'active' AND suspended_at IS NULL)
                   OR ($1 = 'suspended' AND suspended_at IS NOT NULL)
                   OR ($1 = 'silenced' AND silenced_at IS NOT NULL)
                   OR ($1 = 'sensitized' AND sensitized_at IS NOT NULL))
               AND ($2 = '' OR lower(username) LIKE $2 ESCAPE '\\')
               AND ($3 = '' OR domain = $3)";
        let sql = keyset(base, "id", 4, page);
        let (upper, lower, limit) = bounds(page);
        let username = if filter.username.is_empty() {
            String::new()
        } else {
            let escaped = filter
                .username
                .to_ascii_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        };
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Account>(AssertSqlSafe(sql.as_str()))
            .bind(&filter.status)
            .bind(&username)
            .bind(filter.domain.to_ascii_lowercase())
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }
}

/// A moderation mark on an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Silenced,
    Suspended,
    Sensitized,
}

impl Limit {
    fn column(self) -> &'static str {
        match self {
            Limit::Silenced => "silenced_at",
            Limit::Suspended => "suspended_at",
            Limit::Sensitized => "sensitized_at",
        }
    }
}

/// What the admin list of remote accounts is narrowed to; empty: no filter.
#[derive(Debug, Clone, Default)]
pub struct AdminRemoteFilter {
    /// `active`, `suspended`, `silenced`, `sensitized` or empty.
    pub status: String,
    pub username: String,
    /// Exactly this domain.
    pub domain: String,
}

//! Access blocks: canonical e-mail hashes nobody may sign up with, and IP
//! addresses or ranges kept from signing up or from the whole server.
//! Matching an address against ranges happens in Rust (`service::
//! access_blocks`): the dialects share no CIDR type.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreError, StoreResult, run, sub_store};
use crate::model::{Page, Timestamp};

sub_store!(CanonicalEmailBlocks);
sub_store!(IpBlocks);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CanonicalEmailBlock {
    pub id: i64,
    /// SHA-256 hex of the canonical address.
    pub canonical_email_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IpBlock {
    pub id: i64,
    /// `network/prefix`.
    pub ip: String,
    /// `sign_up_requires_approval`, `sign_up_block` or `no_access`.
    pub severity: String,
    pub comment: String,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The changeable parts of an IP block.
#[derive(Debug, Clone, Default)]
pub struct IpBlockFields {
    pub ip: String,
    pub severity: String,
    pub comment: String,
    pub expires_at: Option<Timestamp>,
}

impl CanonicalEmailBlocks<'_> {
    /// Adds a block; an existing hash is a `Conflict`.
    pub async fn insert(mut self, hash: &str) -> StoreResult<CanonicalEmailBlock> {
        let id = self.0.next_id();
        let row = run!(self.0.exec, e => sqlx::query_as::<_, CanonicalEmailBlock>(
            "INSERT INTO canonical_email_blocks (id, canonical_email_hash, created_at)
             VALUES ($1, $2, $3) RETURNING *",
        )
        .bind(id)
        .bind(hash)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<CanonicalEmailBlock>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, CanonicalEmailBlock>(
            "SELECT * FROM canonical_email_blocks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    /// The blocks with this hash (none or one).
    pub async fn by_hash(mut self, hash: &str) -> StoreResult<Vec<CanonicalEmailBlock>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, CanonicalEmailBlock>(
            "SELECT * FROM canonical_email_blocks WHERE canonical_email_hash = $1",
        )
        .bind(hash)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Newest first, by keyset on the id.
    pub async fn page(mut self, page: &Page) -> StoreResult<Vec<CanonicalEmailBlock>> {
        let sql = keyset(
            "SELECT * FROM canonical_email_blocks WHERE TRUE",
            "id",
            1,
            page,
        );
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, CanonicalEmailBlock>(AssertSqlSafe(sql.as_str()))
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// Removes a block; `NotFound` when there is none.
    pub async fn delete(mut self, id: i64) -> StoreResult<()> {
        let n = run!(self.0.exec, e => sqlx::query("DELETE FROM canonical_email_blocks WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

impl IpBlocks<'_> {
    pub async fn insert(mut self, fields: &IpBlockFields) -> StoreResult<IpBlock> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        let row = run!(self.0.exec, e => sqlx::query_as::<_, IpBlock>(
            "INSERT INTO ip_blocks (id, ip, severity, comment, expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *",
        )
        .bind(id)
        .bind(&fields.ip)
        .bind(&fields.severity)
        .bind(&fields.comment)
        .bind(fields.expires_at)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    /// Replaces the fields of a block; `None` when there is no such block.
    pub async fn update(mut self, id: i64, fields: &IpBlockFields) -> StoreResult<Option<IpBlock>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, IpBlock>(
            "UPDATE ip_blocks SET ip = $2, severity = $3, comment = $4, expires_at = $5, updated_at = $6
             WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .bind(&fields.ip)
        .bind(&fields.severity)
        .bind(&fields.comment)
        .bind(fields.expires_at)
        .bind(Timestamp::now())
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<IpBlock>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, IpBlock>(
            "SELECT * FROM ip_blocks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    /// Newest first, by keyset on the id (expired blocks included).
    pub async fn page(mut self, page: &Page) -> StoreResult<Vec<IpBlock>> {
        let sql = keyset("SELECT * FROM ip_blocks WHERE TRUE", "id", 1, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, IpBlock>(AssertSqlSafe(sql.as_str()))
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// Blocks of `severity` (all severities when `None`) that have not
    /// expired at `now`.
    pub async fn in_force(
        mut self,
        severity: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Vec<IpBlock>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, IpBlock>(
            "SELECT * FROM ip_blocks
             WHERE ($1 IS NULL OR severity = $1) AND (expires_at IS NULL OR expires_at > $2)
             ORDER BY id",
        )
        .bind(severity)
        .bind(now)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Removes a block; `None` when there is none.
    pub async fn delete(mut self, id: i64) -> StoreResult<Option<IpBlock>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, IpBlock>(
            "DELETE FROM ip_blocks WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }
}

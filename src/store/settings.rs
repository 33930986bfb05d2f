//! Instance-wide settings and generated secrets, as named text values.

use super::{StoreResult, run, sub_store};
use crate::model::Timestamp;

sub_store!(Settings);

impl Settings<'_> {
    pub async fn get(mut self, name: &str) -> StoreResult<Option<String>> {
        let value = run!(self.0.exec, e => sqlx::query_scalar::<_, String>(
            "SELECT value FROM instance_settings WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(e)
        .await)?;
        Ok(value)
    }

    pub async fn put(mut self, name: &str, value: &str) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(value)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Returns the stored value, storing `candidate` first if there is none.
    /// Safe when several nodes start at once: the first writer wins and all
    /// read the same value.
    pub async fn get_or_insert(mut self, name: &str, candidate: &str) -> StoreResult<String> {
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        let value = run!(self.0.exec, e => sqlx::query_scalar::<_, String>(
            "SELECT value FROM instance_settings WHERE name = $1",
        )
        .bind(name)
        .fetch_one(e)
        .await)?;
        Ok(value)
    }
}

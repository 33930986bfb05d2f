//! Reading positions in the home and notifications timelines.

use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, Timestamp};

sub_store!(Markers);

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Marker {
    pub timeline: String,
    pub last_read_id: i64,
    pub version: i64,
    pub updated_at: Timestamp,
}

impl Markers<'_> {
    pub async fn get(mut self, account: AccountId, timeline: &str) -> StoreResult<Option<Marker>> {
        let found = run!(self.0.exec, e => sqlx::query_as::<_, Marker>(
            "SELECT timeline, last_read_id, version, updated_at FROM markers
             WHERE account_id = $1 AND timeline = $2",
        )
        .bind(account)
        .bind(timeline)
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    /// Sets a marker, bumping its version.
    pub async fn set(
        mut self,
        account: AccountId,
        timeline: &str,
        last_read_id: i64,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at)
             VALUES ($1, $2, $3, 0, $4)
             ON CONFLICT (account_id, timeline) DO UPDATE
             SET last_read_id = excluded.last_read_id, version = markers.version + 1,
                 updated_at = excluded.updated_at",
        )
        .bind(account)
        .bind(timeline)
        .bind(last_read_id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

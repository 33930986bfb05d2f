//! Media attachment rows (the files themselves are in `media::MediaStore`).

use super::{StoreResult, run, sub_store};
use crate::model::media::Media;
use crate::model::{AccountId, StatusId};

sub_store!(MediaRows);

impl MediaRows<'_> {
    pub async fn insert(mut self, media: &Media) -> StoreResult<Media> {
        let id = self.0.next_id();
        let row = run!(self.0.exec, e => sqlx::query_as::<_, Media>(
            "INSERT INTO media_attachments (id, account_id, status_id, kind, content_type, file_key,
                file_size, width, height, thumbnail_key, thumb_width, thumb_height, blurhash,
                description, focus_x, focus_y, created_at, remote_url)
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17)
             RETURNING *",
        )
        .bind(id)
        .bind(media.account_id)
        .bind(&media.kind)
        .bind(&media.content_type)
        .bind(&media.file_key)
        .bind(media.file_size)
        .bind(media.width)
        .bind(media.height)
        .bind(&media.thumbnail_key)
        .bind(media.thumb_width)
        .bind(media.thumb_height)
        .bind(&media.blurhash)
        .bind(&media.description)
        .bind(media.focus_x)
        .bind(media.focus_y)
        .bind(media.created_at)
        .bind(&media.remote_url)
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<Media>> {
        let row = run!(self.0.exec, e => sqlx::query_as::<_, Media>(
            "SELECT * FROM media_attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(row)
    }

    pub async fn for_status(mut self, status: StatusId) -> StoreResult<Vec<Media>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Media>(
            "SELECT * FROM media_attachments WHERE status_id = $1 ORDER BY id",
        )
        .bind(status)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    pub async fn describe(
        mut self,
        id: i64,
        description: &str,
        focus: (f64, f64),
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE media_attachments SET description = $2, focus_x = $3, focus_y = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(description)
        .bind(focus.0)
        .bind(focus.1)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Attaches media to a status; only the owner's unattached media (or
    /// media already on this status) move. Returns how many were attached.
    pub async fn attach(
        mut self,
        owner: AccountId,
        status: StatusId,
        ids: &[i64],
    ) -> StoreResult<u64> {
        let mut attached = 0;
        for id in ids {
            attached += run!(self.0.exec, e => sqlx::query(
                "UPDATE media_attachments SET status_id = $3
                 WHERE id = $1 AND account_id = $2 AND (status_id IS NULL OR status_id = $3)",
            )
            .bind(*id)
            .bind(owner)
            .bind(status)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(attached)
    }

    /// Detaches media from a status (before an edit attaches the new set).
    pub async fn detach_all(mut self, status: StatusId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE media_attachments SET status_id = NULL WHERE status_id = $1")
            .bind(status)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

//! Media attachment rows (the files themselves are in `media::MediaStore`).

use super::{StoreResult, run, sub_store};
use crate::model::media::{Media, Processing};
use crate::model::{AccountId, StatusId, Timestamp};

sub_store!(MediaRows);

impl MediaRows<'_> {
    pub async fn insert(mut self, media: &Media) -> StoreResult<Media> {
        let id = self.0.next_id();
        let row = run!(self.0.exec, e => sqlx::query_as::<_, Media>(
            "INSERT INTO media_attachments (id, account_id, status_id, kind, content_type, file_key,
                file_size, width, height, thumbnail_key, thumb_width, thumb_height, blurhash,
                description, focus_x, focus_y, created_at, remote_url, duration, frame_rate,
                bitrate, processing, claimed_until, attempts)
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $20, $21, $22, $23)
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
        .bind(media.duration)
        .bind(&media.frame_rate)
        .bind(media.bitrate)
        .bind(&media.processing)
        .bind(media.claimed_until)
        .bind(media.attempts)
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

    /// Replaces the preview image.
    pub async fn set_thumbnail(
        mut self,
        id: i64,
        key: &str,
        (width, height): (i64, i64),
        blurhash: &str,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE media_attachments SET thumbnail_key = $2, thumb_width = $3, thumb_height = $4,
                blurhash = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(key)
        .bind(width)
        .bind(height)
        .bind(blurhash)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Pending media whose hold has lapsed (its node crashed or stopped).
    pub async fn stalled(mut self, now: Timestamp, limit: i64) -> StoreResult<Vec<Media>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Media>(
            "SELECT * FROM media_attachments
             WHERE processing = 'pending' AND (claimed_until IS NULL OR claimed_until < $1)
             ORDER BY id LIMIT +$2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Holds pending media for processing until `until`, counting an
    /// attempt; false if another node holds it or it is no longer pending.
    pub async fn claim(mut self, id: i64, now: Timestamp, until: Timestamp) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE media_attachments SET claimed_until = $3, attempts = attempts + 1
             WHERE id = $1 AND processing = 'pending'
               AND (claimed_until IS NULL OR claimed_until < $2)",
        )
        .bind(id)
        .bind(now)
        .bind(until)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Extends the hold of the node working on it.
    pub async fn renew(mut self, id: i64, until: Timestamp) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE media_attachments SET claimed_until = $2 WHERE id = $1 AND processing = 'pending'",
        )
        .bind(id)
        .bind(until)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores the result of processing: the files and what they are, from
    /// `done`. False if it was no longer pending (then nothing changed).
    pub async fn finish(mut self, done: &Media) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE media_attachments SET content_type = $2, file_key = $3, file_size = $4,
                width = $5, height = $6,
                -- A thumbnail the user set while the video was processed wins
                -- over the generated frame.
                thumb_width = CASE WHEN thumbnail_key = '' THEN $8 ELSE thumb_width END,
                thumb_height = CASE WHEN thumbnail_key = '' THEN $9 ELSE thumb_height END,
                thumbnail_key = CASE WHEN thumbnail_key = '' THEN $7 ELSE thumbnail_key END,
                blurhash = $10, duration = $11, frame_rate = $12, bitrate = $13,
                processing = $14, claimed_until = NULL
             WHERE id = $1 AND processing = 'pending'",
        )
        .bind(done.id)
        .bind(&done.content_type)
        .bind(&done.file_key)
        .bind(done.file_size)
        .bind(done.width)
        .bind(done.height)
        .bind(&done.thumbnail_key)
        .bind(done.thumb_width)
        .bind(done.thumb_height)
        .bind(&done.blurhash)
        .bind(done.duration)
        .bind(&done.frame_rate)
        .bind(done.bitrate)
        .bind(Processing::Done.as_str())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Processing failed for good; the upload as received is gone.
    pub async fn fail(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE media_attachments SET processing = $2, file_key = '', claimed_until = NULL
             WHERE id = $1 AND processing = 'pending'",
        )
        .bind(id)
        .bind(Processing::Failed.as_str())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Attaches media to a status; only the owner's processed, unattached
    /// media (or media already on this status) move. Returns how many were attached.
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
                 WHERE id = $1 AND account_id = $2 AND (status_id IS NULL OR status_id = $3)
                   AND processing = 'done'",
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

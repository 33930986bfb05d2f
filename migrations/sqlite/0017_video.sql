-- Videos: what Mastodon shows of them, and their processing after the
-- upload is answered (transcoding takes longer than a request should).
-- Keep in step with ../postgres/0017_video.sql.

-- Seconds, ffprobe's frame rate fraction ("30/1"), bits per second; NULL
-- for images.
ALTER TABLE media_attachments ADD COLUMN duration REAL;
ALTER TABLE media_attachments ADD COLUMN frame_rate TEXT;
ALTER TABLE media_attachments ADD COLUMN bitrate INTEGER;
-- 'done', 'pending' or 'failed'. While pending, file_key is the upload as
-- received (not served), replaced by the processed file when done.
ALTER TABLE media_attachments ADD COLUMN processing TEXT NOT NULL DEFAULT 'done';
-- The node processing it holds it until then and renews the hold while it
-- works; a crashed node's hold lapses and another node takes over.
ALTER TABLE media_attachments ADD COLUMN claimed_until INTEGER;
ALTER TABLE media_attachments ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX media_attachments_pending ON media_attachments (claimed_until)
    WHERE processing = 'pending';

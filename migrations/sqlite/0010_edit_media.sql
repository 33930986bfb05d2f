-- The media of each version of an edited status (comma-separated ids).
-- Keep in step with ../postgres/0010_edit_media.sql.

ALTER TABLE status_edits ADD COLUMN media_ids TEXT NOT NULL DEFAULT '';

-- Uploaded media. Files live in the media store (a directory, later also
-- S3-compatible object storage); rows hold their keys and metadata.
-- Keep in step with ../postgres/0004_media.sql.

CREATE TABLE media_attachments (
    id             INTEGER PRIMARY KEY NOT NULL,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- NULL until a status uses it.
    status_id      INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    kind           TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    file_key       TEXT NOT NULL,
    file_size      INTEGER NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    thumbnail_key  TEXT NOT NULL,
    thumb_width    INTEGER NOT NULL,
    thumb_height   INTEGER NOT NULL,
    blurhash       TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    focus_x        REAL NOT NULL DEFAULT 0,
    focus_y        REAL NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE INDEX media_attachments_status ON media_attachments (status_id, id);
CREATE INDEX media_attachments_account ON media_attachments (account_id, id);

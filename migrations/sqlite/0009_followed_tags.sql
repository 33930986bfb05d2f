-- Hashtags people follow: public posts with them join their home feed.
-- Keep in step with ../postgres/0009_followed_tags.sql.

CREATE TABLE followed_tags (
    id         INTEGER PRIMARY KEY NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, tag_id)
);
CREATE INDEX followed_tags_tag ON followed_tags (tag_id);

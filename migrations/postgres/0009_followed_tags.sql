-- Hashtags people follow: public posts with them join their home feed.
-- Keep in step with ../sqlite/0009_followed_tags.sql.

CREATE TABLE followed_tags (
    id         BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id     BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, tag_id)
);
CREATE INDEX followed_tags_tag ON followed_tags (tag_id);

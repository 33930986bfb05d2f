-- Hashtags featured on a profile (at most 10 an account, a rule of the
-- service). `name` is the tag as the owner typed it, shown on the profile.
-- Counts and dates are computed when read, so they cannot drift.
-- Keep in step with ../sqlite/0016_featured_tags.sql.

CREATE TABLE featured_tags (
    id         BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id     BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, tag_id)
);
CREATE INDEX featured_tags_tag ON featured_tags (tag_id);

-- Posting and relationships: counters, mentions, tags, favourites,
-- bookmarks, pins, the materialised home feed, notifications, blocks,
-- mutes and idempotency keys. Keep in step with ../postgres/0002_….

-- Statuses are deleted for real (their rows cascade); no soft delete.
ALTER TABLE statuses DROP COLUMN deleted_at;
ALTER TABLE statuses ADD COLUMN replies_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN reblogs_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN favourites_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN app_id INTEGER REFERENCES oauth_apps (id) ON DELETE SET NULL;
-- One reblog per account and status.
CREATE UNIQUE INDEX statuses_one_reblog ON statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_public ON statuses (visibility, local, id);

CREATE TABLE status_mentions (
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX status_mentions_account ON status_mentions (account_id, status_id);

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    name_lower TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE status_tags (
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, tag_id)
);
CREATE INDEX status_tags_tag ON status_tags (tag_id, status_id);

CREATE TABLE favourites (
    id         INTEGER PRIMARY KEY NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_status ON favourites (status_id, id);

CREATE TABLE bookmarks (
    id         INTEGER PRIMARY KEY NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);

CREATE TABLE status_pins (
    id         INTEGER PRIMARY KEY NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);

-- The materialised home timeline of local accounts (fan-out on write).
CREATE TABLE home_feed (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX home_feed_status ON home_feed (status_id);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY NOT NULL,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    notification_type TEXT NOT NULL,
    status_id       INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);

CREATE TABLE blocks (
    id                INTEGER PRIMARY KEY NOT NULL,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri               TEXT,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks (target_account_id);

CREATE TABLE mutes (
    id                 INTEGER PRIMARY KEY NOT NULL,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at         INTEGER,
    created_at         INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);

-- Idempotency-Key of POST /api/v1/statuses: a retried post is not doubled.
CREATE TABLE idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
);

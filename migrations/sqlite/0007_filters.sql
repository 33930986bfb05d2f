-- Keyword and status filters (Mastodon's filters v2; v1 filters are one
-- keyword of a filter). Keep in step with ../postgres/0007_filters.sql.

CREATE TABLE filters (
    id            INTEGER PRIMARY KEY NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    -- Comma-separated: home, notifications, public, thread, account.
    context       TEXT NOT NULL,
    -- 'warn' or 'hide'.
    filter_action TEXT NOT NULL DEFAULT 'warn',
    expires_at    INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX filters_account ON filters (account_id);

CREATE TABLE filter_keywords (
    id         INTEGER PRIMARY KEY NOT NULL,
    filter_id  INTEGER NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword    TEXT NOT NULL,
    whole_word BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id);

CREATE TABLE filter_statuses (
    id         INTEGER PRIMARY KEY NOT NULL,
    filter_id  INTEGER NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (filter_id, status_id)
);

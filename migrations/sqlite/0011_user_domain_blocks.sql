-- Domains a user chose to hide (Mastodon's user-level domain blocks).
-- Keep in step with ../postgres/0011_user_domain_blocks.sql.

CREATE TABLE user_domain_blocks (
    id         INTEGER PRIMARY KEY NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, domain)
);

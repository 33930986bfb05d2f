-- Domains a user chose to hide (Mastodon's user-level domain blocks).
-- Keep in step with ../sqlite/0011_user_domain_blocks.sql.

CREATE TABLE user_domain_blocks (
    id         BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, domain)
);

-- Who may sign up and connect: blocked canonical e-mail addresses and
-- blocked IP addresses or ranges, as in Mastodon's admin API.
-- Keep in step with ../sqlite/0020_access_blocks.sql.

-- SHA-256 (hex) of a canonical address: lower-cased, the local part
-- without dots and without anything from `+` on.
CREATE TABLE canonical_email_blocks (
    id                   BIGINT PRIMARY KEY NOT NULL,
    canonical_email_hash TEXT NOT NULL UNIQUE,
    created_at           BIGINT NOT NULL
);

-- `ip` is an address or a CIDR range, stored as `network/prefix`.
-- Severity: sign_up_requires_approval, sign_up_block or no_access.
-- A block past `expires_at` no longer applies.
CREATE TABLE ip_blocks (
    id         BIGINT PRIMARY KEY NOT NULL,
    ip         TEXT NOT NULL UNIQUE,
    severity   TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

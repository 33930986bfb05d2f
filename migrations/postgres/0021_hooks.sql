-- External classifier hooks (policies asked over HTTP) and Mastodon-style
-- event webhooks with their durable delivery queue.
-- Keep in step with ../sqlite/0021_hooks.sql.

-- A classifier the moderation pipeline asks about every status going in
-- `direction` (inbound, outbound or both). `secret` signs the requests
-- (HMAC-SHA256), so it is kept as is, not hashed. `fail_mode` says what a
-- hook that cannot answer means: open (accept) or closed (hold).
CREATE TABLE policy_hooks (
    id         BIGINT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    direction  TEXT NOT NULL,
    timeout_ms BIGINT NOT NULL DEFAULT 2000,
    retries    BIGINT NOT NULL DEFAULT 1,
    fail_mode  TEXT NOT NULL DEFAULT 'open',
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Event webhooks as Mastodon has them: `events` is a JSON list of event
-- names (`status.created`, `account.created`, …); `secret` signs the
-- bodies (`X-Hub-Signature`).
CREATE TABLE webhooks (
    id         BIGINT PRIMARY KEY NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    events     TEXT NOT NULL DEFAULT '[]',
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One event for one webhook. Claimed by a worker with a lease
-- (`locked_until`); `next_attempt_at` is NULL once delivered or given up.
CREATE TABLE webhook_deliveries (
    id              BIGINT PRIMARY KEY NOT NULL,
    webhook_id      BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

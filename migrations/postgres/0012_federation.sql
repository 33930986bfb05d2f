-- Federation: remote objects' extra fields, the durable delivery queue,
-- peer health, de-duplication of received activities, and reports (Flag).
-- Keep in step with ../sqlite/0012_federation.sql.

-- The key id remote actors sign with (`…#main-key`), to find the signer.
ALTER TABLE accounts ADD COLUMN public_key_id TEXT;
CREATE INDEX accounts_public_key_id ON accounts (public_key_id);

-- A reply whose parent we could not (yet) fetch keeps the parent's id.
ALTER TABLE statuses ADD COLUMN in_reply_to_uri TEXT;
CREATE INDEX statuses_in_reply_to_uri ON statuses (in_reply_to_uri);

-- Remote attachments are linked, not copied.
ALTER TABLE media_attachments ADD COLUMN remote_url TEXT;

-- One outgoing activity, serialized once. A Create/Update of a status is
-- queued with the status id and an empty payload inside the posting
-- transaction; the delivery worker renders it and fans it out to inboxes.
CREATE TABLE outbound_activities (
    id         BIGINT PRIMARY KEY NOT NULL,
    actor_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    render_status_id BIGINT,
    render_kind      TEXT
);

-- One row per activity and target inbox (shared inboxes deduplicated).
CREATE TABLE deliveries (
    id              BIGINT PRIMARY KEY NOT NULL,
    activity_id     BIGINT NOT NULL REFERENCES outbound_activities (id) ON DELETE CASCADE,
    inbox_url       TEXT NOT NULL,
    host            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- Claimed by a worker until then; a crashed worker's claim expires.
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (activity_id, inbox_url)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at);
CREATE INDEX deliveries_activity ON deliveries (activity_id);

-- Health of the servers we talk to.
CREATE TABLE peer_hosts (
    host              TEXT PRIMARY KEY NOT NULL,
    failing_since     BIGINT,
    unreachable_since BIGINT,
    last_success_at   BIGINT
);

-- Activity ids already processed: a redelivery is acknowledged, not re-run.
CREATE TABLE received_activities (
    uri         TEXT PRIMARY KEY NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX received_activities_at ON received_activities (received_at);

-- Reports, local or received as Flag from other servers.
CREATE TABLE reports (
    id                BIGINT PRIMARY KEY NOT NULL,
    account_id        BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_uris       TEXT NOT NULL DEFAULT '[]',
    comment           TEXT NOT NULL DEFAULT '',
    uri               TEXT UNIQUE,
    created_at        BIGINT NOT NULL,
    resolved_at       BIGINT
);
CREATE INDEX reports_target ON reports (target_account_id);

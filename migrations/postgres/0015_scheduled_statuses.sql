-- Posts scheduled for later (POST /api/v1/statuses with scheduled_at).
-- Keep in step with ../sqlite/0015_scheduled_statuses.sql.

CREATE TABLE scheduled_statuses (
    id            BIGINT PRIMARY KEY NOT NULL,
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at  BIGINT NOT NULL,
    -- The post as asked for (JSON), published through the usual rules.
    params        TEXT NOT NULL,
    -- A node publishing it holds it until then (several nodes, crashes).
    claimed_until BIGINT,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX scheduled_statuses_due ON scheduled_statuses (scheduled_at);
CREATE INDEX scheduled_statuses_account ON scheduled_statuses (account_id, id);

-- Reading positions (markers) and the edit history of statuses.
-- Keep in step with ../sqlite/0003_markers_and_edits.sql.

CREATE TABLE markers (
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline     TEXT NOT NULL,
    last_read_id BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, timeline)
);

-- One row per version of an edited status, the original included.
CREATE TABLE status_edits (
    id           BIGINT PRIMARY KEY NOT NULL,
    status_id    BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    text         TEXT NOT NULL,
    content      TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    sensitive    BOOLEAN NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

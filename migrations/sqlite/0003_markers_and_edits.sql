-- Reading positions (markers) and the edit history of statuses.
-- Keep in step with ../postgres/0003_markers_and_edits.sql.

CREATE TABLE markers (
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline     TEXT NOT NULL,
    last_read_id INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, timeline)
);

-- One row per version of an edited status, the original included.
CREATE TABLE status_edits (
    id           INTEGER PRIMARY KEY NOT NULL,
    status_id    INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    text         TEXT NOT NULL,
    content      TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    sensitive    BOOLEAN NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

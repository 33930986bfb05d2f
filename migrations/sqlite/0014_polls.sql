-- Polls: local ones (votes counted from poll_votes) and other servers'
-- Questions (tallies as their server last reported them).
-- Keep in step with ../postgres/0014_polls.sql.

CREATE TABLE polls (
    id                 INTEGER PRIMARY KEY NOT NULL,
    status_id          INTEGER NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- JSON array of option titles.
    options            TEXT NOT NULL,
    multiple           BOOLEAN NOT NULL DEFAULT FALSE,
    hide_totals        BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at         INTEGER,
    -- Remote polls: JSON array of votes per option, and voters, as reported.
    remote_tallies     TEXT,
    remote_voters      INTEGER,
    -- When voters and the author were told the poll ended.
    ended_notified_at  INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX polls_expires_at ON polls (expires_at);

CREATE TABLE poll_votes (
    id          INTEGER PRIMARY KEY NOT NULL,
    poll_id     INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice      INTEGER NOT NULL,
    -- The vote's ActivityPub id (a Note with name = the option).
    uri         TEXT,
    created_at  INTEGER NOT NULL,
    UNIQUE (poll_id, account_id, choice)
);
CREATE INDEX poll_votes_account ON poll_votes (account_id);

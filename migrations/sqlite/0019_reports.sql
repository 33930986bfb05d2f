-- Reports as Mastodon's API has them: a category and the rules cited,
-- forwarding to the reported account's server, the moderator assigned and
-- the one who resolved it, the reported statuses by id, and moderators'
-- notes. Staff hear of a report by an `admin.report` notification.
-- Keep in step with ../postgres/0019_reports.sql. The dialects differ in one
-- statement: copying the statuses of earlier reports out of their JSON list
-- (`json_each` here, `json_array_elements_text` there).

-- spam, legal, violation or other.
ALTER TABLE reports ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
-- JSON list of the ids (as text) of the instance rules cited.
ALTER TABLE reports ADD COLUMN rule_ids TEXT NOT NULL DEFAULT '[]';
-- The reporter asked for a copy to go to the reported account's server;
-- when that copy (a `Flag`) was queued.
ALTER TABLE reports ADD COLUMN forward BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE reports ADD COLUMN forwarded_at INTEGER;
ALTER TABLE reports ADD COLUMN assigned_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
-- Who resolved it (resolved_at says when).
ALTER TABLE reports ADD COLUMN action_taken_by_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE reports SET updated_at = created_at;
CREATE INDEX reports_account ON reports (account_id);

-- The reported statuses. `status_uris` keeps their URIs too, so a report
-- still names a post its author has deleted since.
CREATE TABLE report_statuses (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, status_id)
);
CREATE INDEX report_statuses_status ON report_statuses (status_id);
INSERT INTO report_statuses (report_id, status_id)
SELECT DISTINCT reports.id, statuses.id
FROM reports, json_each(reports.status_uris) AS listed
JOIN statuses ON statuses.uri = listed.value;

-- Moderators' notes on a report.
CREATE TABLE report_notes (
    id         INTEGER PRIMARY KEY NOT NULL,
    report_id  INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    content    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, id);

-- The report an `admin.report` notification is about.
ALTER TABLE notifications ADD COLUMN report_id INTEGER REFERENCES reports (id) ON DELETE CASCADE;

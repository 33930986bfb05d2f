-- Reports as Mastodon's API has them: a category and the rules cited,
-- forwarding to the reported account's server, the moderator assigned and
-- the one who resolved it, the reported statuses by id, and moderators'
-- notes. Staff hear of a report by an `admin.report` notification.
-- Keep in step with ../sqlite/0019_reports.sql. The dialects differ in one
-- statement: copying the statuses of earlier reports out of their JSON list
-- (`json_array_elements_text` here, `json_each` there).

-- spam, legal, violation or other.
ALTER TABLE reports ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
-- JSON list of the ids (as text) of the instance rules cited.
ALTER TABLE reports ADD COLUMN rule_ids TEXT NOT NULL DEFAULT '[]';
-- The reporter asked for a copy to go to the reported account's server;
-- when that copy (a `Flag`) was queued.
ALTER TABLE reports ADD COLUMN forward BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE reports ADD COLUMN forwarded_at BIGINT;
ALTER TABLE reports ADD COLUMN assigned_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
-- Who resolved it (resolved_at says when).
ALTER TABLE reports ADD COLUMN action_taken_by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE reports SET updated_at = created_at;
CREATE INDEX reports_account ON reports (account_id);

-- The reported statuses. `status_uris` keeps their URIs too, so a report
-- still names a post its author has deleted since.
CREATE TABLE report_statuses (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, status_id)
);
CREATE INDEX report_statuses_status ON report_statuses (status_id);
INSERT INTO report_statuses (report_id, status_id)
SELECT DISTINCT reports.id, statuses.id
FROM reports
CROSS JOIN LATERAL json_array_elements_text(reports.status_uris::json) AS listed (uri)
JOIN statuses ON statuses.uri = listed.uri;

-- Moderators' notes on a report.
CREATE TABLE report_notes (
    id         BIGINT PRIMARY KEY NOT NULL,
    report_id  BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    content    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, id);

-- The report an `admin.report` notification is about.
ALTER TABLE notifications ADD COLUMN report_id BIGINT REFERENCES reports (id) ON DELETE CASCADE;

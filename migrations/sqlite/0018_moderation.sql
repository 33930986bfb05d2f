-- Moderation and brand safety: domain policy, the rule engine, the review
-- state of statuses, teams, the reviewer role and the audit log.
-- Keep in step with ../postgres/0018_moderation.sql.

-- A block names a domain and covers its subdomains; `*.example.com`
-- covers the subdomains only. Severity: noop, silence or suspend.
CREATE TABLE domain_blocks (
    id              INTEGER PRIMARY KEY NOT NULL,
    domain          TEXT NOT NULL UNIQUE,
    severity        TEXT NOT NULL,
    reject_media    BOOLEAN NOT NULL DEFAULT FALSE,
    reject_reports  BOOLEAN NOT NULL DEFAULT FALSE,
    private_comment TEXT NOT NULL DEFAULT '',
    public_comment  TEXT NOT NULL DEFAULT '',
    obfuscate       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- Partners federated with in allowlist mode (same wildcard rules).
CREATE TABLE domain_allows (
    id         INTEGER PRIMARY KEY NOT NULL,
    domain     TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- The strictest domain block over a remote account, kept in step with
-- domain_blocks so timelines need no suffix matching: 0 none, 1 silence,
-- 2 suspend.
ALTER TABLE accounts ADD COLUMN domain_limit INTEGER NOT NULL DEFAULT 0;

-- Rules of the policy engine. `patterns` is a JSON list (words, regexes,
-- hashtags, link domains, secret kinds, or one number for mention_count);
-- `domains` a JSON list of origin (inbound) or destination (outbound)
-- domains the rule is limited to, empty for all.
CREATE TABLE moderation_rules (
    id              INTEGER PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    direction       TEXT NOT NULL,
    match_kind      TEXT NOT NULL,
    patterns        TEXT NOT NULL DEFAULT '[]',
    domains         TEXT NOT NULL DEFAULT '[]',
    action          TEXT NOT NULL,
    action_text     TEXT NOT NULL DEFAULT '',
    company_preview BOOLEAN NOT NULL DEFAULT FALSE,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- Review of statuses (review_state: published, pending, rejected).
ALTER TABLE statuses ADD COLUMN review_reason TEXT;
-- While pending: may local (company) audiences already see it?
ALTER TABLE statuses ADD COLUMN review_company_preview BOOLEAN NOT NULL DEFAULT FALSE;
-- inbound or outbound, for the queue.
ALTER TABLE statuses ADD COLUMN review_direction TEXT;
ALTER TABLE statuses ADD COLUMN reviewed_by_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE statuses ADD COLUMN reviewed_at INTEGER;
ALTER TABLE statuses ADD COLUMN review_requested_at INTEGER;
-- When a Create first went out: an approved edit then sends an Update.
ALTER TABLE statuses ADD COLUMN federated_at INTEGER;
-- Posts that already went out: their next edit is an Update.
UPDATE statuses SET federated_at = created_at
 WHERE local AND NOT local_only AND review_state = 'published' AND reblog_of_id IS NULL;
CREATE INDEX statuses_review_queue ON statuses (review_state, review_requested_at);

-- Teams, for organisation mode per team.
ALTER TABLE users ADD COLUMN team TEXT;

-- Reviewers approve held posts (permission 1 << 32, a Loggia bit above
-- Mastodon's); moderators also manage federation (32) and blocks (128)
-- and review.
INSERT INTO roles (id, name, permissions, position, highlighted, color) VALUES
    (4, 'reviewer', 4295032832, 5, TRUE, '');
UPDATE roles SET permissions = 4295034300 WHERE id = 2;

-- Every moderation decision, automatic or human. Append-only.
CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY NOT NULL,
    created_at       INTEGER NOT NULL,
    -- The person who acted, if a person did.
    actor_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- Who acted, as text: a username, `rule:ID`, `hook:ID`, `system`.
    actor            TEXT NOT NULL,
    action           TEXT NOT NULL,
    target_kind      TEXT NOT NULL DEFAULT '',
    target_id        TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    details          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, id);

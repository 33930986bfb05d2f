-- Foundation schema: instance settings, roles, accounts, users, OAuth, web
-- sessions, sign-in throttling, statuses and follows.
-- Keep in step with ../postgres/0001_foundation.sql.

CREATE TABLE instance_settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    permissions INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    highlighted BOOLEAN NOT NULL DEFAULT FALSE,
    color       TEXT NOT NULL DEFAULT ''
);

-- Local and remote actors. Local accounts have domain NULL.
CREATE TABLE accounts (
    id                 INTEGER PRIMARY KEY NOT NULL,
    username           TEXT NOT NULL,
    domain             TEXT,
    actor_type         TEXT NOT NULL DEFAULT 'Person',
    display_name       TEXT NOT NULL DEFAULT '',
    note               TEXT NOT NULL DEFAULT '',
    note_source        TEXT NOT NULL DEFAULT '',
    fields             TEXT NOT NULL DEFAULT '[]',
    uri                TEXT NOT NULL UNIQUE,
    url                TEXT,
    inbox_url          TEXT,
    shared_inbox_url   TEXT,
    outbox_url         TEXT,
    followers_url      TEXT,
    following_url      TEXT,
    featured_url       TEXT,
    public_key_pem     TEXT,
    private_key_pem    TEXT,
    avatar_url         TEXT,
    header_url         TEXT,
    locked             BOOLEAN NOT NULL DEFAULT FALSE,
    bot                BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable       BOOLEAN NOT NULL DEFAULT TRUE,
    indexable          BOOLEAN NOT NULL DEFAULT FALSE,
    followers_count    INTEGER NOT NULL DEFAULT 0,
    following_count    INTEGER NOT NULL DEFAULT 0,
    statuses_count     INTEGER NOT NULL DEFAULT 0,
    last_status_at     INTEGER,
    moved_to_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    suspended_at       INTEGER,
    silenced_at        INTEGER,
    sensitized_at      INTEGER,
    fetched_at         INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_username_domain ON accounts (lower(username), COALESCE(domain, ''));
CREATE INDEX accounts_domain ON accounts (domain);

-- Local sign-in identities, one per local account.
CREATE TABLE users (
    id                 INTEGER PRIMARY KEY NOT NULL,
    account_id         INTEGER NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    email              TEXT NOT NULL UNIQUE,
    password_hash      TEXT NOT NULL,
    role_id            INTEGER NOT NULL REFERENCES roles (id),
    locale             TEXT,
    default_visibility TEXT NOT NULL DEFAULT 'public',
    -- NULL: follow the instance default (config company_only_by_default).
    default_local_only BOOLEAN,
    default_sensitive  BOOLEAN NOT NULL DEFAULT FALSE,
    default_language   TEXT,
    confirmed_at       INTEGER,
    approved           BOOLEAN NOT NULL DEFAULT TRUE,
    disabled           BOOLEAN NOT NULL DEFAULT FALSE,
    last_sign_in_at    INTEGER,
    password_changed_at INTEGER NOT NULL,
    created_at         INTEGER NOT NULL
);

CREATE TABLE oauth_apps (
    id                 INTEGER PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    website            TEXT,
    redirect_uris      TEXT NOT NULL,
    scopes             TEXT NOT NULL,
    client_id          TEXT NOT NULL UNIQUE,
    client_secret_hash TEXT NOT NULL,
    created_at         INTEGER NOT NULL
);

CREATE TABLE oauth_authorization_codes (
    id                    INTEGER PRIMARY KEY NOT NULL,
    code_hash             TEXT NOT NULL UNIQUE,
    app_id                INTEGER NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id               INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    expires_at            INTEGER NOT NULL,
    used_at               INTEGER,
    created_at            INTEGER NOT NULL
);

CREATE TABLE oauth_tokens (
    id                 INTEGER PRIMARY KEY NOT NULL,
    token_hash         TEXT NOT NULL UNIQUE,
    refresh_token_hash TEXT UNIQUE,
    app_id             INTEGER NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id            INTEGER REFERENCES users (id) ON DELETE CASCADE,
    authorization_code_id INTEGER REFERENCES oauth_authorization_codes (id) ON DELETE SET NULL,
    scopes             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    last_used_at       INTEGER,
    revoked_at         INTEGER
);
CREATE INDEX oauth_tokens_user ON oauth_tokens (user_id);

CREATE TABLE web_sessions (
    id           INTEGER PRIMARY KEY NOT NULL,
    session_hash TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Failed password checks, for throttling brute force (web form and OAuth
-- password grant alike). Keys are 'ip:<addr>' and 'login:<addr>:<name>'.
CREATE TABLE sign_in_failures (
    id         INTEGER PRIMARY KEY NOT NULL,
    throttle_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (throttle_key, created_at);

CREATE TABLE statuses (
    id                     INTEGER PRIMARY KEY NOT NULL,
    uri                    TEXT NOT NULL UNIQUE,
    url                    TEXT,
    account_id             INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    in_reply_to_id         INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    in_reply_to_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    reblog_of_id           INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    text                   TEXT NOT NULL DEFAULT '',
    content                TEXT NOT NULL DEFAULT '',
    spoiler_text           TEXT NOT NULL DEFAULT '',
    sensitive              BOOLEAN NOT NULL DEFAULT FALSE,
    visibility             TEXT NOT NULL,
    local_only             BOOLEAN NOT NULL DEFAULT FALSE,
    language               TEXT,
    local                  BOOLEAN NOT NULL,
    -- 'published', 'pending_review' or 'rejected' (outbound brand safety).
    review_state           TEXT NOT NULL DEFAULT 'published',
    created_at             INTEGER NOT NULL,
    edited_at              INTEGER,
    deleted_at             INTEGER
);
CREATE INDEX statuses_account ON statuses (account_id, id);
CREATE INDEX statuses_in_reply_to ON statuses (in_reply_to_id);
CREATE INDEX statuses_reblog_of ON statuses (reblog_of_id);

CREATE TABLE follows (
    id                INTEGER PRIMARY KEY NOT NULL,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri               TEXT,
    show_reblogs      BOOLEAN NOT NULL DEFAULT TRUE,
    notify            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX follows_target ON follows (target_account_id);

CREATE TABLE follow_requests (
    id                INTEGER PRIMARY KEY NOT NULL,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri               TEXT,
    show_reblogs      BOOLEAN NOT NULL DEFAULT TRUE,
    notify            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX follow_requests_target ON follow_requests (target_account_id);

-- Built-in roles. Permission bits follow Mastodon's role permissions
-- (model::role::Permissions): 1 = administrator (everything),
-- 4 = view audit log, 8 = view dashboard, 16 = manage reports,
-- 256 = manage taxonomies, 1024 = manage users, 65536 = invite users.
INSERT INTO roles (id, name, permissions, position, highlighted, color) VALUES
    (1, 'user', 65536, 0, FALSE, ''),
    (2, 'moderator', 66844, 10, TRUE, ''),
    (3, 'admin', 1, 100, TRUE, '');

-- Lists of followed accounts, with their own timelines.
-- Keep in step with ../sqlite/0006_lists.sql.

CREATE TABLE lists (
    id             BIGINT PRIMARY KEY NOT NULL,
    account_id     BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    -- 'followed', 'list' or 'none': which replies the list timeline shows.
    replies_policy TEXT NOT NULL DEFAULT 'list',
    -- Members' posts leave the home timeline.
    exclusive      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL
);
CREATE INDEX lists_account ON lists (account_id, id);

CREATE TABLE list_accounts (
    list_id    BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (list_id, account_id)
);
CREATE INDEX list_accounts_account ON list_accounts (account_id);

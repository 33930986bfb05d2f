-- Direct-message conversations: every status belongs to a conversation
-- (its thread); each participant of a direct thread has a row with the
-- other participants, the latest status and whether it is unread.
-- Keep in step with ../sqlite/0008_conversations.sql.

ALTER TABLE statuses ADD COLUMN conversation_id BIGINT;
UPDATE statuses SET conversation_id = id;
CREATE INDEX statuses_conversation ON statuses (conversation_id);

CREATE TABLE account_conversations (
    id              BIGINT PRIMARY KEY NOT NULL,
    account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL,
    -- Comma-separated ids of the other participants, sorted.
    participants    TEXT NOT NULL,
    -- Set again by the store when that status is deleted.
    last_status_id  BIGINT REFERENCES statuses (id) ON DELETE SET NULL,
    unread          BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (account_id, conversation_id)
);
CREATE INDEX account_conversations_recent ON account_conversations (account_id, last_status_id);

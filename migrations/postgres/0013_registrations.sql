-- Sign-up: invite links, e-mail confirmation and approval.
-- Keep in step with ../sqlite/0013_registrations.sql.

-- An invite link (/invite/CODE). max_uses and expires_at NULL: unlimited.
CREATE TABLE invites (
    id          BIGINT PRIMARY KEY NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    max_uses    BIGINT,
    uses        BIGINT NOT NULL DEFAULT 0,
    expires_at  BIGINT,
    revoked_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX invites_user_id ON invites (user_id);

ALTER TABLE users ADD COLUMN invite_id BIGINT REFERENCES invites (id) ON DELETE SET NULL;
-- What the applicant wrote for the approving admin.
ALTER TABLE users ADD COLUMN sign_up_reason TEXT;
ALTER TABLE users ADD COLUMN sign_up_ip TEXT;
-- SHA-256 of the token mailed for confirmation; NULL once confirmed.
ALTER TABLE users ADD COLUMN confirmation_token_hash TEXT;
ALTER TABLE users ADD COLUMN confirmation_sent_at BIGINT;
CREATE INDEX users_confirmation_token_hash ON users (confirmation_token_hash);
CREATE INDEX users_pending ON users (approved);

-- Followers who asked to be told of an account's new posts, found without
-- reading every follow of the account (every post asks; an account with
-- 15,000 followers took 20-50 ms per post without it).
-- Keep in step with ../sqlite/0025_follows_notify.sql.
CREATE INDEX follows_notify ON follows (target_account_id) WHERE notify;

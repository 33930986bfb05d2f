-- Set on an account the first time it posts with more local followers than
-- `home_fan_out_max_followers`. From then on its statuses are not written
-- into each follower's home feed: home timelines read them from `statuses`
-- when they are read (`Statuses::home`). It stays set, so that nothing the
-- account posted while it was set drops out of a feed.
ALTER TABLE accounts ADD COLUMN wide_audience BOOLEAN NOT NULL DEFAULT FALSE;
-- Keep in step with ../sqlite/0024_wide_audiences.sql.

-- How many entries each home feed held when housekeeping last looked at
-- it. A pass adds the entries written since to find the feeds past their
-- size, instead of walking ~880 entries of every feed that got one (7 s per
-- pass on PostgreSQL with 10,000 busy feeds; requests queued behind it).
-- An estimate: deletions and entries of older statuses (merged on follow)
-- are not counted; a feed is counted exactly before it is trimmed.
-- Keep in step with ../postgres/0026_home_feed_sizes.sql.
CREATE TABLE home_feed_sizes (
    account_id INTEGER PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    entries    INTEGER NOT NULL
);

-- Read-your-writes with a read replica (`database_replica_url`): after a
-- request in which a user acted, the primary's WAL insert position at that
-- moment, so that the user's next reads, on any node, go to the primary
-- until the replica has replayed that far. One row per account, updated in
-- place. Unused without a replica (and always on SQLite).
-- Keep in step with ../sqlite/0022_write_positions.sql.

-- `lsn` is `pg_current_wal_insert_lsn() - '0/0'`: a byte position.
CREATE TABLE write_positions (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    lsn        BIGINT NOT NULL
);

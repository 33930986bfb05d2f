-- Read-your-writes with a read replica (`database_replica_url`), which only
-- PostgreSQL has: this table stays empty on SQLite and exists so that both
-- dialects keep the same schema.
-- Keep in step with ../postgres/0022_write_positions.sql.

-- `lsn` is PostgreSQL's WAL insert position after the account last acted.
CREATE TABLE write_positions (
    account_id INTEGER PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    lsn        INTEGER NOT NULL
);

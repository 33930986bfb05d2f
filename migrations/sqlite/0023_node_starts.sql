-- Each node start takes the next number here; its low 6 bits go into the
-- ids the node makes (`model::id`), so that nodes sharing the database
-- never make the same id. The only database-made number in the schema.
-- Keep in step with ../postgres/0023_node_starts.sql.
CREATE TABLE node_starts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at INTEGER NOT NULL
);

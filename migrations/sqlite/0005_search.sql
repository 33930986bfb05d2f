-- Full-text search over statuses: an FTS5 index kept in step by triggers.
-- PostgreSQL uses a generated tsvector column instead (same migration
-- number, different mechanism; the store hides the difference).

CREATE VIRTUAL TABLE statuses_fts USING fts5(
    text, spoiler_text, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO statuses_fts (rowid, text, spoiler_text) SELECT id, text, spoiler_text FROM statuses;

CREATE TRIGGER statuses_fts_insert AFTER INSERT ON statuses BEGIN
    INSERT INTO statuses_fts (rowid, text, spoiler_text) VALUES (new.id, new.text, new.spoiler_text);
END;

CREATE TRIGGER statuses_fts_delete AFTER DELETE ON statuses BEGIN
    DELETE FROM statuses_fts WHERE rowid = old.id;
END;

CREATE TRIGGER statuses_fts_update AFTER UPDATE OF text, spoiler_text ON statuses BEGIN
    DELETE FROM statuses_fts WHERE rowid = old.id;
    INSERT INTO statuses_fts (rowid, text, spoiler_text) VALUES (new.id, new.text, new.spoiler_text);
END;

-- Full-text search over statuses: a tsvector column with a GIN index.
-- SQLite uses an FTS5 table with triggers instead (same migration number,
-- different mechanism; the store hides the difference). The store fills
-- the vector from text it has lower-cased and stripped of accents itself
-- (`text::fold_for_search`), the way SQLite's unicode61 tokenizer with
-- remove_diacritics does, so both backends match the same words without
-- needing the unaccent extension. 'simple': no stemming, any language.

ALTER TABLE statuses ADD COLUMN search_vector tsvector;
UPDATE statuses SET search_vector = to_tsvector('simple', lower(spoiler_text || ' ' || text));
CREATE INDEX statuses_search ON statuses USING GIN (search_vector);

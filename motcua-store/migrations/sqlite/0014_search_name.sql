-- The trigram index of migration 0011 was kept by triggers on search_text: every
-- submission and every acceptance (which adds the code) wrote index segments in the
-- command's transaction, and the committed transitions fell to 0.41–0.45 of the bare commit
-- rate (target 0.5). Now it indexes search_name (the applicant's name and ID number,
-- folded; it does not change after submission), outside the commands' transactions: rows
-- up to search_indexed.up_to are in the index, later ones are read directly until
-- Store::index_search catches up (docs/benchmarks.md). Codes are found by the code column.
DROP TRIGGER IF EXISTS dossiers_search_insert;
DROP TRIGGER IF EXISTS dossiers_search_update;
DROP TRIGGER IF EXISTS dossiers_search_delete;
DROP TABLE IF EXISTS dossiers_search;
ALTER TABLE dossiers ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
UPDATE dossiers SET search_name = CASE WHEN code IS NULL THEN search_text
    ELSE rtrim(substr(search_text, 1, length(search_text) - length(code))) END;
CREATE VIRTUAL TABLE dossiers_search USING fts5(
    search_name, content='dossiers', content_rowid='rowid', tokenize='trigram'
);
INSERT INTO dossiers_search(dossiers_search) VALUES ('rebuild');
CREATE TABLE search_indexed (id INTEGER PRIMARY KEY CHECK (id = 1), up_to INTEGER NOT NULL);
INSERT INTO search_indexed (id, up_to) SELECT 1, COALESCE(MAX(rowid), 0) FROM dossiers;

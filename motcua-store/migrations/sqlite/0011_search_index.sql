-- Staff search by name, ID number or code without diacritics (`search_text`, folded) as a
-- trigram index: FTS5 with the trigram tokenizer finds a substring without reading every
-- dossier of the agencies in scope. Kept in step with `dossiers` by triggers; the update
-- trigger does nothing when the text did not change (most projection writes).
CREATE VIRTUAL TABLE dossiers_search USING fts5(
    search_text, content='dossiers', content_rowid='rowid', tokenize='trigram'
);
INSERT INTO dossiers_search(dossiers_search) VALUES ('rebuild');
CREATE TRIGGER dossiers_search_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossiers_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER dossiers_search_delete AFTER DELETE ON dossiers BEGIN
    INSERT INTO dossiers_search(dossiers_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER dossiers_search_update AFTER UPDATE OF search_text ON dossiers
    WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO dossiers_search(dossiers_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO dossiers_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

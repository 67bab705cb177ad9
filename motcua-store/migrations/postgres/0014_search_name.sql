-- The applicant's name and ID number, folded, without the code (SQLite indexes it by
-- trigrams outside the commands' transactions; here the trigram index stays on search_text,
-- kept by PostgreSQL itself). Kept on both backends so that the projection is the same.
ALTER TABLE dossiers ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
UPDATE dossiers SET search_name = CASE WHEN code IS NULL THEN search_text
    ELSE rtrim(substr(search_text, 1, length(search_text) - length(code))) END;

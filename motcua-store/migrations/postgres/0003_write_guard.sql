-- A table that never holds a row. On SQLite a transition is sent as one batch ending in
-- COMMIT (see dossiers.rs); the batch inserts a row here when the projection update did not
-- match exactly one row, and the CHECK then fails the batch before it commits. PostgreSQL
-- does not use it; it exists on both backends so the schemas stay the same.
CREATE TABLE write_guard (
    ok INTEGER NOT NULL,
    CONSTRAINT stale_version CHECK (ok = 1)
);

-- Staff search by name, ID number or code without diacritics (`search_text`, folded) as a
-- trigram index, so that `LIKE '%...%'` does not read every dossier of the agencies in
-- scope. pg_trgm ships with PostgreSQL (contrib); creating it needs the right to create
-- extensions. An extension is database-wide: one already installed is used from its
-- schema, else it is created in `public`, under a lock so that servers migrating at once
-- do not race.
DO $$
DECLARE
    ext_schema text;
BEGIN
    PERFORM pg_advisory_xact_lock(7262011);
    SELECT n.nspname INTO ext_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NULL THEN
        CREATE EXTENSION pg_trgm SCHEMA public;
        ext_schema := 'public';
    END IF;
    EXECUTE format(
        'CREATE INDEX dossiers_search_trgm ON dossiers USING gin (search_text %I.gin_trgm_ops)',
        ext_schema);
END
$$;

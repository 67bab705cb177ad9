-- The event format each event was sealed in (its hash covers the number): 1 for every event
-- written before this migration, the engine's EVENT_FORMAT for new ones. Adding a column
-- with a constant default rewrites no row on either database.
ALTER TABLE events ADD COLUMN format INTEGER NOT NULL DEFAULT 1;

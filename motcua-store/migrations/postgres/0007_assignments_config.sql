-- Which agencies receive and handle which procedures (DOMAIN.md §3): a procedure is offered,
-- and can be submitted, only at the agencies it is assigned to. Procedures stored before
-- this table are assigned by the migration to every agency of a level they name (what the
-- catalogue showed before).
CREATE TABLE procedure_agencies (
    procedure_code TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (procedure_code, agency_id)
);
CREATE INDEX procedure_agencies_agency ON procedure_agencies (agency_id);
-- The configuration's version: raised in the transaction of every change to agencies,
-- procedures, assignments and calendars, so that every server reloads what it caches.
CREATE TABLE config_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

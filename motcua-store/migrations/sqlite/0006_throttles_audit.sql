-- Login throttles, shared by every server on the database: one row per key (an account at a
-- client address, an address, a registration address), counting recent events and the
-- instant until which the key is held back.
CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL
);
-- What administrators review: staff logins (failed and successful), role grants and
-- revocations, password resets, accounts moved between agencies. Never updated or deleted.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    account TEXT NOT NULL,
    agency TEXT,
    address TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_agency ON audit_log (agency, at);
-- Every staff account belongs to one agency; only there (and by a system administrator)
-- can it be given roles. Existing staff belong to the first agency they hold a role at.
ALTER TABLE users ADD COLUMN home_agency TEXT REFERENCES agencies(id);
UPDATE users SET home_agency = (SELECT MIN(agency_id) FROM user_roles r WHERE r.user_id = users.id)
    WHERE kind = 'staff';

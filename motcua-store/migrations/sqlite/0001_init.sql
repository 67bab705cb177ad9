-- motcua schema, version 1 (SQLite). Times are microseconds since the Unix epoch, UTC.
-- events and outbox use INTEGER PRIMARY KEY without AUTOINCREMENT: rows are never deleted,
-- so ids only grow, and SQLite skips a write to sqlite_sequence on every insert.
CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id TEXT REFERENCES agencies(id),
    host_names TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, agency_id, role)
);

CREATE TABLE procedures (
    code TEXT NOT NULL,
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE calendars (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    spec TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    field TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    national_status INTEGER NOT NULL,
    code TEXT UNIQUE,
    owner TEXT,
    channel TEXT,
    applicant_name TEXT NOT NULL,
    search_text TEXT NOT NULL,
    step TEXT,
    step_role TEXT,
    assignee TEXT,
    submitted_at INTEGER,
    accepted_at INTEGER,
    appointment INTEGER,
    original_appointment INTEGER,
    finished_at INTEGER,
    closed_at INTEGER,
    timeliness TEXT,
    supplement_rounds INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX dossiers_queue ON dossiers (agency_id, step_role, appointment);
CREATE INDEX dossiers_owner ON dossiers (owner);
-- Covers the statistics query, so that it reads the index rather than the wide rows.
CREATE INDEX dossiers_stats ON dossiers (agency_id, accepted_at, closed_at, field, channel, state,
    timeliness, original_appointment, supplement_rounds);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    dossier_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    national_status INTEGER NOT NULL,
    UNIQUE (dossier_id, seq)
);

CREATE TABLE code_counters (
    agency_id TEXT NOT NULL,
    day TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (agency_id, day)
);

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dossier_id TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);

CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    dossier_id TEXT,
    author TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    answer TEXT,
    answered_at INTEGER,
    published INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ratings (
    dossier_id TEXT PRIMARY KEY,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

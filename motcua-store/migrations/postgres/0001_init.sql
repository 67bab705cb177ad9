-- motcua schema, version 1 (PostgreSQL). Times are microseconds since the Unix epoch, UTC.
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
    must_change_password BIGINT NOT NULL,
    created_at BIGINT NOT NULL
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
    loaded_at BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE calendars (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    spec TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    field TEXT NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    national_status BIGINT NOT NULL,
    code TEXT UNIQUE,
    owner TEXT,
    channel TEXT,
    applicant_name TEXT NOT NULL,
    search_text TEXT NOT NULL,
    step TEXT,
    step_role TEXT,
    assignee TEXT,
    submitted_at BIGINT,
    accepted_at BIGINT,
    appointment BIGINT,
    original_appointment BIGINT,
    finished_at BIGINT,
    closed_at BIGINT,
    timeliness TEXT,
    supplement_rounds BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX dossiers_queue ON dossiers (agency_id, step_role, appointment);
CREATE INDEX dossiers_owner ON dossiers (owner);
-- Covers the statistics query, so that it reads the index rather than the wide rows.
CREATE INDEX dossiers_stats ON dossiers (agency_id, accepted_at, closed_at, field, channel, state,
    timeliness, original_appointment, supplement_rounds);

CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    national_status BIGINT NOT NULL,
    UNIQUE (dossier_id, seq)
);

CREATE TABLE code_counters (
    agency_id TEXT NOT NULL,
    day TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (agency_id, day)
);

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);

CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    dossier_id TEXT,
    author TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    answer TEXT,
    answered_at BIGINT,
    published BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE ratings (
    dossier_id TEXT PRIMARY KEY,
    score BIGINT NOT NULL,
    comment TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

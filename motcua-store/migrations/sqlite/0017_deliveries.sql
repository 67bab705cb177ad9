-- Delivery of the outbox (docs/notifications.md). A notification row is dispatched once:
-- fanned out into one delivery per channel and recipient (email, SMS) and one portal inbox
-- entry per account, in one transaction that also sets dispatched_at. Deliveries are
-- claimed with a lease by the workers of every server, sent outside any transaction, then
-- marked sent, rescheduled with back-off, or dead (administrators may retry them).
ALTER TABLE outbox ADD COLUMN dispatched_at INTEGER;
CREATE INDEX outbox_undispatched ON outbox (id) WHERE dispatched_at IS NULL;
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL,
    subject_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    lease_until INTEGER,
    leased_by TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE state = 'pending';
CREATE INDEX deliveries_state ON deliveries (state, id);
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    outbox_id INTEGER NOT NULL,
    subject_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    UNIQUE (outbox_id, account)
);
CREATE INDEX inbox_account ON inbox (account, id);

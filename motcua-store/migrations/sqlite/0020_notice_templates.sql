-- The administrators' templates of the notices, by event kind, every version kept; the
-- newest applies to notices dispatched after it (docs/notifications.md).
CREATE TABLE notice_templates (
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, version)
);

-- The administrators' templates of the notices, by event kind, every version kept; the
-- newest applies to notices dispatched after it (docs/notifications.md).
CREATE TABLE notice_templates (
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, version)
);

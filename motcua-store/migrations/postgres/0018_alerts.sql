-- Scheduled jobs that one server at a time runs (the alerts): a lease per job, taken by
-- whoever finds it free or ended. Alerts raised, by key, so that each is raised once.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_at BIGINT NOT NULL
);
CREATE TABLE alerts (
    key TEXT PRIMARY KEY,
    raised_at BIGINT NOT NULL
);

-- The channels an account chose for its notifications (the portal inbox always). No row:
-- both email and SMS.
CREATE TABLE notification_prefs (
    account TEXT PRIMARY KEY,
    email INTEGER NOT NULL,
    sms INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The channels an account chose for its notifications (the portal inbox always). No row:
-- both email and SMS.
CREATE TABLE notification_prefs (
    account TEXT PRIMARY KEY,
    email BIGINT NOT NULL,
    sms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The history of each dossier's legal clock, one row per event that sets, pauses or resumes
-- it, so that statistics can judge a dossier at a past instant (the end of a reporting
-- period) rather than by its state today, and count supplement requests in the period in
-- which they were made. Written in the command's transaction; derived from the events alone
-- (rows for dossiers stored before this migration are rebuilt from their logs by
-- Store::migrate).
--   kind: accepted | supplement-requested | supplement-received | payment-requested |
--         payment-recorded
--   overdue_after: while this row is in force the dossier is overdue at any instant after
--         this one; NULL while it cannot be overdue (paused before its legal appointment).
CREATE TABLE legal_clock (
    dossier_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    agency_id TEXT NOT NULL,
    field TEXT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    overdue_after BIGINT,
    PRIMARY KEY (dossier_id, seq)
);
-- Supplement requests by agency and period.
CREATE INDEX legal_clock_by_agency ON legal_clock (agency_id, kind, at, field, dossier_id);

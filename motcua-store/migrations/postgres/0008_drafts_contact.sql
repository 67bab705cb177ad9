-- Drafts of online submissions, saved at every page of the portal's submission sequence so
-- that a dropped connection loses nothing. A draft's id is the id its dossier will have:
-- submitting it twice finds the dossier already there and creates nothing more. `data` is
-- the application layer's JSON (applicant, form, files by hash, delivery choice); its
-- files' bytes are in `attachments`.
CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT
);
CREATE INDEX drafts_owner ON drafts (owner, updated_at);
-- Feedback from someone without an account: how to reach them (Điều 18.2).
ALTER TABLE feedback ADD COLUMN contact TEXT;

-- What a staff queue sorts by: the intake deadline while a dossier waits for acceptance (it
-- is then in the reception officers' queue), the current appointment while it is processed.
-- Rows written before this migration get their appointment; a dossier still waiting for
-- acceptance joins the queue at its next change.
ALTER TABLE dossiers ADD COLUMN queue_due BIGINT;
UPDATE dossiers SET queue_due = appointment WHERE step_role IS NOT NULL;
CREATE INDEX dossiers_queue_due ON dossiers (agency_id, step_role, queue_due);

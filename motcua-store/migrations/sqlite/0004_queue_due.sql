-- What a staff queue sorts by: the intake deadline while a dossier waits for acceptance (it
-- is then in the reception officers' queue), the current appointment while it is processed,
-- and the largest BIGINT for a queued dossier without either (so that it sorts last and the
-- index gives the order on both backends). NULL for dossiers in no queue.
-- Rows written before this migration get their appointment; a dossier still waiting for
-- acceptance joins the queue at its next change.
ALTER TABLE dossiers ADD COLUMN queue_due BIGINT;
UPDATE dossiers SET queue_due = COALESCE(appointment, 9223372036854775807)
    WHERE step_role IS NOT NULL;
CREATE INDEX dossiers_queue_due ON dossiers (agency_id, step_role, queue_due);
-- The queue no longer sorts by appointment; one index less to keep up on every write.
DROP INDEX dossiers_queue;

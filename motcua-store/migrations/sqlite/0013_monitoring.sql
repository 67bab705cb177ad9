-- The monitoring page's lists, without reading every open dossier of a province:
-- overdue dossiers by appointment (the longest overdue first), and the open dossiers that
-- consulted other agencies. The conditions are those of Store::overdue and
-- Store::consulting, word for word, so that the planner can use these partial indexes.
CREATE INDEX dossiers_overdue ON dossiers (appointment, agency_id)
    WHERE state IN ('in-progress', 'finished');
CREATE INDEX dossiers_consulting ON dossiers (agency_id)
    WHERE state IN ('in-progress', 'awaiting-supplement', 'awaiting-payment')
      AND body LIKE '%"consultations":[{%';

-- The Circular 01/2018 scoring tool (docs/evaluation.md). A dossier whose result was
-- returned carries the six indicators read from it (motcua_core::evaluation::score), written
-- with its projection; rows returned before this migration have none and are scored from
-- their body when a report reads them. The index covers the agency report.
ALTER TABLE dossiers ADD COLUMN score_total_time INTEGER;
ALTER TABLE dossiers ADD COLUMN score_unit_time INTEGER;
ALTER TABLE dossiers ADD COLUMN score_came_back INTEGER;
ALTER TABLE dossiers ADD COLUMN score_bodies INTEGER;
ALTER TABLE dossiers ADD COLUMN score_desk INTEGER;
ALTER TABLE dossiers ADD COLUMN score_attitude INTEGER;
CREATE INDEX dossiers_scores ON dossiers (agency_id, closed_at, channel, score_total_time,
    score_unit_time, score_came_back, score_bodies, score_desk, score_attitude)
    WHERE state = 'returned';
-- What the service center enters for an agency and a period (publicity, complaints found
-- true, appraisals): motcua_core::evaluation::Inputs as JSON.
CREATE TABLE evaluation_inputs (
    agency_id TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    inputs TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at INTEGER NOT NULL,
    PRIMARY KEY (agency_id, period_from, period_to)
);
-- The thresholds and classification bands (motcua_core::evaluation::Rules as JSON); the
-- defaults apply while there is no row.
CREATE TABLE evaluation_rules (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rules TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

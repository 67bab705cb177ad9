-- Calendars change in two steps (docs/calendar.md, "Calendar changes and deadlines in
-- flight"): a new version is first pending (in_force_at NULL), previewed, then brought into
-- force for new deadlines and for the dossiers in flight at one instant. Versions stored before
-- this migration were in force from their creation.
ALTER TABLE calendars ADD COLUMN in_force_at BIGINT;
ALTER TABLE calendars ADD COLUMN applied_by TEXT;
UPDATE calendars SET in_force_at = created_at;

-- Each change brought into force: when it counts from, who applied it, the calendar versions
-- it brought in, and for each agency concerned the calendar version before and after
-- (JSON). done_at is set when every open dossier concerned has been reprojected.
CREATE TABLE calendar_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    effective_at BIGINT NOT NULL,
    applied_by TEXT NOT NULL,
    calendars TEXT NOT NULL,
    agencies TEXT NOT NULL,
    done_at BIGINT
);

-- The calendar version each dossier's deadlines were last computed with (from its events;
-- NULL before versions were recorded), so that the dossiers a change concerns are found by
-- an index.
ALTER TABLE dossiers ADD COLUMN calendar_version TEXT;
CREATE INDEX dossiers_open_calendar ON dossiers (agency_id, id)
    WHERE state NOT IN ('returned-for-completion', 'refused', 'withdrawn', 'stopped', 'returned');

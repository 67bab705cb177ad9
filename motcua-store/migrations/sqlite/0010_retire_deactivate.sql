-- A procedure version withdrawn from new submissions (dossiers received under it keep it),
-- and a staff account that may no longer log in (its history stays; it can be reactivated).
ALTER TABLE procedures ADD COLUMN retired_at BIGINT;
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;

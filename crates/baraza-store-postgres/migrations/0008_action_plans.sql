-- Open government action plans (OGP): each plan is one JSON record (its commitments,
-- milestones, evidence, proposals and reviews) beside the columns its queries need; every
-- change to it is an event in the journal, whose stream is the plan's id. Keep in step
-- with the other backend's migration.
CREATE TABLE action_plans (
    id              UUID PRIMARY KEY,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    slug            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    record          TEXT NOT NULL,
    UNIQUE (jurisdiction_id, slug)
);

-- A citizen's case about part of the register (`commitment:KENMS0005`).
ALTER TABLE cases ADD COLUMN subject TEXT;
CREATE INDEX cases_by_subject ON cases (jurisdiction_id, subject) WHERE subject IS NOT NULL;

-- The journal's stream is a case or a plan, so its stream column no longer references
-- cases.
ALTER TABLE journal DROP CONSTRAINT IF EXISTS journal_case_id_fkey;

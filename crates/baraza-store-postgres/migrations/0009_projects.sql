-- Public projects and their contracting processes: each project is one JSON record (its
-- OCDS releases, PMC, reports and documents) beside the columns its queries need; every
-- change to it is an event in the journal, whose stream is the project's id. Keep in step
-- with the other backend's migration.
CREATE TABLE projects (
    id              UUID PRIMARY KEY,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    code            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    record          TEXT NOT NULL,
    UNIQUE (jurisdiction_id, code)
);

-- What a jurisdiction publishes its open contracting data under (JSON, or null).
ALTER TABLE jurisdictions ADD COLUMN open_contracting JSONB NOT NULL DEFAULT 'null';

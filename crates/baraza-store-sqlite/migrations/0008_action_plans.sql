-- Open government action plans (OGP): each plan is one JSON record (its commitments,
-- milestones, evidence, proposals and reviews) beside the columns its queries need; every
-- change to it is an event in the journal, whose stream is the plan's id. Keep in step
-- with the other backend's migration.
CREATE TABLE action_plans (
    id              TEXT PRIMARY KEY,
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
-- cases. SQLite cannot drop a constraint: the table is rebuilt with the same rows, index
-- and append-only triggers (0001, 0005). The rows are copied as they are; `verify` still
-- proves every hash.
CREATE TABLE journal_rebuilt (
    seq            INTEGER PRIMARY KEY,
    case_id        TEXT NOT NULL,
    at             TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    actor_id       TEXT,
    channel        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    visibility     TEXT NOT NULL,
    payload        TEXT,
    payload_sha256 TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
INSERT INTO journal_rebuilt SELECT seq, case_id, at, actor_role, actor_id, channel, kind, visibility,
    payload, payload_sha256, prev_hash, hash FROM journal;
DROP TABLE journal;
ALTER TABLE journal_rebuilt RENAME TO journal;
CREATE INDEX journal_by_case ON journal (case_id, seq);

CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
WHEN NOT (
    NEW.payload IS NULL AND OLD.payload IS NOT NULL
    AND NEW.seq = OLD.seq AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at
    AND NEW.actor_role = OLD.actor_role AND NEW.actor_id IS OLD.actor_id
    AND NEW.channel = OLD.channel AND NEW.kind = OLD.kind AND NEW.visibility = OLD.visibility
    AND NEW.payload_sha256 = OLD.payload_sha256 AND NEW.prev_hash = OLD.prev_hash
    AND NEW.hash = OLD.hash
)
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only (only erasure may take a payload out)');
END;
CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

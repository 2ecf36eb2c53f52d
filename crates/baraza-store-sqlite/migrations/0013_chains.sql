-- One journal chain per jurisdiction, so that writes for different jurisdictions never
-- wait on each other. Keep in step with the PostgreSQL migration of the same number.
--
-- The chain this database kept until now (one for all jurisdictions) stays as it was:
-- the shared chain. Its end stays in `journal_head` and moves no more; every
-- jurisdiction's chain starts from it (its first event links to that hash, with the
-- next number). `journal_shared` lists the shared chain by place and hashes, with each
-- event's jurisdiction, so that the shared chain can be walked in its order, and an
-- import of one jurisdiction can keep the other jurisdictions' events as links only
-- (their jurisdiction then NULL).
CREATE TABLE journal_shared (
    seq             INTEGER PRIMARY KEY,
    jurisdiction_id TEXT,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);

-- Each event now says its jurisdiction (its stream's), and is numbered within its chain.
-- SQLite cannot change a primary key: the table is rebuilt with the same rows, indexes
-- and append-only triggers (0008). The rows are copied as they are; `verify` still
-- proves every hash.
CREATE TABLE journal_rebuilt (
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    seq             INTEGER NOT NULL,
    case_id         TEXT NOT NULL,
    at              TEXT NOT NULL,
    actor_role      TEXT NOT NULL,
    actor_id        TEXT,
    channel         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    visibility      TEXT NOT NULL,
    payload         TEXT,
    payload_sha256  TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, seq)
);
INSERT INTO journal_rebuilt
SELECT COALESCE(
        (SELECT c.jurisdiction_id FROM cases c WHERE c.id = j.case_id),
        (SELECT p.jurisdiction_id FROM action_plans p WHERE p.id = j.case_id),
        (SELECT p.jurisdiction_id FROM projects p WHERE p.id = j.case_id)),
    seq, case_id, at, actor_role, actor_id, channel, kind, visibility,
    payload, payload_sha256, prev_hash, hash
FROM journal j ORDER BY seq;
INSERT INTO journal_shared (seq, jurisdiction_id, prev_hash, hash)
SELECT seq, jurisdiction_id, prev_hash, hash FROM journal_rebuilt ORDER BY seq;
DROP TABLE journal;
ALTER TABLE journal_rebuilt RENAME TO journal;
CREATE INDEX journal_by_case ON journal (case_id, seq);
-- Open311's updates read a jurisdiction's public journal by time.
CREATE INDEX journal_by_time ON journal (jurisdiction_id, at);

CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
WHEN NOT (
    NEW.payload IS NULL AND OLD.payload IS NOT NULL
    AND NEW.jurisdiction_id = OLD.jurisdiction_id
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
CREATE TRIGGER journal_shared_is_append_only BEFORE UPDATE ON journal_shared
BEGIN
    SELECT RAISE(ABORT, 'the shared chain is closed');
END;
CREATE TRIGGER journal_shared_is_kept BEFORE DELETE ON journal_shared
BEGIN
    SELECT RAISE(ABORT, 'the shared chain is closed');
END;

-- Each jurisdiction's chain head: its row is what a writer locks, and only its own.
-- A new jurisdiction's chain starts from the shared chain's end.
CREATE TABLE journal_heads (
    jurisdiction_id TEXT PRIMARY KEY REFERENCES jurisdictions (id),
    seq             INTEGER NOT NULL,
    hash            TEXT NOT NULL
);
INSERT INTO journal_heads (jurisdiction_id, seq, hash)
SELECT j.id, h.seq, h.hash FROM jurisdictions j, journal_head h WHERE h.id = 1;
CREATE TRIGGER jurisdiction_chain AFTER INSERT ON jurisdictions
BEGIN
    INSERT INTO journal_heads (jurisdiction_id, seq, hash)
    SELECT NEW.id, seq, hash FROM journal_head WHERE id = 1;
END;

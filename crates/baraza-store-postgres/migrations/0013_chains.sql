-- One journal chain per jurisdiction, so that writes for different jurisdictions never
-- wait on each other. Keep in step with the SQLite migration of the same number.
--
-- The chain this database kept until now (one for all jurisdictions) stays as it was:
-- the shared chain. Its end stays in `journal_head` and moves no more; every
-- jurisdiction's chain starts from it (its first event links to that hash, with the
-- next number). `journal_shared` lists the shared chain by place and hashes, with each
-- event's jurisdiction, so that the shared chain can be walked in its order, and an
-- import of one jurisdiction can keep the other jurisdictions' events as links only
-- (their jurisdiction then NULL).
CREATE TABLE journal_shared (
    seq             BIGINT PRIMARY KEY,
    jurisdiction_id TEXT,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);

-- Each event now says its jurisdiction (its stream's), and is numbered within its chain:
-- the jurisdiction leads the key, as the column a distributed PostgreSQL shards by.
-- The rows keep every hashed column as it was; `verify` still proves every hash.
ALTER TABLE journal DISABLE TRIGGER journal_is_append_only_update;
ALTER TABLE journal ADD COLUMN jurisdiction_id TEXT REFERENCES jurisdictions (id);
UPDATE journal j SET jurisdiction_id = COALESCE(
    (SELECT c.jurisdiction_id FROM cases c WHERE c.id = j.case_id),
    (SELECT p.jurisdiction_id FROM action_plans p WHERE p.id = j.case_id),
    (SELECT p.jurisdiction_id FROM projects p WHERE p.id = j.case_id));
ALTER TABLE journal ENABLE TRIGGER journal_is_append_only_update;
ALTER TABLE journal ALTER COLUMN jurisdiction_id SET NOT NULL;
ALTER TABLE journal DROP CONSTRAINT journal_pkey;
ALTER TABLE journal ADD PRIMARY KEY (jurisdiction_id, seq);
-- Open311's updates read a jurisdiction's public journal by time.
DROP INDEX journal_by_time;
CREATE INDEX journal_by_time ON journal (jurisdiction_id, at);

INSERT INTO journal_shared (seq, jurisdiction_id, prev_hash, hash)
SELECT seq, jurisdiction_id, prev_hash, hash FROM journal ORDER BY seq;

CREATE OR REPLACE FUNCTION journal_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.payload IS NULL AND OLD.payload IS NOT NULL
       AND NEW.jurisdiction_id = OLD.jurisdiction_id
       AND NEW.seq = OLD.seq AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at
       AND NEW.actor_role = OLD.actor_role AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.channel = OLD.channel AND NEW.kind = OLD.kind AND NEW.visibility = OLD.visibility
       AND NEW.payload_sha256 = OLD.payload_sha256 AND NEW.prev_hash = OLD.prev_hash
       AND NEW.hash = OLD.hash THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the journal is append-only (only erasure may take a payload out)';
END;
$$;

CREATE FUNCTION journal_shared_is_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the shared chain is closed';
END;
$$;
CREATE TRIGGER journal_shared_is_closed BEFORE UPDATE OR DELETE ON journal_shared
    FOR EACH ROW EXECUTE FUNCTION journal_shared_is_closed();
CREATE TRIGGER journal_shared_is_kept BEFORE TRUNCATE ON journal_shared
    FOR EACH STATEMENT EXECUTE FUNCTION journal_shared_is_closed();

-- Each jurisdiction's chain head: its row is what a writer locks (`FOR UPDATE`), and
-- only its own. A new jurisdiction's chain starts from the shared chain's end.
CREATE TABLE journal_heads (
    jurisdiction_id TEXT PRIMARY KEY REFERENCES jurisdictions (id),
    seq             BIGINT NOT NULL,
    hash            TEXT NOT NULL
);
INSERT INTO journal_heads (jurisdiction_id, seq, hash)
SELECT j.id, h.seq, h.hash FROM jurisdictions j, journal_head h WHERE h.id = 1;
CREATE FUNCTION jurisdiction_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO journal_heads (jurisdiction_id, seq, hash)
    SELECT NEW.id, seq, hash FROM journal_head WHERE id = 1;
    RETURN NEW;
END;
$$;
CREATE TRIGGER jurisdiction_chain AFTER INSERT ON jurisdictions
    FOR EACH ROW EXECUTE FUNCTION jurisdiction_chain();

-- Erasure of personal data (a data subject's request, or retention): the one exception
-- to the append-only journal. An update may only take a payload out (set it to NULL),
-- leaving every other column, the recorded SHA-256 included, as it was; `baraza verify`
-- accepts a missing payload only where a later `case.personal_data_erased` event names it.
DROP TRIGGER journal_is_append_only_update;
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

-- Retention finds the citizens whose cases all settled long ago.
CREATE INDEX cases_by_citizen_status ON cases (citizen_id, status, updated_at);

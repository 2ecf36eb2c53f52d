-- Every table that grows with a jurisdiction's use says whose it is, so that a
-- distributed PostgreSQL can keep each jurisdiction's rows together, and a
-- jurisdiction's export takes its messages, those about no case included. Keep in step
-- with the PostgreSQL migration of the same number.
--
-- Messages written before say it through their case, where they have one; the others
-- (a STOP, a message kept without acting on it, a follower's notice) stay NULL.
ALTER TABLE outbox ADD COLUMN jurisdiction_id TEXT REFERENCES jurisdictions (id);
UPDATE outbox SET jurisdiction_id = (SELECT c.jurisdiction_id FROM cases c WHERE c.id = outbox.case_id)
WHERE case_id IS NOT NULL;
ALTER TABLE inbound_messages ADD COLUMN jurisdiction_id TEXT REFERENCES jurisdictions (id);
UPDATE inbound_messages SET jurisdiction_id = (SELECT c.jurisdiction_id FROM cases c WHERE c.id = inbound_messages.case_id)
WHERE case_id IS NOT NULL;
CREATE INDEX outbox_by_jurisdiction ON outbox (jurisdiction_id, created_at);
CREATE INDEX inbound_by_jurisdiction ON inbound_messages (jurisdiction_id, received_at);

-- Messages to citizens, written in the same transaction as the case change that caused
-- them and sent later by the outbox worker. The idempotency key (one per cause) means a
-- cause replayed never sends twice.
CREATE TABLE outbox (
    id                  TEXT PRIMARY KEY,
    idempotency_key     TEXT NOT NULL UNIQUE,
    case_id             TEXT REFERENCES cases (id),
    channel             TEXT NOT NULL,
    to_address          TEXT NOT NULL,
    language            TEXT NOT NULL,
    template            TEXT NOT NULL,
    status              TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT NOT NULL,
    provider            TEXT,
    provider_message_id TEXT,
    cost                TEXT,
    last_error          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE UNIQUE INDEX outbox_by_provider_id ON outbox (provider, provider_message_id) WHERE provider_message_id IS NOT NULL;
CREATE INDEX outbox_by_case ON outbox (case_id);

-- Every message a citizen sent, stored once: providers retry, and the (provider, id)
-- key turns a retry into a no-op.
CREATE TABLE inbound_messages (
    id                  TEXT PRIMARY KEY,
    provider            TEXT NOT NULL,
    provider_message_id TEXT NOT NULL,
    channel             TEXT NOT NULL,
    from_address        TEXT NOT NULL,
    to_address          TEXT,
    body                TEXT NOT NULL,
    received_at         TEXT NOT NULL,
    case_id             TEXT REFERENCES cases (id),
    outcome             TEXT NOT NULL,
    -- A photo sent with the message, fetched later from the provider by a job.
    media_id            TEXT,
    media_type          TEXT,
    media_status        TEXT,
    UNIQUE (provider, provider_message_id)
);
CREATE INDEX inbound_media_pending ON inbound_messages (received_at) WHERE media_status = 'pending';

-- WhatsApp's 24-hour window: when did this sender last write?
CREATE INDEX inbound_by_sender ON inbound_messages (channel, from_address, received_at);

CREATE INDEX cases_by_citizen ON cases (citizen_id, updated_at);

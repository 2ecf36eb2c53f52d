-- Baraza's schema on PostgreSQL. Same tables and columns as the SQLite schema (a test
-- compares them), with native types: uuid, timestamptz, jsonb, boolean.
-- Several `baraza serve` processes may share this database: the writer locks the
-- journal_head row for each batch, and each case row it changes (SELECT ... FOR UPDATE).

CREATE TABLE jurisdictions (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    reference_prefix TEXT NOT NULL,
    levels           JSONB NOT NULL,
    country          TEXT NOT NULL,
    default_language TEXT NOT NULL,
    timezone         TEXT NOT NULL
);

CREATE TABLE areas (
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    depth           INTEGER NOT NULL,
    parent_code     TEXT,
    PRIMARY KEY (jurisdiction_id, code)
);

CREATE TABLE departments (
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, code)
);

CREATE TABLE categories (
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    department_code TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, code),
    FOREIGN KEY (jurisdiction_id, department_code) REFERENCES departments (jurisdiction_id, code)
);

CREATE TABLE users (
    id              UUID PRIMARY KEY,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    scope_type      TEXT NOT NULL,
    scope_code      TEXT,
    email           TEXT,
    phone           TEXT,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);

-- Only the SHA-256 of a token's secret is kept.
CREATE TABLE api_tokens (
    id            UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ
);

-- Personal data lives here, apart from cases, so it can be protected and erased.
CREATE TABLE citizens (
    id              UUID PRIMARY KEY,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    phone           TEXT,
    whatsapp_id     TEXT,
    email           TEXT,
    name            TEXT,
    language        TEXT NOT NULL,
    gender          TEXT,
    age_band        TEXT,
    consent_contact BOOLEAN NOT NULL,
    consent_publish BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX citizens_by_phone ON citizens (jurisdiction_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX citizens_by_whatsapp ON citizens (jurisdiction_id, whatsapp_id) WHERE whatsapp_id IS NOT NULL;
CREATE INDEX citizens_by_email ON citizens (jurisdiction_id, email) WHERE email IS NOT NULL;

-- Each case's current state: a projection of its journal, updated in the same transaction.
CREATE TABLE cases (
    id                 UUID PRIMARY KEY,
    number             BIGINT NOT NULL UNIQUE,
    jurisdiction_id    TEXT NOT NULL REFERENCES jurisdictions (id),
    kind               TEXT NOT NULL,
    channel            TEXT NOT NULL,
    status             TEXT NOT NULL,
    category_code      TEXT,
    ward_code          TEXT,
    ladder             JSONB NOT NULL,
    ladder_position    INTEGER NOT NULL,
    location_lat       DOUBLE PRECISION,
    location_lon       DOUBLE PRECISION,
    description        TEXT NOT NULL,
    attachments        JSONB NOT NULL,
    priority           TEXT,
    department_code    TEXT,
    officer_id         UUID,
    citizen_id         UUID REFERENCES citizens (id),
    first_response_due TIMESTAMPTZ,
    resolution_due     TIMESTAMPTZ,
    first_responded_at TIMESTAMPTZ,
    resolved_at        TIMESTAMPTZ,
    closed_at          TIMESTAMPTZ,
    duplicate_of       BIGINT,
    reason             TEXT,
    referred_to        TEXT,
    reopen_count       INTEGER NOT NULL,
    satisfaction       INTEGER,
    idempotency_key    TEXT,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    version            INTEGER NOT NULL
);
CREATE UNIQUE INDEX cases_by_idempotency_key ON cases (jurisdiction_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX cases_newest_first ON cases (created_at DESC, id DESC);
CREATE INDEX cases_by_status ON cases (jurisdiction_id, status, created_at);
CREATE INDEX cases_by_ward ON cases (ward_code, created_at);
CREATE INDEX cases_by_department ON cases (department_code, created_at);

-- The journal: append-only, hash-chained. The payload is TEXT, not JSONB, because its
-- exact bytes are hashed. Triggers refuse updates, deletes and truncation; `baraza
-- verify` catches whoever disables them and edits rows anyway.
CREATE TABLE journal (
    seq            BIGINT PRIMARY KEY,
    case_id        UUID NOT NULL REFERENCES cases (id),
    at             TIMESTAMPTZ NOT NULL,
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
CREATE INDEX journal_by_case ON journal (case_id, seq);

CREATE FUNCTION journal_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only';
END;
$$;
CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE OR DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_is_append_only();
CREATE TRIGGER journal_is_append_only_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_is_append_only();

-- The end of the chain; its row lock serialises writers across processes.
CREATE TABLE journal_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Baraza's schema on SQLite. Timestamps are TEXT in one fixed, sortable form:
-- 2026-11-26T08:05:00.123456Z. Lists (ladders, attachments, levels) are JSON text.
-- Keep in step with baraza-store-postgres/migrations: a test compares the two.

CREATE TABLE jurisdictions (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    reference_prefix TEXT NOT NULL,
    levels           TEXT NOT NULL,
    country          TEXT NOT NULL,
    default_language TEXT NOT NULL,
    timezone         TEXT NOT NULL
);

-- The administrative hierarchy: county > sub-county > ward, or whatever the levels say.
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
    id              TEXT PRIMARY KEY,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    scope_type      TEXT NOT NULL,
    scope_code      TEXT,
    email           TEXT,
    phone           TEXT,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);

-- Only the SHA-256 of a token's secret is kept.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

-- Personal data lives here, apart from cases, so it can be protected and erased.
CREATE TABLE citizens (
    id              TEXT PRIMARY KEY,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    phone           TEXT,
    whatsapp_id     TEXT,
    email           TEXT,
    name            TEXT,
    language        TEXT NOT NULL,
    gender          TEXT,
    age_band        TEXT,
    consent_contact INTEGER NOT NULL,
    consent_publish INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX citizens_by_phone ON citizens (jurisdiction_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX citizens_by_whatsapp ON citizens (jurisdiction_id, whatsapp_id) WHERE whatsapp_id IS NOT NULL;
CREATE INDEX citizens_by_email ON citizens (jurisdiction_id, email) WHERE email IS NOT NULL;

-- Each case's current state: a projection of its journal, updated in the same transaction.
CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    number             INTEGER NOT NULL UNIQUE,
    jurisdiction_id    TEXT NOT NULL REFERENCES jurisdictions (id),
    kind               TEXT NOT NULL,
    channel            TEXT NOT NULL,
    status             TEXT NOT NULL,
    category_code      TEXT,
    ward_code          TEXT,
    ladder             TEXT NOT NULL,
    ladder_position    INTEGER NOT NULL,
    location_lat       REAL,
    location_lon       REAL,
    description        TEXT NOT NULL,
    attachments        TEXT NOT NULL,
    priority           TEXT,
    department_code    TEXT,
    officer_id         TEXT,
    citizen_id         TEXT REFERENCES citizens (id),
    first_response_due TEXT,
    resolution_due     TEXT,
    first_responded_at TEXT,
    resolved_at        TEXT,
    closed_at          TEXT,
    duplicate_of       INTEGER,
    reason             TEXT,
    referred_to        TEXT,
    reopen_count       INTEGER NOT NULL,
    satisfaction       INTEGER,
    idempotency_key    TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL
);
CREATE UNIQUE INDEX cases_by_idempotency_key ON cases (jurisdiction_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX cases_newest_first ON cases (created_at DESC, id DESC);
CREATE INDEX cases_by_status ON cases (jurisdiction_id, status, created_at);
CREATE INDEX cases_by_ward ON cases (ward_code, created_at);
CREATE INDEX cases_by_department ON cases (department_code, created_at);

-- The journal: append-only, hash-chained. Triggers refuse updates and deletes; `baraza
-- verify` catches whoever drops the triggers and edits rows anyway.
CREATE TABLE journal (
    seq            INTEGER PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
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
CREATE INDEX journal_by_case ON journal (case_id, seq);

CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

-- The end of the chain, moved by the writer in the same transaction as the events.
CREATE TABLE journal_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

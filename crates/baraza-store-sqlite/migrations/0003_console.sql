-- The staff console: deadlines and escalation, the priority framework, sign-in.
-- Keep in step with baraza-store-postgres/migrations: a test compares the two.

-- The jurisdiction's priority framework (targets, business calendar, matrix), as JSON.
ALTER TABLE jurisdictions ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';

-- The holder's deadline, when the escalation job acts, and since when the county waits
-- for the citizen (the clock stops meanwhile).
ALTER TABLE cases ADD COLUMN deadline TEXT;
ALTER TABLE cases ADD COLUMN escalation_due TEXT;
ALTER TABLE cases ADD COLUMN waiting_since TEXT;
CREATE INDEX cases_escalation_due ON cases (escalation_due) WHERE escalation_due IS NOT NULL;
CREATE INDEX cases_by_deadline ON cases (jurisdiction_id, deadline) WHERE deadline IS NOT NULL;

-- Passwords as argon2id PHC strings; failed sign-ins lock an account for a while.
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;

-- Console sessions: only the SHA-256 of the cookie's secret is kept.
CREATE TABLE sessions (
    id_sha256  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

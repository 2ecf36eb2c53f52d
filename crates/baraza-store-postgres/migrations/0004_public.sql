-- The public side. Open311's service request updates read the public journal by time.
CREATE INDEX journal_by_time ON journal (at);
-- The registry: cases their citizens confirmed, newest first.
CREATE INDEX cases_confirmed_newest ON cases (jurisdiction_id, created_at DESC, id DESC) WHERE resolved_at IS NOT NULL;

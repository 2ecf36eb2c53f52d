-- The public side: the dashboard and open data read cases in the order they changed, so
-- that their figures are kept up to date incrementally.
CREATE INDEX cases_by_change ON cases (jurisdiction_id, updated_at, id);
-- Open311's service request updates read the public journal by time.
CREATE INDEX journal_by_time ON journal (at);

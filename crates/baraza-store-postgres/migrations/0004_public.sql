-- The public side: the dashboard and open data read cases in the order they changed, so
-- that their figures are kept up to date incrementally.
CREATE INDEX cases_by_change ON cases (jurisdiction_id, updated_at, id);

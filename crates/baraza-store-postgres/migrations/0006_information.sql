-- Information requests (Access to Information Act 2016; Right to Information Act 2019):
-- cases with their own lifecycle. The request's own state (its clock, decision, reviews,
-- prominence) is JSON beside the case columns, NULL for a concern. Keep in step with the
-- other backend's migration.
ALTER TABLE cases ADD COLUMN information TEXT;
CREATE INDEX cases_information ON cases (jurisdiction_id, created_at) WHERE information IS NOT NULL;

-- Every listing reads along an index in the order it returns (newest or oldest first,
-- ties broken by id), so that a page of 25 costs the same at a thousand cases and at a
-- million: the jurisdiction's whole list, and its lists by ward, department, status and
-- category. Each leads with the jurisdiction (the column a shard is chosen by) and ends
-- with the id: without it, ties on created_at cost a sort of every match.
CREATE INDEX cases_listed ON cases (jurisdiction_id, created_at, id);
DROP INDEX cases_by_ward;
CREATE INDEX cases_by_ward ON cases (jurisdiction_id, ward_code, created_at, id);
DROP INDEX cases_by_department;
CREATE INDEX cases_by_department ON cases (jurisdiction_id, department_code, created_at, id);
DROP INDEX cases_by_status;
CREATE INDEX cases_by_status ON cases (jurisdiction_id, status, created_at, id);
CREATE INDEX cases_by_category ON cases (jurisdiction_id, category_code, created_at, id);

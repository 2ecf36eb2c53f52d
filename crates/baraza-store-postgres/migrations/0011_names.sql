-- Departments' and categories' names in other languages (JSON: language code -> name),
-- from the jurisdiction file. Keep in step with the other backend's migration.
ALTER TABLE departments ADD COLUMN names JSONB NOT NULL DEFAULT '{}';
ALTER TABLE categories ADD COLUMN names JSONB NOT NULL DEFAULT '{}';

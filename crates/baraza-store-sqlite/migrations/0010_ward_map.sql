-- A jurisdiction's ward map: its wards' boundaries projected to SVG paths when the
-- jurisdiction is loaded (JSON, or null). Keep in step with the other backend's migration.
ALTER TABLE jurisdictions ADD COLUMN ward_map TEXT NOT NULL DEFAULT 'null';

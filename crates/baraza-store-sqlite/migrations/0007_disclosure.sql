-- The proactive disclosure log (Kenya ATI s.5): each publication of a class declared in
-- the jurisdiction file, with its document kept by SHA-256; and the citizens following a
-- class (their number or address, to be told of the next publication). Records are JSON
-- beside the columns the queries need. Keep in step with the other backend's migration.
CREATE TABLE disclosures (
    id              TEXT PRIMARY KEY,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    class_code      TEXT NOT NULL,
    published_on    TEXT NOT NULL,
    record          TEXT NOT NULL
);
CREATE INDEX disclosures_by_class ON disclosures (jurisdiction_id, class_code, published_on);

CREATE TABLE disclosure_followers (
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id),
    class_code      TEXT NOT NULL,
    address         TEXT NOT NULL,
    record          TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, class_code, address)
);
CREATE INDEX disclosure_followers_by_address ON disclosure_followers (address);

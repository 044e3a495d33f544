-- UdaConnect embedded store, schema version 2: privacy.

-- Erased persons (`erase_person`): their record and fixes are gone; the id stays here so that
-- fixes of theirs still on the event log (a replay, or fixes in flight) are never stored
-- again, and so that their id is never handed out to someone else.
CREATE TABLE erasure (
    person_id INTEGER PRIMARY KEY,
    erased_at INTEGER NOT NULL
);

-- Retention purges delete by fix time.
CREATE INDEX location_creation_time ON location (creation_time);

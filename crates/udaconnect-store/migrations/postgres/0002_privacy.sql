-- UdaConnect PostgreSQL/PostGIS store, schema version 2: privacy.

-- Erased persons (`erase_person`): their record and fixes are gone; the id stays here so that
-- fixes of theirs still on the event log (a replay, or fixes in flight) are never stored
-- again (`insert_locations.sql` skips them).
CREATE TABLE erasure (
    person_id bigint      NOT NULL,
    erased_at timestamptz NOT NULL,
    CONSTRAINT erasure_pkey PRIMARY KEY (person_id)
);

-- Retention purges delete by fix time.
CREATE INDEX location_creation_time ON location (creation_time);

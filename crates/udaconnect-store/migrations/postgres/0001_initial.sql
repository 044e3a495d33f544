-- UdaConnect PostgreSQL/PostGIS store, schema version 1. Applied by `postgres/migrate.rs`
-- (sqlx's migrator, embedded at compile time; recorded in `_sqlx_migrations`).
-- Times are timestamptz (microseconds, the domain's precision). Coordinates are
-- geography(Point, 4326): x = longitude, y = latitude, both stored exactly as given.

-- Needs a superuser (or the extension created beforehand by one); a no-op when present.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE person (
    id           bigint NOT NULL,
    first_name   text   NOT NULL,
    last_name    text   NOT NULL,
    company_name text   NOT NULL,
    CONSTRAINT person_pkey PRIMARY KEY (id)
);

-- Ids of created persons. Imports choose their own ids and move the sequence past them
-- (see `postgres/persons.rs`), so created ids always follow imported ones.
CREATE SEQUENCE person_id_seq AS bigint OWNED BY person.id;

CREATE TABLE location (
    id            bigint                 NOT NULL,
    event_id      uuid                   NOT NULL,
    person_id     bigint                 NOT NULL,
    coordinate    geography(Point, 4326) NOT NULL,
    creation_time timestamptz            NOT NULL,
    received_at   timestamptz            NOT NULL,
    CONSTRAINT location_pkey PRIMARY KEY (id),
    CONSTRAINT location_event_id_key UNIQUE (event_id),
    CONSTRAINT location_person_id_fkey FOREIGN KEY (person_id) REFERENCES person (id)
);

-- The spatial index of the connection query (ST_DWithin on geography).
CREATE INDEX location_coordinate_gist ON location USING gist (coordinate);
-- A person's fixes in a time window: the own side of the connection query.
CREATE INDEX location_person_time ON location (person_id, creation_time);

-- Hi/lo id reservation: the next id that `reserve_location_ids` may hand out.
CREATE TABLE id_block (
    name    text   NOT NULL,
    next_id bigint NOT NULL,
    CONSTRAINT id_block_pkey PRIMARY KEY (name)
);

INSERT INTO id_block (name, next_id) VALUES ('location', 1);

-- The domain's great-circle distance in metres (`udaconnect_domain::haversine_m`), operation
-- for operation: same radius (6 371 008.8 m), same order of IEEE operations, same libm
-- functions, so it returns the same bits. The connection query uses it as the exact test
-- behind the index-backed ST_DWithin, so PostGIS and SQLite give identical answers.
-- Not STRICT, so that the planner inlines it.
CREATE FUNCTION udc_haversine_m(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 2.0::float8 * 6371008.8::float8 * asin(least(1.0::float8, sqrt(
    sin(radians(lat2 - lat1) / 2.0::float8) * sin(radians(lat2 - lat1) / 2.0::float8)
    + cos(radians(lat1)) * cos(radians(lat2))
      * (sin(radians(lon2 - lon1) / 2.0::float8) * sin(radians(lon2 - lon1) / 2.0::float8))
)));

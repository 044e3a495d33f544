-- UdaConnect embedded store, schema version 1.
-- Times are INTEGER microseconds since the Unix epoch, UTC (the domain's precision).

CREATE TABLE person (
    id           INTEGER PRIMARY KEY,
    first_name   TEXT NOT NULL,
    last_name    TEXT NOT NULL,
    company_name TEXT NOT NULL
);

CREATE TABLE location (
    id            INTEGER PRIMARY KEY,
    event_id      BLOB    NOT NULL UNIQUE,
    person_id     INTEGER NOT NULL REFERENCES person (id),
    latitude      REAL    NOT NULL,
    longitude     REAL    NOT NULL,
    creation_time INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    -- Grid cell of (latitude, longitude): see `sqlite/cells.rs`. Derived, never shown.
    cell          INTEGER NOT NULL
);

CREATE INDEX location_person_time ON location (person_id, creation_time);
CREATE INDEX location_cell_time ON location (cell, creation_time);

-- Spatial index: an R*Tree over the occupied grid cells (one row per cell that holds at
-- least one location, keyed by cell id, box = the cell's bounds). Fixes are found through
-- location_cell_time. Indexing cells instead of points keeps inserts cheap: a new row
-- here only when a fix lands in a cell for the first time.
-- R*Tree coordinates are float32, rounded outwards on insert (lower bound down, upper up),
-- so a stored box always contains the cell.
CREATE VIRTUAL TABLE location_cell_rtree USING rtree (
    id,
    min_lon, max_lon,
    min_lat, max_lat
);

-- Hi/lo id reservation: the next id that `reserve_location_ids` may hand out.
CREATE TABLE id_block (
    name    TEXT    PRIMARY KEY,
    next_id INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO id_block (name, next_id) VALUES ('location', 1);

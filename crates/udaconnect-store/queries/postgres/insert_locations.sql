-- A batch of recorded fixes as one statement (one implicit transaction: all or nothing).
-- ON CONFLICT DO NOTHING without a target skips a fix whose id or event id is stored, or
-- repeated earlier in the batch; the rows affected are the fixes inserted. A fix of an
-- unknown person fails the whole statement (`location_person_check`, SQLSTATE 23503). A fix of an erased
-- person is skipped (a replay of the log after the erasure).
--   $1 ids   $2 event ids   $3 person ids   $4 latitudes   $5 longitudes
--   $6 creation times   $7 receive times (arrays of equal length)
-- The point is (longitude, latitude): x first.
INSERT INTO location (id, event_id, person_id, coordinate, creation_time, received_at)
SELECT f.id, f.event_id, f.person_id,
       ST_SetSRID(ST_MakePoint(f.longitude, f.latitude), 4326)::geography,
       f.creation_time, f.received_at
FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::float8[], $5::float8[],
            $6::timestamptz[], $7::timestamptz[])
    AS f (id, event_id, person_id, latitude, longitude, creation_time, received_at)
WHERE NOT EXISTS (SELECT 1 FROM erasure e WHERE e.person_id = f.person_id)
ON CONFLICT DO NOTHING

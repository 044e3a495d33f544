-- The POC connection query as one statement (see `ConnectionQuery`).
--   $1 person id   $2 window start (both windows)   $3 own window end (exclusive)
--   $4 others' window end (exclusive)   $5 distance (metres, inclusive)
--
-- Plan (docs/postgis.md has EXPLAIN ANALYZE on 1M fixes):
--   1. `own`: the person's fixes in the own window, via location_person_time, with their
--      latitude and longitude read once. MATERIALIZED plans it on its own: inlined, PostGIS's
--      high declared function costs make the whole join look so expensive that the planner
--      picks a parallel sequential scan of `location` for this side instead;
--   2. for each own fix, a GiST search of location_coordinate_gist: ST_DWithin on geography
--      with use_spheroid = false (the sphere) yields the index condition
--      `o.coordinate && _ST_Expand(own.coordinate, r)`. r is the distance widened by 1e-6
--      relative plus 1 m, far more than PostGIS's sphere (radius 6 371 008.77 m vs the
--      domain's 6 371 008.8 m) or rounding can move a distance, so no match is lost here;
--   3. the others' person and window filters on each candidate;
--   4. the exact test: udc_haversine_m (the domain's haversine, the same IEEE operations as
--      `udaconnect_domain::haversine_m`; see the migration) <= $5, so the answer equals the
--      embedded store's to the last bit, boundary points included.
-- One row per (own fix, other fix) pair, ordered by own fix id then other fix id.
WITH own AS MATERIALIZED (
    SELECT id,
           coordinate,
           ST_Y(coordinate::geometry) AS latitude,
           ST_X(coordinate::geometry) AS longitude
    FROM location
    WHERE person_id = $1
      AND creation_time >= $2
      AND creation_time < $3
)
SELECT o.id,
       o.person_id,
       ST_Y(o.coordinate::geometry) AS latitude,
       ST_X(o.coordinate::geometry) AS longitude,
       o.creation_time
FROM own
JOIN location AS o
  ON ST_DWithin(own.coordinate, o.coordinate, $5::float8 * 1.000001::float8 + 1.0::float8, false)
WHERE o.person_id <> $1
  AND o.creation_time >= $2
  AND o.creation_time < $4
  AND udc_haversine_m(own.latitude, own.longitude,
                      ST_Y(o.coordinate::geometry), ST_X(o.coordinate::geometry)) <= $5::float8
ORDER BY own.id, o.id

-- The POC connection query as one statement (see `ConnectionQuery`).
--   ?1 person id   ?2 window start (µs, both windows)   ?3 own window end (µs, exclusive)
--   ?4 others' window end (µs, exclusive)   ?5 distance (metres, inclusive)
--
-- Plan (forced by CROSS JOIN, which SQLite never reorders):
--   1. own fixes of ?1 in the own window, via the (person_id, creation_time) index;
--   2. each own fix × two search boxes (part 0: the box clipped to [-180, 180]; part 1:
--      the part wrapped across the antimeridian, or an empty box). udc_box() is the
--      conservative (lon, lat) box of the spherical cap of radius ?5 around the fix, widened
--      past float32 rounding; near a pole it covers every longitude. The two parts never
--      overlap, so each candidate is found at most once per own fix;
--   3. R*Tree range search for the occupied grid cells overlapping the box (overlap test,
--      so outward-rounded float32 boxes can never be missed). A cell lies in at most one
--      part, so no pair is produced twice;
--   4. the fixes of each cell in the others' window, via the (cell, creation_time) index;
--   5. the exact filter: another person, and the domain's haversine distance <= ?5.
SELECT o.id, o.person_id, o.latitude, o.longitude, o.creation_time
FROM location AS own
CROSS JOIN (SELECT 0 AS part UNION ALL SELECT 1) AS p
CROSS JOIN location_cell_rtree AS r
CROSS JOIN location AS o
WHERE own.person_id = ?1
  AND own.creation_time >= ?2
  AND own.creation_time < ?3
  AND r.min_lon <= udc_box(own.latitude, own.longitude, ?5, p.part, 1)
  AND r.max_lon >= udc_box(own.latitude, own.longitude, ?5, p.part, 0)
  AND r.min_lat <= udc_box(own.latitude, own.longitude, ?5, p.part, 3)
  AND r.max_lat >= udc_box(own.latitude, own.longitude, ?5, p.part, 2)
  AND o.cell = r.id
  AND o.creation_time >= ?2
  AND o.creation_time < ?4
  AND o.person_id <> ?1
  AND udc_haversine_m(own.latitude, own.longitude, o.latitude, o.longitude) <= ?5
ORDER BY own.id, o.id

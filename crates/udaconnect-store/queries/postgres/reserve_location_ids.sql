-- Hi/lo reservation of $1 location ids, one statement. The range starts at the largest of
-- the high-water mark, max(location.id) + 1 (imported ids are never handed out) and 1, and
-- the mark moves past it. The row lock serialises concurrent reservations; a waiting one
-- re-reads the moved mark. Returns the first id of the range.
--   $1 how many ids (bigint, >= 0)
UPDATE id_block
SET next_id = greatest(next_id, (SELECT coalesce(max(id), 0) + 1 FROM location), 1) + $1
WHERE name = 'location'
RETURNING next_id - $1

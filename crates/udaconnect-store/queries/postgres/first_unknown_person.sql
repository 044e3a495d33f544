-- After a foreign-key violation: the first person id of the batch (in batch order) that is
-- not stored. No row means the person appeared meanwhile (the caller reports a retryable
-- error).
--   $1 the batch's person ids, in batch order
SELECT f.person_id
FROM unnest($1::bigint[]) WITH ORDINALITY AS f (person_id, n)
WHERE NOT EXISTS (SELECT 1 FROM person AS p WHERE p.id = f.person_id)
ORDER BY f.n
LIMIT 1

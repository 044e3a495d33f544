-- Bulk import of persons with caller-chosen ids, one statement for the whole batch.
-- A stored or erased id (or one repeated in the batch) is skipped: re-importing changes nothing.
--   $1 ids   $2 first names   $3 last names   $4 company names (arrays of equal length)
INSERT INTO person (id, first_name, last_name, company_name)
SELECT p.id, p.first_name, p.last_name, p.company_name
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
    AS p (id, first_name, last_name, company_name)
WHERE NOT EXISTS (SELECT 1 FROM erasure e WHERE e.person_id = p.id)
ON CONFLICT (id) DO NOTHING

-- UdaConnect PostgreSQL/PostGIS store, schema version 4: `location.person_id` is checked
-- against `person` once per statement instead of once per row.
--
-- The foreign key `location_person_id_fkey` ran PostgreSQL's referential-integrity trigger for
-- every stored fix: one lookup of the person and one `KEY SHARE` lock on its row, per row.
-- The writer stores fixes in batches of 10,000 that name at most a few thousand attendees:
-- 10,000 lookups and locks where one per attendee does. Measured, the per-row check cost a
-- quarter of a COPY's rate (docs/benchmarks.md, "The person check, per statement").
--
-- The same rules, enforced by the database as before, with the same error (SQLSTATE 23503
-- foreign_key_violation, constraint name `location_person_id_fkey`):
--   * a fix names a stored person: after each statement that inserts or updates fixes, each
--     person it names is looked up and locked `FOR KEY SHARE`, as the foreign key did: an
--     erasure's `FOR UPDATE` / `DELETE` of one of them waits for this transaction, and this
--     one waits for an erasure under way and then finds the person gone;
--   * a person with fixes cannot be deleted, its id changed, or the table truncated while
--     fixes exist (NO ACTION, checked at the end of the statement: `erase_person` deletes the
--     fixes first).
-- What differs: tools that draw the schema from `pg_constraint` no longer show the edge, and
-- `TRUNCATE person CASCADE` is refused while fixes exist instead of truncating them too.

ALTER TABLE location DROP CONSTRAINT location_person_id_fkey;

-- AFTER INSERT / UPDATE ON location, FOR EACH STATEMENT, with the rows written as `written`.
CREATE FUNCTION location_person_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    -- One pass over the written rows, one locked lookup per distinct person. A person whose
    -- row an erasure deleted while this waited for its lock is not returned: missing.
    SELECT w.person_id INTO missing
    FROM (SELECT DISTINCT person_id FROM written) AS w
    WHERE NOT EXISTS (SELECT FROM person AS p WHERE p.id = w.person_id FOR KEY SHARE)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "location" violates foreign key constraint "location_person_id_fkey"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (person_id)=(%s) is not present in table "person".', missing),
                  SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
                  CONSTRAINT = 'location_person_id_fkey';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER location_person_check_insert
    AFTER INSERT ON location REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION location_person_check();
CREATE TRIGGER location_person_check_update
    AFTER UPDATE ON location REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION location_person_check();

-- AFTER DELETE / UPDATE ON person, FOR EACH STATEMENT, with the rows before as `removed`: an id
-- that is gone from `person` must not be named by a fix.
CREATE FUNCTION person_location_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    referenced bigint;
BEGIN
    SELECT r.id INTO referenced
    FROM removed AS r
    WHERE NOT EXISTS (SELECT FROM person AS p WHERE p.id = r.id)
      AND EXISTS (SELECT FROM location AS l WHERE l.person_id = r.id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'update or delete on table "person" violates foreign key constraint "location_person_id_fkey" on table "location"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "location".', referenced),
                  SCHEMA = TG_TABLE_SCHEMA, TABLE = 'location',
                  CONSTRAINT = 'location_person_id_fkey';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER person_location_check_delete
    AFTER DELETE ON person REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION person_location_check();
CREATE TRIGGER person_location_check_update
    AFTER UPDATE ON person REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION person_location_check();

-- TRUNCATE person leaves no row to check: refused while any fix exists, as the foreign key
-- refused it.
CREATE FUNCTION person_truncate_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM location) THEN
        RAISE EXCEPTION 'cannot truncate table "person": table "location" refers to it'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Truncate table "location" first.';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER person_truncate_check
    BEFORE TRUNCATE ON person
    FOR EACH STATEMENT EXECUTE FUNCTION person_truncate_check();

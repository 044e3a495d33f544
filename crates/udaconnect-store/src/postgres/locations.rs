//! [`LocationStore`](crate::LocationStore) writes, point reads and id reservation.

use std::ops::Range;

use sqlx::PgPool;
use udaconnect_domain::{Location, LocationId, LocationRecorded, PersonId, Timestamp};
use uuid::Uuid;

use super::{
    errors::{ResultExt, is_foreign_key_violation, store_error},
    rows,
};
use crate::{InsertReport, StoreError};

const INSERT: &str = include_str!("../../queries/postgres/insert_locations.sql");
const FIRST_UNKNOWN_PERSON: &str = include_str!("../../queries/postgres/first_unknown_person.sql");
const RESERVE: &str = include_str!("../../queries/postgres/reserve_location_ids.sql");
const GET: &str = "SELECT id, person_id, ST_Y(coordinate::geometry), ST_X(coordinate::geometry), \
     creation_time FROM location WHERE id = $1";
const SCAN: &str = "SELECT id, person_id, ST_Y(coordinate::geometry), ST_X(coordinate::geometry), \
     creation_time FROM location WHERE id > $1 ORDER BY id LIMIT $2";
const COUNT: &str = "SELECT count(*) FROM location";

/// The batch, column by column: the statement binds one array per column.
#[derive(Default)]
struct Columns {
    id: Vec<i64>,
    event_id: Vec<Uuid>,
    person_id: Vec<i64>,
    latitude: Vec<f64>,
    longitude: Vec<f64>,
    creation_time: Vec<Timestamp>,
    received_at: Vec<Timestamp>,
}

impl Columns {
    fn of(fixes: &[LocationRecorded]) -> Self {
        let mut c = Self::default();
        for f in fixes {
            let l = &f.location;
            c.id.push(l.id.get());
            c.event_id.push(*f.event_id.as_uuid());
            c.person_id.push(l.person_id.get());
            c.latitude.push(l.coordinates.lat());
            c.longitude.push(l.coordinates.lon());
            c.creation_time.push(l.creation_time);
            c.received_at.push(f.received_at);
        }
        c
    }
}

/// Stores the batch in one transaction, durable when it returns.
///
/// The fast path streams the batch with `COPY` (what a bulk loader does), after leaving out
/// the fixes of erased persons. `COPY` cannot skip a fix that is already stored, so when the
/// batch holds one (a redelivery after a crash or rebalance), or names a person that is
/// unknown or was erased meanwhile, the whole transaction is rolled back and the batch goes
/// through one careful statement instead (see `queries/postgres/insert_locations.sql`),
/// which skips what is stored and names the first unknown person.
pub(crate) async fn insert(
    pool: &PgPool,
    fixes: &[LocationRecorded],
) -> Result<InsertReport, StoreError> {
    if fixes.is_empty() {
        return Ok(InsertReport::default());
    }
    match copy(pool, fixes).await {
        Ok(Some(report)) => return Ok(report),
        // Refused by a constraint: the careful statement sorts it out.
        Ok(None) | Err(sqlx::Error::Database(_)) => {}
        Err(e) => return Err(store_error(e, None)),
    }
    insert_skipping_stored(pool, fixes).await
}

const ERASED_AMONG: &str = "SELECT person_id FROM erasure WHERE person_id = ANY($1)";
const COPY_IN: &str = "COPY location (id, event_id, person_id, coordinate, creation_time, \
     received_at) FROM STDIN";

/// The `COPY` fast path of [`insert`]. `Ok(None)`: a constraint refused the batch (nothing
/// was stored).
async fn copy(
    pool: &PgPool,
    fixes: &[LocationRecorded],
) -> Result<Option<InsertReport>, sqlx::Error> {
    let mut persons: Vec<i64> = fixes.iter().map(|f| f.location.person_id.get()).collect();
    persons.sort_unstable();
    persons.dedup();
    let mut tx = pool.begin().await?;
    let erased: Vec<i64> = sqlx::query_scalar(ERASED_AMONG)
        .bind(&persons)
        .fetch_all(&mut *tx)
        .await?;
    let mut rows = String::with_capacity(fixes.len() * 160);
    let mut copied = 0u64;
    for f in fixes {
        if !erased.contains(&f.location.person_id.get()) {
            copy_row(&mut rows, f);
            copied += 1;
        }
    }
    let total = fixes.len() as u64;
    if copied == 0 {
        return Ok(Some(InsertReport {
            inserted: 0,
            skipped: total,
        }));
    }
    let mut copy_in = tx.copy_in_raw(COPY_IN).await?;
    if let Err(e) = copy_in.send(rows.into_bytes()).await {
        return refused(e);
    }
    let inserted = match copy_in.finish().await {
        Ok(n) => n,
        Err(e) => return refused(e),
    };
    tx.commit().await?;
    Ok(Some(InsertReport {
        inserted,
        skipped: total - inserted,
    }))
}

/// A constraint violation makes the fast path give way; anything else is an error.
fn refused(e: sqlx::Error) -> Result<Option<InsertReport>, sqlx::Error> {
    match &e {
        sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("23")) => Ok(None),
        _ => Err(e),
    }
}

/// One fix as a line of `COPY`'s text format. The point is hex EWKB (SRID 4326, longitude
/// first), so the coordinates arrive bit for bit; times at microsecond precision, as the
/// careful statement's binary parameters carry them.
fn copy_row(out: &mut String, f: &LocationRecorded) {
    use std::fmt::Write;
    let l = &f.location;
    let _ = write!(
        out,
        "{}\t{}\t{}\t0101000020E6100000",
        l.id.get(),
        f.event_id.as_uuid(),
        l.person_id.get()
    );
    for byte in l
        .coordinates
        .lon()
        .to_le_bytes()
        .into_iter()
        .chain(l.coordinates.lat().to_le_bytes())
    {
        let _ = write!(out, "{byte:02X}");
    }
    let _ = writeln!(
        out,
        "\t{}\t{}",
        micros(l.creation_time),
        micros(f.received_at)
    );
}

/// `timestamptz` text at microsecond precision, cut exactly as sqlx's binary encoding cuts
/// it (whole microseconds since 2000-01-01, truncated toward zero), so both paths store the
/// same instant.
fn micros(t: Timestamp) -> impl std::fmt::Display {
    let epoch = chrono::DateTime::<chrono::Utc>::from_timestamp(946_684_800, 0)
        .expect("2000-01-01 is a valid time");
    let cut = (t - epoch)
        .num_microseconds()
        .map_or(t, |us| epoch + chrono::Duration::microseconds(us));
    cut.format("%Y-%m-%dT%H:%M:%S%.6fZ")
}

/// The careful path of [`insert`]: one statement for the whole batch that skips fixes already
/// stored. On a foreign-key violation nothing was stored; a second query names the first
/// unknown person of the batch.
async fn insert_skipping_stored(
    pool: &PgPool,
    fixes: &[LocationRecorded],
) -> Result<InsertReport, StoreError> {
    let c = Columns::of(fixes);
    let run = || {
        sqlx::query(INSERT)
            .bind(&c.id)
            .bind(&c.event_id)
            .bind(&c.person_id)
            .bind(&c.latitude)
            .bind(&c.longitude)
            .bind(&c.creation_time)
            .bind(&c.received_at)
            .execute(pool)
    };
    let mut result = run().await;
    if matches!(&result, Err(e) if is_foreign_key_violation(e)) {
        // An erasure may have committed between this statement's snapshot (which did not
        // see its `erasure` row) and its foreign-key check (which saw the person gone): once
        // more, with a fresh snapshot that skips the erased person's fixes.
        result = run().await;
    }
    match result {
        Ok(done) => {
            let inserted = done.rows_affected();
            Ok(InsertReport {
                inserted,
                skipped: (fixes.len() as u64).saturating_sub(inserted),
            })
        }
        Err(e) if is_foreign_key_violation(&e) => {
            let missing = first_unknown_person(pool, &c.person_id).await?;
            Err(store_error(e, missing))
        }
        Err(e) => Err(store_error(e, None)),
    }
}

async fn first_unknown_person(
    pool: &PgPool,
    person_ids: &[i64],
) -> Result<Option<PersonId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(FIRST_UNKNOWN_PERSON)
        .bind(person_ids)
        .fetch_optional(pool)
        .await
        .db()?;
    id.map(|id| PersonId::new(id).map_err(|e| StoreError::Corrupt(format!("person id: {e}"))))
        .transpose()
}

pub(crate) async fn get(pool: &PgPool, id: LocationId) -> Result<Option<Location>, StoreError> {
    let row = sqlx::query(GET)
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .db()?;
    row.as_ref().map(rows::location).transpose()
}

pub(crate) async fn scan(
    pool: &PgPool,
    after: Option<LocationId>,
    limit: u32,
) -> Result<Vec<Location>, StoreError> {
    let rows = sqlx::query(SCAN)
        .bind(after.map_or(0, LocationId::get))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .db()?;
    rows.iter().map(rows::location).collect()
}

pub(crate) async fn count(pool: &PgPool) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(COUNT).fetch_one(pool).await.db()?;
    rows::count(n)
}

/// Hi/lo: see `queries/postgres/reserve_location_ids.sql`. Durable when it returns.
pub(crate) async fn reserve_ids(pool: &PgPool, n: u32) -> Result<Range<i64>, StoreError> {
    let n = i64::from(n);
    let start: Option<i64> = sqlx::query_scalar(RESERVE)
        .bind(n)
        .fetch_optional(pool)
        .await
        .db()?;
    let start =
        start.ok_or_else(|| StoreError::Corrupt("id_block has no 'location' row".into()))?;
    if start < 1 {
        return Err(StoreError::Corrupt(format!(
            "reserved ids start at {start}"
        )));
    }
    let end = start
        .checked_add(n)
        .ok_or_else(|| StoreError::Database("location id space exhausted".into()))?;
    Ok(start..end)
}

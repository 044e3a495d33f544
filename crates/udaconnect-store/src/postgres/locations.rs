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

/// One statement for the whole batch (see `queries/postgres/insert_locations.sql`), durable
/// when it returns. On a foreign-key violation nothing was stored; a second query names the
/// first unknown person of the batch.
pub(crate) async fn insert(
    pool: &PgPool,
    fixes: &[LocationRecorded],
) -> Result<InsertReport, StoreError> {
    if fixes.is_empty() {
        return Ok(InsertReport::default());
    }
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

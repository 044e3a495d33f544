//! Decoding rows into domain values. Data read from the database is never trusted: a
//! column of the wrong type is [`StoreError::Corrupt`] (via the error mapping), and so is a
//! value that breaks a domain rule; never a panic.

use sqlx::{Row, postgres::PgRow};
use udaconnect_domain::{Coordinates, Location, LocationId, Person, PersonId, Timestamp};

use super::errors::ResultExt;
use crate::StoreError;

/// A row of `id, person_id, latitude, longitude, creation_time`. Queries read the point
/// back with `ST_Y(coordinate::geometry)` (latitude) and `ST_X(…)` (longitude): a
/// geography point's x is the longitude.
pub(crate) fn location(row: &PgRow) -> Result<Location, StoreError> {
    let id: i64 = row.try_get(0).db()?;
    let person_id: i64 = row.try_get(1).db()?;
    let latitude: f64 = row.try_get(2).db()?;
    let longitude: f64 = row.try_get(3).db()?;
    let creation_time: Timestamp = row.try_get(4).db()?;
    Ok(Location {
        id: LocationId::new(id).map_err(|e| corrupt("location", id, e))?,
        person_id: PersonId::new(person_id).map_err(|e| corrupt("location", id, e))?,
        coordinates: Coordinates::new(latitude, longitude)
            .map_err(|e| corrupt("location", id, e))?,
        creation_time,
    })
}

/// A row of `id, first_name, last_name, company_name`.
pub(crate) fn person(row: &PgRow) -> Result<Person, StoreError> {
    let id: i64 = row.try_get(0).db()?;
    Ok(Person {
        id: PersonId::new(id).map_err(|e| corrupt("person", id, e))?,
        first_name: row.try_get(1).db()?,
        last_name: row.try_get(2).db()?,
        company_name: row.try_get(3).db()?,
    })
}

/// A count, which must not be negative.
pub(crate) fn count(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative count {n}")))
}

fn corrupt(table: &str, id: i64, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{table} {id}: {why}"))
}

//! Decoding stored rows into domain values. Data read from disk is never trusted: a value
//! that breaks a domain rule is [`StoreError::Corrupt`], not a panic.

use chrono::DateTime;
use rusqlite::Row;
use udaconnect_domain::{Coordinates, Location, LocationId, Person, PersonId, Timestamp};

use crate::StoreError;

/// A location row as stored: `id, person_id, latitude, longitude, creation_time`.
pub(crate) struct RawLocation {
    id: i64,
    person_id: i64,
    latitude: f64,
    longitude: f64,
    creation_time: i64,
}

impl RawLocation {
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            person_id: row.get(1)?,
            latitude: row.get(2)?,
            longitude: row.get(3)?,
            creation_time: row.get(4)?,
        })
    }

    pub(crate) fn decode(self) -> Result<Location, StoreError> {
        let id = LocationId::new(self.id).map_err(|e| corrupt("location", self.id, e))?;
        Ok(Location {
            id,
            person_id: PersonId::new(self.person_id)
                .map_err(|e| corrupt("location", self.id, e))?,
            coordinates: Coordinates::new(self.latitude, self.longitude)
                .map_err(|e| corrupt("location", self.id, e))?,
            creation_time: from_micros(self.creation_time)
                .ok_or_else(|| corrupt("location", self.id, "creation_time out of range"))?,
        })
    }
}

/// A person row as stored: `id, first_name, last_name, company_name`.
pub(crate) struct RawPerson {
    id: i64,
    first_name: String,
    last_name: String,
    company_name: String,
}

impl RawPerson {
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            first_name: row.get(1)?,
            last_name: row.get(2)?,
            company_name: row.get(3)?,
        })
    }

    pub(crate) fn decode(self) -> Result<Person, StoreError> {
        Ok(Person {
            id: PersonId::new(self.id).map_err(|e| corrupt("person", self.id, e))?,
            first_name: self.first_name,
            last_name: self.last_name,
            company_name: self.company_name,
        })
    }
}

/// Instants are stored as microseconds since the Unix epoch, UTC.
pub(crate) fn micros(t: &Timestamp) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(us: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_micros(us)
}

fn corrupt(table: &str, id: i64, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{table} {id}: {why}"))
}

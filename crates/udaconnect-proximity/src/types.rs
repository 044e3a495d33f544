//! Public value types and the compact internal record.

use udaconnect_domain::{Coordinates, Location, LocationId, PersonId, Timestamp};

/// One location fix as the index sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub location: LocationId,
    pub person: PersonId,
    pub coordinates: Coordinates,
    /// Kept at microsecond resolution (the store's); finer parts are truncated.
    pub time: Timestamp,
}

impl From<&Location> for Fix {
    fn from(l: &Location) -> Self {
        Self {
            location: l.id,
            person: l.person_id,
            coordinates: l.coordinates,
            time: l.creation_time,
        }
    }
}

/// Everything known about the meetings of the queried person with one other person.
///
/// A *meeting* is one matched pair (own fix `f`, other fix `g`): `f` in the query's time range,
/// `haversine_m(f, g) <= distance_m` and `|f.time - g.time| <= window_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contact {
    pub person: PersonId,
    /// Earliest own-fix time over the matched pairs.
    pub first_met: Timestamp,
    /// Latest own-fix time over the matched pairs.
    pub last_met: Timestamp,
    /// Number of matched pairs.
    pub meetings: u64,
    /// Number of distinct own fixes with at least one match.
    pub own_fixes: u64,
    /// Smallest distance over the matched pairs, metres.
    pub closest_m: f64,
    /// The closest pair (ties broken by the smaller own, then other, location id).
    pub closest_own: LocationId,
    pub closest_other: LocationId,
    /// Where they met: the own fix of the closest pair, and its time.
    pub place: Coordinates,
    pub closest_at: Timestamp,
}

/// The stored form of a fix: 36 bytes, exact coordinates, microseconds since the Unix epoch,
/// the person's dense index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rec {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) t: i64,
    pub(crate) loc: i64,
    pub(crate) p: u32,
}

impl Rec {
    pub(crate) fn fix(&self, persons: &[PersonId]) -> Fix {
        Fix {
            location: location_id(self.loc),
            person: persons[self.p as usize],
            coordinates: coordinates(self.lat, self.lon),
            time: time(self.t),
        }
    }
}

pub(crate) fn micros(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn time(us: i64) -> Timestamp {
    Timestamp::from_timestamp_micros(us).expect("stored times come from valid timestamps")
}

pub(crate) fn coordinates(lat: f64, lon: f64) -> Coordinates {
    Coordinates::new(lat, lon).expect("stored coordinates were validated")
}

pub(crate) fn location_id(v: i64) -> LocationId {
    LocationId::new(v).expect("stored location ids were validated")
}

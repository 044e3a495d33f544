//! Builders and a small seeded PRNG for the suite (no extra dependencies, so any adapter
//! crate can enable the suite).

use chrono::{DateTime, NaiveDate};
use udaconnect_domain::{
    Coordinates, EARTH_RADIUS_M, EventId, Location, LocationId, LocationRecorded, Person, PersonId,
    Timestamp,
};
use uuid::Uuid;

/// SplitMix64: tiny, seeded, good enough for test data.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

pub(crate) fn pid(id: i64) -> PersonId {
    PersonId::new(id).expect("test person ids are positive")
}

pub(crate) fn person(id: i64) -> Person {
    Person {
        id: pid(id),
        first_name: format!("First{id}"),
        last_name: format!("Last{id}"),
        company_name: format!("Company{id}"),
    }
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub(crate) fn micros(us: i64) -> Timestamp {
    DateTime::from_timestamp_micros(us).expect("test time in range")
}

/// A fix whose event id is derived from its location id.
pub(crate) fn fix(id: i64, person: i64, lat: f64, lon: f64, t: Timestamp) -> LocationRecorded {
    fix_with_event(id, id as u128, person, lat, lon, t)
}

pub(crate) fn fix_with_event(
    id: i64,
    event_seed: u128,
    person: i64,
    lat: f64,
    lon: f64,
    t: Timestamp,
) -> LocationRecorded {
    LocationRecorded {
        event_id: EventId::from_uuid(Uuid::from_u128(0x5eed_0000_0000_0000_0000 ^ event_seed)),
        location: Location {
            id: LocationId::new(id).expect("test location ids are positive"),
            person_id: pid(person),
            coordinates: Coordinates::new(lat, lon).expect("test coordinates are valid"),
            creation_time: t,
        },
        received_at: t,
    }
}

/// The point `dist_m` metres from (lat, lon) along initial bearing `bearing` (radians),
/// on the sphere, with longitude wrapped into [-180, 180].
pub(crate) fn destination(lat: f64, lon: f64, bearing: f64, dist_m: f64) -> (f64, f64) {
    let (phi1, lambda1) = (lat.to_radians(), lon.to_radians());
    let delta = dist_m / EARTH_RADIUS_M;
    let sin_phi2 =
        (phi1.sin() * delta.cos() + phi1.cos() * delta.sin() * bearing.cos()).clamp(-1.0, 1.0);
    let phi2 = sin_phi2.asin();
    let lambda2 = lambda1
        + (bearing.sin() * delta.sin() * phi1.cos()).atan2(delta.cos() - phi1.sin() * sin_phi2);
    let mut lon2 = lambda2.to_degrees();
    while lon2 > 180.0 {
        lon2 -= 360.0;
    }
    while lon2 < -180.0 {
        lon2 += 360.0;
    }
    (phi2.to_degrees().clamp(-90.0, 90.0), lon2)
}

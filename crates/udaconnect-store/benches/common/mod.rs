//! Data for the benches: a conference of `PERSONS` attendees, fixes around one venue.

#![allow(dead_code, unreachable_pub)]

use chrono::DateTime;
use udaconnect_domain::{
    Coordinates, EventId, Location, LocationId, LocationRecorded, Person, PersonId,
};
use udaconnect_store::{PersonStore, sqlite::SqliteStore};

pub const PERSONS: i64 = 1_000;
/// 2020-08-18T00:00:00Z, µs.
pub const T0: i64 = 1_597_708_800_000_000;
const DAY_US: i64 = 86_400_000_000;

pub struct Rng(pub u64);

impl Rng {
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy)]
pub enum EventIds {
    /// `EventId::for_import`: UUIDv5, random order (the bulk importer).
    Import,
    /// UUIDv7, time-ordered (the ingest service).
    Live,
}

/// Fix number `id` (1-based): person `id % PERSONS + 1`, within ~1 km of the venue,
/// spread over five days in id order.
pub fn fix(id: i64, total: i64, rng: &mut Rng, ids: EventIds) -> LocationRecorded {
    let t = DateTime::from_timestamp_micros(T0 + id * (5 * DAY_US / total.max(1))).unwrap();
    LocationRecorded {
        event_id: match ids {
            EventIds::Import => EventId::for_import("location", id),
            EventIds::Live => EventId::new_v7(),
        },
        location: Location {
            id: LocationId::new(id).unwrap(),
            person_id: PersonId::new(id % PERSONS + 1).unwrap(),
            coordinates: Coordinates::new(
                37.553 + (rng.unit() - 0.5) * 0.018,
                -122.290 + (rng.unit() - 0.5) * 0.023,
            )
            .unwrap(),
            creation_time: t,
        },
        received_at: t,
    }
}

pub fn batches(first_id: i64, n: i64, batch: usize, ids: EventIds) -> Vec<Vec<LocationRecorded>> {
    let mut rng = Rng(first_id as u64);
    let all: Vec<_> = (first_id..first_id + n)
        .map(|id| fix(id, n, &mut rng, ids))
        .collect();
    all.chunks(batch).map(<[_]>::to_vec).collect()
}

/// A fresh store in `dir` with every person imported.
pub async fn store_with_persons(dir: &std::path::Path) -> SqliteStore {
    let store = SqliteStore::open(&dir.join("bench.sqlite")).unwrap();
    let persons: Vec<_> = (1..=PERSONS)
        .map(|id| Person {
            id: PersonId::new(id).unwrap(),
            first_name: format!("First{id}"),
            last_name: format!("Last{id}"),
            company_name: "Bench".into(),
        })
        .collect();
    store.import_persons(&persons).await.unwrap();
    store
}

/// Benches are run with `--bench`; `cargo test --benches` passes `--test` instead.
pub fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

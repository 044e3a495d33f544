//! Insert idempotency, erasure, accounting, and the simulator's determinism.

use udaconnect_domain::{Coordinates, LocationId, PersonId, Timestamp};
use udaconnect_proximity::sim::ConferenceConfig;
use udaconnect_proximity::{Fix, ProximityIndex};

fn fix(loc: i64, person: i64, lat: f64, lon: f64, s: i64) -> Fix {
    Fix {
        location: LocationId::new(loc).unwrap(),
        person: PersonId::new(person).unwrap(),
        coordinates: Coordinates::new(lat, lon).unwrap(),
        time: Timestamp::from_timestamp(1_600_000_000 + s, 0).unwrap(),
    }
}

fn all() -> (Timestamp, Timestamp) {
    (
        Timestamp::from_timestamp(0, 0).unwrap(),
        Timestamp::from_timestamp(4_000_000_000, 0).unwrap(),
    )
}

#[test]
fn insert_is_idempotent_by_location_id() {
    let mut ix = ProximityIndex::new();
    assert!(ix.insert(fix(1, 1, 10.0, 10.0, 0)));
    assert!(!ix.insert(fix(1, 1, 10.0, 10.0, 0)));
    assert!(
        !ix.insert(fix(1, 2, 11.0, 11.0, 5)),
        "a known id is kept as first seen"
    );
    assert_eq!(
        ix.extend([
            fix(1, 1, 10.0, 10.0, 0),
            fix(2, 2, 10.0, 10.0, 1),
            fix(2, 2, 10.0, 10.0, 1)
        ]),
        1
    );
    ix.compact();
    assert!(
        !ix.insert(fix(2, 2, 10.0, 10.0, 1)),
        "ids in the segment are known too"
    );
    assert_eq!(ix.len(), 2);
    let (a, b) = all();
    let c = ix.contacts_of(PersonId::new(1).unwrap(), a, b, 0.0, 1);
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].meetings, c[0].own_fixes, c[0].closest_m), (1, 1, 0.0));
}

#[test]
fn remove_person_forgets_segment_and_delta() {
    let mut ix = ProximityIndex::new();
    ix.extend((1..=10).map(|i| fix(i, 1 + i % 2, 0.0, 0.0, i)));
    ix.compact();
    ix.insert(fix(11, 2, 0.0, 0.0, 11));
    ix.insert(fix(12, 1, 0.0, 0.0, 12));
    assert_eq!(ix.remove_person(PersonId::new(2).unwrap()), 6);
    assert_eq!(ix.remove_person(PersonId::new(2).unwrap()), 0);
    assert_eq!(ix.remove_person(PersonId::new(9).unwrap()), 0);
    assert_eq!(ix.len(), 6);
    assert!(!ix.contains(LocationId::new(11).unwrap()));
    let (a, b) = all();
    let p = Coordinates::new(0.0, 0.0).unwrap();
    assert!(
        ix.near(p, a, b, 1.0)
            .iter()
            .all(|f| f.person == PersonId::new(1).unwrap())
    );
    assert!(
        ix.contacts_of(PersonId::new(1).unwrap(), a, b, 5.0, 100)
            .is_empty()
    );
    assert!(
        ix.insert(fix(11, 2, 0.0, 0.0, 11)),
        "an erased id may come back"
    );
}

#[test]
fn memory_is_accounted_and_bounded() {
    let mut ix = ProximityIndex::new();
    assert_eq!(ix.memory_bytes(), 0);
    let cfg = ConferenceConfig {
        attendees: 100,
        days: 1,
        ..ConferenceConfig::default()
    };
    let n = ix.extend(cfg.fixes());
    assert!(n > 30_000, "{n}");
    let per_fix = ix.memory_bytes() as f64 / n as f64;
    assert!((44.0..=48.0).contains(&per_fix), "{per_fix} bytes per fix");
    let before = ix.memory_bytes();
    ix.insert(fix(i64::MAX, 1, 0.0, 0.0, 0));
    assert!(ix.memory_bytes() > before);
}

#[test]
fn simulation_is_deterministic_and_time_ordered() {
    let cfg = ConferenceConfig {
        attendees: 20,
        days: 1,
        ..ConferenceConfig::default()
    };
    let a: Vec<Fix> = cfg.fixes().collect();
    let b: Vec<Fix> = cfg.fixes().collect();
    assert_eq!(a, b);
    assert!(
        a.windows(2)
            .all(|w| w[0].time <= w[1].time && w[0].location < w[1].location)
    );
    let expected = 20 * 86_400 / 240;
    assert!(
        a.len().abs_diff(expected) < expected / 10,
        "{} fixes",
        a.len()
    );
    let other: Vec<Fix> = ConferenceConfig { seed: 7, ..cfg }.fixes().collect();
    assert_ne!(a, other);
}

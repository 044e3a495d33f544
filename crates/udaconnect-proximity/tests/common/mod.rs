//! Brute-force references and generators shared by the property tests.

use std::collections::BTreeMap;

use proptest::prelude::*;
use udaconnect_domain::{
    Coordinates, EARTH_RADIUS_M, LocationId, PersonId, Timestamp, haversine_m,
};
use udaconnect_proximity::{Contact, Fix};

pub(crate) fn ts(us: i64) -> Timestamp {
    Timestamp::from_timestamp_micros(1_600_000_000_000_000 + us).unwrap()
}

fn us(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

fn d(a: &Fix, b: &Fix) -> f64 {
    haversine_m(
        a.coordinates.lat(),
        a.coordinates.lon(),
        b.coordinates.lat(),
        b.coordinates.lon(),
    )
}

pub(crate) fn brute_near(
    all: &[Fix],
    p: Coordinates,
    from: Timestamp,
    to: Timestamp,
    dist: f64,
) -> Vec<Fix> {
    let mut v: Vec<Fix> = all
        .iter()
        .filter(|g| g.time >= from && g.time < to)
        .filter(|g| haversine_m(p.lat(), p.lon(), g.coordinates.lat(), g.coordinates.lon()) <= dist)
        .copied()
        .collect();
    v.sort_by_key(|g| (g.time, g.location));
    v
}

pub(crate) fn brute_contacts(
    all: &[Fix],
    me: PersonId,
    from: Timestamp,
    to: Timestamp,
    dist: f64,
    w: u32,
) -> Vec<Contact> {
    let mut by: BTreeMap<PersonId, Vec<(&Fix, &Fix, f64)>> = BTreeMap::new();
    for f in all
        .iter()
        .filter(|f| f.person == me && f.time >= from && f.time < to)
    {
        for g in all.iter().filter(|g| g.person != me) {
            let dd = d(f, g);
            if dd <= dist && (us(f.time) - us(g.time)).abs() <= i64::from(w) * 1_000_000 {
                by.entry(g.person).or_default().push((f, g, dd));
            }
        }
    }
    let mut out: Vec<Contact> = by
        .into_iter()
        .map(|(person, pairs)| {
            let best = pairs
                .iter()
                .min_by(|a, b| {
                    (a.2, a.0.location, a.1.location)
                        .partial_cmp(&(b.2, b.0.location, b.1.location))
                        .unwrap()
                })
                .unwrap();
            let mut own: Vec<LocationId> = pairs.iter().map(|p| p.0.location).collect();
            own.sort();
            own.dedup();
            Contact {
                person,
                first_met: pairs.iter().map(|p| p.0.time).min().unwrap(),
                last_met: pairs.iter().map(|p| p.0.time).max().unwrap(),
                meetings: pairs.len() as u64,
                own_fixes: own.len() as u64,
                closest_m: best.2,
                closest_own: best.0.location,
                closest_other: best.1.location,
                place: best.0.coordinates,
                closest_at: best.0.time,
            }
        })
        .collect();
    out.sort_by_key(|c| (c.first_met, c.person));
    out
}

/// Cluster centres that stress the grid: ordinary, antimeridian, both poles, and exactly on
/// row boundaries of the cell sizes the tests use.
pub(crate) fn centres() -> Vec<(f64, f64)> {
    let mut v = vec![
        (37.7835, -122.4015),
        (0.0, 179.99995),
        (-12.5, -180.0),
        (89.99992, 10.0),
        (-90.0, 0.0),
        (-89.9999, 170.0),
    ];
    for cell in [1.0, 10.0, 50.0] {
        let deg = (cell / EARTH_RADIUS_M).to_degrees();
        v.push((-90.0 + (((37.0 + 90.0) / deg).round()) * deg, 0.0));
        v.push((-90.0 + (((60.0 + 90.0) / deg).round()) * deg, 179.9999));
    }
    v
}

/// A point about (dx, dy) metres from `c`, wrapped and clamped onto the sphere.
pub(crate) fn offset((lat, lon): (f64, f64), dx: f64, dy: f64) -> Coordinates {
    let lat2 = (lat + (dy / EARTH_RADIUS_M).to_degrees()).clamp(-90.0, 90.0);
    let cos = lat.to_radians().cos().max(1e-6);
    let dlon = ((dx / (EARTH_RADIUS_M * cos)).to_degrees()).clamp(-400.0, 400.0);
    let lon2 = (lon + dlon + 540.0).rem_euclid(360.0) - 180.0;
    Coordinates::new(lat2, lon2.clamp(-180.0, 180.0)).unwrap()
}

/// (centre, dx m, dy m, time µs, person, duplicate-of-previous).
pub(crate) fn raw_fix() -> impl Strategy<Value = (usize, f64, f64, i64, i64, bool)> {
    let t = prop_oneof![(0i64..40).prop_map(|k| k * 60_000_000), 0i64..2_400_000_000];
    (
        0usize..12,
        -15.0f64..15.0,
        -15.0f64..15.0,
        t,
        1i64..6,
        proptest::bool::weighted(0.15),
    )
}

pub(crate) fn build_fixes(raw: &[(usize, f64, f64, i64, i64, bool)]) -> Vec<Fix> {
    let cs = centres();
    let mut out: Vec<Fix> = Vec::new();
    for (i, &(c, dx, dy, t, p, dup)) in raw.iter().enumerate() {
        let mut f = Fix {
            location: LocationId::new(i as i64 + 1).unwrap(),
            person: PersonId::new(p).unwrap(),
            coordinates: offset(cs[c % cs.len()], dx, dy),
            time: ts(t),
        };
        if let (true, Some(prev)) = (dup, out.last()) {
            f.coordinates = prev.coordinates;
            if p % 2 == 0 {
                f.time = prev.time;
            }
        }
        out.push(f);
    }
    out
}

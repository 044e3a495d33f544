//! The connection suite's data: clusters of fixes around anchors, placed on the distance
//! and time boundaries, at the equator, across the antimeridian and at both poles.

use std::f64::consts::TAU;

use udaconnect_domain::{Location, LocationRecorded};

use super::super::fixtures::{Rng, day, destination, fix, micros};

/// The person whose fixes are the anchors.
pub(super) const OWNER: i64 = 1;
pub(super) const PERSONS: i64 = 6;
pub(super) const DISTANCES: [f64; 5] = [1.0, 5.0, 50.0, 2_000.0, 100_000.0];

/// (lat, lon) cluster centres: ordinary places, both sides of ±180°, near and at both poles.
const CLUSTERS: [(f64, f64); 9] = [
    (0.0, 0.0),
    (37.553_441, -122.290_524),
    (10.0, 180.0),
    (-45.0, -179.999_99),
    (65.0, 179.9),
    (89.999_99, 0.0),
    (90.0, 0.0),
    (-89.999_9, 120.0),
    (-90.0, -45.0),
];
const ANCHORS_PER_CLUSTER: usize = 5;
const DAY_US: i64 = 86_400_000_000;

fn factors(margin: f64) -> Vec<f64> {
    if margin == 0.0 {
        vec![
            0.0,
            0.5,
            1.0 - 1e-9,
            1.0 - 1e-12,
            1.0,
            1.0 + 1e-12,
            1.0 + 1e-9,
            1.01,
            2.0,
        ]
    } else {
        vec![
            0.0,
            0.5,
            1.0 - margin,
            1.0 + margin,
            1.0 + 10.0 * margin,
            2.0,
        ]
    }
}

/// Every midnight from 2019-12-31 to 2020-01-07, and 1 µs either side, plus random times.
fn random_time(rng: &mut Rng) -> i64 {
    let d0 = day(2020, 1, 1)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp_micros();
    let k = rng.below(8) as i64 - 1;
    match rng.below(4) {
        0 => d0 + k * DAY_US - 1,
        1 => d0 + k * DAY_US,
        2 => d0 + k * DAY_US + 1,
        _ => d0 + k * DAY_US + (rng.unit() * DAY_US as f64) as i64,
    }
}

pub(super) fn dataset(seed: u64, margin: f64) -> Vec<LocationRecorded> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut push = |rng: &mut Rng, person: i64, (lat, lon): (f64, f64)| {
        let id = out.len() as i64 + 1;
        out.push(fix(id, person, lat, lon, micros(random_time(rng))));
    };
    let others = |rng: &mut Rng| 2 + rng.below(PERSONS as usize - 1) as i64;
    for &(clat, clon) in &CLUSTERS {
        for _ in 0..ANCHORS_PER_CLUSTER {
            let anchor = destination(clat, clon, rng.unit() * TAU, rng.unit() * 20.0);
            push(&mut rng, OWNER, anchor);
            push(&mut rng, OWNER, anchor); // the owner twice at the same spot
            for d in DISTANCES {
                for k in factors(margin) {
                    let p = destination(anchor.0, anchor.1, rng.unit() * TAU, d * k);
                    let who = others(&mut rng);
                    push(&mut rng, who, p);
                }
            }
            // The same place written both ways round the antimeridian, and at the pole.
            if anchor.1.abs() > 179.0 {
                let who = others(&mut rng);
                push(&mut rng, who, (anchor.0, 180.0));
                let who = others(&mut rng);
                push(&mut rng, who, (anchor.0, -180.0));
            }
            if anchor.0.abs() > 89.0 {
                let who = others(&mut rng);
                let pole = 90.0f64.copysign(anchor.0);
                let lon = rng.unit() * 360.0 - 180.0;
                push(&mut rng, who, (pole, lon));
            }
        }
        for _ in 0..20 {
            let p = destination(clat, clon, rng.unit() * TAU, rng.unit() * 3_000.0);
            let who = 1 + rng.below(PERSONS as usize) as i64;
            push(&mut rng, who, p);
        }
    }
    out
}

/// An (own fix, other fix) pair inside the query's windows.
pub(super) struct Pair<'a> {
    pub(super) own: &'a Location,
    pub(super) other: &'a Location,
    pub(super) metres: f64,
}

/// Checks that the data exercised what it was built for.
#[derive(Debug, Default)]
pub(super) struct Coverage {
    just_inside: usize,
    just_outside: usize,
    across_antimeridian: usize,
    around_a_pole: usize,
    matches: usize,
}

impl Coverage {
    pub(super) fn record(&mut self, pairs: &[Pair<'_>], d: f64) {
        for p in pairs {
            let r = p.metres / d;
            self.just_inside += usize::from((1.0 - 1e-6..=1.0).contains(&r));
            self.just_outside += usize::from(r > 1.0 && r <= 1.0 + 1e-6);
            if r > 1.0 {
                continue;
            }
            self.matches += 1;
            let (a, b) = (p.own.coordinates, p.other.coordinates);
            let crosses = (a.lon() - b.lon()).abs() > 180.0;
            self.across_antimeridian += usize::from(crosses);
            let polar = a.lat().abs() > 89.0 && (a.lon() - b.lon()).abs() > 10.0 && !crosses;
            self.around_a_pole += usize::from(polar);
        }
    }

    pub(super) fn assert_exercised(&self, margin: f64) {
        let c = self;
        assert!(c.across_antimeridian > 0 && c.around_a_pole > 0, "{c:?}");
        if margin == 0.0 {
            assert!(c.just_inside > 0 && c.just_outside > 0, "{c:?}");
        }
    }
}

//! A deterministic synthetic conference: attendees in a hall during opening hours (08:00 to
//! 20:00 UTC each day), lingering at booths and walking between them, and at one of a few
//! hotels otherwise; a fix every `fix_interval_s` (±25 %) per attendee with Gaussian GPS
//! noise. The same seed gives the same fixes, in time order, with location ids counting up.

mod rng;
mod walker;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use udaconnect_domain::{Coordinates, EARTH_RADIUS_M, PersonId, Timestamp};

use crate::Fix;
use crate::types::{coordinates, location_id};
pub(crate) use rng::Rng;
use walker::Walker;

/// What to simulate. `Default` is the benchmark conference (about 1.08M fixes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConferenceConfig {
    pub seed: u64,
    pub attendees: u32,
    pub days: u32,
    /// Midnight of the first day.
    pub start: Timestamp,
    pub fix_interval_s: u32,
    /// Standard deviation per axis, metres.
    pub gps_noise_m: f64,
    /// South-west corner of the hall.
    pub hall_origin: Coordinates,
    /// East-west and north-south extent of the hall, metres.
    pub hall_width_m: f64,
    pub hall_depth_m: f64,
    pub booths: u32,
    pub hotels: u32,
    pub first_person_id: i64,
    pub first_location_id: i64,
}

impl Default for ConferenceConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            attendees: 1_000,
            days: 3,
            start: Timestamp::from_timestamp(1_597_708_800, 0).expect("2020-08-18 is a valid time"),
            fix_interval_s: 240,
            gps_noise_m: 3.0,
            hall_origin: coordinates(37.783_5, -122.401_5),
            hall_width_m: 200.0,
            hall_depth_m: 100.0,
            booths: 40,
            hotels: 12,
            first_person_id: 1,
            first_location_id: 1,
        }
    }
}

impl ConferenceConfig {
    /// The simulated fixes, in time order (ties by person).
    pub fn fixes(&self) -> Fixes {
        let mut rng = Rng::new(self.seed);
        let booths: Vec<(f64, f64)> = (0..self.booths)
            .map(|_| {
                (
                    rng.uniform(5.0, self.hall_width_m - 5.0),
                    rng.uniform(5.0, self.hall_depth_m - 5.0),
                )
            })
            .collect();
        let hotels: Vec<(f64, f64)> = (0..self.hotels.max(1))
            .map(|_| {
                (
                    rng.uniform(-3_000.0, 3_000.0),
                    rng.uniform(-3_000.0, 3_000.0),
                )
            })
            .collect();
        let mut walkers = Vec::with_capacity(self.attendees as usize);
        let mut heap = BinaryHeap::with_capacity(self.attendees as usize);
        for i in 0..self.attendees {
            let w = Walker::new(self, i, &hotels, rng.next_u64());
            heap.push(Reverse((w.next_t, i)));
            walkers.push(w);
        }
        Fixes {
            cfg: *self,
            booths,
            walkers,
            heap,
            next_location: self.first_location_id,
        }
    }

    /// Local metres (east, north) from the hall origin to coordinates.
    fn local_to_coordinates(&self, x: f64, y: f64) -> Coordinates {
        let (lat0, lon0) = (self.hall_origin.lat(), self.hall_origin.lon());
        let lat = lat0 + (y / EARTH_RADIUS_M).to_degrees();
        let lon = lon0 + (x / (EARTH_RADIUS_M * lat0.to_radians().cos())).to_degrees();
        coordinates(
            lat.clamp(-90.0, 90.0),
            (lon + 540.0).rem_euclid(360.0) - 180.0,
        )
    }
}

/// Iterator over a simulated conference's fixes.
#[derive(Debug)]
pub struct Fixes {
    cfg: ConferenceConfig,
    booths: Vec<(f64, f64)>,
    walkers: Vec<Walker>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
    next_location: i64,
}

impl Iterator for Fixes {
    type Item = Fix;

    fn next(&mut self) -> Option<Fix> {
        let Reverse((t, i)) = self.heap.pop()?;
        let w = &mut self.walkers[i as usize];
        let (x, y) = w.fix_at(&self.cfg, &self.booths, t);
        if w.next_t < i64::from(self.cfg.days) * 86_400 {
            self.heap.push(Reverse((w.next_t, i)));
        }
        let location = location_id(self.next_location);
        self.next_location += 1;
        Some(Fix {
            location,
            person: PersonId::new(self.cfg.first_person_id + i64::from(i))
                .expect("person ids are positive"),
            coordinates: self.cfg.local_to_coordinates(x, y),
            time: Timestamp::from_timestamp(self.cfg.start.timestamp() + t, 0)
                .expect("simulated times are valid"),
        })
    }
}

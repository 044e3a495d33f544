//! One attendee: at the hotel outside opening hours; in the hall, lingers at a booth (or a
//! random spot) for 3 to 40 minutes, then walks to the next at 1.2 m/s.

use super::{ConferenceConfig, Rng};

const OPEN_S: i64 = 8 * 3600;
const CLOSE_S: i64 = 20 * 3600;
const WALK_M_PER_S: f64 = 1.2;

#[derive(Debug)]
pub(crate) struct Walker {
    rng: Rng,
    hotel: (f64, f64),
    /// Seconds since the start of the conference of the next fix.
    pub(crate) next_t: i64,
    in_hall: bool,
    from: (f64, f64),
    to: (f64, f64),
    depart: i64,
    arrive: i64,
    leave: i64,
}

impl Walker {
    pub(crate) fn new(cfg: &ConferenceConfig, i: u32, hotels: &[(f64, f64)], seed: u64) -> Self {
        let mut rng = Rng::new(seed ^ u64::from(i).rotate_left(29));
        let h = hotels[rng.below(hotels.len() as u32) as usize];
        let hotel = (
            h.0 + rng.uniform(-40.0, 40.0),
            h.1 + rng.uniform(-40.0, 40.0),
        );
        let next_t = rng.uniform(0.0, f64::from(cfg.fix_interval_s)) as i64;
        Self {
            rng,
            hotel,
            next_t,
            in_hall: false,
            from: hotel,
            to: hotel,
            depart: 0,
            arrive: 0,
            leave: 0,
        }
    }

    /// The noisy position at `t` (the walker's next fix time); schedules the next fix.
    pub(crate) fn fix_at(
        &mut self,
        cfg: &ConferenceConfig,
        booths: &[(f64, f64)],
        t: i64,
    ) -> (f64, f64) {
        let (x, y) = self.position(cfg, booths, t);
        let step = f64::from(cfg.fix_interval_s) * self.rng.uniform(0.75, 1.25);
        self.next_t = t + (step as i64).max(1);
        let n = cfg.gps_noise_m;
        (x + n * self.rng.normal(), y + n * self.rng.normal())
    }

    fn position(&mut self, cfg: &ConferenceConfig, booths: &[(f64, f64)], t: i64) -> (f64, f64) {
        let day_s = t.rem_euclid(86_400);
        if !(OPEN_S..CLOSE_S).contains(&day_s) {
            self.in_hall = false;
            return self.hotel;
        }
        if !self.in_hall {
            self.in_hall = true;
            self.to = self.spot(cfg, booths);
            self.leave = t + self.dwell();
            self.arrive = t;
        }
        while t >= self.leave {
            self.from = self.to;
            self.to = self.spot(cfg, booths);
            let d = ((self.to.0 - self.from.0).powi(2) + (self.to.1 - self.from.1).powi(2)).sqrt();
            self.depart = self.leave;
            self.arrive = self.depart + (d / WALK_M_PER_S) as i64;
            self.leave = self.arrive + self.dwell();
        }
        if t < self.arrive {
            let f = (t - self.depart) as f64 / (self.arrive - self.depart) as f64;
            (
                self.from.0 + f * (self.to.0 - self.from.0),
                self.from.1 + f * (self.to.1 - self.from.1),
            )
        } else {
            self.to
        }
    }

    fn spot(&mut self, cfg: &ConferenceConfig, booths: &[(f64, f64)]) -> (f64, f64) {
        if !booths.is_empty() && self.rng.unit() < 0.7 {
            let b = booths[self.rng.below(booths.len() as u32) as usize];
            (
                b.0 + self.rng.uniform(-2.0, 2.0),
                b.1 + self.rng.uniform(-2.0, 2.0),
            )
        } else {
            (
                self.rng.uniform(0.0, cfg.hall_width_m),
                self.rng.uniform(0.0, cfg.hall_depth_m),
            )
        }
    }

    fn dwell(&mut self) -> i64 {
        self.rng.uniform(180.0, 2_400.0) as i64
    }
}

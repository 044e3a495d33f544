//! The two queries. Both are exact: the cells only choose candidates, `haversine_m` decides
//! (in `contacts_of`, a conservative pre-check settles the clear cases first; see [`Scan`]).

use udaconnect_domain::{Coordinates, EARTH_RADIUS_M, PersonId, Timestamp, haversine_m};

use crate::grid::{Cover, Reach};
use crate::index::ProximityIndex;
use crate::segment::Hints;
use crate::types::{Contact, Fix, Rec, coordinates, location_id, micros, time};

impl ProximityIndex {
    /// The fixes of `person` with `from <= time < to`, by time then location id.
    pub fn fixes_of(&self, person: PersonId, from: Timestamp, to: Timestamp) -> Vec<Fix> {
        let mut own = self.own(person, from, to);
        own.sort_unstable_by_key(|r| (r.t, r.loc));
        own.iter().map(|r| r.fix(&self.persons)).collect()
    }

    /// Every fix with `t_from <= time < t_to` within `distance_m` of `point`
    /// (`haversine_m(point, fix) <= distance_m`), by time then location id.
    pub fn near(
        &self,
        point: Coordinates,
        t_from: Timestamp,
        t_to: Timestamp,
        distance_m: f64,
    ) -> Vec<Fix> {
        let (lo, hi) = (micros(t_from), micros(t_to));
        if hi <= lo {
            return Vec::new();
        }
        let (lat, lon) = (point.lat(), point.lon());
        let cover = self.grid.cover(lat, lon, distance_m);
        let mut out = Vec::new();
        let mut on = |g: Rec| {
            if haversine_m(lat, lon, g.lat, g.lon) <= distance_m {
                out.push(g);
            }
        };
        self.main.visit(&self.grid, &cover, lo, hi - 1, &mut on);
        self.delta.visit(&self.grid, &cover, lo, hi - 1, &mut on);
        out.sort_unstable_by_key(|r| (r.t, r.loc));
        out.iter().map(|r| r.fix(&self.persons)).collect()
    }

    /// The people `person` met: every pair of an own fix `f` with `from <= f.time < to` and
    /// another person's fix `g` (any time) with `haversine_m(f, g) <= distance_m` and
    /// `|f.time - g.time| <= window_s`, grouped per other person (see [`Contact`]), ordered
    /// by first meeting then person id.
    pub fn contacts_of(
        &self,
        person: PersonId,
        from: Timestamp,
        to: Timestamp,
        distance_m: f64,
        window_s: u32,
    ) -> Vec<Contact> {
        let Some(me) = self.person(person) else {
            return Vec::new();
        };
        let w = i64::from(window_s) * 1_000_000;
        let own = self.own(person, from, to);
        let mut scan = Scan::new(&own, me, distance_m, self.persons.len());
        let mut hints = Hints::default();
        let reach = Reach::new(distance_m);
        for (i, f) in own.iter().enumerate() {
            let (s1, c1) = f.lat.to_radians().sin_cos();
            let cover = self.grid.cover_at(&reach, f.lat, f.lon, c1);
            scan.own_fix(i, f, (s1, c1), &cover);
            let (t_lo, t_hi) = (f.t.saturating_sub(w), f.t.saturating_add(w));
            let main = &self.main;
            self.main
                .ranges(&self.grid, &cover, t_lo, t_hi, &mut hints, |a, b| {
                    let (lat, lon, p) = (&main.lat[a..b], &main.lon[a..b], &main.p[a..b]);
                    // Filter without branches into a small buffer (about three quarters of the
                    // slots fail, unpredictably), then handle the survivors.
                    let mut keep = [0u32; CHUNK];
                    for start in (0..lat.len()).step_by(CHUNK) {
                        let end = lat.len().min(start + CHUNK);
                        let mut n = 0;
                        for k in start..end {
                            keep[n] = k as u32;
                            let (y, x) = (lat[k], lon[k]);
                            n += usize::from(cover.admits_flat(y, x) & scan.may_match(y, x));
                        }
                        for &k in &keep[..n] {
                            let k = k as usize;
                            scan.consider(lat[k], lon[k], p[k], || main.loc[a + k]);
                        }
                    }
                });
            self.delta.visit(&self.grid, &cover, t_lo, t_hi, |g: Rec| {
                scan.consider(g.lat, g.lon, g.p, || g.loc);
            });
        }
        // By first meeting then person id (sorting the raw microseconds is the same order).
        let persons = &self.persons;
        scan.acc
            .sort_unstable_by_key(|(p, a)| (a.first, persons[*p as usize]));
        scan.acc
            .iter_mut()
            .map(|(p, a)| a.contact(persons[*p as usize], &own))
            .collect()
    }

    fn own(&self, person: PersonId, from: Timestamp, to: Timestamp) -> Vec<Rec> {
        let (lo, hi) = (micros(from), micros(to));
        let mut own = Vec::new();
        if let (Some(p), true) = (self.person(person), lo < hi) {
            self.main.own(p, lo, hi - 1, &mut own);
            self.delta.own(p, lo, hi - 1, &mut own);
        }
        own
    }
}

/// Relative slack of the pre-check on the haversine term `a` (the floating-point haversine is
/// accurate to ~1e-15; any pair within the slack of the limit gets the exact test).
const SLACK: f64 = 1e-9;
/// Absolute slack: terms this small may underflow in `haversine_m`.
const TINY: f64 = 1e-250;
/// The pre-check is used for boxes up to this half-extent (radians, ~6 km).
const FAST_MAX_RAD: f64 = 1e-3;
/// Slots filtered per round in `contacts_of`.
const CHUNK: usize = 64;

/// The state of one `contacts_of` scan.
///
/// The pre-check: with `Δφ`, `Δλ` the radian differences `haversine_m` computes and `c1`,
/// `s1` the cosine and sine of the own latitude, `a' = (Δφ² + c1·(c1 - s1·Δφ)·Δλ²) / 4`
/// differs from haversine's `a = sin²(Δφ/2) + c1·cos φ2·sin²(Δλ/2)` by at most
/// `err = hφ⁴/3 + hλ⁴/3 + (δ²/2 + δ³/6)·hλ² + rounding`, where `hφ`, `hλ` bound `|Δφ|/2`,
/// `|Δλ|/2` over the cover's box and `δ = 2hφ` (`x² - sin²x <= x⁴/3`, and the Taylor bound
/// of `cos(φ1 + Δφ)`). `haversine_m <= d` iff `a <= sin²(d / 2R)`, so pairs with
/// `a' + err` clearly below the limit match, pairs with `a' - err` clearly above do not, and
/// only the rest (a sliver at the limit) run `haversine_m`. The exact distance is also
/// computed for every match that may be its person's closest pair.
struct Scan<'a> {
    own: &'a [Rec],
    me: u32,
    distance_m: f64,
    /// `a` below this: surely within the distance; above `a_out`: surely not.
    a_in: f64,
    a_out: f64,
    fast: bool,
    /// The current own fix, its index, `cos φ`, `sin φ` and the pre-check's error bound.
    f: Rec,
    i: usize,
    c1: f64,
    s1: f64,
    err: f64,
    slot: Vec<u32>,
    acc: Vec<(u32, Acc)>,
}

impl<'a> Scan<'a> {
    fn new(own: &'a [Rec], me: u32, distance_m: f64, persons: usize) -> Self {
        let half = distance_m / EARTH_RADIUS_M / 2.0;
        let fast = (0.0..=FAST_MAX_RAD).contains(&half);
        let a_lim = if fast { half.sin().powi(2) } else { 0.0 };
        Self {
            own,
            me,
            distance_m,
            a_in: a_lim * (1.0 - SLACK) - TINY,
            a_out: a_lim * (1.0 + SLACK) + TINY,
            fast,
            f: Rec {
                lat: 0.0,
                lon: 0.0,
                t: 0,
                loc: 0,
                p: me,
            },
            i: 0,
            c1: 0.0,
            s1: 0.0,
            err: f64::INFINITY,
            slot: vec![u32::MAX; persons],
            acc: Vec::new(),
        }
    }

    /// Starts on own fix `i`, with `sin_cos` of its latitude in radians and its cover.
    fn own_fix(&mut self, i: usize, f: &Rec, (s1, c1): (f64, f64), cover: &Cover) {
        self.f = *f;
        self.i = i;
        (self.s1, self.c1) = (s1, c1);
        self.err = match cover.box_rad() {
            Some((dy, dx)) if self.fast && dy <= FAST_MAX_RAD && dx <= FAST_MAX_RAD => {
                let (hy, hx) = (dy * (1.0 + 1e-6) / 2.0, dx * (1.0 + 1e-6) / 2.0);
                let (hy2, hx2) = (hy * hy, hx * hx);
                let delta = 2.0 * hy;
                let cos_err = delta * delta / 2.0 + delta * delta * delta / 6.0;
                (hy2 * hy2 + hx2 * hx2) / 3.0 + cos_err * hx2 + 4e-15 * (hy2 + hx2)
            }
            _ => f64::INFINITY,
        };
    }

    /// The pre-check's quick rejection alone (true unless surely beyond the distance).
    #[inline(always)]
    fn may_match(&self, lat: f64, lon: f64) -> bool {
        self.a(lat, lon) - self.err <= self.a_out
    }

    /// The pre-check's estimate `a'` of haversine's `a` for a candidate.
    #[inline(always)]
    fn a(&self, lat: f64, lon: f64) -> f64 {
        let f = &self.f;
        let dphi = (lat - f.lat).to_radians();
        let dlam = (lon - f.lon).to_radians();
        0.25 * (dphi * dphi + self.c1 * (self.c1 - self.s1 * dphi) * (dlam * dlam))
    }

    /// One candidate fix `g` of the current own fix (inside the cover's box and time window).
    #[inline(always)]
    fn consider(&mut self, lat: f64, lon: f64, p: u32, loc: impl FnOnce() -> i64) {
        if p == self.me {
            return;
        }
        let a = self.a(lat, lon);
        let f = &self.f;
        let (a_lo, a_hi) = (a - self.err, a + self.err);
        let mut d = f64::NAN;
        if a_hi >= self.a_in {
            if a_lo > self.a_out {
                return;
            }
            d = haversine_m(f.lat, f.lon, lat, lon);
            if d.partial_cmp(&self.distance_m).is_none_or(|o| o.is_gt()) {
                return;
            }
        }
        let s = &mut self.slot[p as usize];
        if *s == u32::MAX {
            *s = self.acc.len() as u32;
            self.acc.push((p, Acc::new(f.t)));
        }
        let acc = &mut self.acc[*s as usize].1;
        acc.count(self.i, f.t);
        let b = &acc.best;
        if a_lo > b.a_hi * (1.0 + SLACK) + TINY {
            return; // surely farther than the closest pair so far
        }
        let cand = Pair {
            d,
            a_lo,
            a_hi,
            own: self.i,
            own_loc: f.loc,
            lat,
            lon,
            loc: loc(),
        };
        if a_hi < b.a_lo * (1.0 - SLACK) - TINY {
            acc.best = cand; // surely nearer: the exact distance can wait
        } else {
            let best = &mut acc.best;
            let mut cand = cand;
            let dc = cand.exact(&(f.lat, f.lon));
            let o = &self.own[best.own];
            let db = best.exact(&(o.lat, o.lon));
            if (dc, cand.own_loc, cand.loc).partial_cmp(&(db, best.own_loc, best.loc))
                == Some(std::cmp::Ordering::Less)
            {
                *best = cand;
            }
        }
    }
}

/// A matched pair, possibly the closest of its person: its bounds on haversine's `a`, and its
/// exact distance once computed (NaN before).
#[derive(Clone, Copy)]
struct Pair {
    d: f64,
    a_lo: f64,
    a_hi: f64,
    own: usize,
    own_loc: i64,
    lat: f64,
    lon: f64,
    loc: i64,
}

impl Pair {
    fn exact(&mut self, f: &(f64, f64)) -> f64 {
        if self.d.is_nan() {
            self.d = haversine_m(f.0, f.1, self.lat, self.lon);
        }
        self.d
    }
}

struct Acc {
    first: i64,
    last: i64,
    meetings: u64,
    own_fixes: u64,
    last_own: usize,
    /// The closest pair so far (ties broken by the smaller own, then other, location id).
    best: Pair,
}

impl Acc {
    fn new(t: i64) -> Self {
        Self {
            first: t,
            last: t,
            meetings: 0,
            own_fixes: 0,
            last_own: usize::MAX,
            best: Pair {
                d: f64::INFINITY,
                a_lo: f64::INFINITY,
                a_hi: f64::INFINITY,
                own: 0,
                own_loc: i64::MAX,
                lat: 0.0,
                lon: 0.0,
                loc: i64::MAX,
            },
        }
    }

    #[inline(always)]
    fn count(&mut self, i: usize, t: i64) {
        self.first = self.first.min(t);
        self.last = self.last.max(t);
        self.meetings += 1;
        if self.last_own != i {
            self.last_own = i;
            self.own_fixes += 1;
        }
    }

    fn contact(&mut self, person: PersonId, own: &[Rec]) -> Contact {
        let f = &own[self.best.own];
        let d = self.best.exact(&(f.lat, f.lon));
        Contact {
            person,
            first_met: time(self.first),
            last_met: time(self.last),
            meetings: self.meetings,
            own_fixes: self.own_fixes,
            closest_m: d,
            closest_own: location_id(self.best.own_loc),
            closest_other: location_id(self.best.loc),
            place: coordinates(f.lat, f.lon),
            closest_at: time(f.t),
        }
    }
}

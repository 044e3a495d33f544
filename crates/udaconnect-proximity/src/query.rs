//! The two queries. Both are exact: the cells only choose candidates, `haversine_m` decides.

use udaconnect_domain::{Coordinates, PersonId, Timestamp, haversine_m};

use crate::index::ProximityIndex;
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
        let mut slot = vec![u32::MAX; self.persons.len()];
        let mut acc: Vec<(u32, Acc)> = Vec::new();
        for (i, f) in self.own(person, from, to).iter().enumerate() {
            let cover = self.grid.cover(f.lat, f.lon, distance_m);
            let (t_lo, t_hi) = (f.t.saturating_sub(w), f.t.saturating_add(w));
            let mut on = |g: Rec| {
                if g.p != me {
                    let d = haversine_m(f.lat, f.lon, g.lat, g.lon);
                    if d <= distance_m {
                        let s = &mut slot[g.p as usize];
                        if *s == u32::MAX {
                            *s = acc.len() as u32;
                            acc.push((g.p, Acc::new(f, &g, d)));
                        }
                        acc[*s as usize].1.add(i, f, &g, d);
                    }
                }
            };
            self.main.visit(&self.grid, &cover, t_lo, t_hi, &mut on);
            self.delta.visit(&self.grid, &cover, t_lo, t_hi, &mut on);
        }
        let mut out: Vec<Contact> = acc
            .into_iter()
            .map(|(p, a)| a.contact(self.persons[p as usize]))
            .collect();
        out.sort_unstable_by_key(|c| (c.first_met, c.person));
        out
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

struct Acc {
    first: i64,
    last: i64,
    meetings: u64,
    own_fixes: u64,
    last_own: usize,
    /// (distance, own location id, other location id) of the closest pair, and the own fix.
    best: (f64, i64, i64),
    best_own: Rec,
}

impl Acc {
    fn new(f: &Rec, g: &Rec, d: f64) -> Self {
        Self {
            first: f.t,
            last: f.t,
            meetings: 0,
            own_fixes: 0,
            last_own: usize::MAX,
            best: (d, f.loc, g.loc),
            best_own: *f,
        }
    }

    fn add(&mut self, i: usize, f: &Rec, g: &Rec, d: f64) {
        self.first = self.first.min(f.t);
        self.last = self.last.max(f.t);
        self.meetings += 1;
        if self.last_own != i {
            self.last_own = i;
            self.own_fixes += 1;
        }
        let cand = (d, f.loc, g.loc);
        if cand.partial_cmp(&self.best) == Some(std::cmp::Ordering::Less) {
            self.best = cand;
            self.best_own = *f;
        }
    }

    fn contact(&self, person: PersonId) -> Contact {
        Contact {
            person,
            first_met: time(self.first),
            last_met: time(self.last),
            meetings: self.meetings,
            own_fixes: self.own_fixes,
            closest_m: self.best.0,
            closest_own: location_id(self.best.1),
            closest_other: location_id(self.best.2),
            place: coordinates(self.best_own.lat, self.best_own.lon),
            closest_at: time(self.best_own.t),
        }
    }
}

//! Recent single inserts, kept in ordered maps until the index folds them into a new
//! segment (amortised: the delta may grow to a fraction of the segment first).

use std::collections::{BTreeMap, HashSet};
use std::mem::size_of;

use crate::grid::{Cover, Grid, key};
use crate::types::Rec;

/// Column ranges wider than this are walked as one key range instead of cell by cell.
const WIDE: u32 = 8;

#[derive(Debug, Default)]
pub(crate) struct Delta {
    /// (cell, time, location id) -> (lat, lon, person).
    by_cell: BTreeMap<(u64, i64, i64), (f64, f64, u32)>,
    /// (person, time, location id) -> (lat, lon).
    by_person: BTreeMap<(u32, i64, i64), (f64, f64)>,
    locs: HashSet<i64>,
}

impl Delta {
    pub(crate) fn len(&self) -> usize {
        self.locs.len()
    }

    pub(crate) fn contains_loc(&self, loc: i64) -> bool {
        self.locs.contains(&loc)
    }

    pub(crate) fn insert(&mut self, grid: &Grid, r: Rec) {
        if self.locs.insert(r.loc) {
            self.by_cell
                .insert((grid.key(r.lat, r.lon), r.t, r.loc), (r.lat, r.lon, r.p));
            self.by_person.insert((r.p, r.t, r.loc), (r.lat, r.lon));
        }
    }

    pub(crate) fn drain(&mut self) -> impl Iterator<Item = Rec> {
        self.locs.clear();
        self.by_cell.clear();
        std::mem::take(&mut self.by_person)
            .into_iter()
            .map(|((p, t, loc), (lat, lon))| Rec {
                lat,
                lon,
                t,
                loc,
                p,
            })
    }

    pub(crate) fn remove_person(&mut self, p: u32) -> usize {
        let before = self.len();
        self.by_cell.retain(|_, v| v.2 != p);
        let locs = &mut self.locs;
        self.by_person.retain(|k, _| k.0 != p || !locs.remove(&k.2));
        before - self.len()
    }

    /// Forgets every fix taken before `t` (retention). Returns how many.
    pub(crate) fn purge_before(&mut self, t: i64) -> usize {
        let before = self.len();
        self.by_cell.retain(|k, _| k.1 >= t);
        let locs = &mut self.locs;
        self.by_person.retain(|k, _| k.1 >= t || !locs.remove(&k.2));
        before - self.len()
    }

    pub(crate) fn own(&self, p: u32, t_lo: i64, t_hi: i64, out: &mut Vec<Rec>) {
        if t_lo > t_hi {
            return;
        }
        let range = self
            .by_person
            .range((p, t_lo, i64::MIN)..=(p, t_hi, i64::MAX));
        out.extend(range.map(|(&(p, t, loc), &(lat, lon))| Rec {
            lat,
            lon,
            t,
            loc,
            p,
        }));
    }

    pub(crate) fn visit(
        &self,
        grid: &Grid,
        cover: &Cover,
        t_lo: i64,
        t_hi: i64,
        mut f: impl FnMut(Rec),
    ) {
        if t_lo > t_hi || self.by_cell.is_empty() {
            return;
        }
        let mut emit = |(&(_, t, loc), &(lat, lon, p)): (&(u64, i64, i64), &(f64, f64, u32))| {
            if t >= t_lo && t <= t_hi && cover.admits(lat, lon) {
                f(Rec {
                    lat,
                    lon,
                    t,
                    loc,
                    p,
                });
            }
        };
        if cover.rows() as usize > self.by_cell.len() {
            self.by_cell.iter().for_each(emit);
            return;
        }
        for row in cover.row_lo..=cover.row_hi {
            for &(c0, c1) in grid.col_ranges(cover, row).as_slice() {
                if c1 - c0 > WIDE {
                    let (k0, k1) = (key(row, c0), key(row, c1));
                    self.by_cell
                        .range((k0, i64::MIN, i64::MIN)..=(k1, i64::MAX, i64::MAX))
                        .for_each(&mut emit);
                } else {
                    for c in c0..=c1 {
                        let k = key(row, c);
                        self.by_cell
                            .range((k, t_lo, i64::MIN)..=(k, t_hi, i64::MAX))
                            .for_each(&mut emit);
                    }
                }
            }
        }
    }

    /// An estimate: B-tree nodes hold up to 11 entries and are about 3/4 full.
    pub(crate) fn memory_bytes(&self) -> usize {
        let cell = size_of::<((u64, i64, i64), (f64, f64, u32))>();
        let person = size_of::<((u32, i64, i64), (f64, f64))>();
        let set = self.locs.capacity() * (size_of::<i64>() + 1);
        self.len() * (cell + person) * 4 / 3 + set
    }
}

//! The immutable bulk of the index: struct-of-arrays sorted by (cell, time, location id),
//! a sorted cell directory, and two permutations (by person and time, by location id).
//! 36 bytes of columns + 8 bytes of permutations per fix, + 12 bytes per occupied cell.

use std::mem::size_of;

use crate::grid::{Cover, Grid};
use crate::types::Rec;

#[derive(Debug, Default)]
pub(crate) struct Segment {
    lat: Vec<f64>,
    lon: Vec<f64>,
    t: Vec<i64>,
    loc: Vec<i64>,
    p: Vec<u32>,
    cells: Vec<u64>,
    /// `starts[i]..starts[i + 1]` are the slots of `cells[i]`.
    starts: Vec<u32>,
    /// Slots sorted by (person, time, location id); person `p` owns
    /// `by_person[person_start[p]..person_start[p + 1]]`.
    by_person: Vec<u32>,
    person_start: Vec<u32>,
    /// Slots sorted by location id.
    by_loc: Vec<u32>,
}

impl Segment {
    /// `recs` must have distinct location ids and person indexes below `persons`.
    pub(crate) fn build(grid: &Grid, recs: Vec<Rec>, persons: usize) -> Self {
        assert!(
            recs.len() < u32::MAX as usize,
            "a segment holds fewer than 2^32 fixes"
        );
        let mut keyed: Vec<(u64, Rec)> = recs
            .into_iter()
            .map(|r| (grid.key(r.lat, r.lon), r))
            .collect();
        keyed.sort_unstable_by_key(|(k, r)| (*k, r.t, r.loc));
        let n = keyed.len();
        let mut s = Segment::default();
        s.lat.reserve_exact(n);
        s.lon.reserve_exact(n);
        s.t.reserve_exact(n);
        s.loc.reserve_exact(n);
        s.p.reserve_exact(n);
        for (i, (k, r)) in keyed.into_iter().enumerate() {
            if s.cells.last() != Some(&k) {
                s.cells.push(k);
                s.starts.push(i as u32);
            }
            s.lat.push(r.lat);
            s.lon.push(r.lon);
            s.t.push(r.t);
            s.loc.push(r.loc);
            s.p.push(r.p);
        }
        s.starts.push(n as u32);
        s.cells.shrink_to_fit();
        s.starts.shrink_to_fit();
        s.index_persons(persons);
        let mut by_loc: Vec<u32> = (0..n as u32).collect();
        by_loc.sort_unstable_by_key(|&i| s.loc[i as usize]);
        s.by_loc = by_loc;
        s
    }

    fn index_persons(&mut self, persons: usize) {
        let mut start = vec![0u32; persons + 1];
        for &p in &self.p {
            start[p as usize + 1] += 1;
        }
        for i in 0..persons {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut by_person = vec![0u32; self.p.len()];
        for (slot, &p) in self.p.iter().enumerate() {
            by_person[next[p as usize] as usize] = slot as u32;
            next[p as usize] += 1;
        }
        for w in start.windows(2) {
            let part = &mut by_person[w[0] as usize..w[1] as usize];
            part.sort_unstable_by_key(|&i| (self.t[i as usize], self.loc[i as usize]));
        }
        self.by_person = by_person;
        self.person_start = start;
    }

    pub(crate) fn len(&self) -> usize {
        self.t.len()
    }

    pub(crate) fn rec(&self, slot: usize) -> Rec {
        Rec {
            lat: self.lat[slot],
            lon: self.lon[slot],
            t: self.t[slot],
            loc: self.loc[slot],
            p: self.p[slot],
        }
    }

    pub(crate) fn recs(&self) -> impl Iterator<Item = Rec> + '_ {
        (0..self.len()).map(|i| self.rec(i))
    }

    pub(crate) fn contains_loc(&self, loc: i64) -> bool {
        self.by_loc
            .binary_search_by_key(&loc, |&i| self.loc[i as usize])
            .is_ok()
    }

    /// The fixes of person `p` with `t_lo <= t <= t_hi`, by time.
    pub(crate) fn own(&self, p: u32, t_lo: i64, t_hi: i64, out: &mut Vec<Rec>) {
        let Some(w) = self.person_start.get(p as usize..p as usize + 2) else {
            return;
        };
        let slots = &self.by_person[w[0] as usize..w[1] as usize];
        let a = slots.partition_point(|&i| self.t[i as usize] < t_lo);
        let b = slots.partition_point(|&i| self.t[i as usize] <= t_hi);
        out.extend(slots[a..b.max(a)].iter().map(|&i| self.rec(i as usize)));
    }

    /// Calls `f` for every fix with `t_lo <= t <= t_hi` in the cover's cells that its box admits.
    pub(crate) fn visit(
        &self,
        grid: &Grid,
        cover: &Cover,
        t_lo: i64,
        t_hi: i64,
        mut f: impl FnMut(Rec),
    ) {
        let mut cell = |i: usize| {
            let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
            let ts = &self.t[a..b];
            let lo = a + ts.partition_point(|&t| t < t_lo);
            let hi = a + ts.partition_point(|&t| t <= t_hi);
            for s in lo..hi {
                if cover.admits(self.lat[s], self.lon[s]) {
                    f(self.rec(s));
                }
            }
        };
        if cover.rows() as usize > self.cells.len() {
            // Huge radius: fewer occupied cells than rows to enumerate; the box decides.
            (0..self.cells.len()).for_each(cell);
            return;
        }
        for row in cover.row_lo..=cover.row_hi {
            for &(c0, c1) in grid.col_ranges(cover, row).as_slice() {
                let (k0, k1) = (crate::grid::key(row, c0), crate::grid::key(row, c1));
                let mut i = self.cells.partition_point(|&k| k < k0);
                while i < self.cells.len() && self.cells[i] <= k1 {
                    cell(i);
                    i += 1;
                }
            }
        }
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        fn v<T>(x: &Vec<T>) -> usize {
            x.capacity() * size_of::<T>()
        }
        v(&self.lat)
            + v(&self.lon)
            + v(&self.t)
            + v(&self.loc)
            + v(&self.p)
            + v(&self.cells)
            + v(&self.starts)
            + v(&self.by_person)
            + v(&self.person_start)
            + v(&self.by_loc)
    }
}

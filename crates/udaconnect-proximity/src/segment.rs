//! The immutable bulk of the index: struct-of-arrays sorted by (cell, time, location id),
//! a sorted cell directory, and two permutations (by person and time, by location id).
//! 36 bytes of columns + 8 bytes of permutations per fix, + 12 bytes per occupied cell.

use std::mem::size_of;

use crate::grid::{Cover, Grid};
use crate::types::Rec;

const TIME_HINTS: usize = 64;
const ROW_HINTS: usize = 8;
/// Cells whose time searches run in lockstep.
const BATCH: usize = 16;

/// Work carried over between [`Segment::ranges`] calls of one query (nothing if unused).
pub(crate) struct Hints {
    /// Per cell (by index modulo): (cell index + 1, `t_lo`, first slot offset at or after it).
    time: [(u32, i64, u32); TIME_HINTS],
    /// Per row (modulo): (row + 1, its number of columns).
    rows: [(u64, u32); ROW_HINTS],
    /// Per row (modulo): (a column range's first key, the index of the first cell at or after it).
    cells: [(u64, u32); ROW_HINTS],
}

impl Default for Hints {
    fn default() -> Self {
        Self {
            time: [(0, 0, 0); TIME_HINTS],
            rows: [(0, 0); ROW_HINTS],
            cells: [(u64::MAX, 0); ROW_HINTS],
        }
    }
}

/// The number of leading elements of `v` satisfying `pred` (which must hold for a prefix):
/// an exponential search from the front, cheap when the answer is small.
#[inline]
fn gallop(v: &[i64], pred: impl Fn(i64) -> bool) -> usize {
    let mut step = 1;
    let mut lo = 0;
    while lo + step <= v.len() && pred(v[lo + step - 1]) {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(v.len());
    lo + v[lo..hi].partition_point(|&t| pred(t))
}

#[derive(Debug, Default)]
pub(crate) struct Segment {
    pub(crate) lat: Vec<f64>,
    pub(crate) lon: Vec<f64>,
    t: Vec<i64>,
    pub(crate) loc: Vec<i64>,
    pub(crate) p: Vec<u32>,
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
        self.ranges(grid, cover, t_lo, t_hi, &mut Hints::default(), |a, b| {
            for s in a..b {
                if cover.admits(self.lat[s], self.lon[s]) {
                    f(self.rec(s));
                }
            }
        });
    }

    /// Calls `f(a, b)` with the slots `a..b` of each of the cover's cells whose times are in
    /// `t_lo..=t_hi` (the box is not applied; callers test `cover.admits`). `hints` carries
    /// work over between calls on nearby points (pass the same one for a run of queries).
    #[inline]
    pub(crate) fn ranges(
        &self,
        grid: &Grid,
        cover: &Cover,
        t_lo: i64,
        t_hi: i64,
        hints: &mut Hints,
        mut f: impl FnMut(usize, usize),
    ) {
        if t_lo > t_hi || self.cells.is_empty() {
            return;
        }
        if cover.rows() as usize > self.cells.len() {
            // Huge radius: fewer occupied cells than rows to enumerate; the box decides.
            let mut batch = [0u32; BATCH];
            for start in (0..self.cells.len()).step_by(BATCH) {
                let n = BATCH.min(self.cells.len() - start);
                for (j, b) in batch[..n].iter_mut().enumerate() {
                    *b = (start + j) as u32;
                }
                self.search(&batch[..n], t_lo, t_hi, hints, &mut f);
            }
            return;
        }
        let mut batch = [0u32; BATCH];
        let mut n = 0;
        for row in cover.row_lo..=cover.row_hi {
            let rh = &mut hints.rows[row as usize % ROW_HINTS];
            if rh.0 != u64::from(row) + 1 {
                *rh = (u64::from(row) + 1, grid.cols(row));
            }
            for &(c0, c1) in grid.col_ranges_n(cover, rh.1).as_slice() {
                let (k0, k1) = (crate::grid::key(row, c0), crate::grid::key(row, c1));
                let ch = &mut hints.cells[row as usize % ROW_HINTS];
                let mut i = if ch.0 == k0 {
                    ch.1 as usize
                } else {
                    let i = self.cells.partition_point(|&k| k < k0);
                    *ch = (k0, i as u32);
                    i
                };
                while i < self.cells.len() && self.cells[i] <= k1 {
                    if n == BATCH {
                        self.search(&batch, t_lo, t_hi, hints, &mut f);
                        n = 0;
                    }
                    batch[n] = i as u32;
                    n += 1;
                    i += 1;
                }
            }
        }
        self.search(&batch[..n], t_lo, t_hi, hints, &mut f);
    }

    /// The time searches of [`Segment::ranges`] for a few cells, then `f` per cell in order.
    /// Cells without a usable hint are binary-searched in lockstep, so that their cache misses
    /// overlap instead of queueing.
    #[inline]
    fn search(
        &self,
        cells: &[u32],
        t_lo: i64,
        t_hi: i64,
        hints: &mut Hints,
        f: &mut impl FnMut(usize, usize),
    ) {
        debug_assert!(cells.len() <= BATCH);
        // Per cell: (first slot, number of slots, search base, remaining size).
        let mut st = [(0usize, 0usize, 0usize, 0usize); BATCH];
        let mut pending = false;
        for (j, &i) in cells.iter().enumerate() {
            let i = i as usize;
            let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
            let ts = &self.t[a..b];
            if ts[0] > t_hi || ts[ts.len() - 1] < t_lo {
                continue; // st[j].1 == 0: nothing in the window
            }
            // Every slot before a hint's position has a time below the hint's `t_lo`, so a
            // later window (own fixes come by time) searches forward from there.
            let h = &hints.time[i % TIME_HINTS];
            st[j] = if h.0 == i as u32 + 1 && h.1 <= t_lo {
                let p = h.2 as usize;
                (a, ts.len(), p + gallop(&ts[p..], |t| t < t_lo), 1)
            } else {
                pending = true;
                (a, ts.len(), 0, ts.len())
            };
        }
        while pending {
            pending = false;
            for e in st[..cells.len()].iter_mut() {
                if e.3 > 1 {
                    let half = e.3 / 2;
                    if self.t[e.0 + e.2 + half] < t_lo {
                        e.2 += half;
                    }
                    e.3 -= half;
                    pending |= e.3 > 1;
                }
            }
        }
        for (j, &i) in cells.iter().enumerate() {
            let (a, len, mut lo, size) = st[j];
            if len == 0 {
                continue;
            }
            let ts = &self.t[a..a + len];
            if size == 1 && lo < len && ts[lo] < t_lo {
                // The end of a binary search (a gallop's result is final and has size 1 too,
                // but then `ts[lo] >= t_lo` or `lo == len`).
                lo += 1;
            }
            hints.time[i as usize % TIME_HINTS] = (i + 1, t_lo, lo as u32);
            let hi = lo + gallop(&ts[lo..], |t| t <= t_hi);
            if lo < hi {
                f(a + lo, a + hi);
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

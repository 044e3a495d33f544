//! The index: a sorted segment plus a delta of recent inserts, and the person table.

use std::collections::HashMap;
use std::mem::size_of;

use udaconnect_domain::PersonId;

use crate::delta::Delta;
use crate::grid::Grid;
use crate::segment::Segment;
use crate::types::{Fix, Rec, micros};

/// Default cell edge, metres: tuned for the 5 m contact radius; larger radii visit more cells.
pub const DEFAULT_CELL_M: f64 = 10.0;
/// The delta is folded into the segment once it exceeds this many fixes or 1/32 of the segment.
const MIN_DELTA: usize = 4096;

/// A space-time index of location fixes answering fixed-radius, time-windowed neighbour
/// queries on the sphere, exactly as a brute-force `haversine_m` scan would.
#[derive(Debug)]
pub struct ProximityIndex {
    pub(crate) grid: Grid,
    pub(crate) persons: Vec<PersonId>,
    person_ix: HashMap<PersonId, u32>,
    pub(crate) main: Segment,
    pub(crate) delta: Delta,
}

impl Default for ProximityIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl FromIterator<Fix> for ProximityIndex {
    fn from_iter<I: IntoIterator<Item = Fix>>(iter: I) -> Self {
        let mut ix = Self::new();
        ix.extend(iter);
        ix
    }
}

impl ProximityIndex {
    pub fn new() -> Self {
        Self::with_cell_m(DEFAULT_CELL_M)
    }

    /// An index with cells of about `cell_m` metres (panics below 1 cm or if not finite).
    pub fn with_cell_m(cell_m: f64) -> Self {
        Self {
            grid: Grid::new(cell_m),
            persons: Vec::new(),
            person_ix: HashMap::new(),
            main: Segment::default(),
            delta: Delta::default(),
        }
    }

    /// Number of fixes held.
    pub fn len(&self) -> usize {
        self.main.len() + self.delta.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes held (exact for the segment, estimated for the delta and person table).
    pub fn memory_bytes(&self) -> usize {
        let persons = self.persons.capacity() * size_of::<PersonId>()
            + self.person_ix.capacity() * (size_of::<(PersonId, u32)>() + 1);
        self.main.memory_bytes() + self.delta.memory_bytes() + persons
    }

    pub fn contains(&self, location: udaconnect_domain::LocationId) -> bool {
        let loc = location.get();
        self.main.contains_loc(loc) || self.delta.contains_loc(loc)
    }

    /// Adds one fix; idempotent by location id (a known id is left as it is). True if added.
    pub fn insert(&mut self, fix: Fix) -> bool {
        if self.contains(fix.location) {
            return false;
        }
        let r = self.rec(&fix);
        self.delta.insert(&self.grid, r);
        if self.delta.len() > MIN_DELTA.max(self.main.len() / 32) {
            self.compact();
        }
        true
    }

    /// Adds many fixes with one sort (idempotent by location id, the first of duplicates
    /// wins). Returns how many were added.
    pub fn extend<I: IntoIterator<Item = Fix>>(&mut self, fixes: I) -> usize {
        let mut new: Vec<Rec> = fixes.into_iter().map(|f| self.rec(&f)).collect();
        new.sort_by_key(|r| r.loc);
        new.dedup_by_key(|r| r.loc);
        new.retain(|r| !self.main.contains_loc(r.loc) && !self.delta.contains_loc(r.loc));
        let added = new.len();
        if added <= MIN_DELTA && self.delta.len() + added <= MIN_DELTA.max(self.main.len() / 32) {
            new.into_iter()
                .for_each(|r| self.delta.insert(&self.grid, r));
        } else {
            new.extend(self.main.recs());
            new.extend(self.delta.drain());
            self.main = Segment::build(&self.grid, new, self.persons.len());
        }
        added
    }

    /// Folds the delta into the segment.
    pub fn compact(&mut self) {
        if self.delta.len() > 0 {
            let recs: Vec<Rec> = self.main.recs().chain(self.delta.drain()).collect();
            self.main = Segment::build(&self.grid, recs, self.persons.len());
        }
    }

    /// Forgets every fix of `person` (erasure). Returns how many were removed.
    pub fn remove_person(&mut self, person: PersonId) -> usize {
        let Some(&p) = self.person_ix.get(&person) else {
            return 0;
        };
        let mut removed = self.delta.remove_person(p);
        let before = self.main.len();
        let keep: Vec<Rec> = self.main.recs().filter(|r| r.p != p).collect();
        if keep.len() < before {
            removed += before - keep.len();
            self.main = Segment::build(&self.grid, keep, self.persons.len());
        }
        removed
    }

    /// Forgets every fix taken before `cutoff` (retention). Returns how many were removed.
    /// Rebuilds the segment when it held any: call it periodically, not per fix.
    pub fn purge_before(&mut self, cutoff: udaconnect_domain::Timestamp) -> usize {
        let t = micros(cutoff);
        let mut removed = self.delta.purge_before(t);
        let before = self.main.len();
        if self.main.recs().any(|r| r.t < t) {
            let keep: Vec<Rec> = self.main.recs().filter(|r| r.t >= t).collect();
            removed += before - keep.len();
            self.main = Segment::build(&self.grid, keep, self.persons.len());
        }
        removed
    }

    pub(crate) fn person(&self, person: PersonId) -> Option<u32> {
        self.person_ix.get(&person).copied()
    }

    fn rec(&mut self, f: &Fix) -> Rec {
        let next = self.persons.len() as u32;
        let p = *self.person_ix.entry(f.person).or_insert(next);
        if p == next {
            self.persons.push(f.person);
        }
        Rec {
            lat: f.coordinates.lat(),
            lon: f.coordinates.lon(),
            t: micros(f.time),
            loc: f.location.get(),
            p,
        }
    }
}

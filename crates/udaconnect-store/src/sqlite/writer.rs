//! The single writer connection and the state only the writer needs.

use std::collections::HashSet;

use rusqlite::Connection;

/// Beyond this many remembered cells the set starts over (memory bound; the database
/// stays the authority, the set only saves look-ups).
const KNOWN_CELLS_MAX: usize = 4_000_000;

pub(crate) struct Writer {
    pub(crate) conn: Connection,
    /// Cells known to have their R*Tree row, learnt from committed transactions only.
    pub(crate) known_cells: KnownCells,
}

#[derive(Default)]
pub(crate) struct KnownCells(HashSet<i64>);

impl KnownCells {
    pub(crate) fn contains(&self, cell: i64) -> bool {
        self.0.contains(&cell)
    }

    /// Call only after the transaction that made these cells exist has committed.
    pub(crate) fn remember(&mut self, cells: &[i64]) {
        if self.0.len() + cells.len() > KNOWN_CELLS_MAX {
            self.0.clear();
        }
        self.0.extend(cells);
    }
}

use std::{fmt, time::Duration};

use crate::{RowError, options::per_second};

/// How many rejected rows a report lists (all of them are counted).
pub const MAX_LISTED_REJECTIONS: usize = 20;

/// What an import did. Re-importing the same files reports everything as skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    pub files: usize,
    pub persons_inserted: u64,
    /// Already stored (same id): left as they were.
    pub persons_skipped: u64,
    pub locations_inserted: u64,
    /// Already stored (same event id or id): left as they were.
    pub locations_skipped: u64,
    /// Dump points stored (latitude, longitude) that were swapped back.
    pub swapped_fixed: u64,
    /// Dump statements without person or location rows (DDL, `SET`, other tables…).
    pub statements_skipped: u64,
    /// Rows not imported: invalid, or of an unknown person.
    pub rejected: u64,
    /// The first [`MAX_LISTED_REJECTIONS`] of them.
    pub rejections: Vec<RowError>,
    pub elapsed: Duration,
}

impl ImportReport {
    /// Person and location rows stored or found already stored.
    pub fn rows(&self) -> u64 {
        self.persons_inserted
            + self.persons_skipped
            + self.locations_inserted
            + self.locations_skipped
    }

    pub fn rows_per_second(&self) -> f64 {
        per_second(self.rows(), self.elapsed)
    }

    pub(crate) fn add_rejections(&mut self, r: Rejections) {
        self.rejected += r.count;
        let room = MAX_LISTED_REJECTIONS.saturating_sub(self.rejections.len());
        self.rejections.extend(r.first.into_iter().take(room));
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} ({} already present) and {} ({} already present) from {} in {:.2} s ({:.0} rows/s)",
            plural(self.persons_inserted, "person", "persons"),
            self.persons_skipped,
            plural(self.locations_inserted, "location", "locations"),
            self.locations_skipped,
            plural(self.files as u64, "file", "files"),
            self.elapsed.as_secs_f64(),
            self.rows_per_second(),
        )?;
        if self.swapped_fixed > 0 {
            let s = plural(
                self.swapped_fixed,
                "swapped coordinate",
                "swapped coordinates",
            );
            write!(f, "; fixed {s}")?;
        }
        if self.statements_skipped > 0 {
            write!(
                f,
                "; skipped {}",
                plural(self.statements_skipped, "statement", "statements")
            )?;
        }
        if self.rejected > 0 {
            write!(f, "; rejected {}:", plural(self.rejected, "row", "rows"))?;
            for r in &self.rejections {
                write!(f, "\n  {r}")?;
            }
            let unlisted = self.rejected.saturating_sub(self.rejections.len() as u64);
            if unlisted > 0 {
                write!(f, "\n  … and {unlisted} more")?;
            }
        }
        Ok(())
    }
}

/// Rejected rows: all counted, the first few kept.
#[derive(Debug, Default)]
pub(crate) struct Rejections {
    pub(crate) count: u64,
    pub(crate) first: Vec<RowError>,
}

impl Rejections {
    pub(crate) fn push(&mut self, e: RowError) {
        self.count += 1;
        if self.first.len() < MAX_LISTED_REJECTIONS {
            self.first.push(e);
        }
    }

    pub(crate) fn merge(&mut self, other: Rejections) {
        let unlisted = other.count.saturating_sub(other.first.len() as u64);
        for e in other.first {
            self.push(e);
        }
        self.count += unlisted;
    }
}

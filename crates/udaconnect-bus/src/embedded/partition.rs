//! A partition: its directory of segments, oldest first, the last one active. Readers plan
//! reads under a read lock; only the writer thread changes the segment list.

use std::{
    path::PathBuf,
    sync::{RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use super::{
    fsutil::fsync_dir,
    read::ReadPlan,
    recovery::recover_segment,
    segment::{Segment, parse_file_name},
};
use crate::BusError;

#[derive(Debug)]
pub(crate) struct Partition {
    pub(crate) id: u32,
    pub(crate) dir: PathBuf,
    segments: RwLock<Vec<Segment>>,
}

/// A frame the writer made durable, to be published to readers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Written {
    pub(crate) offset: u64,
    pub(crate) pos: u64,
    pub(crate) len: u64,
    pub(crate) timestamp_ms: i64,
}

impl Partition {
    /// Creates the directory of a new partition with an empty first segment.
    pub(crate) fn create(dir: PathBuf, id: u32) -> Result<Partition, BusError> {
        std::fs::create_dir(&dir)?;
        let segment = Segment::create(&dir, 0)?;
        fsync_dir(&dir)?;
        Ok(Partition::new(dir, id, vec![segment]))
    }

    /// Opens an existing partition, checking every segment (see `recovery`).
    pub(crate) fn open(dir: PathBuf, id: u32) -> Result<Partition, BusError> {
        let mut bases = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let name = entry?.file_name();
            match name.to_str().and_then(parse_file_name) {
                Some(base) => bases.push(base),
                None => tracing::debug!(?name, "ignoring unknown file in partition directory"),
            }
        }
        bases.sort_unstable();
        if bases.is_empty() {
            let dir = dir.display();
            return Err(BusError::Corrupt(format!("{dir}: no segment files")));
        }
        let mut segments: Vec<Segment> = Vec::with_capacity(bases.len());
        for (i, &base) in bases.iter().enumerate() {
            if let Some(prev) = segments.last()
                && prev.next_offset != base
            {
                let (dir, end) = (dir.display(), prev.next_offset);
                let message = format!("{dir}: segment {base} does not follow offset {end}");
                return Err(BusError::Corrupt(message));
            }
            let path = dir.join(super::segment::file_name(base));
            segments.push(recover_segment(path, base, i + 1 == bases.len())?);
        }
        Ok(Partition::new(dir, id, segments))
    }

    fn new(dir: PathBuf, id: u32, segments: Vec<Segment>) -> Partition {
        Partition {
            id,
            dir,
            segments: RwLock::new(segments),
        }
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Vec<Segment>> {
        self.segments.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Vec<Segment>> {
        self.segments.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The oldest offset still stored.
    pub(crate) fn start_offset(&self) -> u64 {
        self.read().first().map_or(0, |s| s.base)
    }

    /// The next offset to be written.
    pub(crate) fn end_offset(&self) -> u64 {
        self.read().last().map_or(0, |s| s.next_offset)
    }

    /// Plans a read from `offset`. Returns the offset actually read from (the log start when
    /// `offset` was deleted by retention) and the plan, `None` when nothing is there yet.
    pub(crate) fn plan(&self, offset: u64) -> (u64, Option<ReadPlan>) {
        let segments = self.read();
        let start = segments.first().map_or(0, |s| s.base);
        let from = offset.max(start);
        let i = segments
            .partition_point(|s| s.base <= from)
            .saturating_sub(1);
        let plan = segments[i..]
            .iter()
            .find(|s| s.contains(from))
            .map(|s| ReadPlan {
                partition: self.id,
                file: s.file.clone(),
                pos: s.seek_position(from),
                end: s.len,
                from,
            });
        (from, plan)
    }

    /// Makes frames the writer synced visible to readers (all in the active segment, whose
    /// file is now `allocated` bytes long).
    pub(crate) fn publish(&self, frames: &[Written], allocated: u64) {
        let mut segments = self.write();
        if let Some(active) = segments.last_mut() {
            for w in frames {
                active.push(w.offset, w.pos, w.len, w.timestamp_ms);
            }
            active.allocated = allocated;
        }
    }

    /// Cuts the zeros preallocated after the last record of the active segment (clean
    /// shutdown, so that the files end where the data ends).
    pub(crate) fn trim(&self) -> std::io::Result<()> {
        let mut segments = self.write();
        if let Some(active) = segments.last_mut()
            && active.allocated > active.len
        {
            active.file.set_len(active.len)?;
            active.file.sync_data()?;
            active.allocated = active.len;
        }
        Ok(())
    }

    /// Closes the active segment when it holds records and all of them are older than
    /// `oldest_ms`, so that the age limit can delete it (a quiet partition would otherwise
    /// keep expired records in its active segment until it filled up). Writer thread only.
    pub(crate) fn roll_if_expired(&self, oldest_ms: i64) -> Result<bool, BusError> {
        let mut segments = self.write();
        let Some(active) = segments.last_mut() else {
            return Ok(false);
        };
        if active.next_offset == active.base || active.max_timestamp_ms >= oldest_ms {
            return Ok(false);
        }
        if active.allocated > active.len {
            active.file.set_len(active.len)?;
            active.file.sync_data()?;
            active.allocated = active.len;
        }
        let next = Segment::create(&self.dir, active.next_offset)?;
        fsync_dir(&self.dir)?;
        segments.push(next);
        Ok(true)
    }

    /// Removes the oldest closed segments that are fully below `floor` (committed by every
    /// group) or whose newest record is older than `oldest_ms`; returns them for deletion.
    pub(crate) fn take_expired(&self, floor: Option<u64>, oldest_ms: Option<i64>) -> Vec<Segment> {
        let mut segments = self.write();
        let closed = segments.len().saturating_sub(1);
        let n = segments[..closed]
            .iter()
            .take_while(|s| {
                floor.is_some_and(|f| s.next_offset <= f)
                    || oldest_ms.is_some_and(|t| s.max_timestamp_ms < t)
            })
            .count();
        segments.drain(..n).collect()
    }
}

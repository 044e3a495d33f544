//! Opening a segment after a restart: every frame is checked (length, CRC, offset sequence)
//! and the sparse index rebuilt. A bad frame in the last segment of a partition is a torn tail
//! left by a crash during a write that was never acknowledged: the file is truncated there
//! and a warning logged. A bad frame in any earlier segment is [`BusError::Corrupt`], since
//! the writer syncs a segment completely before it starts the next one. Zeros after the last
//! frame are preallocated space (see `append`) and are trimmed silently.

use std::{
    fs::File,
    io::{BufReader, Read},
    os::unix::fs::FileExt,
    path::PathBuf,
};

use super::{
    frame::{self, Check, HEADER_LEN},
    segment::{Segment, open_file},
};
use crate::BusError;

/// Scans the segment at `path` that should start at `base`.
pub(crate) fn recover_segment(
    path: PathBuf,
    base: u64,
    is_last: bool,
) -> Result<Segment, BusError> {
    let file = open_file(&path, false)?;
    let file_len = file.metadata()?.len();
    let mut segment = Segment::new(base, path, file);
    segment.allocated = file_len;
    let file = segment.file.clone();
    let mut reader = BufReader::with_capacity(1 << 20, &*file);
    let mut pos = 0u64;
    let mut frame_buf = Vec::new();
    while pos < file_len {
        match next_frame(&mut reader, file_len - pos, &mut frame_buf)? {
            Ok(()) => {}
            Err(problem) => return torn(segment, pos, file_len, problem, is_last),
        }
        let (offset, timestamp_ms) = frame::peek(&frame_buf);
        if offset != segment.next_offset {
            let problem = "record offset out of sequence";
            return torn(segment, pos, file_len, problem, is_last);
        }
        let frame_len = frame_buf.len() as u64;
        segment.push(offset, pos, frame_len, timestamp_ms);
        pos += frame_len;
    }
    Ok(segment)
}

/// Reads the next frame into `buf`; the inner error names what is wrong with it.
fn next_frame(
    reader: &mut BufReader<&File>,
    remaining: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<Result<(), &'static str>> {
    if remaining < HEADER_LEN as u64 {
        return Ok(Err("partial frame header"));
    }
    buf.resize(HEADER_LEN, 0);
    reader.read_exact(buf)?;
    let total = match frame::check(buf) {
        Check::Incomplete(total) => total,
        Check::Invalid => return Ok(Err("impossible frame length")),
        Check::Complete(_) => return Ok(Err("impossible frame length")),
    };
    if remaining < total as u64 {
        return Ok(Err("partial frame"));
    }
    buf.resize(total, 0);
    reader.read_exact(&mut buf[HEADER_LEN..])?;
    Ok(match frame::check(buf) {
        Check::Complete(_) => Ok(()),
        _ => Err("frame checksum mismatch"),
    })
}

/// Truncates the torn tail of the last segment, or reports corruption of an earlier one.
fn torn(
    mut segment: Segment,
    pos: u64,
    file_len: u64,
    problem: &'static str,
    is_last: bool,
) -> Result<Segment, BusError> {
    let path = segment.path.display();
    let dropped_bytes = file_len - pos;
    if zeros(&segment.file, pos, file_len)? {
        tracing::debug!(%path, at = pos, dropped_bytes, "trimming preallocated zeros");
    } else if is_last {
        tracing::warn!(%path, at = pos, dropped_bytes, problem, "truncating torn tail of the event log");
    } else {
        let message = format!("{path}: {problem} at byte {pos} of a closed segment");
        return Err(BusError::Corrupt(message));
    }
    segment.file.set_len(pos)?;
    segment.file.sync_all()?;
    segment.allocated = pos;
    Ok(segment)
}

/// Whether bytes `from..to` of `file` are all zero (preallocated, never written).
fn zeros(file: &File, from: u64, to: u64) -> std::io::Result<bool> {
    let mut buf = vec![0u8; 64 << 10];
    let mut pos = from;
    while pos < to {
        let n = (to - pos).min(buf.len() as u64) as usize;
        file.read_exact_at(&mut buf[..n], pos)?;
        if buf[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        pos += n as u64;
    }
    Ok(true)
}

//! On-disk framing of one record: `body_len u32 | crc32(body) u32 | body`, little-endian,
//! where the body is `offset u64 | timestamp_ms i64 | key_len u32 | key | value_len u32 |
//! value | header_count u16 | (name_len u16 | name | value_len u32 | value)*`.
//!
//! The offset inside the body lets recovery check that a segment is contiguous; the CRC lets
//! it tell a complete frame from a torn one.

use bytes::{Buf, Bytes};

use crate::{BusError, Record};

/// Bytes before the body: length and CRC.
pub(crate) const HEADER_LEN: usize = 8;
/// Smallest possible body: offset, timestamp, two lengths and a header count.
const MIN_BODY: usize = 8 + 8 + 4 + 4 + 2;
/// Largest body recovery accepts; bigger lengths are treated as damage.
pub(crate) const MAX_BODY: usize = 256 << 20;

/// A record read back from a segment.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) offset: u64,
    pub(crate) timestamp_ms: i64,
    pub(crate) record: Record,
}

/// Size of `record` once framed.
pub(crate) fn frame_len(record: &Record) -> usize {
    let headers: usize = record
        .headers
        .iter()
        .map(|(n, v)| 2 + n.len() + 4 + v.len())
        .sum();
    HEADER_LEN + MIN_BODY + record.key.len() + record.value.len() + headers
}

/// Rejects records that cannot be framed or exceed `max_record_bytes` once framed.
pub(crate) fn validate(record: &Record, max_record_bytes: usize) -> Result<(), BusError> {
    if record.headers.len() > usize::from(u16::MAX) {
        return Err(invalid("headers", "more than 65535 headers".into()));
    }
    if let Some((name, _)) = record.headers.iter().find(|(n, _)| n.len() > 1024) {
        return Err(invalid(
            "headers",
            format!("header name too long: {name:.32}…"),
        ));
    }
    let len = frame_len(record);
    if len > max_record_bytes.min(MAX_BODY) {
        return Err(invalid(
            "records",
            format!("record of {len} bytes exceeds the limit of {max_record_bytes} bytes"),
        ));
    }
    Ok(())
}

fn invalid(field: &'static str, message: String) -> BusError {
    BusError::InvalidArgument { field, message }
}

/// Appends the frame of `record` at `offset` to `buf`. The record must have been validated.
pub(crate) fn encode(buf: &mut Vec<u8>, offset: u64, timestamp_ms: i64, record: &Record) {
    let start = buf.len();
    buf.extend_from_slice(&[0; HEADER_LEN]);
    buf.extend_from_slice(&offset.to_le_bytes());
    buf.extend_from_slice(&timestamp_ms.to_le_bytes());
    put_bytes32(buf, &record.key);
    put_bytes32(buf, &record.value);
    buf.extend_from_slice(&(record.headers.len() as u16).to_le_bytes());
    for (name, value) in &record.headers {
        buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
        buf.extend_from_slice(name.as_bytes());
        put_bytes32(buf, value);
    }
    let body_len = (buf.len() - start - HEADER_LEN) as u32;
    let crc = crc32fast::hash(&buf[start + HEADER_LEN..]);
    buf[start..start + 4].copy_from_slice(&body_len.to_le_bytes());
    buf[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

fn put_bytes32(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    buf.extend_from_slice(bytes);
}

/// What the start of `buf` holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// A whole frame of this many bytes (header included) with a matching CRC.
    Complete(usize),
    /// The frame continues past the end of `buf` (needs this many bytes in all).
    Incomplete(usize),
    /// The length is impossible or the CRC does not match.
    Invalid,
}

/// Checks the frame at the start of `buf`.
pub(crate) fn check(buf: &[u8]) -> Check {
    if buf.len() < HEADER_LEN {
        return Check::Incomplete(HEADER_LEN);
    }
    let body_len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if !(MIN_BODY..=MAX_BODY).contains(&body_len) {
        return Check::Invalid;
    }
    let total = HEADER_LEN + body_len;
    if buf.len() < total {
        return Check::Incomplete(total);
    }
    let crc = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
    if crc32fast::hash(&buf[HEADER_LEN..total]) == crc {
        Check::Complete(total)
    } else {
        Check::Invalid
    }
}

/// Offset and timestamp of a checked frame, without decoding the record.
pub(crate) fn peek(frame: &[u8]) -> (u64, i64) {
    let mut b = &frame[HEADER_LEN..];
    (b.get_u64_le(), b.get_i64_le())
}

/// Decodes a frame that [`check`] found complete. Fails only on a body that passed its CRC
/// yet does not parse, which means a bug or deliberate damage.
pub(crate) fn decode(frame: Bytes) -> Result<Decoded, BusError> {
    let mut b = frame.slice(HEADER_LEN..);
    let bad = || BusError::Corrupt("record body does not parse".into());
    let offset = b.try_get_u64_le().map_err(|_| bad())?;
    let timestamp_ms = b.try_get_i64_le().map_err(|_| bad())?;
    let key = take32(&mut b).ok_or_else(bad)?;
    let value = take32(&mut b).ok_or_else(bad)?;
    let count = b.try_get_u16_le().map_err(|_| bad())?;
    let mut headers = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let n = usize::from(b.try_get_u16_le().map_err(|_| bad())?);
        let name = take(&mut b, n).ok_or_else(bad)?;
        let name = String::from_utf8(name.to_vec()).map_err(|_| bad())?;
        headers.push((name, take32(&mut b).ok_or_else(bad)?));
    }
    let record = Record {
        key,
        value,
        headers,
    };
    Ok(Decoded {
        offset,
        timestamp_ms,
        record,
    })
}

fn take32(b: &mut Bytes) -> Option<Bytes> {
    let n = b.try_get_u32_le().ok()? as usize;
    take(b, n)
}

fn take(b: &mut Bytes, n: usize) -> Option<Bytes> {
    (b.remaining() >= n).then(|| b.split_to(n))
}

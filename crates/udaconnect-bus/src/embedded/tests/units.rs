//! Small units: framing, partitioning, assignment.

use bytes::Bytes;

use super::super::{
    frame::{self, Check},
    group::owner_index,
    topic::fnv1a,
};
use crate::Record;

#[test]
fn frames_round_trip_and_detect_damage() {
    let record = Record::new("key", Bytes::from_static(b"\x00\xffvalue"))
        .with_header("event-id", "e1")
        .with_header("empty", "");
    let mut buf = Vec::new();
    frame::encode(&mut buf, 42, -7, &record);
    assert_eq!(buf.len(), frame::frame_len(&record));
    assert_eq!(frame::check(&buf), Check::Complete(buf.len()));
    let decoded = frame::decode(Bytes::from(buf.clone())).expect("decode");
    assert_eq!((decoded.offset, decoded.timestamp_ms), (42, -7));
    assert_eq!(decoded.record, record);
    assert_eq!(
        frame::check(&buf[..buf.len() - 1]),
        Check::Incomplete(buf.len())
    );
    let mut damaged = buf.clone();
    damaged[20] ^= 1;
    assert_eq!(frame::check(&damaged), Check::Invalid);
}

#[test]
fn partitioning_hash_is_stable() {
    // FNV-1a test vectors: changing these would move keys between partitions.
    assert_eq!(fnv1a(b""), 0x811c_9dc5);
    assert_eq!(fnv1a(b"a"), 0xe40c_292c);
    assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
}

#[test]
fn range_assignment_covers_every_partition_once() {
    for partitions in 1..12 {
        for members in 1..8 {
            let owners: Vec<Option<usize>> = (0..partitions)
                .map(|p| owner_index(partitions, members, p))
                .collect();
            assert!(owners.iter().all(Option::is_some), "{partitions}/{members}");
            // Contiguous, in member order, sizes differing by at most one.
            let mut counts = vec![0; members];
            for o in owners.iter().flatten() {
                counts[*o] += 1;
            }
            assert!(owners.windows(2).all(|w| w[0] <= w[1]));
            let (min, max) = (counts.iter().min(), counts.iter().max());
            if partitions >= members {
                assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1), "{counts:?}");
            }
        }
    }
    assert_eq!(owner_index(4, 0, 0), None);
}

//! Group-less readers ([`EventLog::read_from`](crate::EventLog::read_from)).

use std::collections::BTreeSet;

use super::{
    LogFactory,
    support::{assert_quiet, poll_n, unique_name, within},
};
use crate::{Position, Record};

fn record(i: usize) -> Record {
    Record::new(format!("key-{}", i % 5), format!("value-{i}"))
}

/// A reader from offset 0 sees everything; one from given offsets sees exactly the records at
/// or after them; one from the end offsets sees only later appends; readers are every
/// partition, independent of each other, and their commits touch no group.
pub async fn reader_reads_from_offsets(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let topic = unique_name("reader");
    log.ensure_topic(&topic, 3).await.expect("ensure_topic");
    let first: Vec<Record> = (0..20).map(record).collect();
    let positions = within("append", log.append(&topic, first.clone()))
        .await
        .expect("append");

    let mut all = log.read_from(&topic, &[]).await.expect("read_from");
    assert_eq!(
        all.assignment(),
        vec![0, 1, 2],
        "a reader reads every partition"
    );
    let got = poll_n(&mut *all, first.len()).await;
    assert_quiet(&mut *all).await;
    let seen: BTreeSet<Position> = got.iter().map(|d| d.position).collect();
    assert_eq!(
        seen,
        positions.iter().copied().collect(),
        "everything, once"
    );

    // From the middle: offsets given per partition.
    let mut from = vec![0u64; 3];
    for p in &positions[..10] {
        let slot = &mut from[p.partition as usize];
        *slot = (*slot).max(p.offset + 1);
    }
    let expected: BTreeSet<Position> = positions
        .iter()
        .filter(|p| p.offset >= from[p.partition as usize])
        .copied()
        .collect();
    let mut middle = log.read_from(&topic, &from).await.expect("read_from");
    let got = poll_n(&mut *middle, expected.len()).await;
    assert_quiet(&mut *middle).await;
    let seen: BTreeSet<Position> = got.iter().map(|d| d.position).collect();
    assert_eq!(
        seen, expected,
        "exactly the records at or after the offsets"
    );

    // From the end: only what comes next.
    let end = log.end_offsets(&topic).await.expect("end_offsets");
    let mut tail = log.read_from(&topic, &end).await.expect("read_from");
    assert_quiet(&mut *tail).await;
    let later = within("append", log.append(&topic, vec![record(99)]))
        .await
        .expect("append");
    let got = poll_n(&mut *tail, 1).await;
    assert_eq!(got[0].position, later[0]);
    assert_eq!(got[0].record, record(99));
    tail.commit(&[later[0]])
        .await
        .expect("a reader's commit is a no-op");

    // The first reader also sees the new record: readers are independent.
    let got = poll_n(&mut *all, 1).await;
    assert_eq!(got[0].position, later[0]);
    let committed = log
        .committed_offsets(&topic, &unique_name("nobody"))
        .await
        .expect("committed_offsets");
    assert_eq!(committed, vec![0, 0, 0]);
}

//! Appending and reading back, and ordering.

use std::{
    collections::{BTreeMap, HashMap},
    time::SystemTime,
};

use bytes::Bytes;

use super::{
    LogFactory,
    support::{assert_quiet, poll_n, unique_name, within},
};
use crate::{Delivery, Position, Record};

/// A varied record: binary value, repeated and empty headers, one empty key, one empty value.
fn sample(i: usize) -> Record {
    let key = if i == 3 {
        Bytes::new()
    } else {
        Bytes::from(format!("person-{}", i % 7))
    };
    let value = if i == 5 {
        Bytes::new()
    } else {
        Bytes::from(vec![i as u8, 0, 255, 10, 13])
    };
    let mut record = Record {
        key,
        value,
        headers: Vec::new(),
    }
    .with_header("event-id", format!("event-{i}"))
    .with_header("content-type", "application/x-protobuf");
    if i.is_multiple_of(4) {
        record = record
            .with_header("event-id", "duplicate-name")
            .with_header("empty", "");
    }
    record
}

/// Every record comes back once with key, value and headers intact, at the position
/// `append` returned, in offset order per partition, with a plausible timestamp.
pub async fn append_and_read_back(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let (topic, group) = (unique_name("readback"), unique_name("readback"));
    log.ensure_topic(&topic, 3).await.expect("ensure_topic");
    let records: Vec<Record> = (0..30).map(sample).collect();
    let before = now_ms();
    let positions = within("append", log.append(&topic, records.clone()))
        .await
        .expect("append");
    assert_eq!(positions.len(), records.len(), "one position per record");
    assert!(
        log.append(&topic, Vec::new())
            .await
            .expect("empty append")
            .is_empty()
    );

    let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
    let got = poll_n(&mut *sub, records.len()).await;
    assert_quiet(&mut *sub).await;
    let by_position: HashMap<Position, &Delivery> = got.iter().map(|d| (d.position, d)).collect();
    assert_eq!(
        by_position.len(),
        records.len(),
        "each record delivered once"
    );
    for (record, position) in records.iter().zip(&positions) {
        let d = by_position
            .get(position)
            .unwrap_or_else(|| panic!("nothing at {position:?}"));
        assert_eq!(&d.record, record, "record at {position:?}");
        assert_eq!(d.topic, topic);
        assert!(
            (before - 60_000..now_ms() + 60_000).contains(&d.timestamp_ms),
            "timestamp"
        );
    }
    assert_offset_order(&got);
    let end = log.end_offsets(&topic).await.expect("end_offsets");
    assert_eq!(end.len(), 3, "one end offset per partition");
    for (p, &e) in end.iter().enumerate() {
        let last = positions
            .iter()
            .filter(|x| x.partition as usize == p)
            .map(|x| x.offset + 1);
        assert_eq!(e, last.max().unwrap_or(0), "end offset of partition {p}");
    }
}

/// Records with the same key stay in one partition, in append order, across many keys.
pub async fn per_key_order(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let (topic, group) = (unique_name("order"), unique_name("order"));
    log.ensure_topic(&topic, 4).await.expect("ensure_topic");
    let (keys, rounds) = (40usize, 25usize);
    for round in 0..rounds {
        // Each batch holds every key once, in an order that changes between rounds.
        let batch: Vec<Record> = (0..keys)
            .map(|i| (i * 7 + round * 3) % keys)
            .map(|k| Record::new(format!("key-{k}"), format!("{k}:{round}")))
            .collect();
        within("append", log.append(&topic, batch))
            .await
            .expect("append");
    }
    let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
    let got = poll_n(&mut *sub, keys * rounds).await;
    assert_offset_order(&got);
    let mut seen: BTreeMap<String, (u32, Vec<usize>)> = BTreeMap::new();
    for d in &got {
        let value = String::from_utf8(d.record.value.to_vec()).expect("utf-8 value");
        let (key, round) = value.split_once(':').expect("key:round");
        let entry = seen
            .entry(key.to_owned())
            .or_insert((d.position.partition, Vec::new()));
        assert_eq!(entry.0, d.position.partition, "key {key} changed partition");
        entry.1.push(round.parse().expect("round"));
    }
    assert_eq!(seen.len(), keys);
    let distinct: std::collections::BTreeSet<u32> = seen.values().map(|(p, _)| *p).collect();
    assert!(
        distinct.len() > 1,
        "40 keys should not all hash to one partition"
    );
    for (key, (_, order)) in seen {
        assert_eq!(order, (0..rounds).collect::<Vec<_>>(), "order of key {key}");
    }
}

/// Deliveries of each partition come in increasing offset order.
pub(crate) fn assert_offset_order(got: &[Delivery]) {
    let mut last: HashMap<u32, u64> = HashMap::new();
    for d in got {
        if let Some(&prev) = last.get(&d.position.partition) {
            assert!(
                d.position.offset > prev,
                "offset order broken at {:?}",
                d.position
            );
        }
        last.insert(d.position.partition, d.position.offset);
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

//! How `poll` waits, wakes and survives cancellation.

use std::time::{Duration, Instant};

use super::{
    LogFactory,
    support::{assert_quiet, poll_n, unique_name, within},
};
use crate::{Position, Record};

/// A poll on an empty topic returns an empty batch after about `max_wait`, without error.
pub async fn empty_poll_returns_after_max_wait(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let (topic, group) = (unique_name("empty"), unique_name("empty"));
    log.ensure_topic(&topic, 1).await.expect("ensure_topic");
    let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
    let max_wait = Duration::from_millis(500);
    let start = Instant::now();
    let got = within("empty poll", sub.poll(10, max_wait))
        .await
        .expect("poll");
    let elapsed = start.elapsed();
    assert!(got.is_empty(), "nothing was appended, got {got:?}");
    assert!(
        elapsed >= max_wait * 8 / 10,
        "returned after {elapsed:?}, before max_wait"
    );
    assert!(
        elapsed < max_wait + Duration::from_secs(5),
        "took {elapsed:?}"
    );
}

/// A waiting poll returns soon after a record is appended, not at the end of `max_wait`.
pub async fn poll_wakes_on_append(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let (topic, group) = (unique_name("wake"), unique_name("wake"));
    log.ensure_topic(&topic, 2).await.expect("ensure_topic");
    let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
    // Let the member get its assignment (Kafka needs polls for that).
    while sub.assignment().len() < 2 {
        within("assignment", sub.poll(10, Duration::from_millis(100)))
            .await
            .expect("poll");
    }
    let appender = log.clone();
    let topic2 = topic.clone();
    let append = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        appender.append(&topic2, vec![Record::new("k", "v")]).await
    });
    let start = Instant::now();
    let got = within("waiting poll", sub.poll(10, Duration::from_secs(30)))
        .await
        .expect("poll");
    assert_eq!(got.len(), 1, "the appended record");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "woke after {:?}",
        start.elapsed()
    );
    append.await.expect("append task").expect("append");
}

/// Polls cancelled at any point lose nothing: the records come with a later poll.
pub async fn poll_is_cancel_safe(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let (topic, group) = (unique_name("cancel"), unique_name("cancel"));
    log.ensure_topic(&topic, 2).await.expect("ensure_topic");
    let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
    let n = 50;
    let records: Vec<Record> = (0..n)
        .map(|i| Record::new(format!("k{i}"), format!("{i}")))
        .collect();
    let positions = within("append", log.append(&topic, records))
        .await
        .expect("append");
    let mut got = Vec::new();
    for i in 0..200u64 {
        let wait = Duration::from_micros(i * 37 % 2000);
        if let Ok(batch) = tokio::time::timeout(wait, sub.poll(3, Duration::from_secs(1))).await {
            got.extend(batch.expect("poll"));
        }
    }
    let rest = n - got.len();
    got.extend(poll_n(&mut *sub, rest).await);
    assert_quiet(&mut *sub).await;
    let mut delivered: Vec<Position> = got.iter().map(|d| d.position).collect();
    let mut expected = positions;
    delivered.sort();
    expected.sort();
    assert_eq!(
        delivered, expected,
        "every record exactly once despite cancelled polls"
    );
}

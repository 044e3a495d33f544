//! Segment rolling and retention.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use super::{open_with, read_all, records};
use crate::{EventLog, Position, embedded::EmbeddedOptions};

fn small_segments() -> EmbeddedOptions {
    EmbeddedOptions {
        segment_bytes: 1024,
        ..EmbeddedOptions::default()
    }
}

/// Base offsets of the segment files of partition 0, ascending.
fn bases(dir: &Path) -> Vec<u64> {
    let mut bases: Vec<u64> = std::fs::read_dir(dir.join("topics/t/0"))
        .expect("read partition dir")
        .filter_map(|e| {
            let name = e.expect("entry").file_name();
            super::super::segment::parse_file_name(name.to_str()?)
        })
        .collect();
    bases.sort_unstable();
    bases
}

/// Waits (bounded) until the oldest segment starts above `floor`'s segment boundary.
async fn wait_for_first_base(dir: &Path, want: impl Fn(u64) -> bool) -> Vec<u64> {
    let start = Instant::now();
    loop {
        let b = bases(dir);
        if want(b[0]) {
            return b;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "retention did not run: {b:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn commit(log: &dyn EventLog, group: &str, offset: u64) {
    let mut sub = log.subscribe("t", group).await.expect("subscribe");
    sub.commit(&[Position {
        partition: 0,
        offset,
    }])
    .await
    .expect("commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_roll_and_are_deleted_only_once_every_group_is_past_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open_with(dir.path(), small_segments());
    log.ensure_topic("t", 1).await.expect("ensure_topic");
    for _ in 0..10 {
        log.append("t", records(10, "r")).await.expect("append");
    }
    let all = bases(dir.path());
    assert!(
        all.len() >= 5,
        "100 records of ~50 bytes in 1 KiB segments: {all:?}"
    );
    assert_eq!(all[0], 0);
    // No group has committed: everything stays.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(bases(dir.path()), all);

    commit(&*log, "slow", 19).await;
    commit(&*log, "fast", 79).await;
    // Only segments that end at or before offset 20 (slow's committed offset) may go.
    let after = wait_for_first_base(dir.path(), |b| b > 0).await;
    let kept_first = all.iter().rev().find(|&&b| b <= 20).copied().unwrap_or(0);
    assert_eq!(
        after[0], kept_first,
        "segments before {kept_first} deleted: {all:?} → {after:?}"
    );

    commit(&*log, "slow", 99).await;
    let active = *all.last().expect("segments");
    let after = wait_for_first_base(dir.path(), |b| b > 20).await;
    let kept_first = all.iter().rev().find(|&&b| b <= 80).copied().unwrap_or(0);
    assert_eq!(
        after[0], kept_first,
        "floor is fast's offset 80: {all:?} → {after:?}"
    );
    assert_eq!(
        *after.last().expect("segments"),
        active,
        "the active segment stays"
    );

    // A restart keeps the log start and end; a new group starts at the log start.
    drop(log);
    let log = open_with(dir.path(), small_segments());
    assert_eq!(log.end_offsets("t").await.expect("end"), vec![100]);
    let got = read_all(&*log, "t", (100 - kept_first) as usize).await;
    assert_eq!(got[0].position.offset, kept_first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_past_the_maximum_age_are_deleted_without_commits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = EmbeddedOptions {
        retention_max_age: Some(Duration::from_millis(200)),
        retention_check_interval: Duration::from_millis(50),
        ..small_segments()
    };
    let log = open_with(dir.path(), options);
    log.ensure_topic("t", 1).await.expect("ensure_topic");
    for _ in 0..5 {
        log.append("t", records(10, "old")).await.expect("append");
    }
    let all = bases(dir.path());
    assert!(all.len() >= 2, "{all:?}");
    // Every record expires, the active segment's too: it is closed and deleted, and an empty
    // segment at the end offset is left, so offsets stay stable for readers.
    let after = wait_for_first_base(dir.path(), |b| b == 50).await;
    assert_eq!(after, vec![50], "only an empty active segment is left");
    assert_eq!(log.end_offsets("t").await.expect("end"), vec![50]);
    let mut reader = log.read_from("t", &[0]).await.expect("read_from");
    assert!(
        reader
            .poll(10, Duration::from_millis(100))
            .await
            .expect("poll")
            .is_empty(),
        "nothing expired is readable"
    );
    log.append("t", records(1, "new")).await.expect("append");
    let got = read_all(&*log, "t", 1).await;
    assert_eq!(got[0].position.offset, 50, "offsets continue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exempt_topics_keep_their_records_past_the_maximum_age() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = EmbeddedOptions {
        retention_max_age: Some(Duration::from_millis(100)),
        retention_check_interval: Duration::from_millis(20),
        retention_exempt_topics: vec!["t".into()],
        ..small_segments()
    };
    let log = open_with(dir.path(), options);
    log.ensure_topic("t", 1).await.expect("ensure_topic");
    log.ensure_topic("other", 1).await.expect("ensure_topic");
    for _ in 0..3 {
        log.append("t", records(10, "kept")).await.expect("append");
        log.append("other", records(10, "gone"))
            .await
            .expect("append");
    }
    let all = bases(dir.path());
    let start = Instant::now();
    while log
        .read_from("other", &[0])
        .await
        .expect("read")
        .poll(1, Duration::from_millis(20))
        .await
        .expect("poll")
        .len()
        == 1
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "other never expired"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        bases(dir.path()),
        all,
        "the exempt topic keeps every segment"
    );
    assert_eq!(read_all(&*log, "t", 30).await.len(), 30);
}

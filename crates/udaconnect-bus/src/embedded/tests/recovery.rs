//! Torn tails, corruption, crash without close, the directory lock, and closing.

use std::{fs::OpenOptions, io::Write, path::PathBuf};

use super::{open, open_with, read_all, records};
use crate::{
    BusError, EventLog,
    embedded::{EmbeddedLog, EmbeddedOptions, segment::file_name},
};

fn segment(dir: &std::path::Path, topic: &str, base: u64) -> PathBuf {
    dir.join("topics")
        .join(topic)
        .join("0")
        .join(file_name(base))
}

fn append_bytes(path: &PathBuf, bytes: &[u8]) {
    let mut file = OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open segment");
    file.write_all(bytes).expect("write garbage");
}

#[tokio::test]
async fn torn_tail_is_truncated_and_appends_continue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(dir.path(), "t", 0);
    let mut frame = Vec::new();
    super::super::frame::encode(&mut frame, 10, 0, &records(1, "torn")[0]);
    // A half-written frame, then a frame header promising more than there is, then noise.
    let tails: [Vec<u8>; 3] = [
        frame[..frame.len() / 2].to_vec(),
        frame[..6].to_vec(),
        vec![0xAB; 100],
    ];
    let mut expected = 0;
    for tail in tails {
        let log = open(dir.path());
        log.ensure_topic("t", 1).await.expect("ensure_topic");
        log.append("t", records(10, "batch")).await.expect("append");
        expected += 10;
        log.close().await.expect("close");
        drop(log);
        let clean_len = std::fs::metadata(&path).expect("metadata").len();
        append_bytes(&path, &tail);

        let log = open(dir.path());
        assert_eq!(
            std::fs::metadata(&path).expect("metadata").len(),
            clean_len,
            "truncated"
        );
        assert_eq!(log.end_offsets("t").await.expect("end"), vec![expected]);
        assert_eq!(
            read_all(&*log, "t", expected as usize).await.len(),
            expected as usize
        );
    }
}

#[tokio::test]
async fn damage_in_a_closed_segment_is_corruption() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = EmbeddedOptions {
        segment_bytes: 1024,
        ..EmbeddedOptions::default()
    };
    let log = open_with(dir.path(), options.clone());
    log.ensure_topic("t", 1).await.expect("ensure_topic");
    for _ in 0..5 {
        log.append("t", records(10, "x")).await.expect("append");
    }
    drop(log);
    let first = segment(dir.path(), "t", 0);
    let mut bytes = std::fs::read(&first).expect("read segment");
    bytes[40] ^= 0xFF;
    std::fs::write(&first, bytes).expect("damage segment");
    match EmbeddedLog::open(dir.path(), options) {
        Err(BusError::Corrupt(message)) => assert!(message.contains("closed segment"), "{message}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_records_survive_a_drop_without_close() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path());
    log.ensure_topic("t", 4).await.expect("ensure_topic");
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..16 {
        let log = log.clone();
        tasks.spawn(async move { log.append("t", records(25, &format!("task{task}"))).await });
    }
    let mut acked = 0;
    while let Some(result) = tasks.join_next().await {
        acked += result.expect("task").expect("append").len();
    }
    drop(log);
    let log = open(dir.path());
    let got = read_all(&*log, "t", acked).await;
    assert_eq!(got.len(), 400);
}

#[tokio::test]
async fn a_second_open_of_the_directory_fails_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = open(dir.path());
    let err = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).expect_err("locked");
    match &err {
        BusError::Io(e) => assert_eq!(e.kind(), std::io::ErrorKind::ResourceBusy, "{e}"),
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(err.to_string().contains("already in use"), "{err}");
    drop(first);
    open(dir.path());
}

#[tokio::test]
async fn close_refuses_further_work_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path());
    log.ensure_topic("t", 1).await.expect("ensure_topic");
    let mut sub = log.subscribe("t", "g").await.expect("subscribe");
    log.append("t", records(3, "x")).await.expect("append");
    log.close().await.expect("close");
    log.close().await.expect("close twice");
    let appended = log.append("t", records(1, "late")).await;
    assert!(matches!(appended, Err(BusError::Closed)), "{appended:?}");
    let polled = sub.poll(10, std::time::Duration::from_millis(10)).await;
    assert!(matches!(polled, Err(BusError::Closed)), "{polled:?}");
}

#[tokio::test]
async fn names_and_limits_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open_with(
        dir.path(),
        EmbeddedOptions {
            auto_create_topics: false,
            max_record_bytes: 1000,
            ..EmbeddedOptions::default()
        },
    );
    let unknown = log.append("missing", records(1, "x")).await;
    assert!(
        matches!(unknown, Err(BusError::UnknownTopic(_))),
        "{unknown:?}"
    );
    let bad = log.ensure_topic("../escape", 1).await;
    assert!(
        matches!(bad, Err(BusError::InvalidArgument { .. })),
        "{bad:?}"
    );
    let zero = log.ensure_topic("t", 0).await;
    assert!(
        matches!(zero, Err(BusError::InvalidArgument { .. })),
        "{zero:?}"
    );
    log.ensure_topic("t", 2).await.expect("ensure_topic");
    log.ensure_topic("t", 5)
        .await
        .expect("existing topic keeps its partitions");
    assert_eq!(log.end_offsets("t").await.expect("end").len(), 2);
    let big = crate::Record::new("k", vec![0u8; 2000]);
    let too_big = log.append("t", vec![big]).await;
    assert!(
        matches!(too_big, Err(BusError::InvalidArgument { .. })),
        "{too_big:?}"
    );
    let group = log.subscribe("t", "bad/group").await;
    assert!(
        matches!(group, Err(BusError::InvalidArgument { .. })),
        "{group:?}"
    );
}

//! `kill -9` during appends: the test re-runs its own binary as a child that appends and
//! prints each acknowledged record, kills it mid-stream, and checks every printed record is
//! in the log.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use super::{open, read_all};
use crate::{EventLog, Record};

const CHILD_ENV: &str = "UDACONNECT_BUS_CRASH_CHILD_DIR";
const CHILD_TEST: &str = "embedded::tests::crash::child_appends_until_killed";

#[test]
fn acknowledged_records_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("current_exe");
    let mut child = Command::new(exe)
        .args([
            CHILD_TEST,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    let mut acked = BTreeSet::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child output");
        if let Some(value) = line.strip_prefix("acked ") {
            acked.insert(value.to_owned());
            if acked.len() >= 2000 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    assert!(
        acked.len() >= 2000,
        "child stopped early after {} acks",
        acked.len()
    );

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let log = open(dir.path());
        let end: u64 = log.end_offsets("t").await.expect("end").iter().sum();
        let got = read_all(&*log, "t", end as usize).await;
        let stored: BTreeSet<String> = got
            .iter()
            .map(|d| String::from_utf8_lossy(&d.record.value).into_owned())
            .collect();
        let lost: Vec<&String> = acked.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "{} acknowledged records lost: {lost:?}",
            lost.len()
        );
    });
}

/// The child side; does nothing unless started by the test above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child process of acknowledged_records_survive_kill_9"]
async fn child_appends_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let log = open(std::path::Path::new(&dir));
    log.ensure_topic("t", 4).await.expect("ensure_topic");
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..8 {
        let log = log.clone();
        tasks.spawn(async move {
            for i in 0.. {
                let value = format!("{task}-{i}");
                let record = Record::new(format!("k{}", i % 13), value.clone());
                log.append("t", vec![record]).await.expect("append");
                println!("acked {value}");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

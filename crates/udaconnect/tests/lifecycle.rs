//! Starting, stopping and restarting the binary behaves as a user expects.

mod common;

use std::{process::Command, time::Duration};

use common::{BIN, Server, client, get_json};
use serde_json::Value;

#[tokio::test]
async fn sigterm_stops_cleanly_and_demo_data_loads_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let http = client();

    let server = Server::start(&data, &[]);
    let persons: Vec<Value> = get_json(&http, server.url("/api/persons")).await;
    assert_eq!(persons.len(), 5);
    let status = server.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status:?}");

    let server = Server::start(&data, &[]);
    let persons: Vec<Value> = get_json(&http, server.url("/api/persons")).await;
    assert_eq!(
        persons.len(),
        5,
        "restart does not import the demo data again"
    );
}

#[tokio::test]
async fn a_data_dir_in_use_or_a_taken_port_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--no-demo-data"]);

    let out = Command::new(BIN)
        .args([
            "serve",
            "--http-addr",
            "127.0.0.1:0",
            "--grpc-addr",
            "127.0.0.1:0",
            "--no-demo-data",
            "--data-dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use") || err.contains("lock"), "{err}");

    let taken = server.base.trim_start_matches("http://").to_owned();
    let other = dir.path().join("other");
    let out = Command::new(BIN)
        .args([
            "serve",
            "--no-demo-data",
            "--grpc-addr",
            "127.0.0.1:0",
            "--http-addr",
            &taken,
            "--data-dir",
        ])
        .arg(&other)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("binding the HTTP listener"), "{err}");
}

#[test]
fn bad_flags_are_refused_with_a_message() {
    let out = Command::new(BIN)
        .args(["serve", "--target", "bogus"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown target"));
}

//! `udaconnect simulate` writes a deterministic conference into a store, or streams it
//! through the gRPC ingest of a running server; either way the API then answers from it.

mod common;

use std::{process::Command, time::Duration};

use common::{BIN, Server, client, get_json};
use serde_json::Value;

fn simulate(args: &[&str]) -> String {
    let token = common::admin_token();
    let through_grpc = args.contains(&"--ingest-url");
    let out = Command::new(BIN)
        .arg("simulate")
        .args(["--attendees", "30", "--days", "1"])
        .args(args)
        .args(if through_grpc {
            vec!["--token", token.as_str()]
        } else {
            vec![]
        })
        .env("UDACONNECT_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn fixes_in(report: &str) -> u64 {
    // "simulated 30 attendees and N fixes in …"
    report
        .split_whitespace()
        .skip_while(|w| *w != "and")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no fix count in {report:?}"))
}

#[tokio::test]
async fn bulk_simulation_is_deterministic_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let ra = simulate(&["--data-dir", a.to_str().unwrap()]);
    let rb = simulate(&["--data-dir", b.to_str().unwrap()]);
    let n = fixes_in(&ra);
    assert!(n > 5_000, "{ra}");
    assert_eq!(n, fixes_in(&rb), "same seed, same conference");

    let (sa, sb) = (Server::start(&a, &[]), Server::start(&b, &[]));
    let http = client();
    let persons: Vec<Value> = get_json(&http, sa.url("/api/persons")).await;
    assert_eq!(
        persons.len(),
        30,
        "only the attendees: no demo data over a simulated store"
    );
    // People linger at the same booths: the POC query finds connections, identically.
    let q = "/api/persons/1/connection?start_date=2020-08-18&end_date=2020-08-19&distance=5";
    let ca: Vec<Value> = get_json(&http, sa.url(q)).await;
    let cb: Vec<Value> = get_json(&http, sb.url(q)).await;
    assert!(!ca.is_empty());
    assert_eq!(ca, cb);
}

#[tokio::test]
async fn streamed_simulation_goes_through_ingest_and_writer() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--no-demo-data"]);
    let grpc = server.grpc.clone().unwrap();
    let report = simulate(&["--ingest-url", &grpc]);
    let n = fixes_in(&report);
    let http = client();
    let stored = server.wait_stored(&http, n, Duration::from_secs(60)).await;
    assert_eq!(stored, Some(n), "every streamed fix is stored once");
    let persons: Vec<Value> = get_json(&http, server.url("/api/persons")).await;
    assert_eq!(persons.len(), 30);
}

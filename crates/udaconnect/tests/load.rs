//! End-to-end ingest load run (not part of the regular suite; figures go in
//! docs/benchmarks.md):
//!
//! ```sh
//! cargo test --release -p udaconnect --test load -- --ignored --nocapture
//! UDACONNECT_LOAD_FIXES=50000 UDACONNECT_LOAD_CONCURRENCY=64 cargo test --release …
//! ```
//!
//! Spawns the real binary, posts fixes through `POST /api/locations` from concurrent HTTP
//! clients, and reports acknowledged fixes/s, acknowledgement latency percentiles and the
//! time until the writer has stored every fix (read from `/metrics`).

mod common;

use std::time::{Duration, Instant};

use common::{Server, client};
use serde_json::{Value, json};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "load run; see the module docs"]
async fn ingest_load() {
    let fixes = env("UDACONNECT_LOAD_FIXES", 20_000);
    let concurrency = env("UDACONNECT_LOAD_CONCURRENCY", 32);
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--no-demo-data"]);
    let http = client();
    let person: Value = http
        .post(server.url("/api/persons"))
        .json(&json!({"first_name": "Load", "last_name": "Test", "company_name": "Bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person = person["id"].as_i64().unwrap();

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let url = server.url("/api/locations");
        let http = http.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            for i in (worker..fixes).step_by(concurrency) {
                let body = json!({
                    "person_id": person,
                    "latitude": 48.0 + (i % 1000) as f64 * 1e-5,
                    "longitude": 11.5 + (i / 1000) as f64 * 1e-5,
                });
                let t = Instant::now();
                let r = http.post(&url).json(&body).send().await.unwrap();
                assert_eq!(r.status(), 202);
                latencies.push(t.elapsed());
            }
            latencies
        });
    }
    let mut latencies = Vec::with_capacity(fixes);
    while let Some(l) = tasks.join_next().await {
        latencies.extend(l.unwrap());
    }
    let acked = started.elapsed();
    let all_stored = server
        .wait_stored(&http, fixes as u64, Duration::from_secs(120))
        .await;
    let stored_after = started.elapsed();
    assert!(
        all_stored.is_some(),
        "not every fix was stored within 120 s"
    );

    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "ingest load: {fixes} fixes, {concurrency} concurrent clients\n\
         acknowledged: {:.0} fixes/s ({:.2} s); all stored after {:.2} s ({:.0} fixes/s)\n\
         ack latency: p50 {:?}, p99 {:?}, max {:?}",
        fixes as f64 / acked.as_secs_f64(),
        acked.as_secs_f64(),
        stored_after.as_secs_f64(),
        fixes as f64 / stored_after.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies[latencies.len() - 1],
    );
}

/// The same through gRPC client streaming (`LocationIngest/StreamLocations`), the path for
/// devices and gateways that batch: fixes/s from the first send to the summary, and until
/// the writer stored them all.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "load run; see the module docs"]
async fn ingest_load_grpc_stream() {
    use udaconnect_domain::{Coordinates, NewLocation, PersonId};
    let fixes = env("UDACONNECT_LOAD_FIXES", 200_000);
    let streams = env("UDACONNECT_LOAD_CONCURRENCY", 4);
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let http = client();
    let ingest = udaconnect_grpc::ingest_client_with_token(
        server.grpc.as_deref().unwrap(),
        Some(common::admin_token()),
    )
    .unwrap();
    let now = chrono::Utc::now();
    let batch = |s: usize| -> Vec<NewLocation> {
        (s..fixes)
            .step_by(streams)
            .map(|i| NewLocation {
                person_id: PersonId::new([1, 5, 6, 8, 9][i % 5]).unwrap(),
                coordinates: Coordinates::new(48.0 + (i % 1000) as f64 * 1e-5, 11.5).unwrap(),
                creation_time: now,
            })
            .collect()
    };
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for s in 0..streams {
        let (ingest, fixes) = (ingest.clone(), batch(s));
        tasks.spawn(async move {
            let results = ingest.record_many(fixes).await.unwrap();
            assert!(results.iter().all(Result::is_ok));
            results.len()
        });
    }
    let mut acked = 0;
    while let Some(n) = tasks.join_next().await {
        acked += n.unwrap();
    }
    let acked_after = started.elapsed();
    assert_eq!(acked, fixes);
    let all_stored = server
        .wait_stored(&http, fixes as u64, Duration::from_secs(300))
        .await;
    let stored_after = started.elapsed();
    assert!(
        all_stored.is_some(),
        "not every fix was stored within 300 s"
    );
    println!(
        "grpc stream ingest: {fixes} fixes over {streams} streams\n\
         acknowledged: {:.0} fixes/s ({:.2} s); all stored after {:.2} s ({:.0} fixes/s)",
        fixes as f64 / acked_after.as_secs_f64(),
        acked_after.as_secs_f64(),
        stored_after.as_secs_f64(),
        fixes as f64 / stored_after.as_secs_f64(),
    );
}

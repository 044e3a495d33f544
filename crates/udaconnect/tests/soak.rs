//! Soak: a steady ingest rate through gRPC plus concurrent v2 contact queries over REST
//! against one `udaconnect serve` (embedded store and log), for
//! `UDACONNECT_SOAK_SECS` (default 600 s). Not in CI; figures go in docs/reliability.md:
//!
//! ```sh
//! cargo test -p udaconnect --test soak -- --ignored --nocapture
//! UDACONNECT_SOAK_SECS=60 UDACONNECT_SOAK_RATE=500 cargo test -p udaconnect --test soak -- --ignored --nocapture
//! ```
//!
//! Reports p50/p99/max latency of ingest batches and of contact queries, error counts, and
//! the server's resident memory (RSS, from /proc) sampled every minute. Fails on any error,
//! on an acknowledged fix not stored at the end, on an achieved ingest rate below 95 % of
//! the one asked (the generator is open loop), or when RSS grows by more than
//! `UDACONNECT_SOAK_MAX_RSS_GROWTH_MIB` (default 256) after the warm-up.

mod common;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{TimeZone, Utc};
use common::{Server, client};
use serde_json::{Value, json};
use udaconnect_domain::{Coordinates, NewLocation, PersonId};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn summary(name: &str, mut l: Vec<Duration>) -> String {
    l.sort();
    format!(
        "{name}: n={} p50={:.1} ms p99={:.1} ms max={:.1} ms",
        l.len(),
        percentile(&l, 0.50).as_secs_f64() * 1e3,
        percentile(&l, 0.99).as_secs_f64() * 1e3,
        l.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "soak run of 10 minutes; see the module docs"]
async fn soak_ingest_and_contact_queries() {
    let secs = env("UDACONNECT_SOAK_SECS", 600);
    let rate = env("UDACONNECT_SOAK_RATE", 200); // fixes per second
    let max_growth_mib = env("UDACONNECT_SOAK_MAX_RSS_GROWTH_MIB", 256);
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--no-demo-data"]);
    let pid = server.child.id();
    let http = client();
    let mut persons = Vec::new();
    for i in 0..20 {
        let p: Value = http
            .post(server.url("/api/persons"))
            .json(&json!({"first_name": format!("Soak{i}"), "last_name": "Test", "company_name": "Soak"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        persons.push(p["id"].as_i64().unwrap());
    }
    let ingest = udaconnect_grpc::ingest_client_with_token(
        server.grpc.as_deref().unwrap(),
        Some(common::admin_token()),
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let soak_started = Instant::now();

    // Ingest, open loop: every 100 ms a batch of rate/10 fixes is sent on its own stream,
    // whether or not earlier batches were answered (at most 64 outstanding), so a slow
    // answer shows as latency instead of lowering the rate. 20 people milling about a 20 m
    // square.
    let ingest_task = {
        let (stop, errors, persons) = (stop.clone(), errors.clone(), persons.clone());
        tokio::spawn(async move {
            let batch = (rate / 10).max(1) as usize;
            let t0 = Utc.with_ymd_and_hms(2020, 8, 18, 9, 0, 0).unwrap();
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let outstanding = Arc::new(tokio::sync::Semaphore::new(64));
            let mut sent = tokio::task::JoinSet::new();
            let mut seq = 0u64;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let fixes: Vec<NewLocation> = (0..batch)
                    .map(|_| {
                        seq += 1;
                        let p = persons[(seq % persons.len() as u64) as usize];
                        NewLocation {
                            person_id: PersonId::new(p).unwrap(),
                            coordinates: Coordinates::new(
                                35.0585 + (seq % 13) as f64 * 1.3e-5,
                                -106.5719 + (seq % 17) as f64 * 1.1e-5,
                            )
                            .unwrap(),
                            creation_time: t0 + chrono::Duration::milliseconds(seq as i64 * 250),
                        }
                    })
                    .collect();
                let permit = outstanding.clone().acquire_owned().await.unwrap();
                let (ingest, errors) = (ingest.clone(), errors.clone());
                sent.spawn(async move {
                    let started = Instant::now();
                    let mut acked = 0u64;
                    match ingest.record_many(fixes).await {
                        Ok(results) => {
                            for r in results {
                                match r {
                                    Ok(_) => acked += 1,
                                    Err(_) => {
                                        errors.fetch_add(1, Ordering::Relaxed);
                                    }
                                }
                            }
                        }
                        Err(e) => {
                            eprintln!("ingest error: {e}");
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    drop(permit);
                    (acked, started.elapsed())
                });
            }
            let (mut acked, mut latencies) = (0u64, Vec::new());
            while let Some(done) = sent.join_next().await {
                let (n, latency) = done.unwrap();
                acked += n;
                latencies.push(latency);
            }
            (acked, latencies)
        })
    };
    // Queries: two clients asking "whom did P meet?" (v2 contacts) back to back, 20/s each.
    let mut query_tasks = Vec::new();
    for worker in 0..2u64 {
        let (stop, errors, persons) = (stop.clone(), errors.clone(), persons.clone());
        let (http, base) = (http.clone(), server.base.clone());
        query_tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = worker;
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                i += 2;
                let p = persons[(i % persons.len() as u64) as usize];
                let url = format!(
                    "{base}/api/v2/persons/{p}/contacts?distance_m=5&window_s=300&limit=50"
                );
                let started = Instant::now();
                match http.get(&url).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        latencies.push(started.elapsed());
                    }
                    Ok(r) => {
                        eprintln!("query answered {}", r.status());
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        eprintln!("query error: {e}");
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }

    // Warm-up, then RSS samples every minute.
    tokio::time::sleep(Duration::from_secs(secs.min(30))).await;
    let rss_start = rss_kib(pid);
    let started = Instant::now();
    let mut samples = vec![(0u64, rss_start)];
    while started.elapsed() < Duration::from_secs(secs.saturating_sub(30)) {
        tokio::time::sleep(Duration::from_secs(60).min(Duration::from_secs(secs))).await;
        samples.push((started.elapsed().as_secs(), rss_kib(pid)));
    }
    stop.store(true, Ordering::Relaxed);
    let sending = soak_started.elapsed();
    let (acked, ingest_latencies) = ingest_task.await.unwrap();
    let achieved = acked as f64 / sending.as_secs_f64();
    let mut query_latencies = Vec::new();
    for t in query_tasks {
        query_latencies.extend(t.await.unwrap());
    }
    let stored = server
        .wait_stored(&http, acked, Duration::from_secs(120))
        .await;
    let rss_end = rss_kib(pid);
    let errors = errors.load(Ordering::Relaxed);

    println!("soak: {secs} s at {rate} fixes/s (debug build unless built with --release)");
    println!("fixes acknowledged: {acked}, stored: {stored:?}, errors: {errors}");
    println!(
        "achieved ingest rate: {achieved:.1} fixes/s over {:.0} s ({rate} asked)",
        sending.as_secs_f64()
    );
    println!(
        "{}",
        summary(
            "ingest batch (rate/10 fixes, gRPC StreamLocations)",
            ingest_latencies
        )
    );
    println!("{}", summary("v2 contacts query (REST)", query_latencies));
    println!(
        "RSS after warm-up {} MiB, at the end {} MiB, growth {} MiB",
        rss_start / 1024,
        rss_end / 1024,
        (rss_end.saturating_sub(rss_start)) / 1024
    );
    println!(
        "RSS samples (s, MiB): {:?}",
        samples
            .iter()
            .map(|(s, k)| (*s, k / 1024))
            .collect::<Vec<_>>()
    );
    assert_eq!(errors, 0, "errors during the soak");
    assert_eq!(stored, Some(acked), "every acknowledged fix is stored");
    assert!(
        achieved >= 0.95 * rate as f64,
        "the steady rate was not held: {achieved:.1} of {rate} fixes/s"
    );
    assert!(
        rss_end.saturating_sub(rss_start) / 1024 <= max_growth_mib,
        "RSS grew by more than {max_growth_mib} MiB"
    );
}

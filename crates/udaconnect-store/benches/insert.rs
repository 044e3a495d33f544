//! Insert throughput of the SQLite store through the async `LocationStore` API.
//!
//! `cargo bench -p udaconnect-store --bench insert` runs the criterion benches (one batch
//! of 10k new fixes into a growing store; a redelivered batch) and then the headline
//! figure: 1M fixes in batches of 10k into a fresh store, for both event-id kinds.

mod common;

use std::time::{Duration, Instant};

use common::{EventIds, batches, full_run, store_with_persons};
use criterion::{Criterion, Throughput};
use tokio::runtime::Runtime;
use udaconnect_store::LocationStore;

const BATCH: usize = 10_000;

fn insert_batches(c: &mut Criterion, rt: &Runtime) {
    let dir = tempfile::tempdir().unwrap();
    let store = rt.block_on(store_with_persons(dir.path()));
    let mut next_id = 1i64;
    let mut group = c.benchmark_group("insert");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.bench_function("batch_10k_new", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let batch = batches(next_id, BATCH as i64, BATCH, EventIds::Import).remove(0);
                next_id += BATCH as i64;
                let t = Instant::now();
                let r = rt.block_on(store.insert_locations(&batch)).unwrap();
                total += t.elapsed();
                assert_eq!(r.inserted, BATCH as u64);
            }
            total
        })
    });
    let again = batches(1, BATCH as i64, BATCH, EventIds::Import).remove(0);
    group.bench_function("batch_10k_redelivered", |b| {
        b.iter(|| rt.block_on(store.insert_locations(&again)).unwrap())
    });
    group.finish();
}

/// The acceptance figure: 1M fixes in batches of 10k, fresh store, wall clock; then the
/// rate of each successive 200k, which falls as the random-key indexes outgrow a batch.
fn million(rt: &Runtime, ids: EventIds, label: &str) {
    let dir = tempfile::tempdir_in("/var/tmp").unwrap();
    let store = rt.block_on(store_with_persons(dir.path()));
    let all = batches(1, 1_000_000, BATCH, ids);
    let start = Instant::now();
    let mut segment = Instant::now();
    let mut segments = Vec::new();
    for (i, batch) in all.iter().enumerate() {
        rt.block_on(store.insert_locations(batch)).unwrap();
        if (i + 1) % 20 == 0 {
            segments.push(format!(
                "{:.0}",
                200_000.0 / segment.elapsed().as_secs_f64()
            ));
            segment = Instant::now();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "insert/1M_in_batches_of_10k/{label}: {secs:.2} s, {:.0} fixes/s (per 200k: {})",
        1e6 / secs,
        segments.join(", ")
    );
}

fn main() {
    let rt = Runtime::new().unwrap();
    let mut c = Criterion::default().configure_from_args();
    insert_batches(&mut c, &rt);
    if full_run() {
        million(&rt, EventIds::Import, "import_uuid_v5");
        million(&rt, EventIds::Live, "live_uuid_v7");
    }
    c.final_summary();
}

//! Append throughput of the embedded log (durable: every acknowledged append is fsync'd).
//!
//! `batch_1000/partitions/P`: one caller appending batches of 1000 records to a topic of P
//! partitions. `concurrent_singles/N`: N tasks each appending one record at a time, steadily
//! (the ingest path), to 4 partitions; the writer groups them into one fsync per partition.
//! Records are ~200 bytes framed: a person-id key, a 100-byte value and two headers.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use udaconnect_bus::{
    EventLog, Record,
    embedded::{EmbeddedLog, EmbeddedOptions},
};

const TOPIC: &str = "udaconnect.locations.v1";

fn record(i: u64) -> Record {
    Record::new(format!("{}", i % 1000), vec![b'x'; 100])
        .with_header("event-id", format!("0190b7a2-5c3e-7a21-9d4f-{i:012}"))
        .with_header("event-type", "location-recorded")
}

fn setup(runtime: &tokio::runtime::Runtime) -> (tempfile::TempDir, Arc<EmbeddedLog>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).expect("open");
    runtime
        .block_on(log.ensure_topic(TOPIC, 4))
        .expect("ensure_topic");
    (dir, log)
}

fn append(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (_dir, log) = setup(&runtime);
    let mut group = c.benchmark_group("append");
    group
        .measurement_time(Duration::from_secs(10))
        .sample_size(30);

    group.throughput(Throughput::Elements(1000));
    for partitions in [1u32, 4] {
        let topic = format!("batch-{partitions}");
        runtime
            .block_on(log.ensure_topic(&topic, partitions))
            .expect("ensure_topic");
        let id = BenchmarkId::new("batch_1000/partitions", partitions);
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for i in 0..iters {
                        let batch = (0..1000).map(|j| record(i * 1000 + j)).collect();
                        log.append(&topic, batch).await.expect("append");
                    }
                    start.elapsed()
                })
            });
        });
    }

    // Steady load: `n` tasks each append one record at a time, `iters` times.
    for tasks in [64u64, 1024] {
        group.throughput(Throughput::Elements(tasks));
        let id = BenchmarkId::new("concurrent_singles", tasks);
        group.bench_with_input(id, &tasks, |b, &n| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    let mut set = tokio::task::JoinSet::new();
                    for t in 0..n {
                        let log = log.clone();
                        set.spawn(async move {
                            for i in 0..iters {
                                log.append(TOPIC, vec![record(i * n + t)]).await?;
                            }
                            Ok::<_, udaconnect_bus::BusError>(())
                        });
                    }
                    while let Some(r) = set.join_next().await {
                        r.expect("task").expect("append");
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
    runtime.block_on(log.close()).expect("close");
}

criterion_group!(benches, append);
criterion_main!(benches);

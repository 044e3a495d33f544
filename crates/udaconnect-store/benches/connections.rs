//! Connection query latency on a conference-sized store: 1M fixes of 1,000 persons within
//! ~2 km over five days (1,000 own fixes per query person).

mod common;

use chrono::NaiveDate;
use common::{EventIds, PERSONS, batches, full_run, store_with_persons};
use criterion::Criterion;
use tokio::runtime::Runtime;
use udaconnect_domain::{ConnectionQuery, DistanceMeters, PersonId};
use udaconnect_store::LocationStore;

fn query(days: u32, metres: f64) -> ConnectionQuery {
    ConnectionQuery::new(
        PersonId::new(1).unwrap(),
        NaiveDate::from_ymd_opt(2020, 8, 18).unwrap(),
        NaiveDate::from_ymd_opt(2020, 8, 18 + days).unwrap(),
        DistanceMeters::new(metres).unwrap(),
    )
    .unwrap()
}

fn main() {
    let rt = Runtime::new().unwrap();
    let dir = tempfile::tempdir_in("/var/tmp").unwrap();
    let store = rt.block_on(store_with_persons(dir.path()));
    let total = if full_run() { 1_000_000 } else { 10 * PERSONS };
    for batch in batches(1, total, 10_000, EventIds::Import) {
        rt.block_on(store.insert_locations(&batch)).unwrap();
    }
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("connections");
    group.sample_size(10);
    for (days, metres) in [(5, 5.0), (1, 5.0), (1, 50.0)] {
        let q = query(days, metres);
        let n = rt
            .block_on(store.find_connection_locations(&q))
            .unwrap()
            .len();
        println!("connections/{days}d_{metres}m: {n} matches");
        group.bench_function(format!("{days}d_{metres}m"), |b| {
            b.iter(|| rt.block_on(store.find_connection_locations(&q)).unwrap())
        });
    }
    group.finish();
    c.final_summary();
}

//! The PostgreSQL store on a conference-sized data set (1M fixes of 1,000 persons within
//! ~2 km over five days; `common`):
//!
//! 1. `insert_locations` throughput, batches of 10k, fresh database, for both event-id kinds;
//! 2. the reference: raw `COPY` of the same rows, batches of 10k, into the same schema;
//! 3. connection query latency and `EXPLAIN (ANALYZE, BUFFERS)` (the text in docs/postgis.md).
//!
//! Needs a server: `scripts/postgres.sh start`, then
//! `UDACONNECT_TEST_POSTGRES=… cargo bench -p udaconnect-store --bench postgres [-- --rows N]`.
//! Under `cargo test --benches` it loads 10k rows, or does nothing without the variable.

#[path = "../common/mod.rs"]
mod common;
mod db;
mod query;

use std::{fmt::Write as _, time::Instant};

use common::{EventIds, batches, full_run};
use db::{drop_database, fresh};
use query::connections;
use sqlx::{Connection, PgConnection};
use udaconnect_domain::LocationRecorded;
use udaconnect_store::LocationStore;

const BATCH: usize = 10_000;

fn rows_arg() -> i64 {
    let args: Vec<String> = std::env::args().collect();
    let given = args.windows(2).find(|w| w[0] == "--rows");
    given.map_or(if full_run() { 1_000_000 } else { 10_000 }, |w| {
        w[1].parse().expect("--rows N")
    })
}

fn report(what: &str, rows: i64, secs: f64, segments: &[f64]) -> f64 {
    let rate = rows as f64 / secs;
    let seg: Vec<String> = segments.iter().map(|r| format!("{r:.0}")).collect();
    println!(
        "{what}: {rows} rows in {secs:.1} s = {rate:.0} rows/s (per 10%: {})",
        seg.join(", ")
    );
    rate
}

/// Times `load` over every batch, overall and per tenth of the rows.
async fn timed<F: AsyncFnMut(&[LocationRecorded])>(
    all: &[Vec<LocationRecorded>],
    mut load: F,
) -> (f64, Vec<f64>) {
    let tenth = (all.len() / 10).max(1);
    let (start, mut segment, mut segments) = (Instant::now(), Instant::now(), Vec::new());
    for (i, batch) in all.iter().enumerate() {
        load(batch).await;
        if (i + 1) % tenth == 0 {
            segments.push((tenth * BATCH) as f64 / segment.elapsed().as_secs_f64());
            segment = Instant::now();
        }
    }
    (start.elapsed().as_secs_f64(), segments)
}

/// One batch as COPY text: the same columns and values `insert_locations` stores.
fn copy_text(batch: &[LocationRecorded]) -> String {
    let mut out = String::with_capacity(batch.len() * 120);
    for f in batch {
        let l = &f.location;
        let (lat, lon) = (l.coordinates.lat(), l.coordinates.lon());
        let t =
            |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string();
        let _ = writeln!(
            out,
            "{}\t{}\t{}\tSRID=4326;POINT({lon} {lat})\t{}\t{}",
            l.id.get(),
            f.event_id.as_uuid(),
            l.person_id.get(),
            t(&l.creation_time),
            t(&f.received_at)
        );
    }
    out
}

async fn load(rows: i64, ids: EventIds, label: &str) -> String {
    let all = batches(1, rows, BATCH, ids);
    let (url, store) = fresh(&format!("insert_{label}")).await;
    let (secs, seg) = timed(&all, async |b| {
        assert_eq!(
            store.insert_locations(b).await.unwrap().inserted,
            b.len() as u64
        );
    })
    .await;
    let insert = report(&format!("insert_locations/{label}"), rows, secs, &seg);

    let (copy_url, copy_store) = fresh(&format!("copy_{label}")).await;
    copy_store.close().await;
    let mut conn = PgConnection::connect(&copy_url).await.unwrap();
    let (secs, seg) = timed(&all, async |b| {
        let sql = "COPY location (id, event_id, person_id, coordinate, creation_time, received_at) FROM STDIN";
        let mut copy = conn.copy_in_raw(sql).await.unwrap();
        copy.send(copy_text(b).into_bytes()).await.unwrap();
        assert_eq!(copy.finish().await.unwrap(), b.len() as u64);
    })
    .await;
    let copy = report(&format!("copy_reference/{label}"), rows, secs, &seg);
    println!(
        "insert_locations/{label} = {:.0}% of COPY",
        100.0 * insert / copy
    );
    let _ = conn.close().await;
    drop_database(&copy_url).await;
    store.close().await;
    url
}

#[tokio::main]
async fn main() {
    if !full_run() && std::env::var_os("UDACONNECT_TEST_POSTGRES").is_none() {
        println!("postgres bench skipped: UDACONNECT_TEST_POSTGRES is not set");
        return;
    }
    let rows = rows_arg();
    let url = load(rows, EventIds::Live, "live_uuid_v7").await;
    if full_run() {
        connections(&url).await;
        drop_database(&url).await;
        let url = load(rows, EventIds::Import, "import_uuid_v5").await;
        drop_database(&url).await;
    } else {
        drop_database(&url).await;
    }
}

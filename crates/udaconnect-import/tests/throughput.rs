//! End-to-end import rate into the embedded store, on generated data. Slow, so ignored:
//! `cargo test --release -p udaconnect-import --test throughput -- --ignored --nocapture`
//! (`UDACONNECT_IMPORT_ROWS` sets the number of fixes, default 500 000;
//! `UDACONNECT_IMPORT_BATCH` the batch size, default [`ImportOptions`]'s).

mod common;

use std::{fmt::Write as _, path::Path, sync::Arc, time::Instant};

use common::{FakeStore, write};
use udaconnect_import::{ImportOptions, import_files};
use udaconnect_store::{DynStore, sqlite::SqliteStore};

fn rows() -> usize {
    std::env::var("UDACONNECT_IMPORT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500_000)
}

fn options() -> ImportOptions {
    let mut options = ImportOptions::quiet();
    if let Some(n) = std::env::var("UDACONNECT_IMPORT_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        options.batch_size = n;
    }
    options
}

fn persons_csv() -> String {
    let mut s = String::from("id,first_name,last_name,company_name\n");
    for id in 1..=100 {
        let _ = writeln!(s, "{id},First{id},Last{id},Company {id}");
    }
    s
}

fn copy_dump(n: usize) -> String {
    let mut s = String::from(
        "COPY public.location (id, person_id, coordinate, creation_time) FROM stdin;\n",
    );
    for i in 0..n {
        let (lat, lon) = (
            35.0 + (i % 1000) as f64 * 1e-4,
            -106.5 - (i % 997) as f64 * 1e-4,
        );
        let (x, y) = if i.is_multiple_of(7) {
            (lat, lon)
        } else {
            (lon, lat)
        };
        let mut wkb = vec![1u8, 1, 0, 0, 0];
        wkb.extend(x.to_le_bytes());
        wkb.extend(y.to_le_bytes());
        let hex: String = wkb.iter().map(|b| format!("{b:02X}")).collect();
        let _ = writeln!(
            s,
            "{}\t{}\t{hex}\t2020-08-{:02} 10:37:{:02}",
            i + 1,
            1 + i % 100,
            1 + i % 28,
            i % 60
        );
    }
    s.push_str("\\.\n");
    s
}

fn locations_csv(n: usize) -> String {
    let mut s = String::from("id,person_id,latitude,longitude,creation_time\n");
    for i in 0..n {
        let (lat, lon) = (
            35.0 + (i % 1000) as f64 * 1e-4,
            -106.5 - (i % 997) as f64 * 1e-4,
        );
        let _ = writeln!(
            s,
            "{},{},{lat},{lon},2020-08-{:02}T10:37:{:02}",
            i + 1,
            1 + i % 100,
            1 + i % 28,
            i % 60
        );
    }
    s
}

async fn open(dir: &Path) -> DynStore {
    let path = dir.join("udaconnect.db");
    Arc::new(
        tokio::task::spawn_blocking(move || SqliteStore::open(&path))
            .await
            .expect("open task")
            .expect("opening the store"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measures the import rate; run in release by hand"]
async fn end_to_end_rate_into_sqlite() {
    let n = rows();
    let dir = tempfile::tempdir().unwrap();
    let persons = write(dir.path(), "persons.csv", &persons_csv());
    for (name, text) in [
        ("dump.sql", copy_dump(n)),
        ("locations.csv", locations_csv(n)),
    ] {
        let data = write(dir.path(), name, &text);
        drop(text);
        let store_dir = tempfile::tempdir().unwrap();
        let store = open(store_dir.path()).await;
        let started = Instant::now();
        let files = vec![data, persons.clone()];
        let report = import_files(&store, &files, &options()).await.unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert_eq!((report.locations_inserted, report.rejected), (n as u64, 0));
        println!(
            "{name}: {n} fixes in {secs:.2} s = {:.0} fixes/s",
            n as f64 / secs
        );
        println!("  {report}");
    }
}

/// The same pipeline into the in-memory fake: what parsing and batching alone sustain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measures the import rate; run in release by hand"]
async fn pipeline_rate_without_a_database() {
    let n = rows();
    let dir = tempfile::tempdir().unwrap();
    let persons = write(dir.path(), "persons.csv", &persons_csv());
    let data = write(dir.path(), "dump.sql", &copy_dump(n));
    let started = Instant::now();
    let files = vec![data, persons];
    let report = import_files(
        &FakeStore::new().dyn_store(),
        &files,
        &ImportOptions::quiet(),
    )
    .await
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(report.locations_inserted, n as u64);
    println!(
        "in memory: {n} fixes in {secs:.2} s = {:.0} fixes/s",
        n as f64 / secs
    );
}

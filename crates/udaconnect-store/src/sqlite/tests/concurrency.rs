//! Writers queue on the one writer connection while readers keep answering.

use std::sync::Arc;

use crate::{
    LocationStore, PersonStore,
    sqlite::SqliteStore,
    suite::fixtures::{fix, micros, person},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_and_reads_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("s.sqlite")).unwrap());
    store.import_persons(&[person(1)]).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8i64 {
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            for b in 0..10i64 {
                let batch: Vec<_> = (0..50)
                    .map(|i| {
                        let id = 1 + w * 10_000 + b * 100 + i;
                        fix(id, 1, 45.0 + i as f64 * 1e-5, 7.0, micros(id))
                    })
                    .collect();
                store.insert_locations(&batch).await.unwrap();
                // Readers see a consistent, monotonically growing count meanwhile.
                assert!(store.count_locations().await.unwrap() >= 50);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert_eq!(store.count_locations().await.unwrap(), 8 * 10 * 50);
}

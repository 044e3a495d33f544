//! Behaviour across connections: migrations, persistence, id reservations, bad servers.

use std::time::Duration;

use udaconnect_domain::{LocationId, NewPerson};

use super::support::TestDb;
use crate::{
    LocationStore, PersonStore, StoreError,
    postgres::{PgOptions, PostgresStore, migrate},
    suite::fixtures::{fix, micros, person},
};

#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn migrations_are_idempotent_on_reconnect() {
    let db = TestDb::create().await;
    for _ in 0..3 {
        let store = db.connect().await;
        let applied: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        let expected: Vec<_> = (1..=migrate::latest_version()).map(|v| (v, true)).collect();
        assert_eq!(applied, expected);
        let (tables, blocks): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' \
               AND tablename IN ('person', 'location', 'id_block')), \
             (SELECT count(*) FROM id_block)",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!((tables, blocks), (3, 1));
        store.close().await;
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn reconnect_keeps_data_and_id_reservations_above_imported_ids() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    store
        .import_persons(&[person(1), person(40)])
        .await
        .unwrap();
    let reserved = store.reserve_location_ids(100).await.unwrap();
    let imported = reserved.end + 1_000;
    store
        .insert_locations(&[fix(imported, 1, 1.5, 2.5, micros(123_456))])
        .await
        .unwrap();
    store.close().await;
    assert!(matches!(
        store.count_locations().await,
        Err(StoreError::Closed)
    ));

    let store = db.connect().await;
    assert_eq!(store.count_locations().await.unwrap(), 1);
    let got = store
        .get_location(LocationId::new(imported).unwrap())
        .await
        .unwrap();
    assert_eq!(got.unwrap().creation_time, micros(123_456));
    let next = store.reserve_location_ids(1).await.unwrap();
    assert!(
        next.start > imported,
        "{next:?} above imported id {imported}"
    );
    let created = store
        .create_person(NewPerson::new("a", "b", "c").unwrap())
        .await
        .unwrap();
    assert_eq!(created.id.get(), 41);
}

/// Concurrent reservations (one per pool connection) never overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn concurrent_reservations_are_disjoint() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut got = Vec::new();
            for n in [1, 10, 100] {
                got.push(store.reserve_location_ids(n).await.unwrap());
            }
            got
        });
    }
    let mut ranges: Vec<_> = tasks.join_all().await.into_iter().flatten().collect();
    ranges.sort_by_key(|r| r.start);
    assert_eq!(ranges.len(), 24);
    for w in ranges.windows(2) {
        assert!(w[0].end <= w[1].start, "{:?} overlaps {:?}", w[0], w[1]);
    }
}

/// Refused connections are transient database errors, reported at once.
#[tokio::test]
async fn unreachable_server_is_a_database_error() {
    let options = PgOptions {
        acquire_timeout: Duration::from_secs(2),
        ..PgOptions::default()
    };
    match PostgresStore::connect("postgres://postgres@127.0.0.1:1/postgres", options).await {
        Err(StoreError::Database(_)) => {}
        other => panic!("expected a database error, got {other:?}"),
    }
    for url in ["mysql://u@h/db", "postgres://u:secret@h:port/db"] {
        match PostgresStore::connect(url, PgOptions::default()).await {
            Err(StoreError::Database(e)) => {
                assert!(e.contains("invalid PostgreSQL URL"), "{e}");
                assert!(!e.contains("secret"), "{e}");
            }
            other => panic!("expected an invalid URL, got {other:?}"),
        }
    }
}

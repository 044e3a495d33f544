//! The writer's memory of occupied cells never gets ahead of the database.

use chrono::NaiveDate;
use udaconnect_domain::{ConnectionQuery, DistanceMeters, PersonId};

use crate::{
    LocationStore, PersonStore, StoreError,
    sqlite::SqliteStore,
    suite::fixtures::{fix, micros, person},
};

const T: i64 = 1_577_880_000_000_000; // 2020-01-01T12:00:00Z

fn query() -> ConnectionQuery {
    ConnectionQuery::new(
        PersonId::new(1).unwrap(),
        NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2020, 1, 2).unwrap(),
        DistanceMeters::new(5.0).unwrap(),
    )
    .unwrap()
}

/// A rolled-back batch created cells in its transaction only; the next batch in the same
/// cells must create them again, or the connection query would miss its fixes.
#[tokio::test]
async fn cells_of_a_rolled_back_batch_are_not_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    let failed = store
        .insert_locations(&[
            fix(1, 1, 12.5, 45.5, micros(T)),
            fix(2, 2, 12.5, 45.5, micros(T)),
            fix(3, 404, 12.5, 45.5, micros(T)),
        ])
        .await;
    assert!(matches!(failed, Err(StoreError::UnknownPerson(_))));
    store
        .insert_locations(&[
            fix(1, 1, 12.5, 45.5, micros(T)),
            fix(2, 2, 12.5, 45.5, micros(T)),
        ])
        .await
        .unwrap();
    let found = store.find_connection_locations(&query()).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.get(), 2);
}

/// A reopened store (empty memory) finds existing cells in the database and adds no
/// duplicate R*Tree rows.
#[tokio::test]
async fn reopened_store_reuses_existing_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let store = SqliteStore::open(&path).unwrap();
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    store
        .insert_locations(&[fix(1, 1, -33.0, 151.0, micros(T))])
        .await
        .unwrap();
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    store
        .insert_locations(&[fix(2, 2, -33.0, 151.0, micros(T))])
        .await
        .unwrap();
    let cells: i64 = store
        .pool
        .writer_blocking()
        .conn
        .query_row("SELECT count(*) FROM location_cell_rtree", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cells, 1);
    let found = store.find_connection_locations(&query()).await;
    assert_eq!(found.unwrap().len(), 1);
}

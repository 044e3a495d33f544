//! The importer against the real embedded store.

mod common;

use std::{path::Path, sync::Arc};

use common::{poc_seed_dir, poc_seed_files, write};
use udaconnect_domain::LocationId;
use udaconnect_import::{ImportOptions, import_demo_data, import_files};
use udaconnect_store::{DynStore, sqlite::SqliteStore};

async fn open(dir: &Path) -> DynStore {
    let path = dir.join("udaconnect.db");
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
        .await
        .expect("open task")
        .expect("opening the store");
    Arc::new(store)
}

#[tokio::test]
async fn demo_data_lands_in_sqlite_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let report = import_demo_data(&store).await.unwrap();
    assert_eq!(
        (
            report.persons_inserted,
            report.locations_inserted,
            report.rejected
        ),
        (5, 39, 0)
    );
    assert_eq!(store.count_locations().await.unwrap(), 39);
    assert_eq!(store.list_persons().await.unwrap().len(), 5);
    let l = store
        .get_location(LocationId::new(42).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (l.coordinates.lat(), l.coordinates.lon()),
        (35.0585136, -106.5719566)
    );
    let again = import_demo_data(&store).await.unwrap();
    assert_eq!((again.persons_inserted, again.locations_inserted), (0, 0));
    assert_eq!((again.persons_skipped, again.locations_skipped), (5, 39));
    assert_eq!(store.count_locations().await.unwrap(), 39);
}

#[tokio::test]
async fn the_poc_sample_dump_lands_in_sqlite_fixed() {
    let Some(seed) = poc_seed_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let files = poc_seed_files(&seed);
    let report = import_files(&store, &files, &ImportOptions::quiet())
        .await
        .unwrap();
    assert_eq!(
        (report.persons_inserted, report.locations_inserted),
        (5, 39)
    );
    assert_eq!((report.swapped_fixed, report.rejected), (22, 0));
    let again = import_files(&store, &files, &ImportOptions::quiet())
        .await
        .unwrap();
    assert_eq!((again.locations_inserted, again.locations_skipped), (0, 39));
}

#[tokio::test]
async fn unknown_persons_are_isolated_by_the_real_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let mut locations = String::from("id,person_id,latitude,longitude,creation_time\n");
    for i in 1..=50 {
        let pid = if i % 10 == 0 { 99 } else { 1 };
        locations.push_str(&format!("{i},{pid},37.5,-122.3,2020-08-18T10:37:06\n"));
    }
    let files = vec![
        write(
            dir.path(),
            "persons.csv",
            "id,first_name,last_name,company_name\n1,Pam,T,H\n",
        ),
        write(dir.path(), "locations.csv", &locations),
    ];
    let options = ImportOptions {
        batch_size: 16,
        ..ImportOptions::quiet()
    };
    let report = import_files(&store, &files, &options).await.unwrap();
    assert_eq!((report.locations_inserted, report.rejected), (45, 5));
    assert_eq!(store.count_locations().await.unwrap(), 45);
}

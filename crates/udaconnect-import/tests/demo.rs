//! The demo data and the POC sample dump, imported end to end (in-memory store).

mod common;

use common::{FakeStore, poc_seed_dir, poc_seed_files};
use udaconnect_import::{ImportOptions, import_demo_data, import_files};

#[tokio::test]
async fn demo_data_is_the_poc_sample_fixed() {
    let store = FakeStore::new();
    let report = import_demo_data(&store.dyn_store()).await.unwrap();
    assert_eq!(
        (report.persons_inserted, report.locations_inserted),
        (5, 39)
    );
    assert_eq!((report.rejected, report.swapped_fixed), (0, 0));
    let again = import_demo_data(&store.dyn_store()).await.unwrap();
    assert_eq!((again.persons_inserted, again.locations_inserted), (0, 0));
    assert_eq!((again.persons_skipped, again.locations_skipped), (5, 39));
}

#[tokio::test]
async fn the_poc_sample_dump_imports_with_its_swaps_fixed() {
    let Some(dir) = poc_seed_dir() else { return };
    let mut files = poc_seed_files(&dir);
    files.reverse();
    let store = FakeStore::new();
    let report = import_files(&store.dyn_store(), &files, &ImportOptions::quiet())
        .await
        .unwrap();
    assert_eq!(
        (report.persons_inserted, report.locations_inserted),
        (5, 39)
    );
    assert_eq!(
        (
            report.swapped_fixed,
            report.statements_skipped,
            report.rejected
        ),
        (22, 4, 0)
    );
    let again = import_files(&store.dyn_store(), &files, &ImportOptions::quiet())
        .await
        .unwrap();
    assert_eq!((again.persons_inserted, again.locations_inserted), (0, 0));
    assert_eq!((again.persons_skipped, again.locations_skipped), (5, 39));
    assert!(
        store
            .locations()
            .iter()
            .all(|l| l.coordinates.lon() < -100.0)
    );
}

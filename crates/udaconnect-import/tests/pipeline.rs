//! The import pipeline against an in-memory store.

mod common;

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use common::{FakeStore, write};
use udaconnect_import::{
    ImportError, ImportOptions, MAX_LISTED_REJECTIONS, Progress, Table, import_files,
};

const PERSONS: &str = "id,first_name,last_name,company_name\n1,Pam,Trexler,Hampton\n2,Bob,B,Co\n";

fn locations(rows: impl IntoIterator<Item = (i64, i64)>) -> String {
    let mut s = String::from("id,person_id,latitude,longitude,creation_time\n");
    for (id, pid) in rows {
        s.push_str(&format!("{id},{pid},35.05,-106.57,2020-08-18T10:37:06\n"));
    }
    s
}

#[tokio::test]
async fn persons_first_whatever_the_order_and_twice_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![
        write(
            dir.path(),
            "b.csv",
            &locations((1..=25).map(|i| (i, 1 + i % 2))),
        ),
        write(dir.path(), "a.csv", PERSONS),
    ];
    let store = FakeStore::new();
    let options = ImportOptions {
        batch_size: 10,
        ..ImportOptions::quiet()
    };
    let first = import_files(&store.dyn_store(), &files, &options)
        .await
        .unwrap();
    assert_eq!((first.persons_inserted, first.locations_inserted), (2, 25));
    assert_eq!((first.rejected, first.files), (0, 2));
    assert_eq!(store.calls(), 3, "batches of 10");
    let second = import_files(&store.dyn_store(), &files, &options)
        .await
        .unwrap();
    assert_eq!((second.persons_inserted, second.persons_skipped), (0, 2));
    assert_eq!(
        (second.locations_inserted, second.locations_skipped),
        (0, 25)
    );
    assert_eq!(store.locations().len(), 25);
}

#[tokio::test]
async fn a_dump_with_locations_before_persons_imports_everything() {
    let dir = tempfile::tempdir().unwrap();
    let dump = "SET client_encoding = 'UTF8';\n\
        COPY public.location (id, person_id, coordinate, creation_time) FROM stdin;\n\
        1\t7\t0101000000000000000000F03F0000000000005AC0\t2020-08-18 10:37:06\n\
        \\.\n\
        COPY public.person (id, first_name, last_name, company_name) FROM stdin;\n\
        7\tAnn\tA\tAcme\n\
        \\.\n";
    let files = vec![write(dir.path(), "full.sql", dump)];
    let store = FakeStore::new();
    let report = import_files(&store.dyn_store(), &files, &ImportOptions::quiet())
        .await
        .unwrap();
    assert_eq!((report.persons_inserted, report.locations_inserted), (1, 1));
    assert_eq!((report.swapped_fixed, report.statements_skipped), (1, 1));
    let l = &store.locations()[0];
    assert_eq!((l.coordinates.lat(), l.coordinates.lon()), (1.0, -104.0));
}

#[tokio::test]
async fn locations_of_unknown_persons_are_rejected_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    // Persons 1 and 2 exist; 3 and 4 do not. Rows alternate so every batch mixes them.
    let rows: Vec<(i64, i64)> = (1..=40).map(|i| (i, 1 + i % 4)).collect();
    let files = vec![
        write(dir.path(), "persons.csv", PERSONS),
        write(dir.path(), "locations.csv", &locations(rows)),
    ];
    let store = FakeStore::new();
    let options = ImportOptions {
        batch_size: 8,
        ..ImportOptions::quiet()
    };
    let report = import_files(&store.dyn_store(), &files, &options)
        .await
        .unwrap();
    assert_eq!((report.locations_inserted, report.rejected), (20, 20));
    let first = report.rejections[0].to_string();
    let path = files[1].display().to_string();
    assert!(first.starts_with(&format!("{path}:")), "{first}");
    assert!(first.contains(": person_id: unknown person "), "{first}");
    assert!(store.locations().iter().all(|l| l.person_id.get() <= 2));
    // The first batch learns both unknown persons; later batches are filtered up front.
    assert!(store.calls() <= 5 + 2, "{} calls", store.calls());
}

#[tokio::test]
async fn bad_rows_are_counted_listed_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = locations((1..=5).map(|i| (i, 1)));
    for i in 0..30 {
        text.push_str(&format!("{},1,95,0,2020-08-18T10:37:06\n", 100 + i));
    }
    let files = vec![
        write(dir.path(), "persons.csv", PERSONS),
        write(dir.path(), "locations.csv", &text),
    ];
    let store = FakeStore::new();
    let report = import_files(&store.dyn_store(), &files, &ImportOptions::quiet())
        .await
        .unwrap();
    assert_eq!((report.locations_inserted, report.rejected), (5, 30));
    assert_eq!(report.rejections.len(), MAX_LISTED_REJECTIONS);
    assert_eq!(
        report.rejections[0].to_string(),
        format!(
            "{}:7: latitude: must be a number between -90 and 90",
            files[1].display()
        )
    );
    let shown = report.to_string();
    assert!(
        shown.contains("rejected 30 rows:") && shown.contains("… and 10 more"),
        "{shown}"
    );
}

#[tokio::test]
async fn unreadable_or_unrecognisable_files_stop_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let store = FakeStore::new();
    let missing = vec![dir.path().join("nope.csv")];
    let err = import_files(&store.dyn_store(), &missing, &ImportOptions::quiet())
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::Io { .. }), "{err}");
    let odd = vec![write(dir.path(), "odd.csv", "id,lat,lon\n1,2,3\n")];
    let err = import_files(&store.dyn_store(), &odd, &ImportOptions::quiet())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ImportError::UnrecognisedFormat { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("must name the columns"), "{err}");
}

#[tokio::test]
async fn a_failing_store_fails_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![
        write(dir.path(), "persons.csv", PERSONS),
        write(
            dir.path(),
            "locations.csv",
            &locations((1..=100).map(|i| (i, 1))),
        ),
    ];
    let store = FakeStore::broken();
    let options = ImportOptions {
        batch_size: 5,
        ..ImportOptions::quiet()
    };
    let err = import_files(&store.dyn_store(), &files, &options)
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::Store(_)), "{err}");
    assert_eq!(store.calls(), 1, "no retry after a database error");
}

#[tokio::test]
async fn progress_can_be_observed() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![
        write(dir.path(), "persons.csv", PERSONS),
        write(
            dir.path(),
            "locations.csv",
            &locations((1..=30).map(|i| (i, 1))),
        ),
    ];
    let rows = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&rows);
    let progress = Progress::Callback(Arc::new(move |u| {
        if u.table == Table::Locations {
            seen.store(u.rows, Ordering::Relaxed);
            assert!(u.bytes_read <= u.bytes_total);
        }
    }));
    let options = ImportOptions {
        batch_size: 7,
        progress,
    };
    import_files(&FakeStore::new().dyn_store(), &files, &options)
        .await
        .unwrap();
    assert_eq!(rows.load(Ordering::Relaxed), 30);
}

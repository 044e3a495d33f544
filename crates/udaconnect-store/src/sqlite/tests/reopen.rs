//! SQLite-specific behaviour: persistence across reopen, migrations, settings, query plan.

use tempfile::TempDir;
use udaconnect_domain::{LocationId, NewPerson};

use crate::{
    LocationStore, PersonStore,
    sqlite::{SqliteStore, migrate},
    suite::fixtures::{fix, micros, person},
};

fn open(dir: &TempDir) -> SqliteStore {
    SqliteStore::open(&dir.path().join("store.sqlite")).expect("open store")
}

#[tokio::test]
async fn reopen_keeps_data_and_id_reservations() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    store.import_persons(&[person(1)]).await.unwrap();
    store
        .insert_locations(&[fix(3, 1, 1.5, 2.5, micros(123_456))])
        .await
        .unwrap();
    let reserved = store.reserve_location_ids(100).await.unwrap();
    drop(store);

    let store = open(&dir);
    assert_eq!(store.count_locations().await.unwrap(), 1);
    let got = store
        .get_location(LocationId::new(3).unwrap())
        .await
        .unwrap();
    assert_eq!(got.unwrap().creation_time, micros(123_456));
    let next = store.reserve_location_ids(1).await.unwrap();
    assert!(next.start >= reserved.end, "{next:?} after {reserved:?}");
    let created = store
        .create_person(NewPerson::new("a", "b", "c").unwrap())
        .await
        .unwrap();
    assert_eq!(created.id.get(), 2);
}

#[tokio::test]
async fn migrations_are_idempotent_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        let store = open(&dir);
        let conn = &store.pool.writer_blocking().conn;
        assert_eq!(
            migrate::schema_version(conn).unwrap(),
            migrate::latest_version()
        );
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name IN ('person', 'location', \
                 'location_cell_rtree', 'id_block', 'location_person_time', 'location_cell_time')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 6);
        let blocks: i64 = conn
            .query_row("SELECT count(*) FROM id_block", [], |r| r.get(0))
            .unwrap();
        assert_eq!(blocks, 1);
    }
}

#[tokio::test]
async fn durability_settings_are_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let conn = &store.pool.writer_blocking().conn;
    let pragma = |name: &str| -> String {
        conn.pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(pragma("journal_mode"), r#"Text("wal")"#);
    assert_eq!(pragma("synchronous"), "Integer(2)"); // FULL
    assert_eq!(pragma("foreign_keys"), "Integer(1)");
    assert_eq!(pragma("busy_timeout"), "Integer(5000)");
    // See checkpoint.rs.
    let restart = format!("Integer({})", crate::sqlite::connection::WAL_RESTART_PAGES);
    assert_eq!(pragma("wal_autocheckpoint"), restart);
}

/// Evidence for the plan in `connection_locations.sql`: own fixes through the
/// (person_id, creation_time) index, occupied cells through an R*Tree range search on all
/// four box edges (`INDEX 2:` with four constraints), each cell's fixes through the
/// (cell, creation_time) index, and no full scan of `location`.
#[tokio::test]
async fn connection_query_uses_the_rtree() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let plan = store.explain_connection_query().await.unwrap();
    let text = plan.join("\n");
    println!("{text}");
    let has = |s: &str| plan.iter().any(|l| l.contains(s));
    assert!(
        has(
            "SEARCH own USING INDEX location_person_time (person_id=? AND creation_time>? AND creation_time<?)"
        ),
        "{text}"
    );
    let rtree = plan
        .iter()
        .find(|l| l.contains("SCAN r VIRTUAL TABLE INDEX 2:"))
        .unwrap_or_else(|| panic!("no R*Tree range search in\n{text}"));
    // rtree idxStr: an operator and a column per constraint, on all four edges.
    assert_eq!(rtree.rsplit(':').next(), Some("B0D1B2D3"), "{text}");
    assert!(
        has(
            "SEARCH o USING INDEX location_cell_time (cell=? AND creation_time>? AND creation_time<?)"
        ),
        "{text}"
    );
    assert!(
        !plan
            .iter()
            .any(|l| l.starts_with("SCAN o") || l.starts_with("SCAN own")),
        "{text}"
    );
}

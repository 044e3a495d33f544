//! The shared suite against [`SqliteStore`], one test per case, a fresh file each.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use async_trait::async_trait;
use tempfile::TempDir;

use crate::{DynStore, sqlite::SqliteStore, suite};

struct Factory {
    dir: TempDir,
    made: AtomicUsize,
}

impl Factory {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            made: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl suite::StoreFactory for Factory {
    async fn fresh(&self) -> DynStore {
        let n = self.made.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.path().join(format!("store-{n}.sqlite"));
        let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
            .await
            .expect("open task")
            .expect("open store");
        Arc::new(store)
    }
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $case() {
            suite::$case(&Factory::new()).await;
        }
    )*};
}

cases!(
    create_get_list_persons,
    get_unknown_person_is_none,
    import_persons_is_idempotent_and_created_ids_follow,
    get_unknown_location_is_none,
    get_location_round_trips_exactly,
    scan_locations_pages_by_id,
    insert_empty_batch_is_a_no_op,
    insert_is_idempotent_by_event_id,
    insert_is_idempotent_by_location_id,
    insert_of_unknown_person_stores_nothing,
    reserved_ids_are_disjoint_and_above_stored_ids,
    connection_locations_of_unknown_person_are_empty,
    connection_locations_match_brute_force,
    erase_person_deletes_everything_and_refuses_replays,
    purge_deletes_fixes_before_the_cutoff_in_batches,
    accounts_round_trip_and_usernames_are_unique,
    refresh_tokens_are_used_once_and_families_revoked,
);

#[tokio::test]
async fn connection_locations_match_brute_force_with_margin() {
    suite::connection_locations_match_brute_force_with_margin(&Factory::new(), 1e-7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_all_passes() {
    suite::run_all(&Factory::new()).await;
}

//! The shared suite against [`PostgresStore`](crate::postgres::PostgresStore), one test per
//! case, each in a fresh database of its own.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::support::TestDb;
use crate::{DynStore, suite};

/// Makes one database per `fresh()`; drops them all when dropped.
#[derive(Default)]
struct Factory {
    databases: Mutex<Vec<TestDb>>,
}

#[async_trait]
impl suite::StoreFactory for Factory {
    async fn fresh(&self) -> DynStore {
        let db = TestDb::create().await;
        let store = db.connect().await;
        self.databases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(db);
        Arc::new(store)
    }
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {$(
        #[tokio::test]
        #[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
        async fn $case() {
            suite::$case(&Factory::default()).await;
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
    // The exact variant, boundary points at d × (1 ± 1e-12) included: the query decides
    // with `udc_haversine_m`, which repeats the domain's haversine operation for operation
    // (ST_DWithin only selects candidates, with a widened radius), so PostGIS's own sphere
    // (radius 6 371 008.77 m) and formula never decide a boundary case.
    connection_locations_match_brute_force,
    erase_person_deletes_everything_and_refuses_replays,
    purge_deletes_fixes_before_the_cutoff_in_batches,
    accounts_round_trip_and_usernames_are_unique,
    refresh_tokens_are_used_once_and_families_revoked,
);

/// Also with the suite's margin data set (other boundary points, more of them).
#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn connection_locations_match_brute_force_with_margin() {
    suite::connection_locations_match_brute_force_with_margin(&Factory::default(), 1e-7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn run_all_passes() {
    suite::run_all(&Factory::default()).await;
}

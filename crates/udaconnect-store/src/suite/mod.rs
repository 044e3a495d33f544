//! The shared store test suite: every adapter must pass every case. An adapter's tests
//! implement [`StoreFactory`] and call each case from its own `#[tokio::test]` (or
//! [`run_all`] from one). Cases panic on failure, like `assert!`.
//!
//! Enabled in this crate's tests and, for other adapters, by the `suite` feature.

mod accounts;
mod connections;
pub(crate) mod fixtures;
mod ids;
mod locations;
mod persons;
mod privacy;

use async_trait::async_trait;

use crate::DynStore;

pub use accounts::{
    accounts_round_trip_and_usernames_are_unique, refresh_tokens_are_used_once_and_families_revoked,
};
pub use connections::{
    connection_locations_match_brute_force, connection_locations_match_brute_force_with_margin,
    connection_locations_of_unknown_person_are_empty,
};
pub use ids::reserved_ids_are_disjoint_and_above_stored_ids;
pub use locations::{
    get_location_round_trips_exactly, get_unknown_location_is_none, insert_empty_batch_is_a_no_op,
    insert_is_idempotent_by_event_id, insert_is_idempotent_by_location_id,
    insert_of_unknown_person_stores_nothing, scan_locations_pages_by_id,
};
pub use persons::{
    create_get_list_persons, get_unknown_person_is_none,
    import_persons_is_idempotent_and_created_ids_follow,
};
pub use privacy::{
    erase_person_deletes_everything_and_refuses_replays,
    purge_deletes_fixes_before_the_cutoff_in_batches,
};

/// Makes stores for the suite.
#[async_trait]
pub trait StoreFactory: Send + Sync {
    /// A new, empty store, independent of every store made before.
    async fn fresh(&self) -> DynStore;
}

/// Every case, in turn.
pub async fn run_all(f: &dyn StoreFactory) {
    create_get_list_persons(f).await;
    get_unknown_person_is_none(f).await;
    import_persons_is_idempotent_and_created_ids_follow(f).await;
    get_unknown_location_is_none(f).await;
    get_location_round_trips_exactly(f).await;
    insert_empty_batch_is_a_no_op(f).await;
    insert_is_idempotent_by_event_id(f).await;
    insert_is_idempotent_by_location_id(f).await;
    insert_of_unknown_person_stores_nothing(f).await;
    scan_locations_pages_by_id(f).await;
    reserved_ids_are_disjoint_and_above_stored_ids(f).await;
    connection_locations_of_unknown_person_are_empty(f).await;
    connection_locations_match_brute_force(f).await;
    erase_person_deletes_everything_and_refuses_replays(f).await;
    purge_deletes_fixes_before_the_cutoff_in_batches(f).await;
    accounts_round_trip_and_usernames_are_unique(f).await;
    refresh_tokens_are_used_once_and_families_revoked(f).await;
}

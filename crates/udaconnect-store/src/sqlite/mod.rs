//! The embedded store: one SQLite file in WAL mode, the default when UdaConnect runs as a
//! single binary.
//!
//! * Schema: `migrations/sqlite/*.sql`, applied in order at open ([`migrate`]).
//! * Durability: WAL with `synchronous = FULL`; a call that returned `Ok` is on disk.
//! * Concurrency: one writer connection and [`READERS`] reader connections, all used on
//!   tokio's blocking pool ([`pool`]).
//! * Space: a grid of ~11 m cells ([`cells`]); an R*Tree over (lon, lat) holds the
//!   occupied cells and an index on (cell, creation_time) the fixes in each; Rust scalar
//!   functions give the search boxes and the exact haversine test ([`functions`],
//!   [`connections`]).
//! * WAL checkpoints run on a background thread ([`checkpoint`]).

mod accounts;
mod cells;
mod checkpoint;
mod connection;
mod connections;
mod errors;
mod functions;
mod locations;
mod migrate;
mod persons;
mod pool;
mod privacy;
mod rows;
#[cfg(test)]
mod tests;
mod writer;

use std::{ops::Range, path::Path, sync::Arc};

use async_trait::async_trait;
use udaconnect_domain::{
    ConnectionQuery, Location, LocationId, LocationRecorded, NewPerson, Person, PersonId, Timestamp,
};

use self::pool::Pool;
use crate::{
    Account, AccountStore, Erasure, InsertReport, LocationStore, PersonStore, RefreshToken,
    RefreshUse, StoreError,
};

/// Reader connections per store: enough for the 2–4 cores UdaConnect targets.
pub const READERS: usize = 4;

/// The SQLite adapter. Cheap to clone: clones share the connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: Arc<Pool>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// Blocking: call it at start-up or from `spawn_blocking`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            pool: Arc::new(Pool::open(path, READERS)?),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.pool.path()
    }

    /// `EXPLAIN QUERY PLAN` of the connection query, one step per line: evidence that it
    /// searches the R*Tree once per own fix instead of scanning.
    pub async fn explain_connection_query(&self) -> Result<Vec<String>, StoreError> {
        self.pool.read(connections::explain).await
    }
}

#[async_trait]
impl PersonStore for SqliteStore {
    async fn create_person(&self, person: NewPerson) -> Result<Person, StoreError> {
        self.pool.write(move |c| persons::create(c, &person)).await
    }

    async fn get_person(&self, id: PersonId) -> Result<Option<Person>, StoreError> {
        self.pool.read(move |c| persons::get(c, id)).await
    }

    async fn list_persons(&self) -> Result<Vec<Person>, StoreError> {
        self.pool.read(persons::list).await
    }

    async fn import_persons(&self, persons: &[Person]) -> Result<u64, StoreError> {
        let persons = persons.to_vec();
        self.pool.write(move |c| persons::import(c, &persons)).await
    }

    async fn erase_person(
        &self,
        id: PersonId,
        at: Timestamp,
    ) -> Result<Option<Erasure>, StoreError> {
        self.pool.write(move |c| privacy::erase(c, id, at)).await
    }

    async fn erased_persons(&self) -> Result<Vec<PersonId>, StoreError> {
        self.pool.read(privacy::erased).await
    }
}

#[async_trait]
impl LocationStore for SqliteStore {
    async fn insert_locations(
        &self,
        fixes: &[LocationRecorded],
    ) -> Result<InsertReport, StoreError> {
        if fixes.is_empty() {
            return Ok(InsertReport::default());
        }
        let fixes = fixes.to_vec();
        self.pool.write(move |c| locations::insert(c, &fixes)).await
    }

    async fn get_location(&self, id: LocationId) -> Result<Option<Location>, StoreError> {
        self.pool.read(move |c| locations::get(c, id)).await
    }

    async fn reserve_location_ids(&self, n: u32) -> Result<Range<i64>, StoreError> {
        self.pool.write(move |c| locations::reserve_ids(c, n)).await
    }

    async fn find_connection_locations(
        &self,
        query: &ConnectionQuery,
    ) -> Result<Vec<Location>, StoreError> {
        let query = *query;
        self.pool.read(move |c| connections::find(c, &query)).await
    }

    async fn count_locations(&self) -> Result<u64, StoreError> {
        self.pool.read(locations::count).await
    }

    async fn scan_locations(
        &self,
        after: Option<LocationId>,
        limit: u32,
    ) -> Result<Vec<Location>, StoreError> {
        self.pool
            .read(move |c| locations::scan(c, after, limit))
            .await
    }

    async fn purge_locations_before(
        &self,
        cutoff: Timestamp,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.pool
            .write(move |c| privacy::purge_before(c, cutoff, limit))
            .await
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        let account = account.clone();
        self.pool
            .write(move |c| accounts::create(c, &account))
            .await
    }

    async fn get_account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let username = username.to_owned();
        self.pool.read(move |c| accounts::get(c, &username)).await
    }

    async fn count_accounts(&self) -> Result<u64, StoreError> {
        self.pool.read(accounts::count).await
    }

    async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        let token = token.clone();
        self.pool
            .write(move |c| accounts::insert_refresh(c, &token))
            .await
    }

    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(RefreshToken, RefreshUse)>, StoreError> {
        let token_hash = token_hash.to_owned();
        self.pool
            .write(move |c| accounts::use_refresh(c, &token_hash, now))
            .await
    }

    async fn revoke_refresh_family(&self, family_id: &str) -> Result<u64, StoreError> {
        let family_id = family_id.to_owned();
        self.pool
            .write(move |c| accounts::revoke_family(c, &family_id))
            .await
    }
}

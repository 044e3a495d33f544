//! Store ports and adapters. Services depend on [`PersonStore`] and [`LocationStore`] only;
//! the SQLite adapter ([`sqlite::SqliteStore`]) is the embedded default and
//! [`postgres::PostgresStore`] (PostgreSQL + PostGIS) the distributed one; both pass the same
//! [`suite`].

mod error;

pub mod postgres;
pub mod sqlite;

#[cfg(any(test, feature = "suite"))]
pub mod suite;

use std::{fmt::Debug, ops::Range, sync::Arc};

use async_trait::async_trait;
use udaconnect_domain::{
    ConnectionQuery, Location, LocationId, LocationRecorded, NewPerson, Person, PersonId, Timestamp,
};

pub use error::StoreError;

/// Registry of persons.
#[async_trait]
pub trait PersonStore: Send + Sync + Debug + 'static {
    /// Registers a person under a fresh id.
    async fn create_person(&self, person: NewPerson) -> Result<Person, StoreError>;

    async fn get_person(&self, id: PersonId) -> Result<Option<Person>, StoreError>;

    /// All persons, ordered by id.
    async fn list_persons(&self) -> Result<Vec<Person>, StoreError>;

    /// Bulk import with caller-chosen ids. A person whose id is already stored (or was
    /// erased) is left as it is (re-importing changes nothing). Later `create_person` ids
    /// come after every imported id. Returns how many were inserted.
    async fn import_persons(&self, persons: &[Person]) -> Result<u64, StoreError>;

    /// Erases a person in one transaction: records the erasure (person id and `at`), deletes
    /// every fix of theirs and their record. From then on [`LocationStore::insert_locations`]
    /// skips their fixes and their id is never given to anyone else. `None` when no such
    /// person is stored (unknown, or erased before).
    async fn erase_person(
        &self,
        id: PersonId,
        at: Timestamp,
    ) -> Result<Option<Erasure>, StoreError>;

    /// Every erased person id, ascending.
    async fn erased_persons(&self) -> Result<Vec<PersonId>, StoreError>;
}

/// What [`PersonStore::erase_person`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erasure {
    pub person_id: PersonId,
    pub erased_at: Timestamp,
    /// Fixes deleted with the person.
    pub locations: u64,
}

/// Location fixes and the queries over them.
#[async_trait]
pub trait LocationStore: Send + Sync + Debug + 'static {
    /// Stores recorded fixes, idempotently: a fix whose event id or location id is already
    /// stored is skipped (redelivery and re-import are no-ops), and so is a fix of an erased
    /// person (a replay after the erasure). All-or-nothing and durable on return. A fix of an unknown person fails the whole call with
    /// [`StoreError::UnknownPerson`].
    async fn insert_locations(
        &self,
        fixes: &[LocationRecorded],
    ) -> Result<InsertReport, StoreError>;

    async fn get_location(&self, id: LocationId) -> Result<Option<Location>, StoreError>;

    /// Reserves `n` location ids that have never been reserved or stored before (hi/lo
    /// allocation: the ingest service hands them out from memory). Ids stay unique across
    /// restarts and across imports.
    async fn reserve_location_ids(&self, n: u32) -> Result<Range<i64>, StoreError>;

    /// The POC connection query (see [`ConnectionQuery`]) as one set-based statement: the
    /// other people's fixes, one entry per (own fix, other fix) match, ordered by own fix id
    /// then other fix id.
    async fn find_connection_locations(
        &self,
        query: &ConnectionQuery,
    ) -> Result<Vec<Location>, StoreError>;

    async fn count_locations(&self) -> Result<u64, StoreError>;

    /// Up to `limit` stored fixes with an id above `after` (all when `None`), by id: keyset
    /// pages for rebuilding read models (call again with the last id until a short page).
    async fn scan_locations(
        &self,
        after: Option<LocationId>,
        limit: u32,
    ) -> Result<Vec<Location>, StoreError>;

    /// Retention: deletes up to `limit` fixes taken before `cutoff` (oldest first, over the
    /// index on `creation_time`) and returns how many. Call again while it returns `limit`:
    /// small batches keep each transaction (and the lock it holds) short.
    async fn purge_locations_before(
        &self,
        cutoff: Timestamp,
        limit: u32,
    ) -> Result<u64, StoreError>;
}

/// Deletes every fix taken before `cutoff`, `batch` at a time; returns how many.
pub async fn purge_all_before(
    store: &dyn LocationStore,
    cutoff: Timestamp,
    batch: u32,
) -> Result<u64, StoreError> {
    let batch = batch.max(1);
    let mut total = 0;
    loop {
        let n = store.purge_locations_before(cutoff, batch).await?;
        total += n;
        if n < u64::from(batch) {
            return Ok(total);
        }
    }
}

/// Login accounts and their refresh tokens (the policy lives in `udaconnect-auth`; this is
/// only storage). Erasing a person removes their accounts and refresh tokens with them.
#[async_trait]
pub trait AccountStore: Send + Sync + Debug + 'static {
    /// Stores a new account: [`StoreError::AccountExists`] when the username is taken,
    /// [`StoreError::UnknownPerson`] when `person_id` names no stored person.
    async fn create_account(&self, account: &Account) -> Result<(), StoreError>;

    async fn get_account(&self, username: &str) -> Result<Option<Account>, StoreError>;

    async fn count_accounts(&self) -> Result<u64, StoreError>;

    async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError>;

    /// Exchanges a refresh token, atomically: a live token (unused, not revoked, not expired
    /// at `now`) is marked used and returned as [`RefreshUse::Fresh`]; any other state is
    /// reported without changing anything (`None`: no such token).
    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(RefreshToken, RefreshUse)>, StoreError>;

    /// Revokes every token of a family; returns how many were live.
    async fn revoke_refresh_family(&self, family_id: &str) -> Result<u64, StoreError>;
}

/// A stored login account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// `admin`, `attendee` or `device`.
    pub role: String,
    pub person_id: Option<PersonId>,
    pub created_at: Timestamp,
}

/// A stored refresh token (only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Every token obtained by rotating one login's token shares its family.
    pub family_id: String,
    pub username: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The state a refresh token was found in by [`AccountStore::use_refresh_token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshUse {
    /// Was live; now marked used.
    Fresh,
    /// Was already exchanged: presenting it again is reuse (a stolen token).
    AlreadyUsed,
    Revoked,
    Expired,
}

/// Every store, as one handle.
pub trait Store: PersonStore + LocationStore + AccountStore {}
impl<T: PersonStore + LocationStore + AccountStore> Store for T {}

/// A shared store handle.
pub type DynStore = Arc<dyn Store>;

/// What an idempotent insert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertReport {
    pub inserted: u64,
    /// Already stored (same event id or location id): skipped.
    pub skipped: u64,
}

impl std::ops::AddAssign for InsertReport {
    fn add_assign(&mut self, rhs: Self) {
        self.inserted += rhs.inserted;
        self.skipped += rhs.skipped;
    }
}

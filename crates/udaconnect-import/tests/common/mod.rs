//! An in-memory store with the ports' semantics (idempotent, all-or-nothing batches,
//! `UnknownPerson` on a missing person), and helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

mod files;

pub use files::*;

use std::{
    collections::{BTreeMap, HashSet},
    ops::Range,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
};

use async_trait::async_trait;
use udaconnect_domain::{
    ConnectionQuery, EventId, Location, LocationId, LocationRecorded, NewPerson, Person, PersonId,
};
use udaconnect_store::{DynStore, InsertReport, LocationStore, PersonStore, StoreError};

#[derive(Debug, Default)]
pub struct FakeStore {
    persons: Mutex<BTreeMap<PersonId, Person>>,
    locations: Mutex<BTreeMap<LocationId, Location>>,
    events: Mutex<HashSet<EventId>>,
    /// `insert_locations` calls, failed ones included.
    pub location_calls: AtomicUsize,
    /// Fail every `insert_locations` call with a database error.
    pub broken: bool,
}

impl FakeStore {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn broken() -> Arc<Self> {
        Arc::new(Self {
            broken: true,
            ..Self::default()
        })
    }

    pub fn dyn_store(self: &Arc<Self>) -> DynStore {
        Arc::clone(self) as DynStore
    }

    pub fn persons(&self) -> Vec<Person> {
        self.persons
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    pub fn locations(&self) -> Vec<Location> {
        self.locations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    pub fn calls(&self) -> usize {
        self.location_calls.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl PersonStore for FakeStore {
    async fn create_person(&self, _person: NewPerson) -> Result<Person, StoreError> {
        Err(StoreError::Database("not supported by the fake".into()))
    }

    async fn get_person(&self, id: PersonId) -> Result<Option<Person>, StoreError> {
        Ok(self
            .persons
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned())
    }

    async fn list_persons(&self) -> Result<Vec<Person>, StoreError> {
        Ok(self.persons())
    }

    async fn import_persons(&self, persons: &[Person]) -> Result<u64, StoreError> {
        let mut stored = self.persons.lock().unwrap_or_else(PoisonError::into_inner);
        let mut inserted = 0;
        for p in persons {
            if let std::collections::btree_map::Entry::Vacant(e) = stored.entry(p.id) {
                e.insert(p.clone());
                inserted += 1;
            }
        }
        Ok(inserted)
    }

    async fn erase_person(
        &self,
        _id: PersonId,
        _at: udaconnect_domain::Timestamp,
    ) -> Result<Option<udaconnect_store::Erasure>, StoreError> {
        Err(StoreError::Database("not supported by the fake".into()))
    }

    async fn erased_persons(&self) -> Result<Vec<PersonId>, StoreError> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl LocationStore for FakeStore {
    async fn insert_locations(
        &self,
        fixes: &[LocationRecorded],
    ) -> Result<InsertReport, StoreError> {
        self.location_calls.fetch_add(1, Ordering::Relaxed);
        if self.broken {
            return Err(StoreError::Database("disk on fire".into()));
        }
        let persons = self.persons.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(f) = fixes
            .iter()
            .find(|f| !persons.contains_key(&f.location.person_id))
        {
            return Err(StoreError::UnknownPerson(f.location.person_id));
        }
        let mut locations = self
            .locations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        let mut report = InsertReport::default();
        for f in fixes {
            if events.contains(&f.event_id) || locations.contains_key(&f.location.id) {
                report.skipped += 1;
            } else {
                events.insert(f.event_id);
                locations.insert(f.location.id, f.location.clone());
                report.inserted += 1;
            }
        }
        Ok(report)
    }

    async fn get_location(&self, id: LocationId) -> Result<Option<Location>, StoreError> {
        Ok(self
            .locations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned())
    }

    async fn reserve_location_ids(&self, _n: u32) -> Result<Range<i64>, StoreError> {
        Err(StoreError::Database("not supported by the fake".into()))
    }

    async fn find_connection_locations(
        &self,
        _query: &ConnectionQuery,
    ) -> Result<Vec<Location>, StoreError> {
        Err(StoreError::Database("not supported by the fake".into()))
    }

    async fn count_locations(&self) -> Result<u64, StoreError> {
        Ok(self
            .locations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len() as u64)
    }

    async fn scan_locations(
        &self,
        after: Option<LocationId>,
        limit: u32,
    ) -> Result<Vec<Location>, StoreError> {
        let locations = self
            .locations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(locations
            .values()
            .filter(|l| after.is_none_or(|a| l.id > a))
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn purge_locations_before(
        &self,
        _cutoff: udaconnect_domain::Timestamp,
        _limit: u32,
    ) -> Result<u64, StoreError> {
        Err(StoreError::Database("not supported by the fake".into()))
    }
}

/// The import never touches accounts: every call says so.
#[async_trait]
impl udaconnect_store::AccountStore for FakeStore {
    async fn create_account(&self, _: &udaconnect_store::Account) -> Result<(), StoreError> {
        Err(no_accounts())
    }

    async fn get_account(&self, _: &str) -> Result<Option<udaconnect_store::Account>, StoreError> {
        Err(no_accounts())
    }

    async fn count_accounts(&self) -> Result<u64, StoreError> {
        Err(no_accounts())
    }

    async fn insert_refresh_token(
        &self,
        _: &udaconnect_store::RefreshToken,
    ) -> Result<(), StoreError> {
        Err(no_accounts())
    }

    async fn use_refresh_token(
        &self,
        _: &str,
        _: udaconnect_domain::Timestamp,
    ) -> Result<Option<(udaconnect_store::RefreshToken, udaconnect_store::RefreshUse)>, StoreError>
    {
        Err(no_accounts())
    }

    async fn revoke_refresh_family(&self, _: &str) -> Result<u64, StoreError> {
        Err(no_accounts())
    }
}

fn no_accounts() -> StoreError {
    StoreError::Database("the import tests' fake store holds no accounts".into())
}

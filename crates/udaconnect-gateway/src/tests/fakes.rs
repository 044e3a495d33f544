//! In-memory fakes of the three services, sharing one [`World`]. Some person ids trigger
//! failure modes: 500 unavailable, 501 internal, 666 panic, 777 slow.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use async_trait::async_trait;
use udaconnect_domain::{
    Connection, ConnectionQuery, Location, LocationId, NewLocation, NewPerson, Person, PersonId,
    ValidationError,
};
use udaconnect_services::{ConnectionService, IngestService, PersonService, ServiceError};

pub(super) const UNAVAILABLE: i64 = 500;
pub(super) const INTERNAL: i64 = 501;
pub(super) const PANICS: i64 = 666;
pub(super) const SLOW: i64 = 777;

#[derive(Debug, Default)]
pub(super) struct World {
    pub(super) persons: Mutex<Vec<Person>>,
    pub(super) locations: Mutex<BTreeMap<i64, Location>>,
    pub(super) last_query: Mutex<Option<ConnectionQuery>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl World {
    pub(super) fn add_person(&self, id: i64, first: &str, last: &str, company: &str) -> Person {
        let person = NewPerson::new(first, last, company)
            .unwrap()
            .with_id(PersonId::new(id).unwrap());
        lock(&self.persons).push(person.clone());
        person
    }

    pub(super) fn add_location(&self, location: Location) {
        lock(&self.locations).insert(location.id.get(), location);
    }

    pub(super) fn last_query(&self) -> Option<ConnectionQuery> {
        *lock(&self.last_query)
    }

    fn person(&self, id: PersonId) -> Option<Person> {
        lock(&self.persons).iter().find(|p| p.id == id).cloned()
    }
}

/// Applies the special ids' failure modes.
async fn misbehave(id: i64) -> Result<(), ServiceError> {
    match id {
        UNAVAILABLE => Err(ServiceError::Unavailable(
            "store: connection refused".into(),
        )),
        INTERNAL => Err(ServiceError::Internal("secret detail".into())),
        PANICS => panic!("fake service panicked"),
        SLOW => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(())
        }
        _ => Ok(()),
    }
}

#[derive(Debug)]
pub(super) struct Fake(pub(super) Arc<World>);

#[async_trait]
impl PersonService for Fake {
    async fn create(&self, person: NewPerson) -> Result<Person, ServiceError> {
        let mut persons = lock(&self.0.persons);
        let next = persons.iter().map(|p| p.id.get()).max().unwrap_or(0) + 1;
        let person = person.with_id(PersonId::new(next)?);
        persons.push(person.clone());
        Ok(person)
    }

    async fn get(&self, id: PersonId) -> Result<Person, ServiceError> {
        misbehave(id.get()).await?;
        self.0.person(id).ok_or(ServiceError::NotFound {
            entity: "person",
            id: id.get(),
        })
    }

    async fn list(&self) -> Result<Vec<Person>, ServiceError> {
        let mut persons = lock(&self.0.persons).clone();
        persons.sort_by_key(|p| p.id);
        Ok(persons)
    }
}

#[async_trait]
impl IngestService for Fake {
    async fn record_many(
        &self,
        fixes: Vec<NewLocation>,
    ) -> Result<Vec<Result<Location, ServiceError>>, ServiceError> {
        let mut results = Vec::new();
        for fix in fixes {
            misbehave(fix.person_id.get()).await?;
            if self.0.person(fix.person_id).is_none() {
                let e = ValidationError::new(
                    "person_id",
                    format!("no person with id {}", fix.person_id),
                );
                results.push(Err(e.into()));
                continue;
            }
            let next = lock(&self.0.locations)
                .keys()
                .max()
                .copied()
                .unwrap_or(0)
                .max(100)
                + 1;
            let location = fix.with_id(LocationId::new(next)?);
            // The fake "writer" stores it at once.
            self.0.add_location(location.clone());
            results.push(Ok(location));
        }
        Ok(results)
    }
}

#[async_trait]
impl ConnectionService for Fake {
    async fn get_location(&self, id: LocationId) -> Result<Location, ServiceError> {
        lock(&self.0.locations)
            .get(&id.get())
            .cloned()
            .ok_or(ServiceError::NotFound {
                entity: "location",
                id: id.get(),
            })
    }

    /// Every other person's fix, whatever the query (the real search is the store's job).
    async fn find_connections(
        &self,
        query: ConnectionQuery,
    ) -> Result<Vec<Connection>, ServiceError> {
        misbehave(query.person_id.get()).await?;
        *lock(&self.0.last_query) = Some(query);
        if self.0.person(query.person_id).is_none() {
            return Err(ServiceError::NotFound {
                entity: "person",
                id: query.person_id.get(),
            });
        }
        let locations = lock(&self.0.locations)
            .values()
            .cloned()
            .collect::<Vec<_>>();
        Ok(locations
            .into_iter()
            .filter(|l| l.person_id != query.person_id)
            .filter_map(|location| {
                let person = self.0.person(location.person_id)?;
                Some(Connection { person, location })
            })
            .collect())
    }
}

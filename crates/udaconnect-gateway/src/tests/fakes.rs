//! In-memory fakes of the three services, sharing one [`World`]. Some person ids trigger
//! failure modes: 500 unavailable, 501 internal, 666 panic, 777 slow.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use async_trait::async_trait;
use futures::StreamExt;
use udaconnect_domain::{
    Activity, Connection, ConnectionQuery, Contact, ContactEpisode, ContactPage, ContactQuery,
    FeedItem, Location, LocationId, NewLocation, NewPerson, Person, PersonId, ValidationError,
};
use udaconnect_services::{
    ConnectionService, IngestService, PersonService, ServiceError, feeds::Feed,
};

pub(super) const UNAVAILABLE: i64 = 500;
pub(super) const INTERNAL: i64 = 501;
pub(super) const PANICS: i64 = 666;
pub(super) const SLOW: i64 = 777;

#[derive(Debug, Default)]
pub(super) struct World {
    pub(super) persons: Mutex<Vec<Person>>,
    pub(super) locations: Mutex<BTreeMap<i64, Location>>,
    pub(super) last_query: Mutex<Option<ConnectionQuery>>,
    pub(super) last_contact_query: Mutex<Option<ContactQuery>>,
    /// What the contact feed replays (cursor `p1.<n>` = after the n-th episode).
    pub(super) episodes: Mutex<Vec<ContactEpisode>>,
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

    async fn delete(&self, id: PersonId) -> Result<(), ServiceError> {
        misbehave(id.get()).await?;
        let mut persons = lock(&self.0.persons);
        let before = persons.len();
        persons.retain(|p| p.id != id);
        if persons.len() == before {
            return Err(ServiceError::NotFound {
                entity: "person",
                id: id.get(),
            });
        }
        drop(persons);
        lock(&self.0.locations).retain(|_, l| l.person_id != id);
        Ok(())
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

    /// One contact per other person who has a fix, met at that fix.
    async fn find_contacts(&self, query: ContactQuery) -> Result<ContactPage, ServiceError> {
        misbehave(query.person_id.get()).await?;
        *lock(&self.0.last_contact_query) = Some(query.clone());
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
        let contacts = locations
            .into_iter()
            .filter(|l| l.person_id != query.person_id)
            .filter_map(|l| {
                Some(Contact {
                    person: self.0.person(l.person_id)?,
                    first_met: l.creation_time,
                    last_met: l.creation_time,
                    meetings: 2,
                    own_fixes: 1,
                    closest_m: 1.5,
                    place: l.coordinates,
                    closest_at: l.creation_time,
                })
            })
            .collect();
        Ok(ContactPage {
            contacts,
            next_cursor: None,
        })
    }

    async fn watch_contacts(
        &self,
        person: Option<PersonId>,
        cursor: Option<String>,
    ) -> Result<Feed<ContactEpisode>, ServiceError> {
        let start = match cursor {
            None => 0,
            Some(c) => udaconnect_services::feeds::decode_cursor(&c)?[0] as usize,
        };
        let items: Vec<_> = lock(&self.0.episodes)
            .iter()
            .cloned()
            .enumerate()
            .skip(start)
            .filter(|(_, e)| person.is_none_or(|p| e.involves(p)))
            .map(|(i, e)| {
                Ok(FeedItem {
                    cursor: udaconnect_services::feeds::encode_cursor(&[i as u64 + 1]),
                    item: e,
                })
            })
            .collect();
        Ok(futures::stream::iter(items).boxed())
    }

    async fn watch_locations(
        &self,
        _person: Option<PersonId>,
        _cursor: Option<String>,
    ) -> Result<Feed<Location>, ServiceError> {
        Ok(futures::stream::empty().boxed())
    }

    async fn activity(&self, window_s: u32) -> Result<Activity, ServiceError> {
        if window_s == 0 {
            return Err(
                ValidationError::new("window_s", "must be between 1 and 86400 seconds").into(),
            );
        }
        Ok(Activity {
            at: None,
            window_s,
            fixes: lock(&self.0.locations).len() as u64,
            persons_present: 1,
            hotspots: Vec::new(),
        })
    }
}

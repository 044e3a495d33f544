use std::sync::Arc;

use async_trait::async_trait;
use udaconnect_bus::EventLog;
use udaconnect_domain::{EventId, NewPerson, Person, PersonErased, PersonId};
use udaconnect_store::DynStore;

use crate::{ServiceError, events, service_client};

/// The person registry.
#[async_trait]
pub trait PersonService: Send + Sync + std::fmt::Debug + 'static {
    async fn create(&self, person: NewPerson) -> Result<Person, ServiceError>;

    /// The person, or [`ServiceError::NotFound`].
    async fn get(&self, id: PersonId) -> Result<Person, ServiceError>;

    /// Everyone, ordered by id.
    async fn list(&self) -> Result<Vec<Person>, ServiceError>;

    /// Erases the person: record, fixes and contacts, everywhere (see [`LocalPersons`]).
    /// [`ServiceError::NotFound`] when there is no such person.
    async fn delete(&self, id: PersonId) -> Result<(), ServiceError>;
}

service_client!(
    /// Cheap handle on the person registry, local or remote.
    PersonsClient,
    PersonService
);

/// The person registry over the store; erasures are published on the erasures topic.
#[derive(Debug, Clone)]
pub struct LocalPersons {
    store: DynStore,
    log: Arc<dyn EventLog>,
    erasures_topic: String,
}

impl LocalPersons {
    pub fn new(store: DynStore, log: Arc<dyn EventLog>, topics: &events::Topics) -> Self {
        Self {
            store,
            log,
            erasures_topic: topics.erasures.clone(),
        }
    }
}

#[async_trait]
impl PersonService for LocalPersons {
    async fn create(&self, person: NewPerson) -> Result<Person, ServiceError> {
        let person = self.store.create_person(person).await?;
        tracing::info!(person_id = %person.id, "person registered");
        Ok(person)
    }

    async fn get(&self, id: PersonId) -> Result<Person, ServiceError> {
        self.store
            .get_person(id)
            .await?
            .ok_or(ServiceError::NotFound {
                entity: "person",
                id: id.get(),
            })
    }

    async fn list(&self) -> Result<Vec<Person>, ServiceError> {
        Ok(self.store.list_persons().await?)
    }

    /// Tombstone first, then the store: once the tombstone is durable every consumer drops
    /// the person's data and skips their records, then one store transaction deletes their
    /// record and fixes and records the erasure (from then on the writer skips their fixes).
    /// If the store step fails the caller retries; a second tombstone is harmless (every
    /// consumer's forgetting is idempotent).
    async fn delete(&self, id: PersonId) -> Result<(), ServiceError> {
        self.get(id).await?;
        let tombstone = PersonErased {
            event_id: EventId::new_v7(),
            person_id: id,
            erased_at: chrono::Utc::now(),
        };
        self.log
            .ensure_topic(&self.erasures_topic, crate::erasures::PARTITIONS)
            .await?;
        self.log
            .append(
                &self.erasures_topic,
                vec![events::encode_person_erased(&tombstone)],
            )
            .await?;
        let erased = self
            .store
            .erase_person(id, tombstone.erased_at)
            .await?
            .ok_or(ServiceError::NotFound {
                entity: "person",
                id: id.get(),
            })?;
        crate::metrics::erased(erased.locations);
        tracing::info!(person_id = %id, fixes = erased.locations, "person erased");
        Ok(())
    }
}

use async_trait::async_trait;
use udaconnect_domain::{NewPerson, Person, PersonId};
use udaconnect_store::DynStore;

use crate::{ServiceError, service_client};

/// The person registry.
#[async_trait]
pub trait PersonService: Send + Sync + std::fmt::Debug + 'static {
    async fn create(&self, person: NewPerson) -> Result<Person, ServiceError>;

    /// The person, or [`ServiceError::NotFound`].
    async fn get(&self, id: PersonId) -> Result<Person, ServiceError>;

    /// Everyone, ordered by id.
    async fn list(&self) -> Result<Vec<Person>, ServiceError>;
}

service_client!(
    /// Cheap handle on the person registry, local or remote.
    PersonsClient,
    PersonService
);

/// The person registry over the store.
#[derive(Debug, Clone)]
pub struct LocalPersons {
    store: DynStore,
}

impl LocalPersons {
    pub fn new(store: DynStore) -> Self {
        Self { store }
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
}

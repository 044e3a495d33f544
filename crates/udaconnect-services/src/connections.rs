use std::collections::HashMap;

use async_trait::async_trait;
use udaconnect_domain::{Connection, ConnectionQuery, Location, LocationId};
use udaconnect_store::DynStore;

use crate::{ServiceError, service_client};

/// Read side over stored fixes: single fixes and the POC connection query.
#[async_trait]
pub trait ConnectionService: Send + Sync + std::fmt::Debug + 'static {
    /// The stored fix, or [`ServiceError::NotFound`] (also while it is still on its way from
    /// the log to the store).
    async fn get_location(&self, id: LocationId) -> Result<Location, ServiceError>;

    /// The POC's connections (see [`ConnectionQuery`]); [`ServiceError::NotFound`] when the
    /// person does not exist.
    async fn find_connections(
        &self,
        query: ConnectionQuery,
    ) -> Result<Vec<Connection>, ServiceError>;
}

service_client!(
    /// Cheap handle on the connections service, local or remote.
    ConnectionsClient,
    ConnectionService
);

/// Connections answered from the store with one set-based query.
#[derive(Debug, Clone)]
pub struct LocalConnections {
    store: DynStore,
}

impl LocalConnections {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

#[async_trait]
impl ConnectionService for LocalConnections {
    async fn get_location(&self, id: LocationId) -> Result<Location, ServiceError> {
        self.store
            .get_location(id)
            .await?
            .ok_or(ServiceError::NotFound {
                entity: "location",
                id: id.get(),
            })
    }

    #[tracing::instrument(skip_all, fields(person_id = %query.person_id))]
    async fn find_connections(
        &self,
        query: ConnectionQuery,
    ) -> Result<Vec<Connection>, ServiceError> {
        if self.store.get_person(query.person_id).await?.is_none() {
            return Err(ServiceError::NotFound {
                entity: "person",
                id: query.person_id.get(),
            });
        }
        let locations = self.store.find_connection_locations(&query).await?;
        let persons: HashMap<_, _> = self
            .store
            .list_persons()
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        locations
            .into_iter()
            .map(|location| {
                let person = persons.get(&location.person_id).cloned().ok_or_else(|| {
                    ServiceError::Internal(format!(
                        "location {} refers to missing person {}",
                        location.id, location.person_id
                    ))
                })?;
                Ok(Connection { person, location })
            })
            .collect()
    }
}

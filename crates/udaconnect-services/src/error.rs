use udaconnect_domain::ValidationError;
use udaconnect_store::StoreError;

/// What a service call can fail with. The gateway maps each kind to one HTTP status (and the
/// gRPC adapter to one status code): Invalid → 400 / INVALID_ARGUMENT, NotFound → 404 /
/// NOT_FOUND, Unavailable → 503 / UNAVAILABLE, Internal → 500 / INTERNAL.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: i64 },
    /// A remote service refused the caller's credentials (401 / `UNAUTHENTICATED`).
    #[error("unauthenticated")]
    Unauthenticated,
    /// A remote service refused the caller the right (403 / `PERMISSION_DENIED`).
    #[error("{0}")]
    Forbidden(String),
    /// A dependency (store, event log) is down or overloaded; retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownPerson(id) => {
                ValidationError::new("person_id", format!("no person with id {id}")).into()
            }
            StoreError::Database(m) => ServiceError::Unavailable(format!("store: {m}")),
            StoreError::Closed => ServiceError::Unavailable("store closed".into()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<udaconnect_bus::BusError> for ServiceError {
    fn from(e: udaconnect_bus::BusError) -> Self {
        use udaconnect_bus::BusError;
        match e {
            BusError::Io(_) | BusError::Broker(_) | BusError::Rebalanced(_) | BusError::Closed => {
                ServiceError::Unavailable(format!("event log: {e}"))
            }
            other => ServiceError::Internal(format!("event log: {other}")),
        }
    }
}

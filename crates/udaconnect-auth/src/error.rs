use udaconnect_domain::ValidationError;
use udaconnect_store::StoreError;

/// Why an authentication or account operation failed. The gateway maps each kind to one
/// HTTP status and the gRPC layer to one code.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Missing, malformed, expired or revoked credentials (401 / `UNAUTHENTICATED`). The
    /// message never says which part was wrong.
    #[error("invalid credentials")]
    Unauthenticated,
    /// Valid credentials without the right (403 / `PERMISSION_DENIED`).
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins; retry after this many seconds (429).
    #[error("too many failed sign-ins, retry in {retry_after_s} s")]
    Throttled { retry_after_s: u64 },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The username is taken (409).
    #[error("username {0:?} is taken")]
    UsernameTaken(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::AccountExists(u) => AuthError::UsernameTaken(u),
            StoreError::UnknownPerson(p) => {
                ValidationError::new("person_id", format!("no person with id {p}")).into()
            }
            other => AuthError::Store(other),
        }
    }
}

impl From<crate::Denied> for AuthError {
    fn from(d: crate::Denied) -> Self {
        AuthError::Forbidden(d.0)
    }
}

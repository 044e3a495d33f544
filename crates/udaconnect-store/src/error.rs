use udaconnect_domain::PersonId;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A fix refers to a person that is not stored (foreign key).
    #[error("unknown person {0}")]
    UnknownPerson(PersonId),
    /// An account with this username is already stored.
    #[error("account {0:?} already exists")]
    AccountExists(String),
    /// Stored data could not be read back as a valid domain value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database failed; the operation may be retried.
    #[error("database: {0}")]
    Database(String),
    #[error("store closed")]
    Closed,
}

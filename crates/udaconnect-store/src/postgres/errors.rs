//! The one mapping from sqlx errors (and PostgreSQL's SQLSTATE codes) to [`StoreError`].

use sqlx::Error;
use udaconnect_domain::PersonId;

use crate::StoreError;

/// `foreign_key_violation`: a fix names a person that is not stored.
const FOREIGN_KEY_VIOLATION: &str = "23503";

/// Maps a sqlx error to a store error. `unknown_person` is the person a failed statement
/// referred to but did not find, when the caller could tell (see
/// [`is_foreign_key_violation`]); without it a foreign-key violation stays a (retryable)
/// database error. Connection, pool and server failures are [`StoreError::Database`]; a
/// value that cannot be decoded is [`StoreError::Corrupt`].
pub(crate) fn store_error(e: Error, unknown_person: Option<PersonId>) -> StoreError {
    match &e {
        Error::Database(db) if db.code().as_deref() == Some(FOREIGN_KEY_VIOLATION) => {
            match unknown_person {
                Some(p) => StoreError::UnknownPerson(p),
                None => StoreError::Database(e.to_string()),
            }
        }
        Error::PoolClosed => StoreError::Closed,
        Error::ColumnDecode { .. }
        | Error::Decode(_)
        | Error::ColumnNotFound(_)
        | Error::ColumnIndexOutOfBounds { .. }
        | Error::TypeNotFound { .. }
        | Error::RowNotFound => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Database(e.to_string()),
    }
}

/// Whether `e` is a foreign-key violation (the caller then finds out which person is missing).
pub(crate) fn is_foreign_key_violation(e: &Error) -> bool {
    matches!(e, Error::Database(db) if db.code().as_deref() == Some(FOREIGN_KEY_VIOLATION))
}

/// `?`-friendly shorthand for [`store_error`] without a person.
pub(crate) trait ResultExt<T> {
    fn db(self) -> Result<T, StoreError>;
}

impl<T> ResultExt<T> for Result<T, Error> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(|e| store_error(e, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_decode_failures_map_to_their_kinds() {
        assert!(matches!(
            store_error(Error::PoolClosed, None),
            StoreError::Closed
        ));
        assert!(matches!(
            store_error(Error::PoolTimedOut, None),
            StoreError::Database(_)
        ));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(matches!(
            store_error(Error::Io(io), None),
            StoreError::Database(_)
        ));
        assert!(matches!(
            store_error(Error::Decode("bad".into()), None),
            StoreError::Corrupt(_)
        ));
        assert!(!is_foreign_key_violation(&Error::PoolTimedOut));
    }
}

//! The one mapping from rusqlite errors to [`StoreError`].

use rusqlite::{Error, ErrorCode, ffi};
use udaconnect_domain::PersonId;

use crate::StoreError;

/// Maps a rusqlite error to a store error. `person` is the person the failing statement
/// referred to, if any: a foreign-key violation on such a statement means that person is
/// not stored.
pub(crate) fn store_error(e: Error, person: Option<PersonId>) -> StoreError {
    match &e {
        Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && f.extended_code == ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            match person {
                Some(p) => StoreError::UnknownPerson(p),
                None => StoreError::Database(e.to_string()),
            }
        }
        Error::FromSqlConversionFailure(..)
        | Error::IntegralValueOutOfRange(..)
        | Error::InvalidColumnType(..)
        | Error::Utf8Error(..) => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Database(e.to_string()),
    }
}

/// `?`-friendly shorthands for [`store_error`].
pub(crate) trait ResultExt<T> {
    /// Any error, with no person context.
    fn db(self) -> Result<T, StoreError>;
    /// An error from a statement that refers to `person`.
    fn for_person(self, person: PersonId) -> Result<T, StoreError>;
}

impl<T> ResultExt<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(|e| store_error(e, None))
    }

    fn for_person(self, person: PersonId) -> Result<T, StoreError> {
        self.map_err(|e| store_error(e, Some(person)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fk_error() -> Error {
        Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some("FOREIGN KEY constraint failed".into()),
        )
    }

    #[test]
    fn foreign_key_violations_name_the_person() {
        let p = PersonId::new(7).unwrap();
        assert!(matches!(
            store_error(fk_error(), Some(p)),
            StoreError::UnknownPerson(q) if q == p
        ));
        assert!(matches!(
            store_error(fk_error(), None),
            StoreError::Database(_)
        ));
    }

    #[test]
    fn bad_column_types_are_corruption() {
        let e = Error::InvalidColumnType(0, "id".into(), rusqlite::types::Type::Text);
        assert!(matches!(store_error(e, None), StoreError::Corrupt(_)));
    }
}

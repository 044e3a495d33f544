use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValidationError;

macro_rules! int_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Ids are positive integers (the POC used SERIAL columns).
            pub fn new(value: i64) -> Result<Self, ValidationError> {
                if value > 0 {
                    Ok(Self(value))
                } else {
                    Err(ValidationError::new($field, "must be a positive integer"))
                }
            }

            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

int_id!(
    /// Identifier of a person.
    PersonId,
    "person_id"
);
int_id!(
    /// Public identifier of a stored location fix.
    LocationId,
    "location_id"
);

/// Identity of one event on the log (UUIDv7: time-ordered). The unit of idempotency:
/// a fix delivered twice with the same event id is stored once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(Uuid);

impl EventId {
    /// A fresh, time-ordered event id.
    pub fn new_v7() -> Self {
        Self(Uuid::now_v7())
    }

    /// A deterministic event id for rows that enter the store without passing through the
    /// log (bulk import): the same source row always gets the same id.
    pub fn for_import(kind: &str, id: i64) -> Self {
        const NAMESPACE: Uuid = Uuid::from_u128(0x5f1c_0e7a_8d7b_4c3e_9a41_0b2d_6c7e_1f00);
        Self(Uuid::new_v5(&NAMESPACE, format!("{kind}:{id}").as_bytes()))
    }

    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for EventId {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(Self)
            .map_err(|e| ValidationError::new("event_id", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_positive() {
        assert!(PersonId::new(1).is_ok());
        assert_eq!(PersonId::new(0).unwrap_err().field, "person_id");
        assert_eq!(LocationId::new(-3).unwrap_err().field, "location_id");
    }

    #[test]
    fn import_event_ids_are_deterministic_and_distinct() {
        assert_eq!(
            EventId::for_import("location", 29),
            EventId::for_import("location", 29)
        );
        assert_ne!(
            EventId::for_import("location", 29),
            EventId::for_import("location", 30)
        );
    }
}

use serde::{Deserialize, Serialize};

use crate::{Coordinates, EventId, LocationId, PersonId, Timestamp};

/// A stored location fix: where a person's device was at an instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: LocationId,
    pub person_id: PersonId,
    pub coordinates: Coordinates,
    pub creation_time: Timestamp,
}

/// A fix as submitted by a device, validated but not yet accepted (no id yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLocation {
    pub person_id: PersonId,
    pub coordinates: Coordinates,
    pub creation_time: Timestamp,
}

impl NewLocation {
    pub fn with_id(self, id: LocationId) -> Location {
        Location {
            id,
            person_id: self.person_id,
            coordinates: self.coordinates,
            creation_time: self.creation_time,
        }
    }
}

/// The event appended to the `locations` log once the ingest service accepts a fix.
/// Every consumer's side effect is keyed by `event_id`, so redelivery is harmless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationRecorded {
    pub event_id: EventId,
    pub location: Location,
    /// When the ingest service accepted it.
    pub received_at: Timestamp,
}

//! The protobuf encoding of the events on the log (`udaconnect.v1.LocationRecorded` for
//! topic `udaconnect.locations.v1`).

use prost::Message;
use udaconnect_domain::{
    Coordinates, EventId, Location, LocationId, LocationRecorded, PersonErased, PersonId,
    ValidationError,
};

use crate::{timestamp_from_proto, timestamp_to_proto, v1};

/// The `content-type` header of a protobuf-encoded `LocationRecorded` record.
pub const LOCATION_RECORDED_CONTENT_TYPE: &str =
    "application/x-protobuf; messageType=udaconnect.v1.LocationRecorded";

/// The `content-type` header of a protobuf-encoded `PersonErased` record.
pub const PERSON_ERASED_CONTENT_TYPE: &str =
    "application/x-protobuf; messageType=udaconnect.v1.PersonErased";

/// Encodes an erasure as the value of a `udaconnect.erasures.v1` record.
pub fn encode_person_erased(event: &PersonErased) -> Vec<u8> {
    v1::PersonErased {
        event_id: event.event_id.to_string(),
        person_id: event.person_id.get(),
        erased_at: Some(timestamp_to_proto(&event.erased_at)),
    }
    .encode_to_vec()
}

/// Decodes the value of a `udaconnect.erasures.v1` record, validating every field.
pub fn decode_person_erased(bytes: &[u8]) -> Result<PersonErased, EventDecodeError> {
    let e = v1::PersonErased::decode(bytes)?;
    Ok(PersonErased {
        event_id: e.event_id.parse::<EventId>()?,
        person_id: PersonId::new(e.person_id)?,
        erased_at: timestamp_from_proto("erased_at", e.erased_at)?,
    })
}

/// Why bytes from the log are not a valid `LocationRecorded`.
#[derive(Debug, thiserror::Error)]
pub enum EventDecodeError {
    /// Not a protobuf `LocationRecorded` at all.
    #[error("malformed protobuf: {0}")]
    Malformed(#[from] prost::DecodeError),
    /// Well-formed, but a field breaks a domain rule (the error names it).
    #[error("invalid field {0}")]
    Invalid(#[from] ValidationError),
}

/// Encodes an accepted fix as the value of a `udaconnect.locations.v1` record.
pub fn encode_location_recorded(event: &LocationRecorded) -> Vec<u8> {
    let loc = &event.location;
    v1::LocationRecorded {
        event_id: event.event_id.to_string(),
        location_id: loc.id.get(),
        person_id: loc.person_id.get(),
        latitude: loc.coordinates.lat(),
        longitude: loc.coordinates.lon(),
        creation_time: Some(timestamp_to_proto(&loc.creation_time)),
        received_at: Some(timestamp_to_proto(&event.received_at)),
    }
    .encode_to_vec()
}

/// Decodes the value of a `udaconnect.locations.v1` record, validating every field as if it
/// came from the network (it did).
pub fn decode_location_recorded(bytes: &[u8]) -> Result<LocationRecorded, EventDecodeError> {
    let e = v1::LocationRecorded::decode(bytes)?;
    Ok(LocationRecorded {
        event_id: e.event_id.parse::<EventId>()?,
        location: Location {
            id: LocationId::new(e.location_id)?,
            person_id: PersonId::new(e.person_id)?,
            coordinates: Coordinates::new(e.latitude, e.longitude)?,
            creation_time: timestamp_from_proto("creation_time", e.creation_time)?,
        },
        received_at: timestamp_from_proto("received_at", e.received_at)?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{SubsecRound, TimeZone, Utc};

    use super::*;

    fn event() -> LocationRecorded {
        LocationRecorded {
            event_id: EventId::new_v7(),
            location: Location {
                id: LocationId::new(42).unwrap(),
                person_id: PersonId::new(7).unwrap(),
                coordinates: Coordinates::new(37.553441, -122.290524).unwrap(),
                creation_time: Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap(),
            },
            received_at: Utc::now().trunc_subsecs(6),
        }
    }

    #[test]
    fn round_trips() {
        let e = event();
        assert_eq!(
            decode_location_recorded(&encode_location_recorded(&e)).unwrap(),
            e
        );
    }

    #[test]
    fn erasures_round_trip_and_name_bad_fields() {
        let e = PersonErased {
            event_id: EventId::new_v7(),
            person_id: PersonId::new(5).unwrap(),
            erased_at: Utc::now().trunc_subsecs(6),
        };
        assert_eq!(decode_person_erased(&encode_person_erased(&e)).unwrap(), e);
        let mut bad = v1::PersonErased::decode(&encode_person_erased(&e)[..]).unwrap();
        bad.person_id = 0;
        assert!(matches!(
            decode_person_erased(&bad.encode_to_vec()),
            Err(EventDecodeError::Invalid(v)) if v.field == "person_id"
        ));
    }

    #[test]
    fn rejects_garbage_and_invalid_fields() {
        assert!(matches!(
            decode_location_recorded(b"\xff\xff\xff not protobuf"),
            Err(EventDecodeError::Malformed(_))
        ));
        // An empty value decodes as all defaults: event_id "" is not a UUID.
        assert!(matches!(
            decode_location_recorded(&[]),
            Err(EventDecodeError::Invalid(e)) if e.field == "event_id"
        ));
        let mut bad =
            v1::LocationRecorded::decode(&encode_location_recorded(&event())[..]).unwrap();
        bad.latitude = 137.5;
        assert!(matches!(
            decode_location_recorded(&bad.encode_to_vec()),
            Err(EventDecodeError::Invalid(e)) if e.field == "latitude"
        ));
        bad.latitude = 1.0;
        bad.received_at = None;
        assert!(matches!(
            decode_location_recorded(&bad.encode_to_vec()),
            Err(EventDecodeError::Invalid(e)) if e.field == "received_at"
        ));
    }
}

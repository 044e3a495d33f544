//! The events UdaConnect puts on its log, and their wire encoding.
//!
//! Topic `udaconnect.locations.v1`: one [`LocationRecorded`] per accepted fix, keyed by the
//! person id (so one person's fixes stay in order), with headers `event-id`, `event-type`
//! and `content-type`. Poison records go to `udaconnect.locations.v1.dlq` with the reason
//! in the `dlq-reason` header.

use bytes::Bytes;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use udaconnect_bus::{Delivery, Record};
use udaconnect_domain::{
    Coordinates, Location, LocationId, LocationRecorded, PersonId, ValidationError, parse_datetime,
};

pub const LOCATIONS_TOPIC: &str = "udaconnect.locations.v1";
pub const LOCATIONS_DLQ_TOPIC: &str = "udaconnect.locations.v1.dlq";
pub const LOCATION_RECORDED: &str = "location.recorded.v1";
pub const CONTENT_TYPE_JSON: &str = "application/json";

pub const HEADER_EVENT_ID: &str = "event-id";
pub const HEADER_EVENT_TYPE: &str = "event-type";
pub const HEADER_CONTENT_TYPE: &str = "content-type";
pub const HEADER_DLQ_REASON: &str = "dlq-reason";
pub const HEADER_DLQ_SOURCE: &str = "dlq-source";

/// The JSON body of a `location.recorded.v1` event. Field names are the contract; the
/// domain types may change without breaking consumers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationRecordedV1 {
    event_id: String,
    location_id: i64,
    person_id: i64,
    latitude: f64,
    longitude: f64,
    creation_time: String,
    received_at: String,
}

/// Encodes an accepted fix as a log record.
pub fn encode_location_recorded(event: &LocationRecorded) -> Record {
    let loc = &event.location;
    let body = LocationRecordedV1 {
        event_id: event.event_id.to_string(),
        location_id: loc.id.get(),
        person_id: loc.person_id.get(),
        latitude: loc.coordinates.lat(),
        longitude: loc.coordinates.lon(),
        creation_time: loc
            .creation_time
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        received_at: event
            .received_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
    };
    // Serialising plain numbers and strings cannot fail.
    let value = serde_json::to_vec(&body).unwrap_or_default();
    Record::new(loc.person_id.get().to_string(), value)
        .with_header(HEADER_EVENT_ID, body.event_id.clone())
        .with_header(HEADER_EVENT_TYPE, LOCATION_RECORDED)
        .with_header(HEADER_CONTENT_TYPE, CONTENT_TYPE_JSON)
}

/// Why a record on the locations topic could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unsupported event type {0:?}")]
    EventType(String),
    #[error("unsupported content type {0:?}")]
    ContentType(String),
    #[error("malformed body: {0}")]
    Body(String),
    #[error("invalid field {0}")]
    Invalid(#[from] ValidationError),
}

/// Decodes a record from the locations topic, validating every field as if it came from the
/// network (it did).
pub fn decode_location_recorded(record: &Record) -> Result<LocationRecorded, DecodeError> {
    let header = |name| {
        record
            .header(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    if let Some(t) = header(HEADER_EVENT_TYPE).filter(|t| t != LOCATION_RECORDED) {
        return Err(DecodeError::EventType(t));
    }
    if let Some(c) = header(HEADER_CONTENT_TYPE).filter(|c| c != CONTENT_TYPE_JSON) {
        return Err(DecodeError::ContentType(c));
    }
    let body: LocationRecordedV1 =
        serde_json::from_slice(&record.value).map_err(|e| DecodeError::Body(e.to_string()))?;
    Ok(LocationRecorded {
        event_id: body.event_id.parse()?,
        location: Location {
            id: LocationId::new(body.location_id)?,
            person_id: PersonId::new(body.person_id)?,
            coordinates: Coordinates::new(body.latitude, body.longitude)?,
            creation_time: parse_datetime("creation_time", &body.creation_time)?,
        },
        received_at: parse_datetime("received_at", &body.received_at)?,
    })
}

/// A dead-letter copy of `delivery`, carrying the reason and where it came from.
pub fn dead_letter(delivery: &Delivery, reason: &str) -> Record {
    let mut record = delivery.record.clone();
    record
        .headers
        .push((HEADER_DLQ_REASON.into(), Bytes::from(reason.to_owned())));
    record.headers.push((
        HEADER_DLQ_SOURCE.into(),
        Bytes::from(format!(
            "{}/{}/{}",
            delivery.topic, delivery.position.partition, delivery.position.offset
        )),
    ));
    record
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use udaconnect_domain::EventId;

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
            received_at: Utc::now(),
        }
    }

    #[test]
    fn round_trips_with_key_and_headers() {
        let e = event();
        let r = encode_location_recorded(&e);
        assert_eq!(&r.key[..], b"7");
        assert_eq!(r.header(HEADER_EVENT_ID).unwrap(), &e.event_id.to_string());
        let mut back = decode_location_recorded(&r).unwrap();
        // received_at is carried at microsecond precision.
        back.received_at = e.received_at;
        assert_eq!(back, e);
    }

    #[test]
    fn rejects_garbage_and_invalid_fields() {
        let mut r = encode_location_recorded(&event());
        r.value = Bytes::from_static(b"{not json");
        assert!(matches!(
            decode_location_recorded(&r),
            Err(DecodeError::Body(_))
        ));
        let bad = String::from_utf8(encode_location_recorded(&event()).value.to_vec())
            .unwrap()
            .replace("37.553441", "137.5");
        r.value = Bytes::from(bad);
        assert!(matches!(
            decode_location_recorded(&r),
            Err(DecodeError::Invalid(e)) if e.field == "latitude"
        ));
    }
}

//! The events UdaConnect puts on its log, and their wire encoding.
//!
//! Topic `udaconnect.locations.v1`: one [`LocationRecorded`] per accepted fix, keyed by the
//! person id (so one person's fixes stay in order), with headers `event-id`, `event-type`
//! and `content-type`. The value is the protobuf message `udaconnect.v1.LocationRecorded`
//! (`proto/udaconnect/v1/events.proto`); records written as JSON by earlier versions
//! (`content-type: application/json`) are still read. Poison records go to
//! `udaconnect.locations.v1.dlq` with the reason in the `dlq-reason` header.
//!
//! Topic `udaconnect.contacts.v1`: one [`ContactEpisode`] per episode start and end, keyed by
//! the pair `<a>-<b>`, protobuf `udaconnect.v1.ContactEpisode`, event type
//! `contact.episode.v1`, header `event-id` = `<episode id>/<kind>`.

use bytes::Bytes;
use serde::Deserialize;
use udaconnect_bus::{Delivery, Record};
use udaconnect_domain::{
    ContactEpisode, Coordinates, EpisodeKind, Location, LocationId, LocationRecorded, PersonErased,
    PersonId, ValidationError, parse_datetime,
};

pub const LOCATIONS_TOPIC: &str = "udaconnect.locations.v1";
pub const LOCATIONS_DLQ_TOPIC: &str = "udaconnect.locations.v1.dlq";
pub const CONTACTS_TOPIC: &str = "udaconnect.contacts.v1";
pub const ERASURES_TOPIC: &str = "udaconnect.erasures.v1";

/// The topic names one deployment uses: the standard names behind an optional prefix, so
/// that several deployments (staging and production, or parallel test runs) can share one
/// Kafka cluster without reading each other's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    pub locations: String,
    pub locations_dlq: String,
    pub contacts: String,
    pub erasures: String,
    /// Prepended to consumer-group names too.
    pub prefix: String,
}

impl Topics {
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            locations: format!("{prefix}{LOCATIONS_TOPIC}"),
            locations_dlq: format!("{prefix}{LOCATIONS_DLQ_TOPIC}"),
            contacts: format!("{prefix}{CONTACTS_TOPIC}"),
            erasures: format!("{prefix}{ERASURES_TOPIC}"),
            prefix: prefix.to_owned(),
        }
    }

    /// A consumer-group name within this deployment.
    pub fn group(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

impl Default for Topics {
    fn default() -> Self {
        Self::with_prefix("")
    }
}
pub const LOCATION_RECORDED: &str = "location.recorded.v1";
pub const CONTACT_EPISODE: &str = "contact.episode.v1";
pub const PERSON_ERASED: &str = "person.erased.v1";
pub const CONTENT_TYPE_JSON: &str = "application/json";
pub const CONTENT_TYPE_PROTOBUF: &str = udaconnect_proto::LOCATION_RECORDED_CONTENT_TYPE;

pub const HEADER_EVENT_ID: &str = "event-id";
pub const HEADER_EVENT_TYPE: &str = "event-type";
pub const HEADER_CONTENT_TYPE: &str = "content-type";
/// W3C Trace Context of the request that produced the record, so that a consumer's work can
/// be joined to the request that caused it.
pub const HEADER_TRACEPARENT: &str = "traceparent";
pub const HEADER_DLQ_REASON: &str = "dlq-reason";
pub const HEADER_DLQ_SOURCE: &str = "dlq-source";

/// The JSON body of a `location.recorded.v1` event as written before the protobuf encoding;
/// still decoded so that a log written by an earlier version drains.
#[derive(Debug, Deserialize)]
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

/// Encodes an accepted fix as a log record (protobuf value).
pub fn encode_location_recorded(event: &LocationRecorded) -> Record {
    Record::new(
        event.location.person_id.get().to_string(),
        udaconnect_proto::encode_location_recorded(event),
    )
    .with_header(HEADER_EVENT_ID, event.event_id.to_string())
    .with_header(HEADER_EVENT_TYPE, LOCATION_RECORDED)
    .with_header(HEADER_CONTENT_TYPE, CONTENT_TYPE_PROTOBUF)
}

/// Encodes a contact episode event as a log record (protobuf value, keyed by the pair).
pub fn encode_contact_episode(e: &ContactEpisode) -> Record {
    let kind = match e.kind {
        EpisodeKind::Started => "started",
        EpisodeKind::Ended => "ended",
    };
    Record::new(
        format!("{}-{}", e.persons.0, e.persons.1),
        udaconnect_proto::encode_contact_episode(e),
    )
    .with_header(HEADER_EVENT_ID, format!("{}/{kind}", e.episode_id))
    .with_header(HEADER_EVENT_TYPE, CONTACT_EPISODE)
    .with_header(
        HEADER_CONTENT_TYPE,
        udaconnect_proto::CONTACT_EPISODE_CONTENT_TYPE,
    )
}

/// Encodes an erasure tombstone as a log record (protobuf value, keyed by the person id).
pub fn encode_person_erased(e: &PersonErased) -> Record {
    Record::new(
        e.person_id.get().to_string(),
        udaconnect_proto::encode_person_erased(e),
    )
    .with_header(HEADER_EVENT_ID, e.event_id.to_string())
    .with_header(HEADER_EVENT_TYPE, PERSON_ERASED)
    .with_header(
        HEADER_CONTENT_TYPE,
        udaconnect_proto::PERSON_ERASED_CONTENT_TYPE,
    )
}

/// Decodes a record from the erasures topic, validating every field.
pub fn decode_person_erased(record: &Record) -> Result<PersonErased, DecodeError> {
    if let Some(t) = record
        .header(HEADER_EVENT_TYPE)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .filter(|t| t != PERSON_ERASED)
    {
        return Err(DecodeError::EventType(t));
    }
    udaconnect_proto::decode_person_erased(&record.value).map_err(|e| match e {
        udaconnect_proto::EventDecodeError::Invalid(v) => DecodeError::Invalid(v),
        other => DecodeError::Body(other.to_string()),
    })
}

/// Decodes a record from the contacts topic, validating every field.
pub fn decode_contact_episode(record: &Record) -> Result<ContactEpisode, DecodeError> {
    if let Some(t) = record
        .header(HEADER_EVENT_TYPE)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .filter(|t| t != CONTACT_EPISODE)
    {
        return Err(DecodeError::EventType(t));
    }
    udaconnect_proto::decode_contact_episode(&record.value).map_err(|e| match e {
        udaconnect_proto::EventDecodeError::Invalid(v) => DecodeError::Invalid(v),
        other => DecodeError::Body(other.to_string()),
    })
}

/// A fresh W3C `traceparent` (version 00, sampled): a new trace for a request that arrived
/// without one.
pub fn new_traceparent() -> String {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let span = &uuid::Uuid::new_v4().simple().to_string()[..16];
    format!("00-{trace}-{span}-01")
}

/// The `traceparent` header of a record, if it has a well-formed one.
pub fn traceparent(record: &Record) -> Option<String> {
    let value = std::str::from_utf8(record.header(HEADER_TRACEPARENT)?).ok()?;
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (parts.len() == 4
        && hex(parts[0], 2)
        && hex(parts[1], 32)
        && hex(parts[2], 16)
        && hex(parts[3], 2))
    .then(|| value.to_owned())
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
    match header(HEADER_CONTENT_TYPE).as_deref() {
        None | Some(CONTENT_TYPE_PROTOBUF) => {
            return udaconnect_proto::decode_location_recorded(&record.value).map_err(
                |e| match e {
                    udaconnect_proto::EventDecodeError::Invalid(v) => DecodeError::Invalid(v),
                    other => DecodeError::Body(other.to_string()),
                },
            );
        }
        Some(CONTENT_TYPE_JSON) => {}
        Some(other) => return Err(DecodeError::ContentType(other.to_owned())),
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
    fn traceparents_are_well_formed() {
        let tp = new_traceparent();
        assert_eq!(tp.len(), 55, "{tp}");
        let r = encode_location_recorded(&event()).with_header(HEADER_TRACEPARENT, tp.clone());
        assert_eq!(traceparent(&r), Some(tp));
        let bad = encode_location_recorded(&event()).with_header(HEADER_TRACEPARENT, "00-xyz");
        assert_eq!(traceparent(&bad), None);
    }

    #[test]
    fn rejects_garbage_and_invalid_fields() {
        let mut r = encode_location_recorded(&event());
        r.value = Bytes::from_static(b"\xff\xff\xff");
        assert!(matches!(
            decode_location_recorded(&r),
            Err(DecodeError::Body(_))
        ));
        let json = |body: &str| {
            Record::new("7", body.to_owned())
                .with_header(HEADER_EVENT_TYPE, LOCATION_RECORDED)
                .with_header(HEADER_CONTENT_TYPE, CONTENT_TYPE_JSON)
        };
        assert!(matches!(
            decode_location_recorded(&json("{not json")),
            Err(DecodeError::Body(_))
        ));
        let legacy = r#"{"event_id":"0190a0b0-0000-7000-8000-000000000001","location_id":42,
            "person_id":7,"latitude":137.5,"longitude":1.0,
            "creation_time":"2020-08-18T10:37:06Z","received_at":"2020-08-18T10:37:06Z"}"#;
        assert!(matches!(
            decode_location_recorded(&json(legacy)),
            Err(DecodeError::Invalid(e)) if e.field == "latitude"
        ));
        let ok = legacy.replace("137.5", "37.5");
        assert_eq!(
            decode_location_recorded(&json(&ok))
                .unwrap()
                .location
                .id
                .get(),
            42
        );
        let other = json(&ok).with_header(HEADER_CONTENT_TYPE, "text/plain");
        // The first content-type header counts.
        assert!(decode_location_recorded(&other).is_ok());
        let mut unknown = json(&ok);
        unknown.headers[1].1 = Bytes::from_static(b"text/plain");
        assert!(matches!(
            decode_location_recorded(&unknown),
            Err(DecodeError::ContentType(_))
        ));
    }
}

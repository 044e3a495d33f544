//! Every decoder of untrusted protobuf — gRPC requests from devices and gateways, event
//! values read from Kafka — either yields a valid domain value or a clear error naming the
//! field; it never panics, whatever the bytes or field values.

use proptest::prelude::*;
use prost::Message;
use udaconnect_domain::{ConnectionQuery, NewLocation, NewPerson};
use udaconnect_proto::{
    EventDecodeError, decode_contact_episode, decode_location_recorded, encode_location_recorded,
    v1,
};

/// Floats with the edge cases weighted in: NaN, infinities, signed zero, subnormals, the
/// range bounds and just beyond them.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => any::<f64>(),
        2 => -200.0..200.0f64,
        2 => prop::sample::select(vec![
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, f64::MIN_POSITIVE,
            5e-324, f64::MAX, f64::MIN, 90.0, -90.0, 180.0, -180.0,
            90.000_000_000_001, -180.000_000_000_001, 1e300,
        ]),
    ]
}

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => any::<i64>(),
        2 => -3i64..1_000,
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, 0, -1, 1]),
    ]
}

fn timestamp() -> impl Strategy<Value = Option<prost_types::Timestamp>> {
    let seconds = prop_oneof![
        2 => any::<i64>(),
        2 => -100_000_000_000i64..100_000_000_000,
        1 => prop::sample::select(vec![
            i64::MIN, i64::MAX, 8_210_298_412_799, 8_210_298_412_800, -8_334_632_851_200,
            -8_334_632_851_201, 0,
        ]),
    ];
    let nanos = prop_oneof![
        2 => 0i32..1_000_000_000,
        1 => any::<i32>(),
        1 => prop::sample::select(vec![-1, 999_999_999, 1_000_000_000, i32::MIN, i32::MAX]),
    ];
    prop::option::weighted(
        0.9,
        (seconds, nanos).prop_map(|(seconds, nanos)| prost_types::Timestamp { seconds, nanos }),
    )
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[+-]?[0-9]{1,7}-[01][0-9]-[0-3][0-9]",
        Just(String::new()),
        "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    ]
}

fn record_location() -> impl Strategy<Value = v1::RecordLocationRequest> {
    (int(), float(), float(), timestamp()).prop_map(|(person_id, latitude, longitude, t)| {
        v1::RecordLocationRequest {
            person_id,
            latitude,
            longitude,
            creation_time: t,
        }
    })
}

fn location_recorded() -> impl Strategy<Value = v1::LocationRecorded> {
    (
        text(),
        int(),
        int(),
        float(),
        float(),
        timestamp(),
        timestamp(),
    )
        .prop_map(
            |(event_id, location_id, person_id, latitude, longitude, c, r)| v1::LocationRecorded {
                event_id,
                location_id,
                person_id,
                latitude,
                longitude,
                creation_time: c,
                received_at: r,
            },
        )
}

fn contact_episode() -> impl Strategy<Value = v1::ContactEpisode> {
    (
        (text(), -1i32..4, int(), int(), timestamp(), timestamp()),
        (
            any::<u64>(),
            float(),
            float(),
            float(),
            int(),
            timestamp(),
            timestamp(),
        ),
    )
        .prop_map(
            |(
                (episode_id, kind, person_a, person_b, first_seen, last_seen),
                (meetings, closest_m, latitude, longitude, trigger, received, detected),
            )| v1::ContactEpisode {
                episode_id,
                kind,
                person_a,
                person_b,
                first_seen,
                last_seen,
                meetings,
                closest_m,
                latitude,
                longitude,
                trigger_location_id: trigger,
                trigger_received_at: received,
                detected_at: detected,
            },
        )
}

const LOCATION_FIELDS: &[&str] = &["person_id", "latitude", "longitude", "creation_time"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Raw bytes as any of the messages: an error, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_location_recorded(&bytes);
        let _ = decode_contact_episode(&bytes);
        if let Ok(r) = v1::RecordLocationRequest::decode(&bytes[..]) {
            let _ = NewLocation::try_from(r);
        }
        if let Ok(r) = v1::CreatePersonRequest::decode(&bytes[..]) {
            let _ = NewPerson::try_from(r);
        }
        if let Ok(r) = v1::FindConnectionsRequest::decode(&bytes[..]) {
            let _ = ConnectionQuery::try_from(r);
        }
    }

    /// A device's fix: valid and in range, or an error naming one of its fields.
    #[test]
    fn record_location_requests_are_valid_or_name_the_field(r in record_location()) {
        match NewLocation::try_from(r) {
            Ok(fix) => {
                let (lat, lon) = (fix.coordinates.lat(), fix.coordinates.lon());
                prop_assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
                prop_assert!(fix.person_id.get() > 0);
                // What was accepted survives the trip to the wire and back.
                let again = NewLocation::try_from(v1::RecordLocationRequest::from(&fix));
                prop_assert_eq!(again.ok(), Some(fix));
            }
            Err(e) => prop_assert!(LOCATION_FIELDS.contains(&&*e.field), "{e:?} for {r:?}"),
        }
    }

    /// A Kafka record's value: a valid event that re-encodes to itself, or an error.
    #[test]
    fn location_recorded_values_are_valid_or_name_the_field(e in location_recorded()) {
        match decode_location_recorded(&e.encode_to_vec()) {
            Ok(event) => {
                let again = decode_location_recorded(&encode_location_recorded(&event));
                prop_assert_eq!(again.ok(), Some(event));
            }
            Err(EventDecodeError::Invalid(v)) => prop_assert!(
                ["event_id", "location_id", "received_at"].contains(&&*v.field)
                    || LOCATION_FIELDS.contains(&&*v.field),
                "{v:?}"
            ),
            Err(EventDecodeError::Malformed(m)) => prop_assert!(false, "well-formed value refused: {m}"),
        }
    }

    #[test]
    fn contact_episode_values_are_valid_or_name_the_field(e in contact_episode()) {
        match decode_contact_episode(&e.encode_to_vec()) {
            Ok(episode) => {
                prop_assert!(episode.persons.0 < episode.persons.1);
                prop_assert!(episode.closest_m.is_finite() && episode.closest_m >= 0.0);
                let again = decode_contact_episode(&udaconnect_proto::encode_contact_episode(&episode));
                prop_assert_eq!(again.ok(), Some(episode));
            }
            Err(EventDecodeError::Invalid(v)) => prop_assert!(!v.field.is_empty()),
            Err(EventDecodeError::Malformed(m)) => prop_assert!(false, "well-formed value refused: {m}"),
        }
    }

    /// The POC connection query over gRPC: dates, distance and id at their edges.
    #[test]
    fn find_connections_requests_are_valid_or_name_the_field(
        person_id in int(), start in text(), end in text(),
        distance in prop::option::of(float()),
    ) {
        let r = v1::FindConnectionsRequest { person_id, start_date: start, end_date: end, distance_m: distance };
        match ConnectionQuery::try_from(r) {
            Ok(q) => {
                let (from, to) = q.others_window();
                prop_assert!(from <= to);
                prop_assert!(q.distance.metres() > 0.0 && q.distance.metres().is_finite());
            }
            Err(e) => prop_assert!(
                ["person_id", "start_date", "end_date", "distance_m"].contains(&&*e.field),
                "{e:?}"
            ),
        }
    }
}

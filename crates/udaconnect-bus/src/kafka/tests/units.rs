//! What needs no broker: options, configuration errors, header conversion. Not ignored.

use std::time::Duration;

use bytes::Bytes;

use super::super::{KafkaLog, KafkaOptions, message};
use crate::{BusError, EventLog};

#[test]
fn default_options_are_valid_and_bad_ones_name_their_field() {
    assert!(KafkaOptions::default().validate().is_ok());
    let bad = [
        KafkaOptions {
            brokers: " ".into(),
            ..KafkaOptions::default()
        },
        KafkaOptions {
            default_partitions: 0,
            ..KafkaOptions::default()
        },
        KafkaOptions {
            replication_factor: 0,
            ..KafkaOptions::default()
        },
        KafkaOptions {
            session_timeout: Duration::from_millis(10),
            ..KafkaOptions::default()
        },
    ];
    let fields: Vec<&str> = bad
        .iter()
        .map(|o| match KafkaLog::connect(o.clone()) {
            Err(BusError::InvalidArgument { field, .. }) => field,
            other => panic!("expected invalid argument, got {other:?}"),
        })
        .collect();
    assert_eq!(
        fields,
        [
            "brokers",
            "default_partitions",
            "replication_factor",
            "session_timeout"
        ]
    );
}

#[test]
fn unknown_librdkafka_property_is_an_invalid_argument() {
    let options = KafkaOptions {
        extra: vec![("no.such.property".into(), "1".into())],
        ..KafkaOptions::default()
    };
    let error = KafkaLog::connect(options).expect_err("bad property");
    assert!(matches!(
        error,
        BusError::InvalidArgument {
            field: "kafka options",
            ..
        }
    ));
}

#[test]
fn headers_round_trip_in_order_with_duplicates_and_empty_values() {
    let headers: Vec<(String, Bytes)> = vec![
        ("event-id".into(), Bytes::from_static(b"e1")),
        ("event-id".into(), Bytes::from_static(b"dup")),
        ("empty".into(), Bytes::new()),
        ("binary".into(), Bytes::from_static(&[0, 255, 10])),
    ];
    let kafka = message::headers_to_kafka(&headers);
    assert_eq!(message::headers_from_kafka(Some(&kafka)), headers);
}

#[tokio::test]
async fn unreachable_broker_is_a_transient_error_not_a_hang() {
    let options = KafkaOptions {
        brokers: "127.0.0.1:1".into(),
        request_timeout: Duration::from_millis(500),
        ..KafkaOptions::default()
    };
    let log = KafkaLog::connect(options).expect("connect does not contact the broker");
    let error = tokio::time::timeout(Duration::from_secs(10), log.end_offsets("t"))
        .await
        .expect("bounded by request_timeout")
        .expect_err("no broker");
    assert!(error.is_transient(), "{error:?}");
    log.close().await.expect("close with nothing to flush");
    assert!(matches!(
        log.append("t", Vec::new()).await,
        Err(BusError::Closed)
    ));
}

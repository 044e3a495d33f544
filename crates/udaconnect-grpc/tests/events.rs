//! A fix recorded through gRPC lands on the locations log. The ingest still writes the JSON
//! event today; the event it carries must survive the protobuf codec unchanged, so switching
//! the log's value format is a change of codec only.

mod common;

use std::time::Duration;

use common::fix;
use udaconnect_proto::{decode_location_recorded, encode_location_recorded};
use udaconnect_services::events;

#[tokio::test]
async fn recorded_fix_is_on_the_log_and_survives_the_protobuf_codec() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let location = app
        .ingest
        .record(fix(pam.id, 35.0585136, -106.5719521, 10))
        .await
        .unwrap();

    let mut sub = app
        .log
        .subscribe(events::LOCATIONS_TOPIC, "grpc-events-test")
        .await
        .unwrap();
    let mut found = None;
    for _ in 0..50 {
        let deliveries = sub.poll(100, Duration::from_millis(100)).await.unwrap();
        found = deliveries
            .iter()
            .map(|d| events::decode_location_recorded(&d.record).unwrap())
            .find(|e| e.location.id == location.id);
        if found.is_some() {
            break;
        }
    }
    let event = found.expect("the recorded fix is on the log");
    assert_eq!(event.location, location);

    let bytes = encode_location_recorded(&event);
    assert_eq!(decode_location_recorded(&bytes).unwrap(), event);
    assert!(decode_location_recorded(b"{\"event_id\": \"json is not protobuf\"}").is_err());
    drop(sub);
    app.stop().await;
}

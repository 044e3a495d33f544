//! `udaconnect.v1.LocationIngest` through the gRPC client against the local ingest.

mod common;

use std::time::Duration;

use common::{fix, raw_fix, raw_ingest};
use tonic::Code;
use tonic_types::StatusExt;
use udaconnect_domain::PersonId;
use udaconnect_grpc::{GrpcLimits, status::FIELD_METADATA_KEY};
use udaconnect_services::ServiceError;

#[tokio::test]
async fn record_assigns_an_id_and_the_fix_becomes_readable() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let sent = fix(pam.id, 37.553441, -122.290524, 10);
    let location = app.ingest.record(sent.clone()).await.unwrap();
    assert!(location.id.get() > 0);
    assert_eq!(location, sent.clone().with_id(location.id));
    let second = app.ingest.record(sent).await.unwrap();
    assert_ne!(second.id, location.id);

    // The writer stores it; then Connections.GetLocation answers it.
    let mut stored = None;
    for _ in 0..200 {
        match app.connections.get_location(location.id).await {
            Ok(l) => {
                stored = Some(l);
                break;
            }
            Err(ServiceError::NotFound { .. }) => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => panic!("get_location: {e:?}"),
        }
    }
    assert_eq!(stored, Some(location));
    app.stop().await;
}

#[tokio::test]
async fn unknown_person_is_invalid_person_id() {
    let app = common::spawn_app().await;
    let e = app
        .ingest
        .record(fix(PersonId::new(4242).unwrap(), 1.0, 2.0, 10))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ServiceError::Invalid(v) if v.field == "person_id"),
        "{e:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_coordinates_are_invalid_argument_naming_the_field() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let mut stub = raw_ingest(&app).await;
    for (lat, lon, field) in [(91.0, 0.0, "latitude"), (0.0, f64::NAN, "longitude")] {
        let status = stub
            .record_location(raw_fix(pam.id.get(), lat, lon))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with(&format!("{field}: ")),
            "{status:?}"
        );
        let details = status.get_error_details();
        let violation = &details.bad_request().unwrap().field_violations[0];
        assert_eq!(violation.field, field);
        assert_eq!(status.metadata().get(FIELD_METADATA_KEY).unwrap(), field);
    }
    let mut missing_time = raw_fix(pam.id.get(), 1.0, 1.0);
    missing_time.creation_time = None;
    let status = stub.record_location(missing_time).await.unwrap_err();
    assert!(
        status.message().starts_with("creation_time: "),
        "{status:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn stream_rejects_per_fix_with_index_and_field() {
    // Batches of 2 so that rejections fall in several batches.
    let limits = GrpcLimits {
        ingest_batch: 2,
        ..GrpcLimits::default()
    };
    let app = common::spawn_app_with(limits).await;
    let pam = app.person("Pam").await.id.get();
    let stream = vec![
        raw_fix(pam, 1.0, 1.0),
        raw_fix(pam, 100.0, 1.0),
        raw_fix(pam, 2.0, 2.0),
        raw_fix(9999, 3.0, 3.0),
        raw_fix(pam, 4.0, 200.0),
        raw_fix(pam, 5.0, 5.0),
    ];
    let mut stub = raw_ingest(&app).await;
    let summary = stub
        .stream_locations(futures::stream::iter(stream))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((summary.accepted_count, summary.rejected_count), (3, 3));
    assert_eq!(summary.location_ids.len(), 3);
    assert!(summary.location_ids.iter().all(|id| *id > 0));
    let rejected: Vec<_> = summary
        .rejected
        .iter()
        .map(|r| (r.index, r.code, r.field.as_str()))
        .collect();
    let invalid = Code::InvalidArgument as i32;
    assert_eq!(
        rejected,
        [
            (1, invalid, "latitude"),
            (3, invalid, "person_id"),
            (4, invalid, "longitude")
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn record_many_gives_a_result_per_fix_in_order() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await.id;
    let ghost = PersonId::new(777).unwrap();
    let fixes = vec![
        fix(pam, 1.0, 1.0, 8),
        fix(ghost, 1.0, 1.0, 9),
        fix(pam, 2.0, 2.0, 10),
    ];
    let results = app.ingest.record_many(fixes.clone()).await.unwrap();
    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().unwrap();
    let third = results[2].as_ref().unwrap();
    assert_eq!(first, &fixes[0].clone().with_id(first.id));
    assert_eq!(third, &fixes[2].clone().with_id(third.id));
    assert_ne!(first.id, third.id);
    assert!(matches!(&results[1], Err(ServiceError::Invalid(v)) if v.field == "person_id"));
    assert!(app.ingest.record_many(Vec::new()).await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn too_long_a_stream_is_resource_exhausted() {
    let limits = GrpcLimits {
        max_stream_fixes: 3,
        ..GrpcLimits::default()
    };
    let app = common::spawn_app_with(limits).await;
    let pam = app.person("Pam").await.id;
    let fixes: Vec<_> = (0..5).map(|h| fix(pam, 1.0, 1.0, h)).collect();
    let e = app.ingest.record_many(fixes).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Unavailable(m) if m.contains("ResourceExhausted")),
        "{e:?}"
    );
    let mut stub = raw_ingest(&app).await;
    let stream = futures::stream::iter((0..4).map(move |_| raw_fix(pam.get(), 1.0, 1.0)));
    let status = stub.stream_locations(stream).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    app.stop().await;
}

#[tokio::test]
async fn a_stream_open_too_long_is_deadline_exceeded() {
    let limits = GrpcLimits {
        max_stream_duration: Duration::from_millis(300),
        ..GrpcLimits::default()
    };
    let app = common::spawn_app_with(limits).await;
    let pam = app.person("Pam").await.id.get();
    let mut stub = raw_ingest(&app).await;
    // One fix, then a client that never finishes its stream.
    let stream = futures::StreamExt::chain(
        futures::stream::iter([raw_fix(pam, 1.0, 1.0)]),
        futures::stream::pending(),
    );
    let started = std::time::Instant::now();
    let status = stub.stream_locations(stream).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(status.message().contains("at most 0.3 s"), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    app.stop().await;
}

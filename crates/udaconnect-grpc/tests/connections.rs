//! `udaconnect.v1.Connections` through the gRPC client against the local service.

mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::fix;
use tonic::Code;
use udaconnect_domain::{ConnectionQuery, DistanceMeters, Location, LocationId, PersonId};
use udaconnect_proto::v1::{self, connections_client::ConnectionsClient};
use udaconnect_services::ServiceError;

fn query(person: PersonId) -> ConnectionQuery {
    let date = |m, d| NaiveDate::from_ymd_opt(2020, m, d).unwrap();
    ConnectionQuery::new(
        person,
        date(1, 1),
        date(12, 30),
        DistanceMeters::POC_DEFAULT,
    )
    .unwrap()
}

async fn wait_stored(app: &common::TestApp, id: LocationId) -> Location {
    for _ in 0..200 {
        if let Ok(l) = app.connections.get_location(id).await {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("location {id} never stored");
}

#[tokio::test]
async fn finds_the_poc_connections() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let taco = app.person("Taco").await;
    let far = app.person("Far").await;
    app.ingest
        .record(fix(pam.id, 37.553441, -122.290524, 10))
        .await
        .unwrap();
    // About 1.1 m north of Pam's fix, and one 100 km away.
    let near = app
        .ingest
        .record(fix(taco.id, 37.553451, -122.290524, 11))
        .await
        .unwrap();
    let away = app
        .ingest
        .record(fix(far.id, 38.5, -122.290524, 12))
        .await
        .unwrap();
    wait_stored(&app, near.id).await;
    wait_stored(&app, away.id).await;

    let connections = app
        .connections
        .find_connections(query(pam.id))
        .await
        .unwrap();
    assert_eq!(connections.len(), 1, "{connections:?}");
    assert_eq!(connections[0].person, taco);
    assert_eq!(connections[0].location, near);
    app.stop().await;
}

#[tokio::test]
async fn missing_entities_are_not_found() {
    let app = common::spawn_app().await;
    let e = app
        .connections
        .find_connections(query(PersonId::new(31).unwrap()))
        .await;
    assert!(
        matches!(
            e,
            Err(ServiceError::NotFound {
                entity: "person",
                id: 31
            })
        ),
        "{e:?}"
    );
    let e = app
        .connections
        .get_location(LocationId::new(404).unwrap())
        .await;
    assert!(
        matches!(
            e,
            Err(ServiceError::NotFound {
                entity: "location",
                id: 404
            })
        ),
        "{e:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_queries_are_invalid_argument_naming_the_field() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await.id.get();
    let mut stub = ConnectionsClient::new(app.channel());
    let ok = v1::FindConnectionsRequest {
        person_id: pam,
        start_date: "2020-01-01".into(),
        end_date: "2020-12-30".into(),
        distance_m: None,
    };
    assert!(
        stub.find_connections(ok.clone())
            .await
            .unwrap()
            .into_inner()
            .connections
            .is_empty()
    );
    let cases = [
        (
            v1::FindConnectionsRequest {
                start_date: "2020-13-01".into(),
                ..ok.clone()
            },
            "start_date",
        ),
        (
            v1::FindConnectionsRequest {
                end_date: "2019-12-31".into(),
                ..ok.clone()
            },
            "end_date",
        ),
        (
            v1::FindConnectionsRequest {
                distance_m: Some(-5.0),
                ..ok.clone()
            },
            "distance_m",
        ),
        (
            v1::FindConnectionsRequest {
                person_id: 0,
                ..ok.clone()
            },
            "person_id",
        ),
    ];
    for (request, field) in cases {
        let status = stub.find_connections(request).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with(&format!("{field}: ")),
            "{status:?}"
        );
    }
    let status = stub
        .get_location(v1::GetLocationRequest { location_id: -1 })
        .await
        .unwrap_err();
    assert!(status.message().starts_with("location_id: "), "{status:?}");
    app.stop().await;
}

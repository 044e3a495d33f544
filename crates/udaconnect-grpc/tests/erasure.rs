//! `udaconnect.v1.Persons/DeletePerson` through the gRPC client against the local services:
//! the person, their fixes and their connections are gone, and errors name the field.

mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::fix;
use tonic::Code;
use udaconnect_domain::{ConnectionQuery, DistanceMeters, PersonId};
use udaconnect_proto::v1::{self, persons_client::PersonsClient};
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

#[tokio::test]
async fn delete_person_erases_them_and_their_connections() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let taco = app.person("Taco").await;
    app.ingest
        .record(fix(pam.id, 37.553441, -122.290524, 10))
        .await
        .unwrap();
    let near = app
        .ingest
        .record(fix(taco.id, 37.553451, -122.290524, 11))
        .await
        .unwrap();
    let mut stored = false;
    for _ in 0..200 {
        if app.connections.get_location(near.id).await.is_ok()
            && app
                .connections
                .find_connections(query(pam.id))
                .await
                .is_ok_and(|c| c.len() == 1)
        {
            stored = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stored, "taco's fix never became a connection of pam");

    app.persons.delete(taco.id).await.expect("delete");
    assert!(matches!(
        app.persons.get(taco.id).await,
        Err(ServiceError::NotFound {
            entity: "person",
            ..
        })
    ));
    assert!(matches!(
        app.persons.delete(taco.id).await,
        Err(ServiceError::NotFound {
            entity: "person",
            ..
        })
    ));
    assert!(matches!(
        app.connections.get_location(near.id).await,
        Err(ServiceError::NotFound { .. })
    ));
    let mut gone = false;
    for _ in 0..200 {
        if app
            .connections
            .find_connections(query(pam.id))
            .await
            .unwrap()
            .is_empty()
        {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "pam's connections still name taco");
    assert_eq!(app.store.erased_persons().await.unwrap(), vec![taco.id]);
    assert_eq!(app.persons.list().await.unwrap(), vec![pam]);

    let mut stub = PersonsClient::new(app.channel());
    let status = stub
        .delete_person(v1::DeletePersonRequest { person_id: 0 })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().starts_with("person_id:"),
        "{}",
        status.message()
    );
    app.stop().await;
}

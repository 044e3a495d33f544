//! The access rules over real gRPC: no token or a bad one is `UNAUTHENTICATED` on every
//! UdaConnect method; each role's rights and refusals (`PERMISSION_DENIED`); the caller's
//! token propagated by the clients.

mod common;

use futures::StreamExt;
use tonic::Code;
use udaconnect_auth::{Role, SigningKey, Tokens, propagate};
use udaconnect_domain::PersonId;
use udaconnect_proto::v1::{
    self, connections_client::ConnectionsClient, location_ingest_client::LocationIngestClient,
    persons_client::PersonsClient,
};
use udaconnect_services::ServiceError;

use common::{authed, raw_fix, token};

/// Every UdaConnect method, called on a channel carrying `token`; the codes answered.
async fn codes_of_every_method(url: &str, token: Option<String>) -> Vec<(&'static str, Code)> {
    let code = |r: Result<(), tonic::Status>| r.err().map_or(Code::Ok, |s| s.code());
    let mut persons = PersonsClient::new(authed(url, token.clone()));
    let mut ingest = LocationIngestClient::new(authed(url, token.clone()));
    let mut conn = ConnectionsClient::new(authed(url, token));
    vec![
        (
            "ListPersons",
            code(
                persons
                    .list_persons(v1::ListPersonsRequest {})
                    .await
                    .map(drop),
            ),
        ),
        (
            "GetPerson",
            code(
                persons
                    .get_person(v1::GetPersonRequest { person_id: 1 })
                    .await
                    .map(drop),
            ),
        ),
        (
            "CreatePerson",
            code(
                persons
                    .create_person(v1::CreatePersonRequest {
                        first_name: "A".into(),
                        last_name: "B".into(),
                        company_name: "C".into(),
                    })
                    .await
                    .map(drop),
            ),
        ),
        (
            "RecordLocation",
            code(ingest.record_location(raw_fix(1, 1.0, 1.0)).await.map(drop)),
        ),
        (
            "StreamLocations",
            code(
                ingest
                    .stream_locations(futures::stream::iter(vec![raw_fix(1, 1.0, 1.0)]))
                    .await
                    .map(drop),
            ),
        ),
        (
            "GetLocation",
            code(
                conn.get_location(v1::GetLocationRequest { location_id: 29 })
                    .await
                    .map(drop),
            ),
        ),
        (
            "FindConnections",
            code(
                conn.find_connections(v1::FindConnectionsRequest {
                    person_id: 1,
                    start_date: "2020-01-01".into(),
                    end_date: "2020-12-30".into(),
                    distance_m: None,
                })
                .await
                .map(drop),
            ),
        ),
        (
            "FindContacts",
            code(
                conn.find_contacts(v1::FindContactsRequest {
                    person_id: 1,
                    ..Default::default()
                })
                .await
                .map(drop),
            ),
        ),
        (
            "WatchContacts",
            code(
                conn.watch_contacts(v1::WatchContactsRequest::default())
                    .await
                    .map(drop),
            ),
        ),
        (
            "WatchLocations",
            code(
                conn.watch_locations(v1::WatchLocationsRequest::default())
                    .await
                    .map(drop),
            ),
        ),
        (
            "GetActivity",
            code(
                conn.get_activity(v1::GetActivityRequest::default())
                    .await
                    .map(drop),
            ),
        ),
    ]
}

#[tokio::test]
async fn every_method_refuses_missing_and_bad_tokens_alike() {
    let app = common::spawn_app_with_demo_data().await;
    let forged = token(&Tokens::new(&SigningKey::generate()), Role::Admin, None);
    for bad in [None, Some("garbage".to_owned()), Some(forged)] {
        for (method, code) in codes_of_every_method(&app.url, bad.clone()).await {
            assert_eq!(code, Code::Unauthenticated, "{method} with {bad:?}");
        }
    }
    // The message never says what was wrong.
    let mut persons = PersonsClient::new(authed(&app.url, Some("garbage".into())));
    let s = persons
        .list_persons(v1::ListPersonsRequest {})
        .await
        .unwrap_err();
    assert_eq!(s.message(), "invalid credentials");
    // An organiser may call every method.
    for (method, code) in codes_of_every_method(&app.url, Some(app.admin_token.clone())).await {
        assert_eq!(code, Code::Ok, "{method} as an organiser");
    }
    app.stop().await;
}

#[tokio::test]
async fn attendees_see_only_their_own_person_fixes_and_contacts() {
    let app = common::spawn_app_with_demo_data().await;
    let one = PersonId::new(1).unwrap();
    let attendee = Some(token(&app.tokens, Role::Attendee, Some(one)));
    let denied = |r: Result<(), tonic::Status>, what: &str| {
        assert_eq!(r.expect_err(what).code(), Code::PermissionDenied, "{what}");
    };
    let mut persons = PersonsClient::new(authed(&app.url, attendee.clone()));
    let list = persons
        .list_persons(v1::ListPersonsRequest {})
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<i64> = list.persons.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![1]);
    persons
        .get_person(v1::GetPersonRequest { person_id: 1 })
        .await
        .unwrap();
    denied(
        persons
            .get_person(v1::GetPersonRequest { person_id: 5 })
            .await
            .map(drop),
        "other person",
    );
    denied(
        persons
            .delete_person(v1::DeletePersonRequest { person_id: 5 })
            .await
            .map(drop),
        "erase another",
    );
    denied(
        persons
            .create_person(v1::CreatePersonRequest {
                first_name: "A".into(),
                last_name: "B".into(),
                company_name: "C".into(),
            })
            .await
            .map(drop),
        "create",
    );
    let mut conn = ConnectionsClient::new(authed(&app.url, attendee.clone()));
    let contacts = conn
        .find_contacts(v1::FindContactsRequest {
            person_id: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!contacts.contacts.is_empty());
    for c in &contacts.contacts {
        let p = c.person.as_ref().unwrap();
        assert!(!p.first_name.is_empty());
        assert_eq!(p.company_name, "", "names only: {p:?}");
    }
    let connections = conn
        .find_connections(v1::FindConnectionsRequest {
            person_id: 1,
            start_date: "2020-01-01".into(),
            end_date: "2020-12-30".into(),
            distance_m: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        connections
            .connections
            .iter()
            .all(|c| c.person.as_ref().unwrap().company_name.is_empty())
    );
    denied(
        conn.find_contacts(v1::FindContactsRequest {
            person_id: 5,
            ..Default::default()
        })
        .await
        .map(drop),
        "contacts of another",
    );
    // Fix 30 is person 5's; 32 is person 1's.
    denied(
        conn.get_location(v1::GetLocationRequest { location_id: 30 })
            .await
            .map(drop),
        "other's fix",
    );
    conn.get_location(v1::GetLocationRequest { location_id: 32 })
        .await
        .unwrap();
    denied(
        conn.get_activity(v1::GetActivityRequest::default())
            .await
            .map(drop),
        "activity",
    );
    denied(
        conn.watch_locations(v1::WatchLocationsRequest {
            person_id: 5,
            ..Default::default()
        })
        .await
        .map(drop),
        "feed of another",
    );
    conn.watch_locations(v1::WatchLocationsRequest::default())
        .await
        .unwrap();
    let mut ingest = LocationIngestClient::new(authed(&app.url, attendee));
    ingest.record_location(raw_fix(1, 1.0, 1.0)).await.unwrap();
    denied(
        ingest.record_location(raw_fix(5, 1.0, 1.0)).await.map(drop),
        "fix for another",
    );
    app.stop().await;
}

#[tokio::test]
async fn devices_only_ingest_for_their_person() {
    let app = common::spawn_app_with_demo_data().await;
    let device = Some(token(
        &app.tokens,
        Role::Device,
        Some(PersonId::new(1).unwrap()),
    ));
    let mut ingest = LocationIngestClient::new(authed(&app.url, device.clone()));
    ingest.record_location(raw_fix(1, 1.0, 1.0)).await.unwrap();
    let s = ingest
        .record_location(raw_fix(5, 1.0, 1.0))
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::PermissionDenied);
    assert_eq!(
        s.message(),
        "a device account may not submit fixes for person 5"
    );
    // A stream: the other person's fix is rejected, the device's own are recorded.
    let summary = ingest
        .stream_locations(futures::stream::iter(vec![
            raw_fix(1, 1.0, 1.0),
            raw_fix(5, 1.0, 1.0),
            raw_fix(1, 2.0, 2.0),
        ]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((summary.accepted_count, summary.rejected_count), (2, 1));
    assert_eq!(summary.rejected[0].index, 1);
    assert_eq!(summary.rejected[0].code, Code::PermissionDenied as i32);
    let mut persons = PersonsClient::new(authed(&app.url, device.clone()));
    let s = persons
        .delete_person(v1::DeletePersonRequest { person_id: 1 })
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::PermissionDenied, "a device may not erase");
    // Nothing else.
    for (method, code) in codes_of_every_method(&app.url, device).await {
        let expected = match method {
            "RecordLocation" | "StreamLocations" | "GetPerson" => Code::Ok,
            "ListPersons" => Code::Ok, // their own person only
            _ => Code::PermissionDenied,
        };
        assert_eq!(code, expected, "{method} as a device");
    }
    app.stop().await;
}

/// A client without a token of its own calls with the token of the request it serves.
#[tokio::test]
async fn clients_forward_the_callers_token() {
    let app = common::spawn_app_with_demo_data().await;
    let persons = udaconnect_grpc::persons_client(&app.url).unwrap();
    let one = PersonId::new(1).unwrap();
    assert!(matches!(
        persons.get(one).await,
        Err(ServiceError::Unauthenticated)
    ));
    let attendee = token(&app.tokens, Role::Attendee, Some(one));
    let own = propagate::scope(Some(attendee.clone()), persons.get(one)).await;
    assert_eq!(own.unwrap().id, one);
    let other = propagate::scope(Some(attendee), persons.get(PersonId::new(5).unwrap())).await;
    assert!(
        matches!(other, Err(ServiceError::Forbidden(_))),
        "{other:?}"
    );
    // Live feeds too.
    let connections = udaconnect_services::ConnectionsClient::new(
        udaconnect_grpc::GrpcConnections::new(udaconnect_grpc::channel(&app.url).unwrap()),
    );
    let feed = propagate::scope(
        Some(app.admin_token.clone()),
        connections.watch_locations(None, None),
    )
    .await;
    let mut feed = feed.unwrap();
    let _ = tokio::time::timeout(std::time::Duration::from_millis(100), feed.next()).await;
    drop(feed); // the server drains open calls on stop
    app.stop().await;
}

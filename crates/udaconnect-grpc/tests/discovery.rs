//! What lets tools find their way without the protos (reflection, health), and how the
//! clients fail when the server is absent.

mod common;

use tokio::net::TcpListener;
use tonic::Code;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};
use udaconnect_domain::{NewPerson, PersonId};
use udaconnect_grpc::GrpcError;
use udaconnect_proto::v1::{self, persons_client::PersonsClient};
use udaconnect_services::{LocalPersons, ServiceError};
use udaconnect_store::{DynStore, sqlite::SqliteStore};

async fn list_services(url: &str) -> Vec<String> {
    let mut client = ServerReflectionClient::new(udaconnect_grpc::channel(url).unwrap());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer {response:?}");
    };
    let mut names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    names
}

async fn health(url: &str, service: &str) -> Result<i32, Code> {
    let mut client = HealthClient::new(udaconnect_grpc::channel(url).unwrap());
    let request = HealthCheckRequest {
        service: service.into(),
    };
    client
        .check(request)
        .await
        .map(|r| r.into_inner().status)
        .map_err(|s| s.code())
}

#[tokio::test]
async fn reflection_lists_and_health_reports_every_service() {
    let app = common::spawn_app().await;
    let expected = [
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
        "udaconnect.v1.Connections",
        "udaconnect.v1.LocationIngest",
        "udaconnect.v1.Persons",
    ];
    assert_eq!(list_services(&app.url).await, expected);
    let serving = Ok(ServingStatus::Serving as i32);
    for service in [
        "",
        "udaconnect.v1.Persons",
        "udaconnect.v1.LocationIngest",
        "udaconnect.v1.Connections",
    ] {
        assert_eq!(health(&app.url, service).await, serving, "{service}");
    }
    app.stop().await;
}

#[tokio::test]
async fn only_the_services_given_are_mounted() {
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore = std::sync::Arc::new(SqliteStore::open(&dir.path().join("db")).unwrap());
    let log: std::sync::Arc<dyn udaconnect_bus::EventLog> =
        udaconnect_bus::embedded::EmbeddedLog::open(&dir.path().join("log"), Default::default())
            .unwrap();
    let persons = udaconnect_services::PersonsClient::new(LocalPersons::new(
        store,
        log,
        &udaconnect_services::events::Topics::default(),
    ));
    let tokens = udaconnect_auth::Tokens::new(&udaconnect_auth::SigningKey::generate());
    let routes = udaconnect_grpc::services(
        Some(persons),
        None,
        None,
        udaconnect_grpc::GrpcAuth::Enforce(Box::new(tokens.clone())),
    )
    .await
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(udaconnect_grpc::serve(listener, routes, async move {
        let _ = stopped.await;
    }));

    let names = list_services(&url).await;
    assert!(names.contains(&"udaconnect.v1.Persons".to_owned()));
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("LocationIngest") || n.ends_with("Connections"))
    );
    assert_eq!(
        health(&url, "udaconnect.v1.LocationIngest").await,
        Err(Code::NotFound)
    );
    let admin = common::token(&tokens, udaconnect_auth::Role::Admin, None);
    let ingest = udaconnect_grpc::ingest_client_with_token(&url, Some(admin)).unwrap();
    let e = ingest
        .record(common::fix(PersonId::new(1).unwrap(), 1.0, 1.0, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Internal(_)),
        "UNIMPLEMENTED is a wiring bug: {e:?}"
    );

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn oversized_messages_are_refused() {
    let app = common::spawn_app().await;
    let mut stub = PersonsClient::new(app.channel());
    let huge = v1::CreatePersonRequest {
        first_name: "x".repeat(5 * 1024 * 1024),
        last_name: "y".into(),
        company_name: "z".into(),
    };
    // tonic answers OUT_OF_RANGE for a message over the decoding limit.
    assert_eq!(
        stub.create_person(huge).await.unwrap_err().code(),
        Code::OutOfRange
    );
    app.stop().await;
}

#[tokio::test]
async fn an_absent_server_is_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let persons = udaconnect_grpc::persons_client(&url).unwrap();
    let e = persons.get(PersonId::new(1).unwrap()).await.unwrap_err();
    assert!(matches!(e, ServiceError::Unavailable(_)), "{e:?}");
    let e = persons
        .create(NewPerson::new("a", "b", "c").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Unavailable(_)), "{e:?}");
}

#[tokio::test]
async fn bad_urls_are_refused_up_front() {
    for url in ["127.0.0.1:50051", "not a url", ""] {
        let e = udaconnect_grpc::persons_client(url).unwrap_err();
        assert!(
            matches!(e, GrpcError::InvalidEndpoint { .. }),
            "{url}: {e:?}"
        );
    }
}
